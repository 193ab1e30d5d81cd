"""GPU soundness at scale: random multi-linear programs (the soundness
fuzzer's, from `pet-random-programs`), every subprogram replaced by the
mutant the search finds (`--pet-optimize` with min-gain=-100), corrections
included, compiled here for the GPU, run on the GPU machine and compared
with the CPU path of the *original* program.

    PYTHONPATH=python python3 -m pet_mlir.gpu_soundness prepare build/gpu-soundness --count 1000
    # on the GPU machine: bash bench/gpu/run-many.sh build/gpu-soundness OUT
    PYTHONPATH=python python3 -m pet_mlir.gpu_soundness compare build/gpu-soundness OUT

`prepare` keeps the programs that take at least one mutant: NAME.o (the
optimized program, sm_90a, printing its results on generated inputs),
NAME.cpu.json (the original program's results on the CPU path, same
inputs) and manifest.json (mutants and corrected boxes per program, and the
CPU path of the optimized program against the original's). `compare` reads
NAME.gpu.txt / NAME.tf32.txt and prints the table of bench/README.md; it
exits 1 on any mismatch (FP32 1e-5, TF32 5e-3 of each result's largest
|value|, as gpu_check) or missing run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from . import cpu, gpu
from .gpu_check import FP32_TOLERANCE, TF32_TOLERANCE
from .opt import find_pet_opt, mutant_remarks, run_pet_opt_with_remarks

# The soundness fuzzer's search (MutateTest.FuzzRandomProgramsStayExact):
# any mutant at all is taken, however slow it is estimated.
SEARCH = "min-gain=-100 max-states=3000 depth=3 min-equivalent=0.5"


def find_random_programs() -> str:
    """pet-random-programs next to pet-opt (the same build)."""
    path = Path(find_pet_opt()).with_name("pet-random-programs")
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(f"{path} not found: build it with scripts/build.sh")
    return str(path)


def optimize(source: str) -> tuple:
    """`source` through --pet-optimize as the GPU runs it; the optimized
    program and its search remarks as (mutant ops, replaced ops, boxes)."""
    optimized, diagnostics = run_pet_opt_with_remarks(
        source, [gpu.gpu_optimize_flag(SEARCH)], timeout=600)
    return optimized, mutant_remarks(diagnostics)


def prepare_one(path: Path, directory: Path) -> Optional[Dict]:
    source = path.read_text()
    optimized, mutants = optimize(source)
    if not mutants:
        return None
    name = path.stem
    (directory / f"{name}.o").write_bytes(gpu.compile_to_object(optimized))
    reference = cpu.run_on_cpu(source)
    (directory / f"{name}.cpu.json").write_text(json.dumps(reference))
    (directory / f"{name}.mlir").write_text(optimized)
    return {"name": name, "mutants": len(mutants),
            "boxes": sum(m[2] for m in mutants),
            "cpu_difference": cpu.max_difference(reference, cpu.run_on_cpu(optimized))}


def prepare(directory: Path, count: int, seed: int, jobs: int) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([find_random_programs(), f"--count={count}", f"--seed={seed}",
                        "-o", tmp], check=True)
        paths = sorted(Path(tmp).glob("random-*.mlir"))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            entries = list(pool.map(lambda p: prepare_one(p, directory), paths))
    kept = [e for e in entries if e]
    manifest = {"count": count, "seed": seed, "search": SEARCH, "programs": kept}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
    worst = max((e["cpu_difference"] for e in kept), default=0.0)
    print(f"{len(kept)} of {count} programs take a mutant "
          f"({sum(e['boxes'] > 0 for e in kept)} with corrections, "
          f"{sum(e['boxes'] for e in kept)} boxes); CPU path of the optimized "
          f"programs against the originals: largest difference {worst:.2g}")
    return 0 if worst <= FP32_TOLERANCE else 1


def compare(directory: Path, outputs: Path) -> int:
    manifest = json.loads((directory / "manifest.json").read_text())
    rows = []
    for entry in manifest["programs"]:
        name = entry["name"]
        reference = [tuple(r) for r in json.loads((directory / f"{name}.cpu.json").read_text())]
        row = dict(entry)
        for mode in ("gpu", "tf32"):
            path = outputs / f"{name}.{mode}.txt"
            results = cpu.parse_results(path.read_text()) if path.exists() else []
            row[mode] = (cpu.max_difference(reference, results)
                         if len(results) == len(reference) else None)
        # A run that printed nothing (or too little) is a mismatch too.
        row["mismatch"] = (row["gpu"] is None or row["gpu"] > FP32_TOLERANCE or
                           row["tf32"] is None or row["tf32"] > TF32_TOLERANCE)
        rows.append(row)

    def summary(selected: List[Dict], label: str) -> str:
        def worst(mode):
            values = [r[mode] for r in selected if r[mode] is not None]
            return f"{max(values):.2g}" if values else "-"
        bad = sum(r["mismatch"] for r in selected)
        return (f"| {label} | {len(selected)} | {sum(r['mutants'] for r in selected)} | "
                f"{sum(r['boxes'] for r in selected)} | {worst('gpu')} | "
                f"{worst('tf32')} | {bad} |")

    lines = ["| programs | count | mutants | boxes corrected | FP32 max diff | "
             "TF32 max diff | mismatches |", "|---|---|---|---|---|---|---|",
             summary([r for r in rows if r["boxes"] == 0], "mutants, no correction"),
             summary([r for r in rows if r["boxes"] > 0], "mutants with corrections"),
             summary(rows, "all")]
    print(f"{manifest['count']} random programs (seed {manifest['seed']}), "
          f"{len(rows)} take a mutant; tolerances FP32 {FP32_TOLERANCE:g}, "
          f"TF32 {TF32_TOLERANCE:g} of each result's largest |value|")
    print("\n".join(lines))
    failed = [r["name"] for r in rows if r["mismatch"]]
    for name in failed:
        print(f"FAILED: {name}")
    return 1 if failed or not rows else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("directory")
    p.add_argument("--count", type=int, default=1000, help="random programs drawn")
    p.add_argument("--seed", type=int, default=9000, help="seed of the first program")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    c = sub.add_parser("compare")
    c.add_argument("directory")
    c.add_argument("outputs")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        return prepare(Path(args.directory), args.count, args.seed, args.jobs)
    return compare(Path(args.directory), Path(args.outputs))


if __name__ == "__main__":
    sys.exit(main())
