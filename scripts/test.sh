#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what is missing, builds,
# runs lit (FileCheck tests + GoogleTest unit tests) and the Python tests,
# and in CI (or with PET_WITH_SANITIZERS=1) lit again under ASan + UBSan.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
# Debian's Python, whose pytest setup.sh installs (python3-pytest).
PYTHON=${PYTHON:-/usr/bin/python3}

bash "$root/scripts/setup.sh" || exit 1
bash "$root/scripts/build.sh" || exit 1
# IREE (for python/tests/test_iree.py) in CI, or when asked; without it those
# tests say they are skipped.
if [[ ${CI:-} == true || ${PET_WITH_IREE:-0} == 1 ]]; then
  bash "$root/scripts/setup-iree.sh" ||
    echo "warning: IREE could not be installed; its tests will be skipped" >&2
fi
# torch-mlir's ONNX importer and onnx (pet-compile's ONNX tests) likewise.
if [[ ${CI:-} == true || ${PET_WITH_TORCH_MLIR:-0} == 1 ]]; then
  bash "$root/scripts/setup-torch-mlir.sh" ||
    echo "warning: torch-mlir could not be installed; the ONNX tests will be skipped" >&2
fi
# PyTorch and torchvision (torch.nn.Modules through torch-mlir's FX
# importer, python/tests/test_torch_fx.py) likewise: about 5 GB.
if [[ ${CI:-} == true || ${PET_WITH_TORCH:-0} == 1 ]]; then
  bash "$root/scripts/setup-torch.sh" ||
    echo "warning: PyTorch could not be installed; the FX importer's tests will be skipped" >&2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== lit: FileCheck and unit tests"
/usr/lib/llvm-22/bin/lit -sv "$build/test" "$build/test/Unit" | tee -a "$log"
lit_status=${PIPESTATUS[0]}
if grep -q "contained no tests" "$log"; then
  echo "error: a lit suite discovered no tests" >&2
  lit_status=1
fi

echo "== pytest: python/tests"
PET_OPT="$build/bin/pet-opt" "$PYTHON" -m pytest -q -rs "$root/python/tests" | tee -a "$log"
py_status=${PIPESTATUS[0]}

# The lit suite again against an ASan + UBSan build (build-sanitize/), in CI
# or when asked (PET_WITH_SANITIZERS=1).
san_status=0
if [[ ${CI:-} == true || ${PET_WITH_SANITIZERS:-0} == 1 ]]; then
  bash "$root/scripts/test-sanitize.sh" | tee -a "$log"
  san_status=${PIPESTATUS[0]}
fi

# One closing line over both runners: lit's "Passed: N" / "Failed: N"
# summary lines and pytest's "N passed, M failed in ...".
read -r passed failed < <(awk '
  /^ *Passed *:/ { sub(/^[^:]*: */, ""); p += $1 }
  /^ *(Failed|Unresolved|Timed Out) *:/ { sub(/^[^:]*: */, ""); f += $1 }
  / in [0-9.]+s/ {
    if (match($0, /[0-9]+ passed/)) p += substr($0, RSTART, RLENGTH) + 0
    if (match($0, /[0-9]+ failed/)) f += substr($0, RSTART, RLENGTH) + 0
    if (match($0, /[0-9]+ error/)) f += substr($0, RSTART, RLENGTH) + 0
  }
  END { print p + 0, f + 0 }' "$log")
if (( lit_status != 0 || py_status != 0 || san_status != 0 )) && (( failed == 0 )); then
  failed=1
fi
echo "tests: $passed passed, $failed failed"
(( lit_status == 0 && py_status == 0 && san_status == 0 ))
