"""Real linalg input from torch-mlir: models built in code, through its ONNX
importer, to the linalg-on-tensors backend form.

    pip install torch-mlir onnx numpy      # the torch-mlir wheel, no torch
    PYTHONPATH=python python3 -m pet_mlir.torch_import resnet18 -o r18.mlir
    PYTHONPATH=python python3 -m pet_mlir.torch_import bert_layer -o bert.mlir
    build/bin/pet-opt r18.mlir --convert-linalg-to-pet --pet-import-remarks

Models: resnet18, resnet_block, bert_layer (python/pet_mlir/onnx_models.py);
`--small` gives the sizes of the samples checked in under
test/Conversion/LinalgToPET/Inputs (used by tests that must not need
torch-mlir). The tools torch-mlir-import-onnx and torch-mlir-opt come with the
wheel (found next to the Python interpreter, or on PATH).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

# torch-mlir's pipelines: ONNX ops to torch, torch to linalg-on-tensors.
TORCH_MLIR_PIPELINE = [
    "--torch-onnx-to-torch-backend-pipeline",
    "--torch-backend-to-linalg-on-tensors-backend-pipeline",
]

SMALL = {
    "resnet18": dict(image=32, classes=10, width=8, blocks=1),
    "resnet_block": dict(image=16, channels=8),
    "bert_layer": dict(seq=8, hidden=32, heads=2, ffn=64),
}


_REPO_ROOT = Path(__file__).resolve().parents[2]


def find_tool(name: str) -> str:
    """A torch-mlir tool: next to the Python interpreter, in
    $PET_TORCH_MLIR_DIR/bin, in the project's .venv-torch-mlir
    (scripts/setup-torch-mlir.sh), or on PATH."""
    for directory in (Path(sys.executable).parent,
                      os.environ.get("PET_TORCH_MLIR_DIR") and
                      Path(os.environ["PET_TORCH_MLIR_DIR"]) / "bin",
                      _REPO_ROOT / ".venv-torch-mlir" / "bin"):
        if directory and (Path(directory) / name).exists():
            return str(Path(directory) / name)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found: pip install torch-mlir "
                                "(or bash scripts/setup-torch-mlir.sh)")
    return found


def onnx_file_to_linalg(path: Path, *, keep_torch: Optional[Path] = None) -> str:
    """The linalg-on-tensors torch-mlir makes of the ONNX file `path`
    (torch-mlir-import-onnx, then its backend pipelines). Raises
    subprocess.CalledProcessError with the tools' messages on failure."""
    with tempfile.TemporaryDirectory() as tmp:
        torch_ir = Path(tmp) / "model.torch.mlir"
        subprocess.run([find_tool("torch-mlir-import-onnx"), str(path), "-o",
                        str(torch_ir)], check=True, capture_output=True, text=True)
        if keep_torch:
            shutil.copy(torch_ir, keep_torch)
        result = subprocess.run([find_tool("torch-mlir-opt"), str(torch_ir),
                                 *TORCH_MLIR_PIPELINE], check=True,
                                capture_output=True, text=True)
        return result.stdout


def to_linalg(model, *, keep_torch: Optional[Path] = None) -> str:
    """The linalg-on-tensors torch-mlir makes of an ONNX model."""
    import onnx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        onnx.save(model, path)
        return onnx_file_to_linalg(path, keep_torch=keep_torch)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from . import onnx_models

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", choices=sorted(SMALL))
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--small", action="store_true",
                        help="the small sizes of the checked-in samples")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    options = dict(SMALL[args.model]) if args.small else {}
    model = getattr(onnx_models, args.model)(seed=args.seed, **options)
    text = to_linalg(model)
    header = (f"// {args.model}{' (small)' if args.small else ''}, random weights "
              f"(seed {args.seed}): made by python/pet_mlir/torch_import.py with "
              f"torch-mlir's ONNX importer.\n")
    Path(args.output).write_text(header + text)
    print(f"wrote {args.output} ({os.path.getsize(args.output)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
