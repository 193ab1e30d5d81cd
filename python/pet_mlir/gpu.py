"""PET's GPU pipeline: a PET program to an object file for NVIDIA GPUs.

    PET IR --pet-opt--> (optimized with correction-kernels=1: each
          subprogram's corrections one parallel loop, so one kernel)
          batch-norm scales folded into filters and weights
          preprocessed (as --pet-optimize does), each convolution with its
          bias, residual and ReLU one call into runtime/ (cuDNN's fused
          convolution), each matrix product with its bias, residual
          and GELU one cuBLASLt call on views of its operands (with
          PET_FUSED_ATTENTION=1, each attention one runtime kernel first:
          --pet-gpu-attention-calls)
          (--pet-gpu-matmul-calls), each softmax and layer norm with the element-wise
          operators around it one kernel of a block per row
          (--pet-gpu-row-kernels), the rest linalg, chains of element-wise operators
          fused into one (--pet-fuse-elementwise), long reductions over few
          rows split in two steps (--pet-split-reductions); @pet_main (generated inputs,
          printed results)
      --mlir-opt one-shot-bufferize--> memrefs
      --pet-opt --pet-gpu-runtime-calls--> convolutions/matmuls as calls into
          runtime/ (cuDNN, cuBLAS); allocations in GPU-visible memory
      --mlir-opt, pet-opt --pet-tile-parallel-loops--> parallel loops, all
          dimensions combined, in blocks of 256 threads
      --mlir-opt LOOPS_TO_GPU, pet-opt --pet-gpu-name-kernels, NVVM-->
          kernels (gpu -> NVVM -> fatbin for sm_90a, each named after its
          function and the source line of its operator) and host code in
          the LLVM dialect
      --mlir-translate, llc--> prog.o

Link prog.o with runtime/tools/RunMain.cpp and libpet_runtime (built on the
GPU machine: bench/README.md has the commands) and run it: it prints the
results as printMemrefF32 does, which `cpu.parse_results` reads.

    PYTHONPATH=python python3 -m pet_mlir.gpu prog.mlir -o prog.o [--optimize OPTS]

Or, packaged: a shared library with entry points that load the weights
(preprocessing them once), run inference and free (declared in the header,
`pet_<func>_load` / `pet_<func>_run` / `pet_<func>_free`), linked against
libpet_runtime.so:

    PYTHONPATH=python python3 -m pet_mlir.gpu prog.mlir --optimize --shared \
        --header prog.h -o libprog.so [--runtime-dir DIR]
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

from .cpu import ToolError, find_llvm_tool
from .opt import PetOptError, optimize_flag, run_pet_opt

ROOT = Path(__file__).resolve().parents[2]

# What --pet-optimize ends with, for programs that did not go through it
# (PET off): inference batch-norm folded into the filters, split pieces'
# biases added as one, weights preprocessed once. On an optimized program
# these change nothing.
PREPARE = ("--pet-fold-channel-scales", "--pet-merge-split-biases", "--pet-preprocess",
           "--canonicalize")

BUFFERIZE = ("builtin.module(one-shot-bufferize{bufferize-function-boundaries "
             "function-boundary-type-conversion=identity-layout-map})")

# Loops to kernels: the parallel loops of linalg operations, their
# dimensions combined into one and tiled by 256 (pet-opt
# --pet-tile-parallel-loops) for a block's threads, mapped to the GPU's
# grid; reductions run inside a thread.
TO_PARALLEL_LOOPS = ("builtin.module(func.func(scf-forall-to-parallel,"
                     "convert-linalg-to-parallel-loops))")
LOOPS_TO_GPU = (
    "builtin.module(func.func(gpu-map-parallel-loops,convert-parallel-loops-to-gpu),"
    "gpu-kernel-outlining,lower-affine,convert-scf-to-cf)")

DEBUG = "--mlir-print-debuginfo"

# Kernels for H100 (sm_90a, PTX 8.0 kept in the fatbin as a fallback), host
# code to LLVM.
NVVM = "--gpu-lower-to-nvvm-pipeline=cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=fatbin"


# How a program may store what cuDNN reads (compile_to_object's
# channels_last, filters_last): NCHW images and KCRS filters as the program
# says, NHWC images, KRSC filters (preprocessed at load), or both.
LAYOUTS = {"nchw": (False, False), "krsc": (False, True), "nhwc": (True, False),
           "nhwc-krsc": (True, True)}


# What --pet-optimize does differently for the GPU: the corrections of a
# subprogram in one parallel loop over its wrong positions (one kernel).
GPU_OPTIMIZE_OPTIONS = "correction-kernels=1"


def gpu_optimize_flag(options: str = "") -> str:
    """`--pet-optimize` with `options` for a program that runs on the GPU."""
    return optimize_flag(" ".join(filter(None, [options, GPU_OPTIMIZE_OPTIONS])))


def _run(cmd: Sequence[str], stdin, *, binary_output: bool = False):
    proc = subprocess.run(list(cmd), input=stdin, capture_output=True,
                          text=not binary_output, check=False)
    if proc.returncode != 0:
        err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode()
        raise ToolError(f"{Path(cmd[0]).name} failed ({proc.returncode}):\n{err[-4000:]}")
    return proc.stdout


def compile_to_object(source: str, *, pet_args: Sequence[str] = (),
                      func: Optional[str] = None, seed: int = 1,
                      time_runs: int = 0,
                      api_header: Optional[Path] = None,
                      runner_main: bool = True,
                      timing_main: Optional[str] = None,
                      channels_last: Optional[bool] = None,
                      filters_last: Optional[bool] = None,
                      warp_rows: Optional[bool] = None,
                      channels_last_arguments: bool = False,
                      fused_attention: Optional[bool] = None) -> bytes:
    """PET IR (optimized first with `pet_args`) to an x86-64 object whose
    `pet_main` runs `func` on generated inputs and prints its results (and,
    with `time_runs`, times that many CUDA-graph replays of it). With
    `api_header`, it also has load/run entry points (declared in that
    header); `runner_main=False` leaves `pet_main` out (a library).
    `timing_main` ("runs=50 calls=10", say) makes `pet_main` time every
    candidate program of the module instead (--pet-add-timing-main).
    `channels_last` stores convolution outputs NHWC
    (--pet-gpu-conv-calls=channels-last=1: the layout of cuDNN's TF32
    tensor-core kernels); None takes PET_CHANNELS_LAST (1 or 0, default
    0). `filters_last` stores preprocessed convolution filters KRSC
    (--pet-gpu-filters-last: what those kernels read, transposed once at
    load instead of by cuDNN on every call); None takes PET_FILTERS_LAST.
    `warp_rows` gives rows of one warp's threads eight to a block, reduced
    by shuffles (--pet-gpu-row-kernels' default; False: warp-rows=0, a
    block per row); None takes PET_WARP_ROWS (default 1).
    `channels_last_arguments` (with `channels_last`) copies each function's
    image arguments into NHWC buffers at entry
    (--pet-gpu-channels-last-arguments: candidates timed as the
    channels-last program feeds them)."""
    options = (f"main-name=pet_main seed={seed} time-runs={time_runs}" +
               (f" func={func}" if func else ""))
    api = []
    if api_header is not None:
        # Load/run entry points with a C API (pet_runtime.h's conventions).
        api = [f"--pet-add-inference-api=header={api_header}" +
               (f" func={func}" if func else "")]
    runner = [f"--pet-add-runner-main={options}"] if runner_main else []
    if timing_main is not None:
        runner = [f"--pet-add-timing-main=main-name=pet_main seed={seed} {timing_main}"]
    # PET_LAYOUT_VIEWS=0: every slice, concatenation and batch move a copy
    # (--pet-gpu-conv-calls=layout-views=0), for comparisons.
    if channels_last is None:
        channels_last = os.environ.get("PET_CHANNELS_LAST") == "1"
    if filters_last is None:
        filters_last = os.environ.get("PET_FILTERS_LAST") == "1"
    filters = ["--pet-gpu-filters-last"] if filters_last else []
    conv_options = []
    if os.environ.get("PET_LAYOUT_VIEWS") == "0":
        conv_options.append("layout-views=0")
    if channels_last:
        conv_options.append("channels-last=1")
    conv_calls = ["--pet-gpu-conv-calls" + (
        "=" + " ".join(conv_options) if conv_options else "")]
    if channels_last and channels_last_arguments:
        conv_calls.insert(0, "--pet-gpu-channels-last-arguments")
    if channels_last:
        # Max pools of the NHWC outputs written NHWC.
        conv_calls.append("--pet-gpu-channels-last-pools")
    # Source locations travel from step to step (DEBUG), so that kernels are
    # named after the operators they compute (--pet-gpu-name-kernels).
    if warp_rows is None:
        warp_rows = os.environ.get("PET_WARP_ROWS", "1") != "0"
    row_kernels = "--pet-gpu-row-kernels" + ("" if warp_rows else "=warp-rows=0")
    # PET_FUSED_ATTENTION=1: attention as one kernel (--pet-gpu-attention-
    # calls). Off by default: on the H200 its one-warp-per-row FP32 kernel
    # took 28.7 us per BERT-base layer against 10.5 us for the two cuBLASLt
    # products and the softmax row kernel it replaces (bench/README.md).
    if fused_attention is None:
        fused_attention = os.environ.get("PET_FUSED_ATTENTION") == "1"
    attention = ["--pet-gpu-attention-calls"] if fused_attention else []
    linalg = run_pet_opt(source, [*pet_args, *PREPARE, *filters, *api, *conv_calls,
                                  *attention, "--pet-gpu-matmul-calls", row_kernels,
                                  "--convert-pet-to-linalg",
                                  "--pet-fuse-elementwise", "--pet-split-reductions",
                                  *runner, DEBUG])
    mlir_opt = find_llvm_tool("mlir-opt")
    buffers = _run([mlir_opt, f"--pass-pipeline={BUFFERIZE}", DEBUG], linalg)
    calls = run_pet_opt(buffers, ["--pet-gpu-runtime-calls", DEBUG])
    loops = _run([mlir_opt, f"--pass-pipeline={TO_PARALLEL_LOOPS}", DEBUG], calls)
    tiled = run_pet_opt(loops, ["--pet-tile-parallel-loops=threads=256", DEBUG])
    kernels = _run([mlir_opt, f"--pass-pipeline={LOOPS_TO_GPU}", DEBUG], tiled)
    named = run_pet_opt(kernels, ["--pet-gpu-name-kernels"])
    llvm_dialect = _run([mlir_opt, NVVM], named)
    llvm_ir = _run([find_llvm_tool("mlir-translate"), "--mlir-to-llvmir"], llvm_dialect)
    return _run([find_llvm_tool("llc"), "-O2", "-filetype=obj",
                 "-relocation-model=pic", "-o", "-"], llvm_ir.encode(),
                binary_output=True)


def find_runtime_library(directory: Optional[Path] = None) -> Path:
    """The directory holding libpet_runtime.so: `directory`, else
    $PET_RUNTIME_DIR, else this checkout's build/lib."""
    candidates = [directory, os.environ.get("PET_RUNTIME_DIR"), ROOT / "build" / "lib"]
    for candidate in filter(None, candidates):
        if (Path(candidate) / "libpet_runtime.so").exists():
            return Path(candidate).resolve()
    raise FileNotFoundError(
        "libpet_runtime.so not found (build it: bash scripts/build.sh pet_runtime, "
        "needs the CUDA toolkit and cuDNN; or name its directory with --runtime-dir)")


def link_shared_library(obj: bytes, output: Path,
                        runtime_dir: Optional[Path] = None) -> None:
    """An object from compile_to_object as a shared library that needs only
    libpet_runtime.so (found at run time through its rpath or the loader's
    path)."""
    runtime = find_runtime_library(runtime_dir)
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
    if not cxx:
        raise FileNotFoundError("no C++ compiler to link with (install g++)")
    with tempfile.TemporaryDirectory() as tmp:
        obj_path = Path(tmp) / "program.o"
        obj_path.write_bytes(obj)
        _run([cxx, "-shared", "-o", str(output), str(obj_path), f"-L{runtime}",
              "-lpet_runtime", f"-Wl,-rpath,{runtime}"], "")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("-o", "--output", required=True,
                        help="the object file, or with --shared the library")
    parser.add_argument("--func")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--optimize", metavar="OPTIONS", nargs="?", const="")
    parser.add_argument("--shared", action="store_true",
                        help="link a shared library with load/run/free entry "
                        "points (needs --header)")
    parser.add_argument("--header", help="write the C header of the entry points")
    parser.add_argument("--runtime-dir", type=Path,
                        help="where libpet_runtime.so is (default: build/lib)")
    args = parser.parse_args(argv)
    if args.shared and not args.header:
        parser.error("--shared needs --header (the entry points' declarations)")
    pet_args = []
    if args.optimize is not None:
        pet_args.append(gpu_optimize_flag(args.optimize))
    try:
        obj = compile_to_object(Path(args.file).read_text(), pet_args=pet_args,
                                func=args.func, seed=args.seed,
                                api_header=Path(args.header).resolve() if args.header else None,
                                runner_main=not args.shared)
        if args.shared:
            link_shared_library(obj, Path(args.output), args.runtime_dir)
        else:
            Path(args.output).write_bytes(obj)
    except (PetOptError, ToolError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
