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

writes PREFIX.md, PREFIX.json and (with matplotlib) PREFIX.png, and

    PYTHONPATH=python python3 -m pet_mlir.bench collect DIR OUT \
        --precision fp32 --merge DB --out DB

files PET off's and on's times, whole, in the cost database under the keys
the optimize reports name: compiled again with it, a model whose optimized
program ran no faster is kept as it was (--pet-optimize's
whole-program-check).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from . import gpu, measure
from .models import MODELS, MODELS_BATCH

ALL_MODELS = {**MODELS, **MODELS_BATCH}
from .opt import run_pet_opt

TIME_RUNS = 100
# No limit: every model's whole search takes under 10 s on 2 cores
# (bench/README.md); a limit near that would only cut the searches unevenly
# (each gets a share of it by estimated work).
DEFAULT_TIME_LIMIT = 0.0
# A replacement must save this fraction of its subprogram's (measured) time:
# programs measured within timing noise of their original (0.1% faster, say)
# gain nothing and may lose in the network.
DEFAULT_MIN_GAIN = 0.03


def _stopped_searches(report: dict) -> int:
    """Searched parts the time limit stopped before their state budget."""
    return sum(1 for function in report["functions"] for part in function["subprograms"]
               if part.get("stopped_by_time_limit"))


def report_counts(report: dict) -> Dict[str, int]:
    """Mutants applied and boxes corrected, from a --pet-optimize report."""
    mutants = boxes = 0
    for function in report["functions"]:
        for part in function["subprograms"]:
            if part["status"] == "replaced":
                mutants += 1
                boxes += sum(len(r["boxes"]) for r in part.get("corrected", []))
    return {"mutants_applied": mutants, "boxes_corrected": boxes}


# PET on, optimized with the FP32 database ("on") or the TF32 one
# ("ontf32"; the TF32 columns use it where it exists).
ON_PHASES = ("on", "ontf32")


# The layouts a TF32 program may be compiled in (gpu.LAYOUTS).
LAYOUTS = gpu.LAYOUTS


def tf32_programs(directory: Path, name: str, entry: dict) -> dict:
    """The TF32-optimized programs of a model: {program: layout}, the first
    `NAME-ontf32` (the manifest's `tf32_layouts`; an older manifest: NCHW),
    the others `NAME-ontf32-LAYOUT`."""
    if "tf32_layouts" in entry:
        return entry["tf32_layouts"]
    return {"ontf32": "nchw"} if (directory / f"{name}-ontf32.o").exists() else {}


def compile_models(directory: Path, models: List[str], cost_db: Optional[Path],
                   time_limit: float, phases: List[str],
                   cost_db_tf32: Optional[Path] = None, candidates: bool = False,
                   require_measured: bool = False,
                   min_gain: float = DEFAULT_MIN_GAIN,
                   layout_alternatives: bool = True,
                   tf32_layouts: Sequence[str] = ("nchw",),
                   tf32_candidates_layout: Optional[str] = None) -> dict:
    """Compiles each model PET off and on (see the module's doc). With
    `candidates`, each search's original and kept programs are also
    compiled for timing on the GPU (DIR/candidates/MODEL[-tf32].o, see
    measure.py); `require_measured` replaces a subprogram only by a program
    the database measured faster; `min_gain` is the fraction of the
    subprogram's time a replacement must save; `layout_alternatives` keeps
    each program with layout views also as its twin lowered with copies;
    the TF32-optimized program is compiled once per layout of
    `tf32_layouts` (LAYOUTS; the report takes the fastest per model), and
    its search's candidates in `tf32_candidates_layout` (default: the last
    of `tf32_layouts`), so that the TF32 database measures programs as the
    TF32 benchmark runs them."""
    if tf32_candidates_layout is None:
        tf32_candidates_layout = tf32_layouts[-1]
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name in models:
        build, func = ALL_MODELS[name]
        source = build()
        entry = manifest.setdefault(name, {"func": func})
        for phase in phases:
            program = source
            if phase in ON_PHASES:
                db = cost_db_tf32 if phase == "ontf32" else cost_db
                stem = f"{name}-{phase}"
                options = (f"time-limit={time_limit} min-gain={min_gain} "
                           f"report={directory / stem}.report.json "
                           f"cost-keys={directory / name}.keys.json")
                if db:
                    options += f" cost-db={db.resolve()}"
                if require_measured:
                    options += " require-measured=1"
                if not layout_alternatives:
                    options += " layout-alternatives=0"
                if candidates:
                    (directory / "candidates").mkdir(exist_ok=True)
                    options += f" candidates={directory / 'candidates' / stem}.mlir"
                start = time.perf_counter()
                program = run_pet_opt(source, [gpu.gpu_optimize_flag(options)])
                entry[f"optimize_{phase}_s"] = round(time.perf_counter() - start, 2)
                report = json.loads((directory / f"{stem}.report.json").read_text())
                entry[f"search_{phase}_s"] = round(report["seconds"], 2)
                entry[f"cost_db_{phase}"] = str(db) if db else None
                entry[f"searches_stopped_{phase}"] = _stopped_searches(report)
                entry.update({f"{k}_{phase}": v for k, v in report_counts(report).items()})
                # Programs the search kept that the database has not measured
                # (the closed loop measures them and optimizes again).
                measured = measure.database_keys(db)
                entry[f"unmeasured_{phase}"] = sum(
                    1 for f in report["functions"] for part in f["subprograms"]
                    for c in part.get("candidates", []) if c["key"] not in measured)
                if candidates:
                    text = (directory / "candidates" / f"{stem}.mlir").read_text()
                    layout = tf32_candidates_layout if phase == "ontf32" else None
                    programs = measure.compile_candidates(
                        text, directory / "candidates" / f"{stem}.o", measured=measured,
                        layout=layout)
                    entry[f"candidates_{phase}"] = len(programs)
                    if layout:
                        entry[f"candidates_{phase}_layout"] = layout
            # The TF32 program once per layout; the others as the
            # environment says (PET_CHANNELS_LAST, PET_FILTERS_LAST).
            variants = {phase: (None, None)}
            if phase == "ontf32":
                variants = {phase if i == 0 else f"{phase}-{layout}": LAYOUTS[layout]
                            for i, layout in enumerate(tf32_layouts)}
                entry["tf32_layouts"] = {
                    program_name: layout for program_name, layout in
                    zip(variants, tf32_layouts)}
            start = time.perf_counter()
            for stem, (channels_last, filters_last) in variants.items():
                obj = gpu.compile_to_object(
                    program, time_runs=TIME_RUNS,
                    api_header=directory / f"{name}-{stem}.h", func=func,
                    channels_last=channels_last, filters_last=filters_last)
                (directory / f"{name}-{stem}.o").write_bytes(obj)
            entry[f"compile_{phase}_s"] = round(time.perf_counter() - start, 2)
            print(f"{name} ({phase}): " + ", ".join(
                f"{k} {v}" for k, v in entry.items() if k != "func"), flush=True)
        manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def _pet_times(runs: List[Path], name: str) -> List[float]:
    """The median ms each run of a program printed (`pet-time: median X
    ms, ...`)."""
    times = []
    for run in runs:
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


def _replaced(report_path: Path) -> List[dict]:
    """The subprograms a --pet-optimize report says were replaced, with the
    estimated and (where the database had them) measured times before and
    after, and the boxes corrected."""
    if not report_path.exists():
        return []
    rows = []
    for function in json.loads(report_path.read_text())["functions"]:
        for part in function["subprograms"]:
            if part["status"] != "replaced":
                continue
            rows.append({
                "subprogram": part["index"], "operators": part["operators"],
                "mutant_operators": part.get("mutant_operators"),
                "estimated_before_us": part["cost_before_us"],
                "estimated_after_us": part["cost_after_us"],
                "measured_before_us": part.get("measured_before_us"),
                "measured_after_us": part.get("measured_after_us"),
                "boxes_corrected": sum(len(r["boxes"]) for r in part.get("corrected", []))})
    return rows


def _whole_keys(report_path: Path) -> Optional[dict]:
    """The keys of a benchmark program's one function as it was and as
    optimized (`key_before`, `key_after`) and whether `--pet-optimize` kept
    it as it was (whole-program-check), from its optimize report."""
    if not report_path.exists():
        return None
    functions = [f for f in json.loads(report_path.read_text())["functions"]
                 if "key_before" in f]
    return functions[0] if len(functions) == 1 else None


def collect_programs(directory: Path, results, precision: str,
                     merge: Optional[Path] = None) -> dict:
    """The benchmark's programs as entries of a cost database, timed as the
    benchmark ran them: each model's PET off under its function's key as it
    was, and PET on (in TF32 the program optimized for TF32) under its key
    as optimized, unless --pet-optimize kept it as it was; merged into
    `merge`. Compiled again with that database, `--pet-optimize` keeps a
    function as it was where the optimized one measured no faster."""
    suffix = {"fp32": "gpu", "tf32": "tf32"}[precision]
    runs = measure.result_runs(results)
    manifest = json.loads((directory / "manifest.json").read_text())
    new = []
    for name, entry in manifest.items():
        program = "on"
        if precision == "tf32" and (directory / f"{name}-ontf32.report.json").exists():
            program = "ontf32"
        keys = _whole_keys(directory / f"{name}-{program}.report.json")
        if not keys:
            continue
        phases = [("key_before", "off")]
        if not keys.get("original_kept"):
            # In TF32, the layout that ran fastest.
            if program == "ontf32":
                program = _fastest(runs, name, tf32_programs(directory, name, entry),
                                   suffix) or program
            phases.append(("key_after", program))
        for field, phase in phases:
            times = _pet_times(runs, f"{name}-{phase}.{suffix}.txt")
            if times:
                new.append({"key": keys[field],
                            "time_us": round(1000 * statistics.median(times), 3),
                            "program": f"{name}-{phase} (whole, @{keys['name']})"})
    return measure.database(new, results, precision, merge)


def _fastest(runs: List[Path], name: str, programs, suffix: str) -> Optional[str]:
    """Of `programs` (names after NAME-), the one whose runs printed the
    smallest median time, or None if none ran."""
    timed = {p: statistics.median(t) for p in programs
             if (t := _pet_times(runs, f"{name}-{p}.{suffix}.txt"))}
    return min(timed, key=timed.get) if timed else None


def build_table(directory: Path, results) -> dict:
    """The report's table from the programs in `directory` and one or more
    results directories of the GPU machine."""
    manifest = json.loads((directory / "manifest.json").read_text())
    results = [results] if isinstance(results, Path) else list(results)
    torch: dict = {"models": {}}
    # PyTorch's times: torch.json of each results directory (and the
    # torch.compile slices, torch-compile*.json), merged per model and column.
    for r in results:
        for path in [r / "torch.json", *sorted(r.glob("torch-compile*.json"))]:
            if not path.exists():
                continue
            data = json.loads(path.read_text())
            models = {name: dict(times) for name, times in torch["models"].items()}
            for name, times in data["models"].items():
                models.setdefault(name, {}).update(times)
            torch = {**torch, **{k: v for k, v in data.items() if k != "models"},
                     "models": models}
    runs = measure.result_runs(results)
    # Only models that ran.
    manifest = {name: entry for name, entry in manifest.items()
                if any((run / f"{name}-off.gpu.txt").exists() or
                       (run / f"{name}-on.gpu.txt").exists() for run in runs)}
    rows = []
    order = {name: i for i, name in enumerate(ALL_MODELS)}
    for name, entry in sorted(manifest.items(), key=lambda e: order.get(e[0], len(order))):
        row = {"model": name, **{k: v for k, v in entry.items() if k != "func"}}
        for precision, suffix in (("fp32", "gpu"), ("tf32", "tf32")):
            for phase in ("off", "on"):
                # In TF32, PET on is the program optimized with the TF32
                # database where there is one.
                program, report = phase, phase
                variants = tf32_programs(directory, name, entry)
                if phase == "on" and precision == "tf32" and variants:
                    # Its fastest layout.
                    report = "ontf32"
                    program = _fastest(runs, name, variants, suffix) or report
                    row["layout_tf32"] = variants.get(program)
                times = _pet_times(runs, f"{name}-{program}.{suffix}.txt")
                row[f"pet_{phase}_{precision}"] = statistics.median(times) if times else None
                row[f"pet_{phase}_{precision}_runs"] = times
                if phase == "on":
                    row[f"program_on_{precision}"] = program
                    row[f"replaced_{precision}"] = _replaced(directory / f"{name}-{report}.report.json")
                    keys = _whole_keys(directory / f"{name}-{report}.report.json") or {}
                    row[f"whole_{precision}"] = {
                        k: keys[k] for k in ("measured_before_us", "measured_after_us",
                                             "original_kept") if k in keys}
                    for key in ("mutants_applied", "boxes_corrected"):
                        row[f"{key}_{precision}"] = entry.get(f"{key}_{report}", entry.get(key))
            for mode in ("eager", "graph", "compile"):
                row[f"torch_{mode}_{precision}"] = torch["models"].get(name, {}).get(
                    f"{mode}_{precision}")
            on, off = row[f"pet_on_{precision}"], row[f"pet_off_{precision}"]
            ref = row[f"torch_graph_{precision}"]
            row[f"on_vs_torch_graph_{precision}"] = round(on / ref, 3) if on and ref else None
            compiled = row[f"torch_compile_{precision}"]
            row[f"on_vs_torch_compile_{precision}"] = \
                round(on / compiled, 3) if on and compiled else None
            program = row.get(f"program_on_{precision}", "on")
            graph_suffix = "graph.tsv" if precision == "fp32" else "tf32.graph.tsv"
            graphs = [run / f"{name}-{program}.{graph_suffix}" for run in runs
                      if (run / f"{name}-{program}.{graph_suffix}").exists()]
            row[f"graph_profile_{precision}"] = graph_profile(graphs[0]) if graphs else None
            row[f"speedup_on_vs_off_{precision}"] = round(off / on, 3) if on and off else None
        profiles = [run / f"{name}-on.profile.tsv" for run in runs
                    if (run / f"{name}-on.profile.tsv").exists()]
        row["top_kernels_on_fp32"] = _top_kernels(profiles[0]) if profiles else []
        rows.append(row)
    return {"device": torch.get("device"), "torch": torch.get("torch"),
            "cudnn": torch.get("cudnn"), "runs": TIME_RUNS, "models": rows}


_GRAPH_HEADER = re.compile(r"# (\d+) replays of the CUDA graph: ([\d.]+) kernels and "
                           r"([\d.]+) us of kernel time per replay; the replay took ([\d.]+) us")


def graph_profile(path: Path, count: int = 4) -> Optional[dict]:
    """What a PET_GRAPH_PROFILE file says: kernels and kernel time per
    replay, the replay's time, the longest kernels."""
    lines = path.read_text().splitlines()
    m = _GRAPH_HEADER.match(lines[0]) if lines else None
    if not m:
        return None
    rows = [line.split("\t") for line in lines[1:]
            if not line.startswith("#") and line.count("\t") == 2]
    rows.sort(key=lambda r: -float(r[2]))
    return {"kernels": float(m.group(2)), "kernel_us": float(m.group(3)),
            "replay_us": float(m.group(4)),
            "top": [f"{r[0]} ({float(r[1]):g}x, {float(r[2]):.1f} us)" for r in rows[:count]]}


def pyplot():
    """matplotlib.pyplot without a display, or None (saying so) where
    matplotlib is missing: the reports' charts are optional."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: no chart", file=sys.stderr)
        return None
    return plt


def _fmt(v, digits=3) -> str:
    return "--" if v is None else f"{v:.{digits}f}"


def write_report(table: dict, prefix: Path) -> None:
    prefix.parent.mkdir(parents=True, exist_ok=True)
    prefix.with_suffix(".json").write_text(json.dumps(table, indent=1))
    lines = [f"Device: {table['device']}; PyTorch {table['torch']}, cuDNN {table['cudnn']}. "
             "Median ms per forward pass (batch 1; MODEL_b16: batch 16, BERT 16 sequences) over >= 100 CUDA-graph replays "
             "(PyTorch eager: >= 100 forward passes); PET's programs: the median "
             "of that over their repeated runs (processes; `*_runs` in the JSON). "
             "`x torch` is PET on over "
             "PyTorch's CUDA graph (target <= 0.8); `on/off` is PET off over PET on "
             "(target >= 1.3).", ""]
    compiled = any(r.get(f"torch_compile_{p}") for r in table["models"]
                   for p in ("fp32", "tf32"))
    for precision in ("fp32", "tf32"):
        lines += [f"**{precision.upper()}**", "",
                  "| model | PyTorch eager | PyTorch graph |" +
                  (" torch.compile |" if compiled else "") +
                  " PET off | PET on | x torch |" + (" x compile |" if compiled else "") +
                  " on/off | mutants | boxes | optimize s |",
                  "|---|---|---|" + ("---|---|" if compiled else "") +
                  "---|---|---|---|---|---|---|"]
        for r in table["models"]:
            program = "ontf32" if r.get(f"program_on_{precision}", "on").startswith(
                "ontf32") else "on"
            lines.append(
                f"| {r['model']} | {_fmt(r[f'torch_eager_{precision}'])} | "
                f"{_fmt(r[f'torch_graph_{precision}'])} | " +
                (f"{_fmt(r.get(f'torch_compile_{precision}'))} | " if compiled else "") +
                f"{_fmt(r[f'pet_off_{precision}'])} | "
                f"{_fmt(r[f'pet_on_{precision}'])} | {_fmt(r[f'on_vs_torch_graph_{precision}'], 2)} | " +
                (f"{_fmt(r.get(f'on_vs_torch_compile_{precision}'), 2)} | " if compiled else "") +
                f"{_fmt(r[f'speedup_on_vs_off_{precision}'], 2)} | "
                f"{r.get(f'mutants_applied_{precision}', '--')} | "
                f"{r.get(f'boxes_corrected_{precision}', '--')} | "
                f"{r.get(f'optimize_{program}_s', r.get('optimize_s', '--'))} |")
        lines.append("")
        layouts = [f"{r['model']} {r['layout_' + precision]}" for r in table["models"]
                   if r.get(f"layout_{precision}")]
        if any(not entry.endswith(" nchw") for entry in layouts):
            lines += ["PET on's layout (the fastest of those compiled; images / "
                      "filters): " + ", ".join(layouts) + ".", ""]
    profiled = [(p, r) for p in ("fp32", "tf32") for r in table["models"]
                if r.get(f"graph_profile_{p}")]
    if profiled:
        lines += ["Where PET on's time goes: the timed CUDA graph replayed under CUPTI "
                  "(`PET_GRAPH_PROFILE`): kernels per replay, their GPU time against "
                  "the replay's, the longest (launches per replay, us per replay; "
                  "generated kernels are named `<function>_L<source line>`).", ""]
        for precision, r in profiled:
            g = r[f"graph_profile_{precision}"]
            lines.append(f"* {precision.upper()} {r['model']}: {g['kernels']:g} kernels, "
                         f"{g['kernel_us']:.1f} us of kernels in a {g['replay_us']:.1f} us "
                         f"replay; " + "; ".join(g["top"]))
        lines.append("")
    lines += ["Replaced subprograms (PET on): estimated and measured time of the "
              "subprogram before -> after, us (measured: the whole program timed on the "
              "GPU, `python -m pet_mlir.measure`), and its corrected boxes.", ""]
    for precision in ("fp32", "tf32"):
        for r in table["models"]:
            whole = r.get(f"whole_{precision}") or {}
            if whole.get("original_kept"):
                lines.append(
                    f"* {precision.upper()} {r['model']}: kept as it was (whole-program "
                    f"check: optimized {whole['measured_after_us']:.1f} us, as it was "
                    f"{whole['measured_before_us']:.1f} us in an earlier run)")
            replaced = r.get(f"replaced_{precision}") or []
            if not replaced:
                continue
            parts = []
            for p in replaced:
                measured = (f"measured {p['measured_before_us']:.1f} -> {p['measured_after_us']:.1f}"
                            if p.get("measured_after_us") is not None else "not measured")
                parts.append(f"#{p['subprogram']}: est. {p['estimated_before_us']:.1f} -> "
                             f"{p['estimated_after_us']:.1f}, {measured}, "
                             f"{p['boxes_corrected']} boxes")
            lines.append(f"* {precision.upper()} {r['model']}: " + "; ".join(parts))
    lines.append("")
    lines += ["Largest kernels / library calls of PET on (FP32, one eager pass, PET_PROFILE):", ""]
    for r in table["models"]:
        lines.append(f"* {r['model']}: " + "; ".join(r["top_kernels_on_fp32"]))
    prefix.with_suffix(".md").write_text("\n".join(lines) + "\n")
    plt = pyplot()
    if plt is None:
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
        ax.set_title(f"{precision.upper()}, {table['device']}")
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
                   help="seconds of mutation search per model (0: no limit)")
    c.add_argument("--phases", default="off,on",
                   help="off, on (FP32 database), ontf32 (TF32 database)")
    c.add_argument("--cost-db-tf32", type=Path,
                   help="the database of the ontf32 phase")
    c.add_argument("--candidates", action="store_true",
                   help="also compile the searches' programs for timing "
                   "(DIR/candidates, measure.py)")
    c.add_argument("--require-measured", action="store_true",
                   help="replace subprograms only by programs measured faster")
    c.add_argument("--min-gain", type=float, default=DEFAULT_MIN_GAIN,
                   help="fraction of a subprogram's time a replacement must save")
    c.add_argument("--tf32-layouts", default="nchw",
                   help="layouts to compile the TF32 program in, comma-separated "
                   f"({', '.join(LAYOUTS)}); the report takes the fastest")
    c.add_argument("--tf32-candidates-layout", choices=list(LAYOUTS),
                   help="layout to compile the TF32 search's candidates in "
                   "(--candidates; default: the last of --tf32-layouts)")
    c.add_argument("--no-layout-alternatives", dest="layout_alternatives",
                   action="store_false",
                   help="no twin lowered with copies for programs with layout "
                   "views (layout-alternatives=0)")
    k = sub.add_parser("collect", help="the benchmark's programs, timed whole, "
                       "into a cost database (whole-program-check)")
    k.add_argument("directory", type=Path)
    k.add_argument("results", type=Path, nargs="+")
    k.add_argument("--precision", choices=("fp32", "tf32"), default="fp32")
    k.add_argument("--merge", type=Path, help="database to extend")
    k.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("report", help="tables and chart from the GPU's results")
    r.add_argument("directory", type=Path)
    r.add_argument("results", type=Path, nargs="+",
                   help="results directories (several: runs of different models)")
    r.add_argument("--out", type=Path, required=True, help="prefix of .md/.json/.png")
    args = parser.parse_args(argv)
    if args.command == "compile":
        models = args.models.split(",")
        unknown = [m for m in models if m not in ALL_MODELS]
        if unknown:
            parser.error(f"unknown models {unknown}; known: {', '.join(ALL_MODELS)}")
        layouts = args.tf32_layouts.split(",")
        if any(layout not in LAYOUTS for layout in layouts):
            parser.error(f"unknown layouts in {args.tf32_layouts}; known: "
                         f"{', '.join(LAYOUTS)}")
        compile_models(args.directory, models, args.cost_db, args.time_limit,
                       args.phases.split(","), args.cost_db_tf32, args.candidates,
                       args.require_measured, args.min_gain,
                       args.layout_alternatives, layouts, args.tf32_candidates_layout)
        return 0
    if args.command == "collect":
        try:
            db = collect_programs(args.directory, args.results, args.precision, args.merge)
        except (FileNotFoundError, json.JSONDecodeError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        args.out.write_text(json.dumps(db, indent=1))
        print(f"{args.out}: {db['programs_measured_now']} whole programs measured now "
              f"({args.precision}), {len(db['entries'])} entries")
        return 0
    write_report(build_table(args.directory, args.results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
