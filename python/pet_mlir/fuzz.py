"""Mutational fuzzing of pet-opt: programs from the lit tests and examples,
their numbers (shapes, offsets, axes, paddings, box bounds) and lines
changed at random, run through the main pipelines. A run that ends in a
signal, an assertion, an LLVM ERROR or a stack dump is a crash; one past
the time bound is a hang. pet-opt rejecting a program with a diagnostic
is what it should do.

    python3 -m pet_mlir.fuzz --count 100000 --jobs 2 --out fuzz-crashes

Each crash or hang is written to OUT as a reproducer (the pipeline and the
failure on its first lines); keep the ones found as lit tests. The exit
code is 1 when any was found. The same seed gives the same inputs.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .opt import find_pet_opt

ROOT = Path(__file__).resolve().parents[2]

# The pipelines a mutated program goes through (one each).
PIPELINES: List[List[str]] = [
    ["--pet-verify"],
    ["--pet-propagate-boxes"],
    ["--pet-mutate", "--pet-correct"],
    ["--pet-mutate=max-depth=2", "--pet-correct", "--convert-pet-to-linalg"],
    ["--pet-optimize"],
    ["--convert-pet-to-linalg"],
    ["--convert-linalg-to-pet"],
    ["--pet-split"],
    ["--canonicalize"],
]

# What pet-opt prints when it crashes rather than rejects.
_CRASH = re.compile(r"(Assertion .*|LLVM ERROR: .*|UNREACHABLE .*|Stack dump:)")
# Numbers alone (attributes, box bounds) and the dimensions of shapes
# (tensor<2x4xf32>).
_NUMBER = re.compile(r"(?<![\w%#@.])\d+(?![\w.])|(?<=[<x])\d+(?=x)")
_INTERESTING = (0, 1, 2, 3, 4, 5, 7, 8, 16, 64, 1000)


def corpus(root: Path = ROOT) -> List[str]:
    """The seed programs: each `// -----` part of the lit tests (their
    inputs too) and the examples, without comment lines."""
    programs = []
    paths = sorted((root / "test").rglob("*.mlir")) + sorted((root / "examples").glob("*.mlir"))
    for path in paths:
        for part in path.read_text().split("// -----"):
            text = "\n".join(line for line in part.splitlines()
                             if not line.lstrip().startswith("//"))
            if "func.func" in text:
                programs.append(text)
    return programs


def mutate(program: str, rng: random.Random) -> str:
    """One to three changes: a number replaced (by a small or boundary
    value, or one off), a line deleted, or a line repeated."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.8:
            numbers = list(_NUMBER.finditer(program))
            if not numbers:
                continue
            m = rng.choice(numbers)
            old = int(m.group())
            new = rng.choice(_INTERESTING + (old + 1, max(old - 1, 0), old * 2))
            program = program[:m.start()] + str(new) + program[m.end():]
        else:
            lines = program.splitlines()
            if len(lines) < 3:
                continue
            i = rng.randrange(1, len(lines) - 1)
            if kind < 0.9:
                del lines[i]
            else:
                lines.insert(i, lines[i])
            program = "\n".join(lines)
    return program


def run_one(pet_opt: str, program: str, pipeline: Sequence[str],
            timeout: float) -> Optional[str]:
    """None if pet-opt accepted or rejected the program; else what went
    wrong (the crash's first line, or "hang")."""
    try:
        result = subprocess.run([pet_opt, *pipeline, "-o", "/dev/null", "-"],
                                input=program.encode(), capture_output=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"hang (over {timeout:g} s)"
    stderr = result.stderr.decode(errors="replace")
    crash = _CRASH.search(stderr)
    if crash:
        return crash.group(1)[:200]
    if result.returncode < 0:
        return f"signal {-result.returncode}"
    return None


def fuzz(count: int, seed: int = 1, jobs: int = 1, timeout: float = 20,
         out: Optional[Path] = None, pet_opt: Optional[str] = None,
         programs: Optional[List[str]] = None) -> List[Tuple[str, str, str]]:
    """Runs `count` mutated programs; returns (failure, pipeline, program)
    for each distinct failure (by its message and pipeline), written to
    `out` as reproducers when given."""
    pet_opt = pet_opt or find_pet_opt()
    programs = programs if programs is not None else corpus()
    rng = random.Random(seed)
    inputs = [(mutate(rng.choice(programs), rng), rng.choice(PIPELINES))
              for _ in range(count)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(lambda i: run_one(pet_opt, i[0], i[1], timeout), inputs))
    found = {}
    for (program, pipeline), failure in zip(inputs, outcomes):
        if failure is None:
            continue
        key = (failure, " ".join(pipeline))
        found.setdefault(key, program)
    failures = [(failure, pipeline, program) for (failure, pipeline), program in found.items()]
    if out is not None and failures:
        out.mkdir(parents=True, exist_ok=True)
        for failure, pipeline, program in failures:
            name = hashlib.sha1(program.encode()).hexdigest()[:10]
            (out / f"crash-{name}.mlir").write_text(
                f"// pet-opt {pipeline}\n// {failure}\n{program}\n")
    return failures


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="inputs to run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="pet-opt processes at once")
    parser.add_argument("--timeout", type=float, default=20,
                        help="seconds after which a run counts as a hang")
    parser.add_argument("--out", type=Path, help="directory for reproducers")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    failures = fuzz(args.count, args.seed, args.jobs, args.timeout, args.out)
    seconds = time.perf_counter() - start
    print(f"{args.count} inputs (seed {args.seed}) in {seconds:.0f} s: "
          f"{len(failures)} distinct crash(es) or hang(s)")
    for failure, pipeline, _ in failures:
        print(f"  {pipeline}: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
