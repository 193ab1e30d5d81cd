#!/usr/bin/env bash
# The lit suite (FileCheck tests and GoogleTest unit tests) against an
# AddressSanitizer + UBSan build of pet-opt and the unit tests
# (PET_SANITIZE=1 scripts/build.sh, in build-sanitize/ unless BUILD_DIR says
# otherwise). A sanitizer report fails the test that triggered it: UBSan
# halts on the first error, ASan reports leaks too. allow_user_poisoning=0:
# LLVM's allocators poison their free space only where compiled with ASan,
# which Debian's libMLIR.so is not, so that our code's inlined copies of
# them and the library's disagree (false use-after-poison reports);
# container-overflow checks likewise need everything instrumented.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PET_SANITIZE=1
build=${BUILD_DIR:-$root/build-sanitize}
BUILD_DIR=$build bash "$root/scripts/build.sh" || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_container_overflow=0:allow_user_poisoning=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== lit (ASan + UBSan): FileCheck and unit tests"
/usr/lib/llvm-22/bin/lit -sv "$build/test" "$build/test/Unit"
