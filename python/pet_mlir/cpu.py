"""The CPU path: run PET programs through linalg with upstream MLIR.

    PET IR --pet-opt--> linalg-on-tensors + @main (generated inputs)
           --mlir-opt CPU_PIPELINE--> LLVM dialect
           --mlir-runner--> printed results

`run_on_cpu` returns the results of one function as flat lists of floats;
`evaluate` returns what PET's reference evaluator computes on the same
inputs (`generate_input` reproduces them in Python, for other runtimes).

Command line (`PYTHONPATH=python python3 -m pet_mlir.cpu FILE.mlir`): runs
the function on the CPU, and with `--optimize "OPTIONS"` also its
`--pet-optimize`d version, and prints the largest difference.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .opt import PetOptError, optimize_flag, run_pet_opt

# Bufferize, lower linalg to loops and everything to the LLVM dialect.
CPU_PIPELINE = (
    "builtin.module("
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "func.func(scf-forall-to-for),convert-linalg-to-loops,lower-affine,"
    "convert-scf-to-cf,"
    "convert-math-to-llvm,convert-math-to-libm,expand-strided-metadata,"
    "lower-affine,finalize-memref-to-llvm,convert-arith-to-llvm,"
    "convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)")

_LLVM_DIRS = [os.environ.get("LLVM_DIR", ""), "/usr/lib/llvm-22"]

Result = Tuple[List[int], List[float]]


class ToolError(RuntimeError):
    """An MLIR tool failed; the message holds what it printed."""


def find_llvm_tool(name: str) -> str:
    """An LLVM/MLIR binary: $LLVM_DIR/bin, /usr/lib/llvm-22/bin, PATH."""
    for root in _LLVM_DIRS:
        if root and os.access(os.path.join(root, "bin", name), os.X_OK):
            return os.path.join(root, "bin", name)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found: install mlir-22-tools (scripts/setup.sh)")


def runner_libraries() -> List[str]:
    """MLIR's runtime libraries that printMemrefF32 and friends live in."""
    runner = Path(find_llvm_tool("mlir-runner")).resolve()
    lib = runner.parent.parent / "lib"
    libs = [lib / "libmlir_runner_utils.so", lib / "libmlir_c_runner_utils.so"]
    missing = [str(p) for p in libs if not p.exists()]
    if missing:
        raise FileNotFoundError(f"MLIR runner libraries missing: {missing}")
    return [str(p) for p in libs]


def generate_input(shape: Sequence[int], seed: int, arg: int) -> List[float]:
    """The values --pet-add-runner-main gives argument `arg` (row-major),
    rounded to f32 as the generated code does."""
    import struct

    def f32(x: float) -> float:
        return struct.unpack("f", struct.pack("f", x))[0]

    count = math.prod(shape)
    fan_in = count // shape[0] if len(shape) > 1 else 1
    scale = f32(1.0 / math.sqrt(fan_in))
    offset = ((seed * 1000003 + arg) * 40503) % (1 << 64)
    values = []
    for k in range(count):
        h = (k * 2654435761 + offset) % (1 << 64)
        values.append(f32(f32(((h >> 16) & 65535) / 65536.0 - 0.5) * scale))
    return values


_HEADER = re.compile(r"(?:pet-evaluate result \d+ |Unranked Memref [^\n]*?)"
                     r"sizes = \[([0-9, ]*)\][^\n]*?data =")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf|nan)", re.IGNORECASE)


def parse_results(text: str) -> List[Result]:
    """Results printed by printMemrefF32 or --pet-evaluate: (shape, values)."""
    headers = list(_HEADER.finditer(text))
    results = []
    for i, header in enumerate(headers):
        shape = [int(s) for s in header.group(1).split(",") if s.strip()]
        end = headers[i + 1].start() if i + 1 < len(headers) else len(text)
        body = text[header.end():end]
        values = [float(v) for v in _NUMBER.findall(body)]
        if len(values) != math.prod(shape):
            raise ToolError(f"expected {math.prod(shape)} values for shape {shape}, "
                            f"read {len(values)}")
        results.append((shape, values))
    return results


def _run(cmd: Sequence[str], stdin: Optional[str] = None, timeout: float = 1800) -> str:
    proc = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise ToolError(f"{Path(cmd[0]).name} failed ({proc.returncode}):\n"
                        f"{proc.stderr[-4000:]}")
    return proc.stdout


def lower_to_llvm(source: str, *, func: Optional[str] = None, seed: int = 1,
                  pet_args: Sequence[str] = (),
                  linalg_args: Sequence[str] = ()) -> str:
    """PET IR -> LLVM dialect with a @main that runs `func`; `linalg_args`
    are pet-opt passes run on the linalg form."""
    options = f"seed={seed}" + (f" func={func}" if func else "")
    linalg = run_pet_opt(source, [*pet_args, "--convert-pet-to-linalg",
                                  *linalg_args,
                                  f"--pet-add-runner-main={options}"])
    return _run([find_llvm_tool("mlir-opt"), f"--pass-pipeline={CPU_PIPELINE}"], linalg)


def run_on_cpu(source: str, *, func: Optional[str] = None, seed: int = 1,
               pet_args: Sequence[str] = (),
               linalg_args: Sequence[str] = ()) -> List[Result]:
    """Runs `func` of `source` (PET IR; `pet_args` are pet-opt passes to run
    first, e.g. ["--pet-optimize"]) on the generated inputs; its results."""
    llvm = lower_to_llvm(source, func=func, seed=seed, pet_args=pet_args,
                         linalg_args=linalg_args)
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(llvm)
        path = f.name
    try:
        out = _run([find_llvm_tool("mlir-runner"), path, "-e", "main",
                    "-entry-point-result=void",
                    "-shared-libs=" + ",".join(runner_libraries())])
    finally:
        os.unlink(path)
    return parse_results(out)


def evaluate(source: str, *, func: Optional[str] = None, seed: int = 1) -> List[Result]:
    """PET's reference evaluator (double) on the same inputs."""
    option = f"--pet-evaluate=seed={seed}" + (f" func={func}" if func else "")
    return parse_results(run_pet_opt(source, [option, "-o", os.devnull]))


def max_difference(a: Sequence[Result], b: Sequence[Result]) -> float:
    """Largest |x - y| over all results, relative to the largest |x| of a
    result (so tolerances do not depend on a network's scale)."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} results against {len(b)}")
    worst = 0.0
    for (shape_a, xs), (shape_b, ys) in zip(a, b):
        if shape_a != shape_b:
            raise ValueError(f"shapes differ: {shape_a} vs {shape_b}")
        scale = max((abs(x) for x in xs), default=0.0) or 1.0
        worst = max(worst, max((abs(x - y) for x, y in zip(xs, ys)), default=0.0) / scale)
    return worst


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="PET IR (.mlir)")
    parser.add_argument("--func", help="function to run (default: the only public one)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--optimize", metavar="OPTIONS", nargs="?", const="",
                        help="also run the --pet-optimize'd program (with OPTIONS) "
                             "and compare")
    args = parser.parse_args(argv)
    source = Path(args.file).read_text()
    try:
        original = run_on_cpu(source, func=args.func, seed=args.seed)
        for i, (shape, values) in enumerate(original):
            print(f"result {i}: shape {shape}, max |x| "
                  f"{max(abs(v) for v in values):.6g}")
        if args.optimize is not None:
            optimized = run_on_cpu(source, func=args.func, seed=args.seed,
                                   pet_args=[optimize_flag(args.optimize)])
            print(f"optimized vs original: max relative difference "
                  f"{max_difference(original, optimized):.3g}")
    except (PetOptError, ToolError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
