#!/usr/bin/env bash
# Installs PyTorch and torchvision from the Python package index into
# .venv-torch-mlir (next to torch-mlir, whose FX importer takes
# torch.nn.Modules: pet_mlir.torch_fx, python/tests/test_torch_fx.py).
# PyPI's wheel is the CUDA build (about 5 GB with its NVIDIA libraries);
# it runs on the CPU here. Idempotent: does nothing when both import.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv-torch-mlir"
torch=2.15.0
torchvision=0.29.2
bash "$root/scripts/setup-torch-mlir.sh"
if "$venv/bin/python" -c "import torch, torchvision" 2>/dev/null; then
  exit 0
fi
start=$SECONDS
"$venv/bin/pip" install -q --disable-pip-version-check \
  "torch==$torch" "torchvision==$torchvision"
echo "setup-torch: torch $torch and torchvision $torchvision installed in" \
  ".venv-torch-mlir ($((SECONDS - start)) s)"
