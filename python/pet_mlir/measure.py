"""Whole-program measurements for PET's optimizer: every program a search
would choose between, timed on the GPU exactly as the GPU pipeline runs it.

`--pet-optimize=candidates=FILE.mlir` (or `--pet-mutate`) writes, for each
distinct subprogram searched, the original and the cheapest programs the
search kept (`candidates-per-part`), each a public function carrying its
`pet.program_key`: mutants with their corrections still as `pet.correct`.
Here they go through the rest of the GPU pipeline (corrections as one
kernel, preprocessing at load, fused cuDNN calls, generated kernels) into
one object whose `pet_main` times each function in a CUDA graph of its own
(`--pet-add-timing-main`); the GPU machine runs it in FP32 and TF32
(`bench/gpu/run.sh`), and the printed times become entries of the cost
database, keyed by program. With that database `--pet-optimize` compares
measured programs (and with `require-measured=1` replaces a subprogram only
by a program measured faster than its measured original).

    # here
    PYTHONPATH=python python3 -m pet_mlir.measure compile CANDIDATES.mlir DIR/NAME.o
    # GPU machine
    PET_GPU_SKIP_PROFILE=1 bash bench/gpu/run.sh DIR OUT
    # here
    tar -xzf OUT/results.tar.gz -C OUT
    PYTHONPATH=python python3 -m pet_mlir.measure collect DIR OUT \\
        --precision fp32 --merge ops.json --out costs-fp32.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set

from . import gpu
from .cpu import ToolError
from .opt import PetOptError

# What --pet-optimize runs after --pet-mutate, for the GPU (correction
# kernels), on the candidates (each function a program as it would be
# inlined into the model).
AFTER_MUTATE = ("--pet-correction-kernels", "--pet-correct",
                "--pet-fuse-corrections", "--pet-fold-channel-scales",
                "--pet-preprocess", "--canonicalize", "--cse")

DEFAULT_TIMING = "runs=30 calls=10"

_FUNC = re.compile(r'func\.func @(\w+)\(.*attributes \{([^\n]*)\}')
_KEY = re.compile(r'pet\.program_key = "([^"]+)"')
_ESTIMATE = re.compile(r'pet\.estimated_us = ([-\d.e+]+)')
_TIME = re.compile(r"pet-time\[(\d+)\]: median ([\d.]+) us per call")


def list_programs(candidates: str) -> List[dict]:
    """The keyed functions of a candidates module, in module order (the
    order --pet-add-timing-main times them in: their labels)."""
    programs = []
    for m in _FUNC.finditer(candidates):
        key = _KEY.search(m.group(2))
        if not key:
            continue
        estimate = _ESTIMATE.search(m.group(2))
        programs.append({"label": len(programs), "name": m.group(1),
                         "key": key.group(1),
                         "estimated_us": float(estimate.group(1)) if estimate else None})
    return programs


def without_programs(candidates: str, keys: Set[str]) -> str:
    """The candidates module without the functions whose program key is in
    `keys` (already measured)."""
    spans = []
    for m in re.finditer(r"  func\.func @(\w+)\([^\n]*\n", candidates):
        key = _KEY.search(m.group(0))
        if key and key.group(1) in keys:
            end = candidates.find("\n  }\n", m.start())
            spans.append((m.start(), end + len("\n  }\n")))
    for start, end in reversed(spans):
        candidates = candidates[:start] + candidates[end:]
    return candidates


def compile_candidates(candidates: str, output: Path,
                       timing: str = DEFAULT_TIMING,
                       measured: Set[str] = frozenset(),
                       layout: Optional[str] = None) -> List[dict]:
    """Compiles a candidates module to `output` (an object for
    bench/gpu/run.sh), leaving out the programs whose keys are in
    `measured`, and writes the label -> program table beside it
    (OUTPUT.programs.json); returns the table (empty, and no object, when
    everything was measured). `layout` (gpu.LAYOUTS: nhwc-krsc, say) is how
    the programs store images and filters, as the program they are measured
    for will (None: as PET_CHANNELS_LAST / PET_FILTERS_LAST say); with NHWC
    images, the programs' image arguments are NHWC too (copied at entry,
    --pet-gpu-channels-last-arguments), as the convolutions before them in
    the program write them."""
    candidates = without_programs(candidates, set(measured))
    programs = list_programs(candidates)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".programs.json").write_text(json.dumps(programs, indent=1))
    if output.exists():
        output.unlink()
    if not programs:
        return programs
    channels_last, filters_last = gpu.LAYOUTS[layout] if layout else (None, None)
    obj = gpu.compile_to_object(candidates, pet_args=AFTER_MUTATE,
                                runner_main=False, timing_main=timing,
                                channels_last=channels_last, filters_last=filters_last,
                                channels_last_arguments=bool(channels_last))
    output.write_bytes(obj)
    return programs


def database_keys(path: Optional[Path]) -> Set[str]:
    """The keys a cost database holds (none without one)."""
    if not path or not path.exists():
        return set()
    return {e["key"] for e in json.loads(path.read_text()).get("entries", [])}


def parse_times(text: str) -> Dict[int, float]:
    """label -> median microseconds per call, from a timing run's output."""
    return {int(m.group(1)): float(m.group(2)) for m in _TIME.finditer(text)}


def result_runs(results) -> List[Path]:
    """The directories of a GPU results directory's repeated runs (run1,
    run2, ...), or the directory itself for one run; of every directory
    when given several (runs of different programs on one machine)."""
    if not isinstance(results, Path):
        return [run for r in results for run in result_runs(r)]
    runs = sorted(p for p in results.glob("run*") if p.is_dir())
    return runs or [results]


def collect(directory: Path, results: Path, precision: str,
            merge: Optional[Path] = None, device: Optional[str] = None) -> dict:
    """The cost database of the programs compiled into `directory`, from the
    GPU results in `results` (median over repeated runs), merged into the
    entries of `merge` (an operator database) if given."""
    suffix = {"fp32": "gpu", "tf32": "tf32"}[precision]
    new = []
    for table in sorted(directory.glob("*.programs.json")):
        name = table.name[: -len(".programs.json")]
        samples: Dict[int, List[float]] = {}
        for run in result_runs(results):
            path = run / f"{name}.{suffix}.txt"
            if path.exists():
                for label, us in parse_times(path.read_text()).items():
                    samples.setdefault(label, []).append(us)
        for program in json.loads(table.read_text()):
            times = sorted(samples.get(program["label"], []))
            if not times:
                continue
            new.append({
                "key": program["key"], "time_us": times[len(times) // 2],
                "program": f"{name}:{program['name']}",
                "estimated_us": program["estimated_us"]})
    return database(new, results, precision, merge, device)


def database(new: List[dict], results, precision: str,
             merge: Optional[Path] = None, device: Optional[str] = None) -> dict:
    """A cost database of the `new` entries measured on the GPU whose
    results are in `results`, merged into the entries of `merge` (new ones
    replace old ones of the same key)."""
    base = json.loads(merge.read_text()) if merge else {}
    entries = {e["key"]: e for e in base.get("entries", [])}
    entries.update((e["key"], e) for e in new)
    measured = len({e["key"] for e in new})
    if device is None:
        device_file = result_runs(results)[0] / "device.txt"
        device = device_file.read_text().strip() if device_file.exists() else base.get("device")
    return {"device": device, "precision": precision,
            "date": datetime.date.today().isoformat(),
            # Where the entries of the merged database came from (operators
            # timed earlier, possibly elsewhere: they only guide the search).
            "merged_from": base.get("merged_from", base.get("device")) if merge else None,
            # Programs in the database: measured now or in earlier rounds.
            "programs_measured": sum(k.startswith("program:") for k in entries),
            "programs_measured_now": measured,
            "entries": sorted(entries.values(), key=lambda e: e["key"])}


def _bodies(candidates: str) -> Dict[str, str]:
    """Function name -> its text, for the functions of a candidates module."""
    bodies = {}
    for m in re.finditer(r"func\.func @(\w+)\(", candidates):
        end = candidates.find("\n  }\n", m.start())
        bodies[m.group(1)] = candidates[m.start(): end if end > 0 else None]
    return bodies


def classify(original: str, body: str) -> List[str]:
    """The transformation families a candidate program uses, from its text
    and its original's (the program before its corrections)."""
    main = body.split("pet.correct", 1)[0]
    families = []
    if re.search(r"groups \d+ [^\n]*\n[^\n]*pet\.split [^\n]*axis 1", main) and \
            "pet.add" in main:
        families.append("reduction split")
    if re.search(r"pet\.split [^\n]*axis [23] [^\n]*\n[^\n]*pet\.concat [^\n]*axis 0", main):
        families.append("H/W split into the batch")
    if "pet.transpose" in main and "pet.reshape" in main and "pet.conv2d" in main:
        families.append("space-to-batch")
    if "pet.conv2d" in original and "pet.matmul" in main and "pet.conv2d" not in main:
        families.append("convolution as GEMM")
    if len(re.findall(r"pet\.(?:conv2d|matmul|batch_matmul) ", original)) > \
            len(re.findall(r"pet\.(?:conv2d|matmul|batch_matmul) ", main)):
        families.append("merged operators")
    if re.search(r"pet\.pad %arg\d+ ", main):
        families.append("zero-extended filter")
    return families or ["layout only"]


def family_table(directory: Path, dbs: Dict[str, dict]) -> List[dict]:
    """Per candidates module in `directory` (MODEL.mlir, as the search wrote
    it), per search: the original's and each candidate's measured
    time per precision (from the collected databases `dbs`), its family,
    whether it carries corrections, and its estimate."""
    rows = []
    # The FP32- and TF32-optimized modules of a model share most programs:
    # each program once per model.
    seen = set()
    for source in sorted(directory.glob("*.mlir")):
        name = source.stem
        for suffix in ("-ontf32", "-on"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        text = source.read_text()
        bodies = _bodies(text)
        programs = list_programs(text)
        originals = {p["name"].split("_")[0]: p for p in programs
                     if p["name"].endswith("_original")}
        for p in programs:
            if p["name"].endswith("_original"):
                continue
            if (name, p["key"]) in seen:
                continue
            seen.add((name, p["key"]))
            search = p["name"].split("_")[0]
            orig = originals.get(search)
            body = bodies.get(p["name"], "")
            row = {"model": name, "search": search, "program": p["name"],
                   "families": classify(bodies.get(orig["name"], "") if orig else "", body),
                   "corrected": "pet.correct" in body,
                   "estimated_us": p["estimated_us"],
                   "original_estimated_us": orig["estimated_us"] if orig else None}
            for precision, db in dbs.items():
                times = {e["key"]: e["time_us"] for e in db["entries"]}
                row[f"{precision}_us"] = times.get(p["key"])
                row[f"original_{precision}_us"] = times.get(orig["key"]) if orig else None
            rows.append(row)
    return rows


def _ratio(row: dict, precision: str) -> Optional[float]:
    t, o = row.get(f"{precision}_us"), row.get(f"original_{precision}_us")
    return t / o if t and o else None


def write_family_table(rows: List[dict], path: Path, title: str) -> None:
    """Markdown: per transformation family, the best measured program over
    its original on each model (time ratio; < 1 pays), then every program."""
    precisions = [p for p in ("fp32", "tf32") if any(f"{p}_us" in r for r in rows)]
    lines = [f"# {title}", "",
             "Whole programs timed on the GPU as the GPU pipeline runs them "
             "(library calls, generated kernels, corrections as one kernel, weight "
             "preprocessing at load), each in a CUDA graph of its own: median us per "
             "call. Ratio = program / its original (below 1: faster).", "",
             "## Best program per family and model", "",
             "| model | family | " + " | ".join(
                 f"{p.upper()} best ratio (orig -> program us)" for p in precisions) +
             " | corrected |", "|---|---|" + "---|" * len(precisions) + "---|"]
    best: Dict[tuple, dict] = {}
    for r in rows:
        for family in r["families"]:
            key = (r["model"], family)
            ratio = _ratio(r, precisions[0]) if precisions else None
            if ratio is not None and (key not in best or ratio < _ratio(best[key], precisions[0])):
                best[key] = r
    for (model, family), r in sorted(best.items()):
        cells = []
        for p in precisions:
            ratio = _ratio(r, p)
            cells.append("--" if ratio is None else
                         f"{ratio:.2f} ({r[f'original_{p}_us']:.1f} -> {r[f'{p}_us']:.1f})")
        lines.append(f"| {model} | {family} | " + " | ".join(cells) +
                     f" | {'yes' if r['corrected'] else 'no'} |")
    lines += ["", "## Partially equivalent programs: the best with corrections per model", "",
              "| model | program | families | " + " | ".join(
                  f"{p.upper()} orig -> program us (ratio)" for p in precisions) + " |",
              "|---|---|---|" + "---|" * len(precisions)]
    corrected: Dict[str, dict] = {}
    for r in rows:
        ratio = _ratio(r, precisions[0]) if precisions else None
        if r["corrected"] and ratio is not None and (
                r["model"] not in corrected or ratio < _ratio(corrected[r["model"]], precisions[0])):
            corrected[r["model"]] = r
    for model, r in sorted(corrected.items()):
        cells = []
        for p in precisions:
            ratio = _ratio(r, p)
            cells.append("--" if ratio is None else
                         f"{r[f'original_{p}_us']:.1f} -> {r[f'{p}_us']:.1f} ({ratio:.2f})")
        lines.append(f"| {model} | {r['program']} | {', '.join(r['families'])} | " +
                     " | ".join(cells) + " |")
    lines += ["", "## Every program", "",
              "| model | program | families | corrected | estimated ratio | " +
              " | ".join(f"{p.upper()} orig us | {p.upper()} us | ratio" for p in precisions) + " |",
              "|---|---|---|---|---|" + "---|---|---|" * len(precisions)]
    for r in rows:
        est = (r["estimated_us"] / r["original_estimated_us"]
               if r["estimated_us"] and r["original_estimated_us"] else None)
        cells = []
        for p in precisions:
            o, t, ratio = r.get(f"original_{p}_us"), r.get(f"{p}_us"), _ratio(r, p)
            cells += ["--" if o is None else f"{o:.1f}", "--" if t is None else f"{t:.1f}",
                      "--" if ratio is None else f"{ratio:.2f}"]
        lines.append(f"| {r['model']} | {r['program']} | {', '.join(r['families'])} | "
                     f"{'yes' if r['corrected'] else 'no'} | "
                     f"{'--' if est is None else f'{est:.2f}'} | " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="candidates module -> timing object")
    c.add_argument("candidates", type=Path)
    c.add_argument("output", type=Path)
    c.add_argument("--timing", default=DEFAULT_TIMING,
                   help="--pet-add-timing-main options (default %(default)s)")
    c.add_argument("--skip-measured", type=Path, metavar="DB",
                   help="leave out the programs this database has")
    c.add_argument("--layout", choices=list(gpu.LAYOUTS),
                   help="how the programs store images and filters (default: "
                   "PET_CHANNELS_LAST / PET_FILTERS_LAST)")
    k = sub.add_parser("collect", help="GPU results -> cost database")
    k.add_argument("directory", type=Path)
    k.add_argument("results", type=Path)
    k.add_argument("--precision", choices=("fp32", "tf32"), default="fp32")
    k.add_argument("--merge", type=Path, help="operator database to extend")
    k.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("table", help="where the transformation families pay")
    t.add_argument("directory", type=Path)
    t.add_argument("--db", type=Path, action="append", required=True,
                   help="collected databases (one per precision)")
    t.add_argument("--out", type=Path, required=True, help=".md (and .json beside it)")
    t.add_argument("--title", default="Where partial equivalence pays")
    args = parser.parse_args(argv)
    try:
        if args.command == "table":
            dbs = {}
            for path in args.db:
                db = json.loads(path.read_text())
                dbs[db.get("precision", "fp32")] = db
            rows = family_table(args.directory, dbs)
            write_family_table(rows, args.out, args.title)
            args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1))
            print(f"{args.out}: {len(rows)} programs")
        elif args.command == "compile":
            programs = compile_candidates(args.candidates.read_text(), args.output,
                                          args.timing, database_keys(args.skip_measured),
                                          args.layout)
            print(f"{args.output}: {len(programs)} programs")
        else:
            db = collect(args.directory, args.results, args.precision, args.merge)
            args.out.write_text(json.dumps(db, indent=1))
            print(f"{args.out}: {db['programs_measured_now']} programs measured "
                  f"now, {db['programs_measured']} in all ({args.precision}), "
                  f"{len(db['entries'])} entries")
    except (PetOptError, ToolError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
