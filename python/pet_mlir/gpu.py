"""PET's GPU pipeline: a PET program to an object file for NVIDIA GPUs.

    PET IR --pet-opt--> linalg + @pet_main (generated inputs, printed results)
      --mlir-opt one-shot-bufferize--> memrefs
      --pet-opt --pet-gpu-runtime-calls--> convolutions/matmuls as calls into
          runtime/ (cuDNN, cuBLAS); allocations in GPU-visible memory
      --mlir-opt, pet-opt --pet-tile-parallel-loops--> parallel loops, the
          innermost dimension in blocks of 256 threads
      --mlir-opt LOOPS_TO_GPU, NVVM--> kernels (gpu -> NVVM -> fatbin for
          sm_90a) and host code in the LLVM dialect
      --mlir-translate, llc--> prog.o

Link prog.o with runtime/tools/RunMain.cpp and libpet_runtime (built on the
GPU machine: bench/README.md has the commands) and run it: it prints the
results as printMemrefF32 does, which `cpu.parse_results` reads.

    PYTHONPATH=python python3 -m pet_mlir.gpu prog.mlir -o prog.o [--optimize OPTS]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

from .cpu import ToolError, find_llvm_tool
from .opt import PetOptError, run_pet_opt

BUFFERIZE = ("builtin.module(one-shot-bufferize{bufferize-function-boundaries "
             "function-boundary-type-conversion=identity-layout-map})")

# Loops to kernels: the parallel loops of linalg operations, their innermost
# dimension tiled by 256 (pet-opt --pet-tile-parallel-loops) for a block's
# threads, mapped to the GPU's grid; reductions run inside a thread.
TO_PARALLEL_LOOPS = "builtin.module(func.func(convert-linalg-to-parallel-loops))"
LOOPS_TO_GPU = (
    "builtin.module(func.func(gpu-map-parallel-loops,convert-parallel-loops-to-gpu),"
    "gpu-kernel-outlining,lower-affine,convert-scf-to-cf)")

# Kernels for H100 (sm_90a, PTX 8.0 kept in the fatbin as a fallback), host
# code to LLVM.
NVVM = "--gpu-lower-to-nvvm-pipeline=cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=fatbin"


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
                      api_header: Optional[Path] = None) -> bytes:
    """PET IR (optimized first with `pet_args`) to an x86-64 object whose
    `pet_main` runs `func` on generated inputs and prints its results (and,
    with `time_runs`, times that many CUDA-graph replays of it)."""
    options = (f"main-name=pet_main seed={seed} time-runs={time_runs}" +
               (f" func={func}" if func else ""))
    api = []
    if api_header is not None:
        # Load/run entry points with a C API (pet_runtime.h's conventions).
        api = [f"--pet-add-inference-api=header={api_header}" +
               (f" func={func}" if func else "")]
    linalg = run_pet_opt(source, [*pet_args, *api, "--convert-pet-to-linalg",
                                  f"--pet-add-runner-main={options}"])
    mlir_opt = find_llvm_tool("mlir-opt")
    buffers = _run([mlir_opt, f"--pass-pipeline={BUFFERIZE}"], linalg)
    calls = run_pet_opt(buffers, ["--pet-gpu-runtime-calls"])
    loops = _run([mlir_opt, f"--pass-pipeline={TO_PARALLEL_LOOPS}"], calls)
    tiled = run_pet_opt(loops, ["--pet-tile-parallel-loops=threads=256"])
    kernels = _run([mlir_opt, f"--pass-pipeline={LOOPS_TO_GPU}"], tiled)
    llvm_dialect = _run([mlir_opt, NVVM], kernels)
    llvm_ir = _run([find_llvm_tool("mlir-translate"), "--mlir-to-llvmir"], llvm_dialect)
    return _run([find_llvm_tool("llc"), "-O2", "-filetype=obj",
                 "-relocation-model=pic", "-o", "-"], llvm_ir.encode(),
                binary_output=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--func")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--optimize", metavar="OPTIONS", nargs="?", const="")
    args = parser.parse_args(argv)
    pet_args = []
    if args.optimize is not None:
        pet_args.append("--pet-optimize" + (f"={args.optimize}" if args.optimize else ""))
    try:
        obj = compile_to_object(Path(args.file).read_text(), pet_args=pet_args,
                                func=args.func, seed=args.seed)
    except (PetOptError, ToolError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    Path(args.output).write_bytes(obj)
    return 0


if __name__ == "__main__":
    sys.exit(main())
