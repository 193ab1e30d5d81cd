"""IREE consumes PET's exported linalg: optimized programs compiled by
iree-compile (llvm-cpu) and run by iree-run-module agree with our CPU path
on the same inputs (1e-5 of a result's largest |value|). Skipped, saying
so, where IREE is not installed (bash scripts/setup-iree.sh installs it;
CI does)."""

from pathlib import Path

import pytest

from pet_mlir import cpu
from pet_mlir import iree
from pet_mlir.models import resnet18
from pet_mlir.opt import run_pet_opt

from test_cpu import TOLERANCE, needs_runner

ROOT = Path(__file__).resolve().parents[2]

try:
    iree.find_iree_tool("iree-compile")
    iree.find_iree_tool("iree-run-module")
    HAVE_IREE = True
    WHY = ""
except FileNotFoundError as error:
    HAVE_IREE = False
    WHY = f"IREE is not installed ({error})"

needs_iree = pytest.mark.skipif(not HAVE_IREE, reason=WHY)


def test_npy_round_trip(tmp_path):
    path = tmp_path / "a.npy"
    iree.write_npy(path, [2, 3], [0.5, -1.0, 2.0, 0.0, 3.25, -7.5])
    assert iree.read_npy(path) == ([2, 3], [0.5, -1.0, 2.0, 0.0, 3.25, -7.5])


def cases():
    seam = (ROOT / "examples/seam_conv.mlir").read_text()
    return [
        ("seam-conv", seam, "conv",
         f"--pet-optimize=cost-db={ROOT}/examples/split-conv-costs.json"),
        ("merge-then-split", (ROOT / "test/Transforms/mutate-rounds.mlir").read_text(), "two",
         f"--pet-optimize=cost-db={ROOT}/test/Transforms/Inputs/merge-split-costs.json"),
        ("resnet18-32px", resnet18(image=32, classes=10), "resnet18",
         "--pet-optimize=min-gain=-100"),
        ("bert-layer-sample",
         (ROOT / "test/Conversion/LinalgToPET/Inputs/bert_layer.mlir").read_text(),
         "bert_layer", "--pet-optimize=min-gain=-100"),
    ]


@needs_iree
@needs_runner
@pytest.mark.parametrize("name,source,func,flag", cases(), ids=[c[0] for c in cases()])
def test_iree_runs_the_exported_optimized_program(name, source, func, flag):
    if "linalg." in source:  # torch-mlir output: import first
        source = run_pet_opt(source, ["--convert-linalg-to-pet"])
    optimized = run_pet_opt(source, [flag])
    assert "pet.mutant" in optimized
    # The entry point computes preprocessed weights, as a runtime would.
    linalg = run_pet_opt(optimized, ["--convert-pet-to-linalg",
                                     f"--pet-add-runner-main=func={func} print=false"])
    assert not any(op in linalg for op in ("pet.conv2d", "pet.matmul", "pet.add"))
    args, results = iree.signature(linalg, f"{func}_entry")
    on_iree = iree.run_with_iree(linalg, f"{func}_entry", args, results)
    ours = cpu.run_on_cpu(optimized, func=func)
    assert cpu.max_difference(ours, on_iree) <= TOLERANCE
    # And both equal the original program.
    assert cpu.max_difference(cpu.run_on_cpu(source, func=func), on_iree) <= TOLERANCE
