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
DIR/NAME-PREC.pet.mlir is the optimized program each library runs. With
`--cpu-reference` (needs IREE) the module's weights and the input are
seeded on the CPU (seeded_weights, seeded_input: the GPU machine draws the
same numbers) and the program runs on the CPU path with them
(DIR/NAME-PREC.cpu.npy; the record keeps the weights' digest).

On the GPU machine, `bash bench/models/run-torch.sh DIR OUT [MODELS]` builds
the runtime and, for each model and precision, runs (one process each: the
runtime reads PET_TF32 when it loads)

    python -m pet_mlir.torch_bench run DIR OUT/NAME.PREC.json --model NAME \\
        --precision PREC --runtime-dir RUNTIME/lib

which seeds PyTorch, builds the model on the GPU, computes the reference
output in FP32 (TF32 off), times PyTorch eager and as one CUDA graph in the
precision, loads the library with the model's state_dict (by name, through
the manifest), runs it on the same input, compares (largest difference over
the reference's largest |value|: FP32 within 1e-4, TF32 within 1e-2),
and with the CPU path's output where `compile --cpu-reference` saved one
for the same weights (FP32 within 1e-5, TF32 within 5e-3, as gpu_check),
times it (one run captured as a CUDA graph, median of RUNS replays) and,
with `--torch-compile`, times torch.compile(mode="max-autotune") last.
Then here

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
import tempfile
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
# The GPU library against the CPU path's run of the same program (as
# pet_mlir.gpu_check: cuDNN/cuBLAS against f32 CPU loops).
CPU_PATH_TOLERANCE = {"fp32": 1e-5, "tf32": 5e-3}
# Each precision's search database option and layout; convolutional models
# take NHWC outputs and KRSC filters in TF32 (bench/README.md, round 10).
TF32_LAYOUT = "nhwc-krsc"
SEED = 0
RUNS = 100
# A replacement must save this fraction of its subprogram's time (as the
# hand-built programs' benchmark of rounds 1-14 did).
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


def program_path(directory: Path, name: str, precision: str) -> Path:
    """The optimized PET program `compile` compiled into the library."""
    return directory / f"{name}-{precision}.pet.mlir"


def _layout(name: str, precision: str) -> str:
    return TF32_LAYOUT if precision == "tf32" and name != "bert_base" else "nchw"


def compile_models(directory: Path, models: Sequence[str],
                   cost_db: Optional[Path] = None, cost_db_tf32: Optional[Path] = None,
                   precisions: Sequence[str] = PRECISIONS,
                   candidates: bool = False,
                   with_cpu_reference: bool = False) -> Dict[str, Any]:
    """Compiles each model for each precision (see the module's doc). With
    `candidates`, each search's original and kept programs that the
    precision's database has not measured are also compiled for timing on
    the GPU (DIR/candidates-PREC/NAME-PREC.o, pet_mlir.measure; in the
    precision's layout), the closed loop's first step. With
    `with_cpu_reference`, each library's program also runs on the CPU path
    with the seeded weights and input (cpu_reference; needs IREE), for the
    GPU run to compare with."""
    import torch
    from . import measure
    from .reports import report_counts
    from .compile import compile as pet_compile
    from .params import values_path
    torch_models = _torch_models()
    directory.mkdir(parents=True, exist_ok=True)
    manifest_file = _record_path(directory)
    manifest = _compile_record(directory)
    for name in models:
        torch.manual_seed(SEED)
        model, x = torch_models.build(name, device="cpu")
        digest = seeded_weights(model)
        x = seeded_input(x.shape)
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
            optimized = pet_compile(model, example_inputs=(x,), target="cuda",
                                    output=output, optimize=options,
                                    layout=_layout(name, precision), progress=True)
            # The program the library runs (the CPU reference runs it too).
            program_path(directory, name, precision).write_text(optimized)
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
            if with_cpu_reference:
                entry[precision].update(weights_digest=digest, **cpu_reference(
                    directory, name, precision, optimized, model, x))
            print(f"{name} ({precision}): {entry[precision]}", flush=True)
            manifest_file.write_text(json.dumps(manifest, indent=1))
    return manifest


def seeded_weights(model) -> str:
    """Sets every float entry of `model`'s state_dict to values drawn from
    a generator seeded with SEED on the CPU (so that this machine and the
    GPU machine draw the same numbers), under which every layer shapes the
    output: weights of rank >= 2 He-initialized (normal, std sqrt(2 /
    fan_in)), normalization scales and running variances uniform in
    [0.5, 1.5], biases and running means uniform in [-0.1, 0.1]. (The
    models' default initializations shrink activations layer by layer,
    until an output is little more than the last bias: equal outputs would
    then say little about the layers.) Returns a digest of the values, by
    which the two machines check that they drew the same."""
    import hashlib
    import torch
    generator = torch.Generator().manual_seed(SEED)
    digest = hashlib.sha256()
    with torch.no_grad():
        for name, value in model.state_dict().items():
            if value.dtype != torch.float32:
                continue
            if value.dim() >= 2:
                fan_in = value[0].numel()
                new = torch.randn(value.shape, generator=generator) * (2.0 / fan_in) ** 0.5
            elif name.endswith(("running_var", "weight")):
                new = torch.rand(value.shape, generator=generator) + 0.5
            else:
                new = torch.rand(value.shape, generator=generator) * 0.2 - 0.1
            value.copy_(new)
            digest.update(new.numpy().tobytes())
    return digest.hexdigest()[:16]


def seeded_input(shape: Sequence[int]):
    """The benchmark's input: normal values from a generator seeded with
    SEED + 1, on the CPU (as seeded_weights)."""
    import torch
    return torch.randn(tuple(shape), generator=torch.Generator().manual_seed(SEED + 1))


def float_state(model) -> Dict[str, Any]:
    """`model`'s float32 parameters and buffers by state_dict name (what
    its compiled library and CPU module take as weights)."""
    import torch
    return {k: v.detach().contiguous() for k, v in model.state_dict().items()
            if v.dtype == torch.float32}


def relative_difference(result, reference) -> float:
    """Largest |result - reference| over the reference's largest |value|."""
    scale = float(reference.abs().max())
    return float((result - reference).abs().max()) / (scale if scale else 1.0)


def cpu_reference_path(directory: Path, name: str, precision: str) -> Path:
    """The CPU path's output of the library's program on the seeded
    weights and input (`compile --cpu-reference`)."""
    return directory / f"{name}-{precision}.cpu.npy"


def cpu_reference(directory: Path, name: str, precision: str, optimized: str,
                  model, x) -> Dict[str, Any]:
    """Runs `optimized` (the program compiled into the library) on the CPU
    path (PET -> linalg -> IREE's llvm-cpu) with `model`'s state_dict and
    input `x`, saves the output for the GPU run's comparison, and returns
    how long that took and how far it is from PyTorch's output (CPU, FP32)."""
    import numpy as np
    import torch
    from .compile import compile_program_for_cpu, run_cpu, signature
    from .params import manifest_path, read_manifest, write_manifest
    start = time.perf_counter()
    library = library_path(directory, name, precision)
    sig = signature(optimized)
    with tempfile.TemporaryDirectory() as tmp:
        module = Path(tmp) / "module.vmfb"
        manifest = dict(read_manifest(manifest_path(library)))
        manifest["entry"] = compile_program_for_cpu(optimized, sig, module)
        write_manifest(manifest_path(module), manifest)
        (output,) = run_cpu(module, [x.numpy()], params=float_state(model))
    np.save(cpu_reference_path(directory, name, precision), output)
    with torch.no_grad():
        expected = model(x).float()
    return {"cpu_s": round(time.perf_counter() - start, 2),
            "cpu_vs_torch_cpu": relative_difference(torch.from_numpy(output), expected)}


def run_model(directory: Path, out: Path, name: str, precision: str,
              runtime_dir: Optional[Path], runs: int = RUNS,
              profile: bool = False, torch_compile: bool = False) -> Dict[str, Any]:
    """On the GPU: PyTorch and the library on the same weights and input
    (see the module's doc); the result is also written to `out`. With
    `torch_compile`, torch.compile(mode="max-autotune") is timed last (its
    autotuning takes minutes; the result is written before it starts)."""
    # Read by the runtime when it loads (below), not after.
    os.environ["PET_TF32"] = "1" if precision == "tf32" else "0"
    import numpy as np
    import torch
    from .cuda_library import CudaLibrary
    from .params import manifest_path
    torch_models = _torch_models()
    torch.manual_seed(SEED)
    torch.backends.cudnn.benchmark = True
    model, x = torch_models.build(name)
    digest = seeded_weights(model)
    x = seeded_input(x.shape).to(x.device)
    tf32 = precision == "tf32"
    result: Dict[str, Any] = {
        "model": name, "precision": precision, "device": torch.cuda.get_device_name(),
        "torch": torch.__version__, "cudnn": torch.backends.cudnn.version(),
        "batch": int(x.shape[0]), "input_shape": list(x.shape), "runs": runs,
        "tolerance": TOLERANCE[precision], "weights_digest": digest}
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
    start = time.perf_counter()
    lib = CudaLibrary(library, runtime_dir=runtime_dir)
    lib.load(float_state(model), manifest=manifest_path(library))
    (output,) = lib.run(x)
    result["pet_load_and_first_run_s"] = round(time.perf_counter() - start, 2)
    result["pet_difference"] = relative_difference(output, reference)
    result["equal"] = result["pet_difference"] <= TOLERANCE[precision]
    # The CPU path's output of the same program, weights and input, where
    # `compile --cpu-reference` computed it with the same draws.
    compiled = _compile_record(directory).get(name, {}).get(precision, {})
    reference_path = cpu_reference_path(directory, name, precision)
    if reference_path.exists() and compiled.get("weights_digest") == digest:
        cpu = torch.from_numpy(np.load(reference_path)).to(output.device)
        result["cpu_path_difference"] = relative_difference(output, cpu)
        result["cpu_path_equal"] = \
            result["cpu_path_difference"] <= CPU_PATH_TOLERANCE[precision]
    elif reference_path.exists():
        result["cpu_path_difference"] = None  # other weights: not comparable
    # With `profile`, the kernels of the timed graph: OUT with .graph.tsv.
    result["pet_ms"] = lib.time(x, runs=runs,
                                profile=out.with_suffix(".graph.tsv") if profile else None)
    result["pet_over_graph"] = result["pet_ms"] / result["torch_graph_ms"]
    lib.close()
    out.write_text(json.dumps(result, indent=1))
    cpu_note = ""
    if "cpu_path_difference" in result:
        cpu_note = ("; CPU path: weights differ, not compared"
                    if result["cpu_path_difference"] is None else
                    f"; CPU path {result['cpu_path_difference']:.2e} "
                    f"({'equal' if result['cpu_path_equal'] else 'NOT EQUAL'} within "
                    f"{CPU_PATH_TOLERANCE[precision]:g})")
    print(f"{name} {precision}: PyTorch eager {result['torch_eager_ms']:.3f} ms, graph "
          f"{result['torch_graph_ms']:.3f} ms; PET {result['pet_ms']:.3f} ms "
          f"({result['pet_over_graph']:.2f}x the graph); difference "
          f"{result['pet_difference']:.2e} ({'equal' if result['equal'] else 'NOT EQUAL'} "
          f"within {TOLERANCE[precision]:g}; PyTorch's own {result['torch_difference']:.2e})"
          + cpu_note, flush=True)
    if torch_compile:
        # Inductor (autotuned Triton kernels and library calls, CUDA
        # graphs), compiled by the warm-up calls; last, because its compile
        # workers stay alive after it.
        start = time.perf_counter()
        with torch.no_grad():
            compiled_ms = torch_models.time_built(model, x, "max-autotune",
                                                  only_compile=True)["compile"]
        result["torch_compile_ms"] = compiled_ms
        result["torch_compile_s"] = round(time.perf_counter() - start, 1)
        result["pet_over_compile"] = result["pet_ms"] / compiled_ms
        out.write_text(json.dumps(result, indent=1))
        print(f"{name} {precision}: torch.compile max-autotune {compiled_ms:.3f} ms "
              f"(compiled in {result['torch_compile_s']:.0f} s); PET "
              f"{result['pet_over_compile']:.2f}x", flush=True)
    return result


def _record_path(directory: Path) -> Path:
    return directory / "torch-bench.json"


def _compile_record(directory: Path) -> Dict[str, Any]:
    """DIR/torch-bench.json: what `compile` recorded per model and precision."""
    path = _record_path(directory)
    return json.loads(path.read_text()) if path.exists() else {}


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
    manifest = _compile_record(directory)
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
             f"can tell apart). torch.compile: mode max-autotune, timed in the same "
             f"process after the others (-- where not run). CPU path: largest "
             f"|PET GPU - PET CPU path| over the CPU path's largest |value|, the same "
             f"program, weights and input run through linalg on IREE's llvm-cpu on the "
             f"compiling machine (as pet_mlir.gpu_check; -- where not computed). "
             f"Weights: seeded on the CPU, He-initialized (torch_bench.seeded_weights), "
             f"so that every layer shapes the output.", "",
             "| model | precision | PyTorch eager | PyTorch graph | torch.compile "
             "| PET | PET / graph | PET / compile | difference | PyTorch's own "
             "| another input's | equal | CPU path | mutants | boxes |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        compiled = manifest.get(r["model"], {}).get(r["precision"], {})
        sensitivity = r.get("input_sensitivity")
        inductor = r.get("torch_compile_ms")
        over_inductor = "--" if inductor is None else f"{r['pet_ms'] / inductor:.2f}"
        lines.append(
            f"| {r['model']} | {r['precision']} | {r['torch_eager_ms']:.3f} | "
            f"{r['torch_graph_ms']:.3f} | "
            f"{'--' if inductor is None else f'{inductor:.3f}'} | **{r['pet_ms']:.3f}** | "
            f"{r['pet_over_graph']:.2f} | "
            f"{over_inductor} | "
            f"{r['pet_difference']:.1e} | {r['torch_difference']:.1e} | "
            f"{'--' if sensitivity is None else f'{sensitivity:.2f}'} | "
            f"{'yes' if r['equal'] else 'NO'} (<= {r['tolerance']:g}) | "
            f"{_cpu_path_cell(r)} | "
            f"{compiled.get('mutants_applied', '')} | {compiled.get('boxes_corrected', '')} |")
    if failures:
        lines += ["", "Failed: " + "; ".join(failures)]
    # The kernels of each timed graph (run --profile), where they were kept.
    from .reports import graph_profile
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


def _cpu_path_cell(r: Dict[str, Any]) -> str:
    """The report's cell for the GPU library against the CPU path."""
    if "cpu_path_difference" not in r:
        return "--"
    if r["cpu_path_difference"] is None:
        return "other weights"
    return (f"{r['cpu_path_difference']:.1e} {'yes' if r['cpu_path_equal'] else 'NO'} "
            f"(<= {CPU_PATH_TOLERANCE[r['precision']]:g})")


def write_chart(results: List[Dict[str, Any]], path: Path) -> None:
    """Each model's times over PyTorch's CUDA graph, per precision (with
    matplotlib; without it, no chart)."""
    from .reports import pyplot
    plt = pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    series = [("torch_eager_ms", "PyTorch eager"), ("torch_graph_ms", "PyTorch CUDA graph"),
              ("torch_compile_ms", "torch.compile max-autotune"),
              ("pet_ms", "PET (pet-compile, cuda)")]
    for ax, precision in zip(axes, PRECISIONS):
        rows = [r for r in results if r["precision"] == precision]
        names = [r["model"] for r in rows]
        width = 0.2
        for i, (key, label) in enumerate(series):
            # A column not measured for a model (torch.compile) is left out.
            ax.bar([x + (i - 1.5) * width for x in range(len(rows))],
                   [r[key] / r["torch_graph_ms"] if r.get(key) else 0 for r in rows],
                   width, label=label)
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
    c.add_argument("--cpu-reference", action="store_true",
                   help="also run each program on the CPU path (IREE) with the seeded "
                        "weights and input, for `run` to compare the GPU's output with")
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
    r.add_argument("--torch-compile", action="store_true",
                   help="also time torch.compile(mode='max-autotune'), last (minutes)")
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
                       args.precisions.split(","), args.candidates, args.cpu_reference)
    elif args.command == "run":
        run_model(args.directory, args.out, args.model, args.precision, args.runtime_dir,
                  args.runs, args.profile, args.torch_compile)
    else:
        write_report(args.directory, args.out, args.prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
