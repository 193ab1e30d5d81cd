"""The model benchmark through PyTorch's own models: the five networks as
the PyTorch baseline defines them (`bench/models/torch_models.py`:
torchvision's ResNet-18, ResNeXt-50 32x4d and Inception-v3, CSRNet, twelve
BERT-base layers), compiled by `pet_mlir.compile` (torch.export, torch-mlir's
FX importer, `--pet-optimize`, the cuda target) with their parameters as
named weights; on the GPU the same state_dict feeds PyTorch and the compiled
library, and the outputs are compared next to the timings.

Here (MLIR; torch and torch-mlir in .venv-torch-mlir,
`bash scripts/setup-torch.sh`):

    .venv-torch-mlir/bin/python -m pet_mlir.torch_bench compile DIR \\
        [--models resnet18,...] [--cost-db DB] [--cost-db-tf32 DB]

builds each model on the CPU and compiles it twice: DIR/NAME-fp32.so
(searched with the FP32 cost database, NCHW) and DIR/NAME-tf32.so (the TF32
database, convolution outputs NHWC and filters KRSC: what cuDNN's TF32
tensor cores read), each with its header and weight manifest
(NAME-PREC.so.params.json; the values file is not kept: the GPU machine
builds the same modules and hands their state_dict over by name).
DIR/torch-bench.json records compile and search times, mutants and boxes.

On the GPU machine, `bash bench/models/run-torch.sh DIR OUT [MODELS]` builds
the runtime and, for each model and precision, runs (one process each: the
runtime reads PET_TF32 when it loads)

    python -m pet_mlir.torch_bench run DIR OUT/NAME.PREC.json --model NAME \\
        --precision PREC --runtime-dir RUNTIME/lib

which seeds PyTorch, builds the model on the GPU, computes the reference
output in FP32 (TF32 off), times PyTorch eager and as one CUDA graph in the
precision, loads the library with the model's state_dict (by name, through
the manifest), runs it on the same input, compares (largest difference over
the reference's largest |value|: FP32 within 1e-4, TF32 within 1e-2) and
times it (one run captured as a CUDA graph, median of RUNS replays). Then
here

    python3 -m pet_mlir.torch_bench report DIR OUT --out PREFIX

writes PREFIX.md and PREFIX.json.

The searches choose by measured costs (`--cost-db`): `compile --candidates`
also compiles the programs each search chose between that the databases
have not measured (DIR/candidates-PREC/*.o); on the GPU machine
`PET_GPU_SKIP_PROFILE=1 bash bench/gpu/run.sh DIR/candidates-PREC OUT-PREC`
times them, `python -m pet_mlir.measure collect DIR/candidates-PREC
OUT-PREC --precision PREC --merge DB --out DB2` files them, and `compile`
with the new databases chooses again (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
MODELS = ("resnet18", "resnext50", "inception_v3", "csrnet", "bert_base")
PRECISIONS = ("fp32", "tf32")
# The largest difference from PyTorch's FP32 output, over its largest
# |value|, that counts as equal (TF32 rounds every product's operands to
# 10 mantissa bits).
TOLERANCE = {"fp32": 1e-4, "tf32": 1e-2}
# Each precision's search database option and layout; convolutional models
# take NHWC outputs and KRSC filters in TF32 (bench/README.md, round 10).
TF32_LAYOUT = "nhwc-krsc"
SEED = 0
RUNS = 100
# A replacement must save this fraction of its subprogram's time (as the
# hand-built benchmark: pet_mlir.bench.DEFAULT_MIN_GAIN).
MIN_GAIN = 0.03


def _torch_models():
    """bench/models/torch_models.py, the PyTorch baseline's definitions."""
    sys.path.insert(0, str(ROOT / "bench" / "models"))
    try:
        import torch_models
    finally:
        sys.path.pop(0)
    return torch_models


def library_path(directory: Path, name: str, precision: str) -> Path:
    return directory / f"{name}-{precision}.so"


def _layout(name: str, precision: str) -> str:
    return TF32_LAYOUT if precision == "tf32" and name != "bert_base" else "nchw"


def compile_models(directory: Path, models: Sequence[str],
                   cost_db: Optional[Path] = None, cost_db_tf32: Optional[Path] = None,
                   precisions: Sequence[str] = PRECISIONS,
                   candidates: bool = False) -> Dict[str, Any]:
    """Compiles each model for each precision (see the module's doc). With
    `candidates`, each search's original and kept programs that the
    precision's database has not measured are also compiled for timing on
    the GPU (DIR/candidates-PREC/NAME-PREC.o, pet_mlir.measure; in the
    precision's layout), the closed loop's first step."""
    import torch
    from . import measure
    from .bench import report_counts
    from .compile import compile as pet_compile
    from .params import values_path
    torch_models = _torch_models()
    directory.mkdir(parents=True, exist_ok=True)
    manifest_file = directory / "torch-bench.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
    for name in models:
        torch.manual_seed(SEED)
        model, x = torch_models.build(name, device="cpu")
        entry = manifest.setdefault(name, {})
        for precision in precisions:
            db = cost_db_tf32 if precision == "tf32" else cost_db
            stem = f"{name}-{precision}"
            output = library_path(directory, name, precision)
            report = directory / f"{stem}.report.json"
            options = f"min-gain={MIN_GAIN} report={report.resolve()}"
            if db:
                options += f" cost-db={Path(db).resolve()}"
            candidates_dir = directory / f"candidates-{precision}"
            if candidates:
                candidates_dir.mkdir(exist_ok=True)
                options += f" candidates={(candidates_dir / stem).resolve()}.mlir"
            start = time.perf_counter()
            pet_compile(model, example_inputs=(x,), target="cuda", output=output,
                        optimize=options, layout=_layout(name, precision),
                        progress=True)
            # The GPU machine builds the weights itself: no values file.
            values_path(output).unlink(missing_ok=True)
            if candidates:
                programs = measure.compile_candidates(
                    (candidates_dir / f"{stem}.mlir").read_text(),
                    candidates_dir / f"{stem}.o", measured=measure.database_keys(db),
                    layout=_layout(name, precision) if precision == "tf32" else None)
                print(f"{name} ({precision}): {len(programs)} candidate programs to time",
                      flush=True)
            searched = json.loads(report.read_text())
            counts = report_counts(searched)
            entry[precision] = {
                "compile_s": round(time.perf_counter() - start, 2),
                "search_s": round(searched["seconds"], 2),
                "cost_db": str(db) if db else None,
                "layout": _layout(name, precision), **counts}
            print(f"{name} ({precision}): {entry[precision]}", flush=True)
            manifest_file.write_text(json.dumps(manifest, indent=1))
    return manifest


def spread_weights(model) -> None:
    """Weights under which every layer shapes the output: He-initialized
    convolutions and linear layers, small biases, BatchNorm and LayerNorm
    parameters and statistics drawn around the identity. (The models'
    default initializations shrink activations layer by layer, until an
    output is little more than the last bias: equal outputs would then say
    little about the layers.)"""
    import torch
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1)
            elif isinstance(m, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.1, 0.1)
                    m.running_var.uniform_(0.5, 1.5)


def relative_difference(result, reference) -> float:
    """Largest |result - reference| over the reference's largest |value|."""
    scale = float(reference.abs().max())
    return float((result - reference).abs().max()) / (scale if scale else 1.0)


def run_model(directory: Path, out: Path, name: str, precision: str,
              runtime_dir: Optional[Path], runs: int = RUNS,
              profile: bool = False) -> Dict[str, Any]:
    """On the GPU: PyTorch and the library on the same weights and input
    (see the module's doc); the result is also written to `out`."""
    # Read by the runtime when it loads (below), not after.
    os.environ["PET_TF32"] = "1" if precision == "tf32" else "0"
    import torch
    from .cuda_library import CudaLibrary
    from .params import manifest_path
    torch_models = _torch_models()
    torch.manual_seed(SEED)
    torch.backends.cudnn.benchmark = True
    model, x = torch_models.build(name)
    spread_weights(model)
    tf32 = precision == "tf32"
    result: Dict[str, Any] = {
        "model": name, "precision": precision, "device": torch.cuda.get_device_name(),
        "torch": torch.__version__, "cudnn": torch.backends.cudnn.version(),
        "batch": int(x.shape[0]), "input_shape": list(x.shape), "runs": runs,
        "tolerance": TOLERANCE[precision]}
    with torch.no_grad():
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
        reference = model(x).float()
        # How much another input changes the output (the comparison's
        # power: far above the tolerance).
        result["input_sensitivity"] = relative_difference(
            model(torch.randn_like(x)).float(), reference)
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = tf32
        result["torch_difference"] = relative_difference(model(x), reference)
        result.update({f"torch_{k}_ms": v for k, v in
                       torch_models.time_built(model, x).items()})
    library = library_path(directory, name, precision)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()
             if v.dtype == torch.float32}
    start = time.perf_counter()
    lib = CudaLibrary(library, runtime_dir=runtime_dir)
    lib.load(state, manifest=manifest_path(library))
    (output,) = lib.run(x)
    result["pet_load_and_first_run_s"] = round(time.perf_counter() - start, 2)
    result["pet_difference"] = relative_difference(output, reference)
    result["equal"] = result["pet_difference"] <= TOLERANCE[precision]
    # With `profile`, the kernels of the timed graph: OUT with .graph.tsv.
    result["pet_ms"] = lib.time(x, runs=runs,
                                profile=out.with_suffix(".graph.tsv") if profile else None)
    result["pet_over_graph"] = result["pet_ms"] / result["torch_graph_ms"]
    lib.close()
    out.write_text(json.dumps(result, indent=1))
    print(f"{name} {precision}: PyTorch eager {result['torch_eager_ms']:.3f} ms, graph "
          f"{result['torch_graph_ms']:.3f} ms; PET {result['pet_ms']:.3f} ms "
          f"({result['pet_over_graph']:.2f}x the graph); difference "
          f"{result['pet_difference']:.2e} ({'equal' if result['equal'] else 'NOT EQUAL'} "
          f"within {TOLERANCE[precision]:g}; PyTorch's own {result['torch_difference']:.2e})",
          flush=True)
    return result


def collect(out: Path) -> List[Dict[str, Any]]:
    """The results `run` wrote under `out`, in MODELS' order."""
    results = [json.loads(p.read_text()) for p in sorted(out.glob("*.*.json"))
               if p.name.count(".") == 2]
    results = [r for r in results if "model" in r and "pet_ms" in r]
    order = {m: i for i, m in enumerate(MODELS)}
    return sorted(results, key=lambda r: (order.get(r["model"], len(order)),
                                          PRECISIONS.index(r["precision"])))


def write_report(directory: Path, out: Path, prefix: Path) -> Dict[str, Any]:
    """PREFIX.md and PREFIX.json from `run`'s results and the compile
    manifest."""
    manifest_file = directory / "torch-bench.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
    results = collect(out)
    if not results:
        raise SystemExit(f"{out}: no results of `torch_bench run`")
    failures = (out / "failures.txt").read_text().splitlines() \
        if (out / "failures.txt").exists() else []
    first = results[0]
    lines = [f"# PyTorch's own models through pet-compile, {first['device']}", "",
             f"PyTorch {first['torch']} (cuDNN {first['cudnn']}), batch {first['batch']}, "
             f"the same seeded weights (state_dict) and input for PyTorch and PET's "
             f"library; median ms (PyTorch: CUDA events, {first['runs']} runs after "
             f"warm-up; PET: {first['runs']} CUDA-graph replays). Difference: largest "
             f"|PET - PyTorch FP32| over PyTorch's largest |value| (PyTorch's own in "
             f"the precision beside it); another input's: how far PyTorch's FP32 output "
             f"moves for another random input, on the same scale (what the comparison "
             f"can tell apart). Weights: He-initialized (torch_bench.spread_weights), "
             f"so that every layer shapes the output.", "",
             "| model | precision | PyTorch eager | PyTorch graph | PET | PET / graph "
             "| difference | PyTorch's own | another input's | equal | mutants | boxes |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        compiled = manifest.get(r["model"], {}).get(r["precision"], {})
        sensitivity = r.get("input_sensitivity")
        lines.append(
            f"| {r['model']} | {r['precision']} | {r['torch_eager_ms']:.3f} | "
            f"{r['torch_graph_ms']:.3f} | **{r['pet_ms']:.3f}** | "
            f"{r['pet_over_graph']:.2f} | {r['pet_difference']:.1e} | "
            f"{r['torch_difference']:.1e} | "
            f"{'--' if sensitivity is None else f'{sensitivity:.2f}'} | "
            f"{'yes' if r['equal'] else 'NO'} (<= {r['tolerance']:g}) | "
            f"{compiled.get('mutants_applied', '')} | {compiled.get('boxes_corrected', '')} |")
    if failures:
        lines += ["", "Failed: " + "; ".join(failures)]
    # The kernels of each timed graph (run --profile), where they were kept.
    from .bench import graph_profile
    profiles = []
    for r in results:
        path = out / f"{r['model']}.{r['precision']}.graph.tsv"
        profile = graph_profile(path) if path.exists() else None
        if profile:
            r["graph_profile"] = profile
            profiles.append(
                f"* {r['precision'].upper()} {r['model']}: {profile['kernels']:g} kernels, "
                f"{profile['kernel_us']:.1f} us of kernel time in a "
                f"{profile['replay_us']:.1f} us replay; " + "; ".join(profile["top"][:3]))
    if profiles:
        lines += ["", "Per replay of PET's graph, as CUPTI reports its kernels (their "
                  "sum can exceed the replay's time), the three longest:", ""] + profiles
    prefix.parent.mkdir(parents=True, exist_ok=True)
    Path(str(prefix) + ".md").write_text("\n".join(lines) + "\n")
    table = {"results": results, "compiled": manifest, "failures": failures}
    Path(str(prefix) + ".json").write_text(json.dumps(table, indent=1))
    print("\n".join(lines))
    write_chart(results, Path(str(prefix) + ".png"))
    return table


def write_chart(results: List[Dict[str, Any]], path: Path) -> None:
    """Each model's times over PyTorch's CUDA graph, per precision (with
    matplotlib; without it, no chart)."""
    from .bench import pyplot
    plt = pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    series = [("torch_eager_ms", "PyTorch eager"), ("torch_graph_ms", "PyTorch CUDA graph"),
              ("pet_ms", "PET (pet-compile, cuda)")]
    for ax, precision in zip(axes, PRECISIONS):
        rows = [r for r in results if r["precision"] == precision]
        names = [r["model"] for r in rows]
        width = 0.27
        for i, (key, label) in enumerate(series):
            ax.bar([x + (i - 1) * width for x in range(len(rows))],
                   [r[key] / r["torch_graph_ms"] for r in rows], width, label=label)
        ax.axhline(0.8, color="gray", linestyle="--", linewidth=1)
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(names, rotation=20)
        ax.set_title(f"{precision.upper()}: time / PyTorch CUDA graph (lower is faster)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="compile the models (here)")
    c.add_argument("directory", type=Path)
    c.add_argument("--models", default=",".join(MODELS))
    c.add_argument("--precisions", default=",".join(PRECISIONS))
    c.add_argument("--cost-db", type=Path)
    c.add_argument("--cost-db-tf32", type=Path)
    c.add_argument("--candidates", action="store_true",
                   help="also compile each search's programs for timing "
                        "(DIR/candidates-PREC, pet_mlir.measure's closed loop)")
    r = sub.add_parser("run", help="one model in one precision (GPU machine)")
    r.add_argument("directory", type=Path)
    r.add_argument("out", type=Path)
    r.add_argument("--model", required=True, choices=MODELS)
    r.add_argument("--precision", required=True, choices=PRECISIONS)
    r.add_argument("--runtime-dir", type=Path)
    r.add_argument("--runs", type=int, default=RUNS)
    r.add_argument("--profile", action="store_true",
                   help="write the kernels' GPU time per replay of the timed graph "
                        "(CUPTI) to OUT with .graph.tsv")
    p = sub.add_parser("report", help="the table of the runs' results")
    p.add_argument("directory", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--out", dest="prefix", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "compile":
        models = args.models.split(",")
        unknown = [m for m in models if m not in MODELS]
        if unknown:
            parser.error(f"unknown model(s): {', '.join(unknown)} (one of {', '.join(MODELS)})")
        compile_models(args.directory, models, args.cost_db, args.cost_db_tf32,
                       args.precisions.split(","), args.candidates)
    elif args.command == "run":
        run_model(args.directory, args.out, args.model, args.precision, args.runtime_dir,
                  args.runs, args.profile)
    else:
        write_report(args.directory, args.out, args.prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
