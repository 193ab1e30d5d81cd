#!/usr/bin/env bash
# Installs torch-mlir's ONNX importer (torch-mlir-import-onnx, torch-mlir-opt)
# and onnx from the Python package index into .venv-torch-mlir, for
# pet-compile's ONNX input and its test (python/tests/test_compile.py).
# Idempotent: does nothing when they are there. Needs network access to PyPI.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv-torch-mlir"
torch_mlir=20261001
onnx=1.23.2
if [[ -x $venv/bin/torch-mlir-import-onnx && -x $venv/bin/torch-mlir-opt ]] &&
   "$venv/bin/python" -c "import onnx" 2>/dev/null; then
  exit 0
fi
start=$SECONDS
/usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check \
  "torch-mlir==$torch_mlir" "onnx==$onnx" numpy
echo "setup-torch-mlir: torch-mlir $torch_mlir and onnx $onnx installed in" \
  ".venv-torch-mlir ($((SECONDS - start)) s)"
