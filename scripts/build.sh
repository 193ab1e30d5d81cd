#!/usr/bin/env bash
# Configures (once) and builds PET-MLIR in $BUILD_DIR (default: build/) with
# ninja against Debian's LLVM/MLIR 22. Extra arguments are ninja targets.
# PET_SANITIZE=1: an AddressSanitizer + UBSan build, in build-sanitize/ by
# default (scripts/test-sanitize.sh runs the lit and unit tests with it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sanitize=OFF
default_build=$root/build
if [[ ${PET_SANITIZE:-0} == 1 ]]; then
  sanitize=ON
  default_build=$root/build-sanitize
fi
build=${BUILD_DIR:-$default_build}
if [[ ! -f $build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DPET_SANITIZE=$sanitize \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir >/dev/null
fi
ninja -C "$build" "$@"
