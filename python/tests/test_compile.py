"""pet-compile: models in, PET-optimized programs out, equal to the
originals on the CPU path; bad input gets a clear error and exit code 1.
(ONNX files need torch-mlir and onnx, which CI does not install: that
test is skipped without them.)"""

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


@pytest.mark.skipif(shutil.which("torch-mlir-import-onnx") is None,
                    reason="torch-mlir (and onnx) not installed")
def test_onnx_model_equal_on_cpu(tmp_path):
    from pet_mlir import onnx_models
    import onnx
    path = tmp_path / "block.onnx"
    onnx.save(onnx_models.resnet_block(image=16, channels=8), path)
    out = tmp_path / "block.mlir"
    pet_compile.compile(path, target="linalg", output=out)
    reference = pet_compile.load(path)
    assert cpu.max_difference(cpu.run_on_cpu(reference),
                              cpu.run_on_cpu(out.read_text())) <= 1e-5
