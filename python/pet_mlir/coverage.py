"""Coverage of real models: torchvision's classification models and a BERT
encoder, each imported (torch.export, torch-mlir's FX importer, weights as
named parameters), optimized (--pet-optimize, mutants and corrected boxes
counted, every one the search finds taken: min-gain=-100), compiled for
the cpu target (IREE llvm-cpu) and run on a random input against PyTorch,
with the reason where a step fails.

    .venv-torch-mlir/bin/python -m pet_mlir.coverage --out DIR [--models a,b]

Needs torch, torchvision and torch-mlir in the running Python
(scripts/setup-torch.sh) and IREE (scripts/setup-iree.sh). Each model runs
in a process of its own (a crash or a timeout is that model's result);
the table goes to DIR/coverage.md, the numbers to DIR/coverage.json.
Random weights (torchvision's initialization, BatchNorm statistics drawn
at random too), batch 1, FP32; "equal" is 1e-4 of the largest |value|.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

# name -> (torchvision builder, image size); the BERT encoder is ours.
MODELS = {
    "resnet18": 224, "resnet50": 224, "resnext50_32x4d": 224, "wide_resnet50_2": 224,
    "vgg11": 224, "densenet121": 224, "mobilenet_v2": 224, "mobilenet_v3_small": 224,
    "efficientnet_b0": 224, "googlenet": 224, "inception_v3": 299, "squeezenet1_0": 224,
    "shufflenet_v2_x1_0": 224, "regnet_y_400mf": 224, "convnext_tiny": 224,
    "vit_b_16": 224, "swin_t": 224, "bert_encoder": 128,
}
TOLERANCE = 1e-4


def build(name: str):
    """The model (eval mode, random weights) and its example input."""
    import torch
    import torchvision
    torch.manual_seed(0)
    if name == "bert_encoder":
        # BERT-base's encoder layers (768 wide, 12 heads, GELU, post-norm), two
        # of them, on 128 embedded tokens.
        layer = torch.nn.TransformerEncoderLayer(768, 12, 3072, dropout=0.0,
                                                 activation="gelu", batch_first=True)
        model = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        return model.eval(), torch.randn(1, MODELS[name], 768)
    kwargs = {"aux_logits": False, "init_weights": True} if name in (
        "googlenet", "inception_v3") else {}
    model = getattr(torchvision.models, name)(weights=None, **kwargs).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
        # Matrices initialized to zero (ViT's head) would make every output
        # 0 whatever the program computes.
        for p in model.parameters():
            if p.dim() >= 2 and not p.any():
                p.normal_(0.0, 0.02)
    size = MODELS[name]
    return model, torch.randn(1, 3, size, size)


def run_one(name: str, out: Path) -> Dict:
    """One model's row (in this process)."""
    import numpy as np
    import torch

    from . import compile as pet_compile
    row: Dict = {"model": name}
    start = time.monotonic()
    model, x = build(name)
    row["parameters"] = sum(p.numel() for p in model.parameters())
    stage = "import, optimize or compile"
    try:
        module = out / f"{name}.vmfb"
        # Every mutant the search finds taken (min-gain=-100), so that the
        # numerics check covers them all.
        optimized = pet_compile.compile(model, example_inputs=(x,), target="cpu",
                                        output=module, optimize="min-gain=-100")
        # What PET models of it (the rest passes through as linalg).
        ops = re.findall(r"= (pet|linalg)\.(\w+)", optimized)
        row["pet_ops"] = sum(1 for d, _ in ops if d == "pet")
        row["linalg_ops"] = sum(1 for d, _ in ops if d == "linalg")
        # Subprograms replaced (their operators carry the subprogram's index).
        row["mutants"] = len(set(re.findall(r"pet\.mutant = (\d+)", optimized)))
        row["corrections"] = len(re.findall(r"= pet\.correct\b", optimized))
        row["compile_s"] = round(time.monotonic() - start, 1)
        stage = "run"
        (got,) = pet_compile.run_cpu(module, [x.numpy()])
        with torch.no_grad():
            want = model(x).numpy()
        error = float(np.abs(got - want).max() / np.abs(want).max())
        row["error"] = error
        row["equal"] = error <= TOLERANCE
        row["status"] = "ok" if row["equal"] else "differs"
    except Exception as error:  # the reason goes into the table
        lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
        errors = [line for line in lines if "error:" in line]
        row["status"] = f"fails at {stage}"
        row["reason"] = ((errors or lines or [type(error).__name__])[0])[:300]
    row["total_s"] = round(time.monotonic() - start, 1)
    for suffix in (".vmfb", ".vmfb.params.bin"):
        (out / f"{name}{suffix}").unlink(missing_ok=True)
    return row


def table(rows: List[Dict]) -> str:
    lines = ["| model | parameters | imports (PET ops / linalg left) | subprograms replaced | "
             "corrected boxes | runs equal on the CPU (max rel. error) | seconds |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        imported = (f"yes ({r['pet_ops']} / {r['linalg_ops']})" if "pet_ops" in r
                    else "no")
        equal = ("yes" if r.get("equal") else "no") + (
            f" ({r['error']:.1e})" if "error" in r else "")
        if "reason" in r:
            equal = f"{r['status']}: {r['reason']}"
        lines.append(f"| {r['model']} | {r.get('parameters', 0) / 1e6:.1f} M | {imported} | "
                     f"{r.get('mutants', '-')} | {r.get('corrections', '-')} | {equal} | "
                     f"{r.get('total_s', '-')} |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds per model (its process is ended after)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(run_one(args.one, args.out)))
        return 0
    rows = []
    for name in args.models.split(","):
        if name not in MODELS:
            parser.error(f"unknown model {name} (one of {', '.join(MODELS)})")
        try:
            proc = subprocess.run([sys.executable, "-m", "pet_mlir.coverage", "--one", name,
                                   "--out", str(args.out)], capture_output=True, text=True,
                                  timeout=args.timeout)
            lines = proc.stdout.strip().splitlines()
            row = json.loads(lines[-1]) if proc.returncode == 0 and lines else {
                "model": name, "status": "crashed",
                "reason": (proc.stderr.strip().splitlines() or ["?"])[-1][:300]}
        except subprocess.TimeoutExpired:
            row = {"model": name, "status": "timeout",
                   "reason": f"more than {args.timeout:.0f} s"}
        rows.append(row)
        print(json.dumps(row), flush=True)
        (args.out / "coverage.json").write_text(json.dumps(rows, indent=1))
        (args.out / "coverage.md").write_text(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
