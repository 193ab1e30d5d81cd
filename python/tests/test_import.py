"""--convert-linalg-to-pet keeps values: each linalg function runs on the CPU
as it is and after the import (lowered back with --convert-pet-to-linalg),
on the same generated inputs. Tolerance as in test_cpu.py: 1e-5 of a
result's largest |value| (a division by c imported as a scale by 1/c
rounds differently)."""

from pathlib import Path

import pytest

from pet_mlir import cpu
from pet_mlir.opt import run_pet_opt

from test_cpu import TOLERANCE, chunks, needs_runner, public_functions

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "test/Conversion/LinalgToPET/Inputs").glob("*.mlir"))


@needs_runner
@pytest.mark.parametrize("chunk", chunks(ROOT / "test/Conversion/LinalgToPET/import.mlir"),
                         ids=lambda c: public_functions(c)[0])
def test_import_keeps_values(chunk):
    imported = run_pet_opt(chunk, ["--convert-linalg-to-pet"])
    assert "pet." in imported
    before = cpu.run_on_cpu(chunk)
    after = cpu.run_on_cpu(imported)
    assert cpu.max_difference(before, after) <= TOLERANCE
    assert any(v != 0 for _, values in before for v in values)


@needs_runner
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_torch_mlir_samples_import_optimize_and_keep_values(path):
    """The checked-in torch-mlir output (python/pet_mlir/torch_import.py made
    it from models built in code): imported, optimized with every mutant
    accepted, run on the CPU against the original linalg."""
    source = path.read_text()
    imported = run_pet_opt(source, ["--convert-linalg-to-pet"])
    assert any(op in imported for op in ("pet.conv2d", "pet.matmul", "pet.batch_matmul"))
    optimized = run_pet_opt(imported, ["--pet-optimize=min-gain=-100"])
    assert "pet.mutant" in optimized
    before = cpu.run_on_cpu(source)
    assert cpu.max_difference(before, cpu.run_on_cpu(imported)) <= TOLERANCE
    assert cpu.max_difference(before, cpu.run_on_cpu(optimized)) <= TOLERANCE
