"""The Python loader of cuda-target libraries (pet_mlir.cuda_library): the
generated header read back into buffers and shapes; without a GPU a clear
error; with one, an ONNX model's library (weights from its manifest) run on
numpy arrays and on PyTorch CUDA tensors (copied on the GPU), equal to the
cpu module run by IREE on the same inputs and weights. The GPU test needs the GPU runtime
(build/lib/libpet_runtime.so), ptxas, torch-mlir and IREE; elsewhere it is
skipped, saying so. On the H200 (README, "Python loader"): equal within
1.8e-7 (ResNet block) and 2.4e-7 (BERT layer), numpy and CUDA tensors."""

import shutil
import subprocess
from pathlib import Path

import pytest

from pet_mlir.cuda_library import CudaLibrary, CudaLibraryError, parse_header
from pet_mlir.opt import find_pet_opt

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "build/lib/libpet_runtime.so"
HAS_PTXAS = shutil.which("ptxas") is not None or Path("/usr/local/cuda/bin/ptxas").exists()


def _gpu_present() -> bool:
    """Whether the runtime's self-test finds a GPU (it exits 77 without)."""
    test = ROOT / "build/bin/pet-runtime-test"
    if not test.exists():
        return False
    proc = subprocess.run([str(test), "bad-conv"], capture_output=True, text=True)
    return proc.returncode != 77


def test_header_read_back(tmp_path):
    """pet-opt's header of a function with a preprocessed weight: load
    takes the weight and the preprocessed buffer, run the input, the
    weight, the preprocessed buffer and the result, with their shapes."""
    header = tmp_path / "f.h"
    subprocess.run([find_pet_opt(), str(ROOT / "test/Conversion/PETToGPU/inference-api.mlir"),
                    f"--pet-add-inference-api=header={header}", "-o", "/dev/null"],
                   check=True)
    api = parse_header(header.read_text())
    assert api["function"] == "f"
    assert [(b["name"], b["kind"], b["shape"]) for b in api["load"]] == [
        ("w1", "weight", [3, 2]), ("p2", "preprocessed", [2, 3])]
    assert [(b["name"], b["kind"], b["shape"]) for b in api["run"]] == [
        ("a0", "argument", [2, 3]), ("a1", "argument", [3, 2]),
        ("p2", "preprocessed", [2, 3]), ("r0", "result", [2, 2])]


def test_not_a_header_is_an_error(tmp_path):
    with pytest.raises(CudaLibraryError, match="not a header of pet-opt"):
        parse_header("#include <stdio.h>\nint main(void);\n")
    with pytest.raises(CudaLibraryError, match="no such file"):
        CudaLibrary(tmp_path / "libnothing.so")


@pytest.mark.skipif(not HAS_PTXAS, reason="no ptxas (CUDA toolkit) to build the kernels' fatbin")
def test_library_without_a_gpu_says_so(tmp_path):
    """Loading weights needs the GPU: without one, the runtime's message,
    raised (not an abort of the Python process)."""
    if not RUNTIME.exists():
        pytest.skip("the GPU runtime was not built (no CUDA toolkit or cuDNN)")
    if _gpu_present():
        pytest.skip("a GPU is here (test_library_on_gpu_equals_cpu_module runs)")
    np = pytest.importorskip("numpy")
    from pet_mlir import compile as pet_compile
    library = tmp_path / "libblock.so"
    pet_compile.compile(_sample("resnet_block.mlir"), target="cuda", output=library)
    model = CudaLibrary(library)
    weights = [np.zeros(shape, np.float32) for shape in model.weight_shapes]
    with pytest.raises(CudaLibraryError, match="GPU"):
        model.load(weights)


def _sample(name: str) -> Path:
    """A torch-mlir sample of test_compile.py."""
    import test_compile
    return test_compile.SAMPLES / name


def test_library_on_gpu_equals_cpu_module(tmp_path):
    """An ONNX ResNet block compiled for cuda and for cpu (weights as named
    parameters, every mutant taken): the library loaded with the
    manifest's weights, run on numpy inputs and on PyTorch CUDA tensors
    (weights, input and result on the GPU), equals the cpu module within
    FP32's 1e-5."""
    if not RUNTIME.exists() or not HAS_PTXAS:
        pytest.skip("the GPU runtime or ptxas is missing")
    if not _gpu_present():
        pytest.skip("no GPU here")
    np = pytest.importorskip("numpy")
    import test_params
    if not (test_params.VENV / "bin/torch-mlir-import-onnx").exists() or \
            not test_params._have_iree():
        pytest.skip("torch-mlir or IREE not installed")
    from pet_mlir import compile as pet_compile
    path, ref, _ = test_params._make_onnx(tmp_path, *test_params.MODELS[0])
    module, library = tmp_path / "block.vmfb", tmp_path / "libblock.so"
    pet_compile.compile(path, target="cpu", output=module, optimize="min-gain=-100")
    pet_compile.compile(path, target="cuda", output=library, optimize="min-gain=-100")
    x = ref["input:x"]
    (expected,) = pet_compile.run_cpu(module, [x])
    model = CudaLibrary(library)
    model.load(str(library) + ".params.json")
    (got,) = model.run(x)
    assert np.abs(got - expected).max() <= 1e-5 * np.abs(expected).max()
    try:
        import torch
    except ImportError:
        return
    from pet_mlir import params
    manifest = str(library) + ".params.json"
    model.load({k: torch.from_numpy(v).cuda() for k, v in params.load(manifest).items()},
               manifest=manifest)
    (y,) = model.run(torch.from_numpy(x).cuda())
    assert y.is_cuda
    assert np.abs(y.cpu().numpy() - expected).max() <= 1e-5 * np.abs(expected).max()


@pytest.mark.skipif(not HAS_PTXAS, reason="no ptxas (CUDA toolkit) to build the kernels' fatbin")
def test_weights_by_name_all_taken_or_refused(tmp_path):
    """Weights by name: a missing one, or a float entry the library does
    not take (a value compiled in as a constant would silently win), is an
    error before anything reaches the GPU; integer entries (BatchNorm's
    num_batches_tracked) are no weights."""
    if not RUNTIME.exists():
        pytest.skip("the GPU runtime was not built (no CUDA toolkit or cuDNN)")
    np = pytest.importorskip("numpy")
    from pet_mlir import compile as pet_compile
    library = tmp_path / "libf.so"
    source = (ROOT / "test/Conversion/PETToGPU/inference-api.mlir").read_text()
    pet_compile.compile(source, target="cuda", output=library)
    model = CudaLibrary(library)
    names = [f"w{i}" for i in range(len(model.weight_shapes))]
    assert names
    manifest = {"arguments": [{"name": n, "role": "weight", "shape": shape}
                              for n, shape in zip(names, model.weight_shapes)]}
    weights = {n: np.zeros(shape, np.float32) for n, shape in zip(names, model.weight_shapes)}
    with pytest.raises(CudaLibraryError, match="weights missing: w0"):
        model.load({n: v for n, v in weights.items() if n != "w0"}, manifest=manifest)
    extra = dict(weights, **{"head.bias": np.zeros([1], np.float32)})
    with pytest.raises(CudaLibraryError, match="does not take .*head.bias"):
        model.load(extra, manifest=manifest)
    counted = dict(weights, **{"bn.num_batches_tracked": np.zeros([], np.int64)})
    if _gpu_present():
        model.load(counted, manifest=manifest)
    else:
        with pytest.raises(CudaLibraryError, match="GPU"):
            model.load(counted, manifest=manifest)
