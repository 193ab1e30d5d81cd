"""The model benchmark: the paper's five networks, PET off and on, against
PyTorch on the same GPU (bench/README.md, "Models against PyTorch").

Here (MLIR; 2 cores are enough):

    PYTHONPATH=python python3 -m pet_mlir.bench compile DIR [--cost-db DB]

builds every model of `models.MODELS` from code and compiles it twice
through the GPU pipeline's C API (weights preprocessed at load): PET off
(`MODEL-off.o`, plain lowering) and PET on (`MODEL-on.o`, `--pet-optimize`
with `--time-limit` seconds of search and, when given, a measured cost
database). It records compile and search times, mutants applied and boxes
corrected in DIR/manifest.json, and the operator keys the searches costed
in DIR/MODEL.keys.json (what `bench/models/measure_ops.py` measures).

On the GPU machine `bench/models/run.sh DIR OUT` runs the programs, PyTorch
and the operator measurements; then

    PYTHONPATH=python python3 -m pet_mlir.bench report DIR OUT --out PREFIX

writes PREFIX.md, PREFIX.json and (with matplotlib) PREFIX.png.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from . import gpu
from .models import MODELS
from .opt import run_pet_opt

TIME_RUNS = 100
DEFAULT_TIME_LIMIT = 8.0


def _report_counts(report: dict) -> Dict[str, int]:
    """Mutants applied and boxes corrected, from a --pet-optimize report."""
    mutants = boxes = 0
    for function in report["functions"]:
        for part in function["subprograms"]:
            if part["status"] == "replaced":
                mutants += 1
                boxes += sum(len(r["boxes"]) for r in part.get("corrected", []))
    return {"mutants_applied": mutants, "boxes_corrected": boxes}


def compile_models(directory: Path, models: List[str], cost_db: Optional[Path],
                   time_limit: float, phases: List[str]) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name in models:
        build, func = MODELS[name]
        source = build()
        entry = manifest.setdefault(name, {"func": func})
        for phase in phases:
            program = source
            if phase == "on":
                options = (f"time-limit={time_limit} report={directory / name}.report.json "
                           f"cost-keys={directory / name}.keys.json")
                if cost_db:
                    options += f" cost-db={cost_db.resolve()}"
                start = time.perf_counter()
                program = run_pet_opt(source, [gpu.gpu_optimize_flag(options)])
                entry["optimize_s"] = round(time.perf_counter() - start, 2)
                report = json.loads((directory / f"{name}.report.json").read_text())
                entry["search_s"] = round(report["seconds"], 2)
                entry["cost_db"] = str(cost_db) if cost_db else None
                entry.update(_report_counts(report))
            start = time.perf_counter()
            header = directory / f"{name}-{phase}.h"
            obj = gpu.compile_to_object(program, time_runs=TIME_RUNS,
                                        api_header=header, func=func)
            (directory / f"{name}-{phase}.o").write_bytes(obj)
            entry[f"compile_{phase}_s"] = round(time.perf_counter() - start, 2)
            print(f"{name} ({phase}): " + ", ".join(
                f"{k} {v}" for k, v in entry.items() if k != "func"), flush=True)
        manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def _runs(results: Path) -> List[Path]:
    """The directories of the repeated runs (run1, run2, ...), or the
    results directory itself for one run."""
    runs = sorted(p for p in results.glob("run*") if p.is_dir())
    return runs or [results]


def _pet_times(results: Path, name: str) -> List[float]:
    """The median ms each run of a program printed (`pet-time: median X
    ms, ...`)."""
    times = []
    for run in _runs(results):
        path = run / name
        m = re.search(r"pet-time: median ([\d.]+) ms", path.read_text()) \
            if path.exists() else None
        if m:
            times.append(float(m.group(1)))
    return times


def _top_kernels(path: Path, count: int = 3) -> List[str]:
    if not path.exists():
        return []
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.count("\t") == 3]
    rows.sort(key=lambda r: -float(r[3]))
    return [f"{r[1]} ({r[0]}, {float(r[3]):.3f} ms)" for r in rows[:count]]


def build_table(directory: Path, results: Path) -> dict:
    manifest = json.loads((directory / "manifest.json").read_text())
    torch_path = results / "torch.json"
    torch = json.loads(torch_path.read_text()) if torch_path.exists() else {"models": {}}
    rows = []
    order = {name: i for i, name in enumerate(MODELS)}
    for name, entry in sorted(manifest.items(), key=lambda e: order.get(e[0], len(order))):
        row = {"model": name, **{k: v for k, v in entry.items() if k != "func"}}
        for precision, suffix in (("fp32", "gpu"), ("tf32", "tf32")):
            for phase in ("off", "on"):
                times = _pet_times(results, f"{name}-{phase}.{suffix}.txt")
                row[f"pet_{phase}_{precision}"] = statistics.median(times) if times else None
                row[f"pet_{phase}_{precision}_runs"] = times
            for mode in ("eager", "graph"):
                row[f"torch_{mode}_{precision}"] = torch["models"].get(name, {}).get(
                    f"{mode}_{precision}")
            on, off = row[f"pet_on_{precision}"], row[f"pet_off_{precision}"]
            ref = row[f"torch_graph_{precision}"]
            row[f"on_vs_torch_graph_{precision}"] = round(on / ref, 3) if on and ref else None
            row[f"speedup_on_vs_off_{precision}"] = round(off / on, 3) if on and off else None
        row["top_kernels_on_fp32"] = _top_kernels(_runs(results)[0] / f"{name}-on.profile.tsv")
        rows.append(row)
    return {"device": torch.get("device"), "torch": torch.get("torch"),
            "cudnn": torch.get("cudnn"), "runs": TIME_RUNS, "models": rows}


def _fmt(v, digits=3) -> str:
    return "--" if v is None else f"{v:.{digits}f}"


def write_report(table: dict, prefix: Path) -> None:
    prefix.parent.mkdir(parents=True, exist_ok=True)
    prefix.with_suffix(".json").write_text(json.dumps(table, indent=1))
    lines = [f"Device: {table['device']}; PyTorch {table['torch']}, cuDNN {table['cudnn']}. "
             "Median ms per forward pass (batch 1) over >= 100 CUDA-graph replays "
             "(PyTorch eager: >= 100 forward passes); PET's programs: the median "
             "of that over their repeated runs (processes; `*_runs` in the JSON). "
             "`x torch` is PET on over "
             "PyTorch's CUDA graph (target <= 0.8); `on/off` is PET off over PET on "
             "(target >= 1.3).", ""]
    for precision in ("fp32", "tf32"):
        lines += [f"**{precision.upper()}**", "",
                  "| model | PyTorch eager | PyTorch graph | PET off | PET on | x torch | on/off | mutants | boxes | optimize s |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in table["models"]:
            lines.append(
                f"| {r['model']} | {_fmt(r[f'torch_eager_{precision}'])} | "
                f"{_fmt(r[f'torch_graph_{precision}'])} | {_fmt(r[f'pet_off_{precision}'])} | "
                f"{_fmt(r[f'pet_on_{precision}'])} | {_fmt(r[f'on_vs_torch_graph_{precision}'], 2)} | "
                f"{_fmt(r[f'speedup_on_vs_off_{precision}'], 2)} | {r.get('mutants_applied', '--')} | "
                f"{r.get('boxes_corrected', '--')} | {r.get('optimize_s', '--')} |")
        lines.append("")
    lines += ["Largest kernels / library calls of PET on (FP32, one eager pass, PET_PROFILE):", ""]
    for r in table["models"]:
        lines.append(f"* {r['model']}: " + "; ".join(r["top_kernels_on_fp32"]))
    prefix.with_suffix(".md").write_text("\n".join(lines) + "\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: no chart", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    series = [("torch_eager", "PyTorch eager"), ("torch_graph", "PyTorch CUDA graph"),
              ("pet_off", "PET off"), ("pet_on", "PET on")]
    for ax, precision in zip(axes, ("fp32", "tf32")):
        names = [r["model"] for r in table["models"]]
        width = 0.2
        for i, (key, label) in enumerate(series):
            values = []
            for r in table["models"]:
                ref, v = r[f"torch_graph_{precision}"], r[f"{key}_{precision}"]
                values.append(v / ref if v and ref else 0)
            ax.bar([x + (i - 1.5) * width for x in range(len(names))], values, width, label=label)
        ax.axhline(0.8, color="k", linestyle="--", linewidth=0.8)
        ax.set_xticks(range(len(names)), names, rotation=20)
        ax.set_ylabel("latency / PyTorch CUDA graph")
        ax.set_title(f"{precision.upper()}, batch 1, {table['device']}")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(prefix.with_suffix(".png"), dpi=120)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="compile the models, PET off and on")
    c.add_argument("directory", type=Path)
    c.add_argument("--models", default=",".join(MODELS))
    c.add_argument("--cost-db", type=Path)
    c.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT,
                   help="seconds of mutation search per model")
    c.add_argument("--phases", default="off,on")
    r = sub.add_parser("report", help="tables and chart from the GPU's results")
    r.add_argument("directory", type=Path)
    r.add_argument("results", type=Path)
    r.add_argument("--out", type=Path, required=True, help="prefix of .md/.json/.png")
    args = parser.parse_args(argv)
    if args.command == "compile":
        models = args.models.split(",")
        unknown = [m for m in models if m not in MODELS]
        if unknown:
            parser.error(f"unknown models {unknown}; known: {', '.join(MODELS)}")
        compile_models(args.directory, models, args.cost_db, args.time_limit,
                       args.phases.split(","))
        return 0
    write_report(build_table(args.directory, args.results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
