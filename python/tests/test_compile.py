"""pet-compile: models in, PET-optimized programs out, equal to the
originals on the CPU path (ONNX files: to onnx's reference evaluator); bad
input gets a clear error and exit code 1. The ONNX tests need torch-mlir
and onnx in .venv-torch-mlir (scripts/setup-torch-mlir.sh, which
scripts/test.sh runs in CI); without them they are skipped."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pet_mlir import compile as pet_compile
from pet_mlir import cpu

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "test/Conversion/LinalgToPET/Inputs"


@pytest.mark.parametrize("sample", ["resnet_block.mlir", "bert_layer.mlir"])
def test_linalg_target_every_mutant_equal_on_cpu(tmp_path, sample):
    """torch-mlir's linalg in, every mutant the search finds taken, linalg
    out: no PET operator left, and the same results as the original on the
    CPU path."""
    source = (SAMPLES / sample).read_text()
    out = tmp_path / "out.mlir"
    optimized = pet_compile.compile(SAMPLES / sample, target="linalg", output=out,
                                    optimize="min-gain=-100")
    assert "pet.mutant" in optimized
    text = out.read_text()
    assert "linalg." in text and "pet." not in text.replace("pet.weight", "")
    original = cpu.run_on_cpu(source)
    assert cpu.max_difference(original, cpu.run_on_cpu(text)) <= 1e-5


HAS_PTXAS = shutil.which("ptxas") is not None or Path("/usr/local/cuda/bin/ptxas").exists()


@pytest.mark.skipif(not HAS_PTXAS, reason="no ptxas (CUDA toolkit) to build the kernels' fatbin")
def test_cuda_target_is_a_library_with_a_header(tmp_path):
    if not (ROOT / "build/lib/libpet_runtime.so").exists():
        pytest.skip("the GPU runtime was not built (no CUDA toolkit or cuDNN)")
    library = tmp_path / "libblock.so"
    pet_compile.compile(SAMPLES / "resnet_block.mlir", target="cuda", output=library)
    header = (tmp_path / "libblock.h").read_text()
    for entry in ("pet_resnet_block_load(", "pet_resnet_block_run(", "pet_resnet_block_free("):
        assert entry in header, entry
    nm = shutil.which("nm") or cpu.find_llvm_tool("llvm-nm")
    exported = subprocess.run([nm, "-D", "--defined-only", str(library)],
                              capture_output=True, text=True, check=True).stdout
    assert "_mlir_ciface_resnet_block_run" in exported
    # Its equality with the CPU path is checked on the GPU machine
    # (gpu_check runs programs through the same C API).


def test_cpu_target_is_an_iree_module_equal_on_cpu(tmp_path):
    """--target cpu: IREE's llvm-cpu module of the optimized program (every
    mutant taken), run by iree-run-module, equal to the original on our CPU
    path."""
    from pet_mlir import iree
    try:
        iree.find_iree_tool("iree-compile")
    except FileNotFoundError:
        pytest.skip("IREE not installed (bash scripts/setup-iree.sh; CI does)")
    source = (SAMPLES / "resnet_block.mlir").read_text()
    module = tmp_path / "block.vmfb"
    optimized = pet_compile.compile(SAMPLES / "resnet_block.mlir", target="cpu",
                                    output=module, optimize="min-gain=-100")
    assert "pet.mutant" in optimized
    func = "resnet_block"
    args, results = iree.signature(source, func)
    got = iree.run_module(module, func, args, results)
    assert cpu.max_difference(cpu.run_on_cpu(source), got) <= 1e-5


def test_a_long_search_shows_progress_and_a_summary(tmp_path, monkeypatch, capsys):
    """A search over a second says how long it has taken (once a second on a
    terminal; here, captured, one line) and what it replaced; -q says
    nothing."""
    slow = tmp_path / "slow-pet-opt"
    real = os.environ.get("PET_OPT", str(ROOT / "build/bin/pet-opt"))
    slow.write_text(f"#!/bin/sh\nsleep 1.5\nexec {real} \"$@\"\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PET_OPT", str(slow))
    out = tmp_path / "out.mlir"
    assert pet_compile.main([str(SAMPLES / "bert_layer.mlir"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "pet-compile: searching for mutants... 1 s" in err
    assert "1 subprogram(s) replaced by mutants (4 operator(s) -> 4)" in err
    assert pet_compile.main([str(SAMPLES / "bert_layer.mlir"), "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().err == ""


def _main(args, capsys):
    code = pet_compile.main([str(a) for a in args])
    return code, capsys.readouterr().err


def test_bad_input_is_an_error(tmp_path, capsys):
    not_onnx = tmp_path / "model.onnx"
    not_onnx.write_text("func.func @f() { return }")
    code, err = _main([not_onnx, "-o", tmp_path / "o.mlir"], capsys)
    assert code == 1 and "not an ONNX model" in err

    code, err = _main([tmp_path / "missing.mlir", "-o", tmp_path / "o.mlir"], capsys)
    assert code == 1 and "no such file" in err

    code, err = _main([SAMPLES / "resnet_block.mlir", "-o", tmp_path / "no/o.mlir"], capsys)
    assert code == 1 and "its directory does not exist" in err

    dynamic = tmp_path / "dynamic.mlir"
    dynamic.write_text("func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {\n"
                       "  return %x : tensor<?x4xf32>\n}\n")
    code, err = _main([dynamic, "-o", tmp_path / "o.mlir"], capsys)
    assert code == 1 and "dynamic shapes" in err

    f64 = tmp_path / "f64.mlir"
    f64.write_text("func.func @f(%x: tensor<4xf64>) -> tensor<4xf64> {\n"
                   "  return %x : tensor<4xf64>\n}\n")
    code, err = _main([f64, "-o", tmp_path / "o.mlir"], capsys)
    assert code == 1 and "f64 tensors" in err

    broken = tmp_path / "broken.mlir"
    broken.write_text("func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
                      "  %0 = pet.relu %x : tensor<5xf32>\n  return %0 : tensor<4xf32>\n}\n")
    code, err = _main([broken, "-o", tmp_path / "o.mlir"], capsys)
    assert code == 1 and f"{broken}:2:17: error: use of value '%x'" in err


def test_pip_install_gives_pet_compile(tmp_path):
    """`pip install ./python` installs the package and the pet-compile
    command (without build isolation: no network needed)."""
    if shutil.which("pip3") is None and subprocess.run(
            [sys.executable, "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("no pip")
    target = tmp_path / "site"
    # A copy: setuptools builds in the source tree.
    source = tmp_path / "python"
    shutil.copytree(ROOT / "python", source,
                    ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info", "build"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(source)],
                   check=True, cwd=tmp_path)
    script = target / "bin" / "pet-compile"
    assert script.exists()
    env = dict(os.environ, PYTHONPATH=str(target))
    env.setdefault("PET_OPT", str(ROOT / "build/bin/pet-opt"))
    out = tmp_path / "block.mlir"
    proc = subprocess.run([sys.executable, str(script), str(SAMPLES / "resnet_block.mlir"),
                           "--target", "linalg", "-o", str(out)],
                          env=env, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "linalg." in out.read_text()
    bad = subprocess.run([sys.executable, str(script), str(tmp_path / "none.onnx"),
                          "-o", str(out)], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "pet-compile: error:" in bad.stderr


VENV = ROOT / ".venv-torch-mlir"
_MAKE_ONNX = """
import json, sys
import numpy as np
import onnx
from onnx.reference import ReferenceEvaluator
from pet_mlir import onnx_models
from pet_mlir.cpu import generate_input
model = getattr(onnx_models, sys.argv[1])(**json.loads(sys.argv[2]))
onnx.save(model, sys.argv[3])
# onnx's reference output on the inputs our CPU path generates (seed 1).
feeds = {}
for i, value in enumerate(model.graph.input):
    shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
    feeds[value.name] = np.array(generate_input(shape, 1, i), np.float32).reshape(shape)
outputs = ReferenceEvaluator(model).run(None, feeds)
json.dump([[list(o.shape), o.astype(np.float64).ravel().tolist()] for o in outputs],
          open(sys.argv[4], "w"))
"""


@pytest.mark.skipif(not (VENV / "bin/torch-mlir-import-onnx").exists(),
                    reason="torch-mlir not installed (bash scripts/setup-torch-mlir.sh; CI does)")
@pytest.mark.parametrize("model,options", [
    ("resnet_block", {"image": 16, "channels": 8}),
    ("bert_layer", {"seq": 8, "hidden": 32, "heads": 2, "ffn": 64}),
])
def test_onnx_file_equal_to_onnx_reference(tmp_path, model, options):
    """An ONNX file (made and evaluated by the onnx package, in torch-mlir's
    venv) through pet-compile with every mutant taken, run on the CPU path:
    equal to onnx's reference evaluator within 1e-4 of the largest |value|."""
    import json
    path, expected = tmp_path / f"{model}.onnx", tmp_path / "expected.json"
    subprocess.run([str(VENV / "bin/python"), "-c", _MAKE_ONNX, model,
                    json.dumps(options), str(path), str(expected)],
                   check=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "python")))
    out = tmp_path / "out.mlir"
    # Weights as constants: the CPU path fills arguments with its own values
    # (weights as parameters: test_params.py).
    optimized = pet_compile.compile(path, target="linalg", output=out,
                                    optimize="min-gain=-100", weights="constants")
    assert "pet.mutant" in optimized
    reference = [tuple(r) for r in json.loads(expected.read_text())]
    assert cpu.max_difference(reference, cpu.run_on_cpu(out.read_text())) <= 1e-4
