"""pet-compile: a model file to a PET-optimized program.

    pet-compile MODEL.{mlir,onnx} --target {linalg,cpu,cuda} -o OUT [--func F]

MODEL is linalg-on-tensors (what torch-mlir and IREE speak; imported with
--convert-linalg-to-pet), PET IR, or an ONNX file (through torch-mlir's
ONNX importer: `pip install torch-mlir`, or `bash scripts/setup-torch-mlir.sh`).
The program is optimized with --pet-optimize (OPTIONS from --optimize) and
then

  linalg  written as linalg-on-tensors (OUT, .mlir): what IREE compiles,
          and what our CPU path runs (`python -m pet_mlir.cpu`);
  cpu     that linalg compiled by IREE for its llvm-cpu backend (OUT, a
          .vmfb module for iree-run-module or IREE's Python runtime; IREE's
          tools from $PET_IREE_DIR, .venv-iree or PATH);
  cuda    compiled for the GPU (sm_90a) into a shared library OUT with
          pet_<func>_load/run/free entry points declared in OUT's header
          (OUT with .h; --header names another), linked against
          libpet_runtime.so (--runtime-dir, $PET_RUNTIME_DIR or build/lib).

From Python: `pet_mlir.compile.compile(path_or_text, target=..., output=...)`.
pet-opt is $PET_OPT, this checkout's build/bin/pet-opt, or the one on PATH.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional, Sequence, Union

from . import gpu
from .cpu import ToolError
from .opt import (PetOptError, mutant_remarks, optimize_flag, run_pet_opt,
                  run_pet_opt_with_remarks)

TARGETS = ("linalg", "cpu", "cuda")


class CompileError(RuntimeError):
    """The model cannot be compiled; the message says why."""


def _looks_like_onnx(data: bytes) -> bool:
    """Whether `data` starts as a serialized ONNX ModelProto does: with its
    field 1, ir_version, a varint (protobuf writes fields in order)."""
    return data[:1] == b"\x08"


def load(model: Union[str, Path]) -> str:
    """The model as MLIR text: a path to .mlir or .onnx, or MLIR text."""
    if isinstance(model, str) and ("func.func" in model or model.lstrip().startswith("module")):
        return model
    path = Path(model)
    if not path.exists():
        raise CompileError(f"{path}: no such file")
    data = path.read_bytes()
    if path.suffix == ".onnx":
        if not _looks_like_onnx(data):
            raise CompileError(f"{path}: not an ONNX model (no ModelProto fields)")
        from . import torch_import
        try:
            return torch_import.onnx_file_to_linalg(path)
        except FileNotFoundError as error:
            raise CompileError(f"ONNX input needs torch-mlir: {error}") from None
        except subprocess.CalledProcessError as error:
            raise CompileError(f"{path}: torch-mlir could not import it:\n"
                               f"{(error.stderr or '').strip()[-4000:]}") from None
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise CompileError(f"{path}: neither MLIR text nor an .onnx file") from None


_DYNAMIC = re.compile(r"tensor<(?:[^<>]*\?|\*)")
_ELEMENT = re.compile(r"tensor<(?:[0-9]+x)*([a-z][a-z0-9]*)>")


def to_pet(source: str) -> str:
    """MLIR text as PET IR: linalg-on-tensors imported, PET kept."""
    if _DYNAMIC.search(source):
        raise CompileError("the model has dynamic shapes (tensor<?x...> or tensor<*x...>): "
                           "export it with static shapes (example inputs of the size "
                           "it will run at)")
    signatures = "\n".join(line for line in source.splitlines() if "func.func" in line)
    other = sorted({t for t in _ELEMENT.findall(signatures) if t != "f32"})
    if other:
        raise CompileError(f"the model takes or returns {', '.join(other)} tensors: "
                           "PET compiles f32 programs")
    return run_pet_opt(source, ["--convert-linalg-to-pet"])


def compile(model: Union[str, Path], *, target: str = "linalg",
            output: Optional[Union[str, Path]] = None, func: Optional[str] = None,
            optimize: str = "", header: Optional[Union[str, Path]] = None,
            runtime_dir: Optional[Path] = None, progress: bool = False) -> str:
    """Compiles `model` (a path or MLIR text) for `target`; writes `output`
    when given. Returns the optimized PET program (MLIR text). With
    `progress`, a search longer than a second shows the time it has taken
    (on stderr), and a summary of what it replaced follows."""
    if target not in TARGETS:
        raise CompileError(f"unknown target {target!r} (one of {', '.join(TARGETS)})")
    if output is not None and not Path(output).resolve().parent.is_dir():
        raise CompileError(f"{output}: its directory does not exist")
    try:
        program = to_pet(load(model))
    except PetOptError as error:
        # pet-opt read the model from stdin: name the file in its messages.
        name = str(model) if isinstance(model, Path) or "\n" not in str(model) else None
        if name is None:
            raise
        raise CompileError(error.diagnostics.replace("<stdin>", name).strip()) from None
    flag = optimize_flag(optimize) if target != "cuda" else gpu.gpu_optimize_flag(optimize)
    start = time.monotonic()
    optimized, diagnostics = run_pet_opt_with_remarks(
        program, [flag], progress="searching for mutants" if progress else None)
    if progress:
        mutants = mutant_remarks(diagnostics)
        print(f"pet-compile: {len(mutants)} subprogram(s) replaced by mutants "
              f"({sum(m[1] for m in mutants)} operator(s) -> "
              f"{sum(m[0] for m in mutants)}), {sum(m[2] for m in mutants)} box(es) "
              f"corrected, in {time.monotonic() - start:.1f} s", file=sys.stderr)
    if target in ("linalg", "cpu"):
        if output is None:
            return optimized
        linalg = run_pet_opt(optimized, ["--convert-pet-to-linalg"])
        if target == "linalg":
            Path(output).write_text(linalg)
        else:
            from . import iree
            iree.compile_module(linalg, Path(output))
        return optimized
    # cuda: optimized as the GPU pipeline does (corrections as kernels).
    if output is None:
        raise CompileError("the cuda target needs an output (the shared library)")
    output = Path(output)
    header = Path(header) if header else output.with_suffix(".h")
    obj = gpu.compile_to_object(optimized, func=func, api_header=header.resolve(),
                                runner_main=False)
    gpu.link_shared_library(obj, output, runtime_dir)
    return optimized


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="pet-compile",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="linalg-on-tensors or PET (.mlir), or ONNX (.onnx)")
    parser.add_argument("-t", "--target", choices=TARGETS, default="linalg")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--func", help="the function to compile (default: the only public one)")
    parser.add_argument("--optimize", metavar="OPTIONS", default="",
                        help="--pet-optimize's options, e.g. 'cost-db=costs.json'")
    parser.add_argument("--header", help="cuda: the C header (default: OUTPUT with .h)")
    parser.add_argument("--runtime-dir", type=Path,
                        help="cuda: where libpet_runtime.so is")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress or summary on stderr")
    args = parser.parse_args(argv)
    try:
        compile(args.model, target=args.target, output=args.output, func=args.func,
                optimize=args.optimize, header=args.header, runtime_dir=args.runtime_dir,
                progress=not args.quiet)
    except (CompileError, PetOptError, ToolError, FileNotFoundError) as error:
        print(f"pet-compile: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
