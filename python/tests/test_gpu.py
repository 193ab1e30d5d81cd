"""The GPU path where no GPU is: the runtime builds and says it has no GPU
(its checks run on the GPU machine: bench/README.md), and PET programs
compile to objects with kernels for sm_90a and calls into the runtime.
The equality of GPU and CPU results is checked on the GPU machine with
`python -m pet_mlir.gpu_check` (results in bench/README.md)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pet_mlir import gpu
from pet_mlir.cpu import find_llvm_tool

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"


def test_runtime_self_test_runs_or_says_there_is_no_gpu():
    binary = BUILD / "bin" / "pet-runtime-test"
    if not binary.exists():
        pytest.skip("the GPU runtime was not built (no CUDA toolkit or cuDNN)")
    proc = subprocess.run([str(binary)], capture_output=True, text=True, timeout=600)
    if proc.returncode == 77:
        assert "no CUDA GPU is available" in proc.stderr
        pytest.skip("no GPU here: " + proc.stderr.strip().splitlines()[-1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all runtime checks passed" in proc.stdout


def symbols(obj: bytes, tmp_path) -> str:
    path = tmp_path / "prog.o"
    path.write_bytes(obj)
    nm = shutil.which("nm") or find_llvm_tool("llvm-nm")
    return subprocess.run([nm, str(path)], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("ptxas") is None and
                    not Path("/usr/local/cuda/bin/ptxas").exists(),
                    reason="no ptxas (CUDA toolkit) to build the kernels' fatbin")
def test_optimized_program_compiles_for_the_gpu(tmp_path):
    seam = (ROOT / "examples/seam_conv.mlir").read_text()
    obj = gpu.compile_to_object(
        seam, pet_args=[f"--pet-optimize=cost-db={ROOT}/examples/split-conv-costs.json"])
    names = symbols(obj, tmp_path)
    # The runner entry, kernels launched through the runtime, the mutant's
    # and the correction's convolutions (with their ReLU) through cuDNN.
    for symbol in ("T pet_main", "T conv_entry", "U mgpuLaunchKernel",
                   "U mgpuModuleLoad", "U _mlir_ciface_pet_rt_conv2d_fused_f32",
                   "U printMemrefF32"):
        assert symbol in names, symbol


HAS_PTXAS = shutil.which("ptxas") is not None or Path("/usr/local/cuda/bin/ptxas").exists()


@pytest.mark.skipif(not HAS_PTXAS, reason="no ptxas (CUDA toolkit) to build the kernels' fatbin")
def test_fused_attention_is_one_runtime_call_when_asked(tmp_path):
    """gpu_check's attention-fused program: by default two cuBLASLt
    products and a softmax kernel; with fused_attention (PET_FUSED_ATTENTION=1)
    one pet_rt_attention_f32 call and no scores' products (the projections
    stay cuBLASLt calls). Its values: gpu_check on the GPU machine."""
    source = (ROOT / "test/Conversion/PETToGPU/Inputs/attention-fused.mlir").read_text()
    default = symbols(gpu.compile_to_object(source), tmp_path)
    assert "_mlir_ciface_pet_rt_attention_f32" not in default
    assert "U _mlir_ciface_pet_rt_gemm_f32" in default
    fused = gpu.compile_to_object(source, fused_attention=True)
    names = symbols(fused, tmp_path)
    assert "U _mlir_ciface_pet_rt_attention_f32" in names
    assert "U _mlir_ciface_pet_rt_gemm_f32" in names


@pytest.mark.skipif(not HAS_PTXAS, reason="no ptxas (CUDA toolkit) to build the kernels' fatbin")
def test_shared_library_with_load_run_free(tmp_path):
    if not (BUILD / "lib" / "libpet_runtime.so").exists():
        pytest.skip("the GPU runtime was not built (no CUDA toolkit or cuDNN)")
    library, header = tmp_path / "libseam.so", tmp_path / "seam.h"
    rc = gpu.main([str(ROOT / "examples/seam_conv.mlir"), "--optimize",
                   f"cost-db={ROOT}/examples/split-conv-costs.json", "--shared",
                   "--header", str(header), "-o", str(library)])
    assert rc == 0
    nm = shutil.which("nm") or find_llvm_tool("llvm-nm")
    exported = subprocess.run([nm, "-D", "--defined-only", str(library)],
                              capture_output=True, text=True, check=True).stdout
    for symbol in ("_mlir_ciface_conv_load", "_mlir_ciface_conv_run"):
        assert symbol in exported, symbol
    # No runner main in a library; it needs only the runtime to load.
    assert "pet_main" not in exported
    needed = subprocess.run(["readelf", "-d", str(library)], capture_output=True,
                            text=True, check=True).stdout
    assert "libpet_runtime.so" in needed
    text = header.read_text()
    for entry in ("pet_conv_load(", "pet_conv_run(", "pet_conv_free("):
        assert entry in text, entry


def test_shared_library_needs_a_header(tmp_path, capsys):
    with pytest.raises(SystemExit):
        gpu.main([str(ROOT / "examples/seam_conv.mlir"), "--shared",
                  "-o", str(tmp_path / "lib.so")])
    assert "--shared needs --header" in capsys.readouterr().err


def test_gpu_check_compare_reports_differences_and_missing_results(tmp_path, capsys):
    """compare: equal results pass, a difference above the tolerance and a
    run that printed nothing (it stopped: its .err says why) fail."""
    from pet_mlir import gpu_check
    directory, outputs = tmp_path / "prepared", tmp_path / "outputs"
    directory.mkdir()
    outputs.mkdir()
    reference = [[[2], [1.0, -2.0]]]
    for name in ("same", "off", "stopped"):
        (directory / f"{name}.cpu.json").write_text(json.dumps(reference))
    printed = ("Unranked Memref base@ = 0x0 rank = 1 offset = 0 sizes = [2] "
               "strides = [1] data = \n[{a},  -2]\npet-time: median 0.01 ms\n")
    (outputs / "same.gpu.txt").write_text(printed.format(a="1"))
    (outputs / "off.gpu.txt").write_text(printed.format(a="1.1"))
    (outputs / "stopped.gpu.txt").write_text("")
    cases = [(name, "", []) for name in ("same", "off", "stopped")]
    original = gpu_check.selected_cases
    gpu_check.selected_cases = lambda names=None: cases
    try:
        assert gpu_check.compare(directory, outputs) == 1
    finally:
        gpu_check.selected_cases = original
    out = capsys.readouterr().out
    assert "ok: same (gpu)" in out
    assert "FAILED: off (gpu) max relative difference 0.05" in out
    assert "FAILED: stopped (gpu) printed 0 result(s) of 1" in out


def _print_results(results):
    """Results as printMemrefF32 prints them (what the GPU runs write)."""
    return "".join(
        f"Unranked Memref base@ = 0x0 rank = {len(shape)} offset = 0 "
        f"sizes = {list(shape)} strides = [1] data = \n"
        f"[{', '.join(repr(v) for v in values)}]\n"
        for shape, values in results)


@pytest.mark.skipif(not (BUILD / "bin/pet-random-programs").exists(),
                    reason="pet-random-programs not built")
def test_gpu_soundness_prepares_mutated_programs_and_compares(tmp_path, capsys):
    """prepare keeps the random programs that take a mutant, with the
    original program's CPU results; compare passes the runs that print
    those results and fails one that is off or did not run."""
    from pet_mlir import gpu_soundness
    directory, outputs = tmp_path / "prepared", tmp_path / "outputs"
    assert gpu_soundness.prepare(directory, count=12, seed=9000, jobs=2) == 0
    manifest = json.loads((directory / "manifest.json").read_text())
    programs = manifest["programs"]
    assert programs and manifest["count"] == 12
    for entry in programs:
        assert entry["mutants"] >= 1
        assert entry["cpu_difference"] <= gpu_soundness.FP32_TOLERANCE
        assert (directory / f"{entry['name']}.o").stat().st_size > 0
        assert "pet.mutant" in (directory / f"{entry['name']}.mlir").read_text()
    # Programs without a mutant are left out: their names are missing.
    assert len(programs) < 12
    outputs.mkdir()
    for entry in programs:
        reference = json.loads((directory / f"{entry['name']}.cpu.json").read_text())
        for mode in ("gpu", "tf32"):
            (outputs / f"{entry['name']}.{mode}.txt").write_text(_print_results(reference))
    assert gpu_soundness.compare(directory, outputs) == 0
    assert "| all | %d |" % len(programs) in capsys.readouterr().out
    first = programs[0]["name"]
    reference = json.loads((directory / f"{first}.cpu.json").read_text())
    shape, values = reference[0]
    values = [v + 0.5 * max(1.0, max(abs(x) for x in values)) for v in values]
    (outputs / f"{first}.gpu.txt").write_text(_print_results([(shape, values)] + reference[1:]))
    (outputs / f"{programs[-1]['name']}.tf32.txt").unlink()
    assert gpu_soundness.compare(directory, outputs) == 1
    out = capsys.readouterr().out
    assert f"FAILED: {first}" in out
    assert f"FAILED: {programs[-1]['name']}" in out
