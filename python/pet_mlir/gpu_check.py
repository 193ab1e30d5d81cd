"""GPU equality check: programs compiled here, run on the GPU machine,
compared with the CPU path.

    PYTHONPATH=python python3 -m pet_mlir.gpu_check prepare build/gpu-check
    # on the GPU machine (bench/README.md): bash bench/gpu/run.sh build/gpu-check OUT
    PYTHONPATH=python python3 -m pet_mlir.gpu_check compare build/gpu-check OUT

`prepare` writes, per case, NAME.o (the program, optimized or not, for
sm_90a) and NAME.cpu.txt (its results on the CPU path, same inputs);
`compare` reads NAME.gpu.txt (and NAME.tf32.txt) and reports the largest
difference, relative to each result's largest |value|.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import cpu, gpu
from .models import csrnet, inception_v3, resnet18, resnext50_32x4d
from .opt import run_pet_opt

ROOT = Path(__file__).resolve().parents[2]
FP32_TOLERANCE = 1e-5   # cuDNN/cuBLAS FP32 against our f32 CPU loops
TF32_TOLERANCE = 5e-3   # TF32 keeps 10 mantissa bits
TIME_RUNS = 100          # CUDA-graph replays timed after the check


def extra_cases():
    """Models from torch-mlir named in $PET_GPU_CHECK_LINALG (paths separated by
    ':', e.g. the full BERT-base layer from `python -m pet_mlir.torch_import
    bert_layer`): imported, and run as they are and optimized."""
    result = []
    for path in filter(None, os.environ.get("PET_GPU_CHECK_LINALG", "").split(":")):
        name = Path(path).stem.replace(".", "-")
        imported = run_pet_opt(Path(path).read_text(), ["--convert-linalg-to-pet"])
        result.append((name, imported, []))
        result.append((name + "-opt", imported, [gpu.gpu_optimize_flag("min-gain=-100")]))
    return result


def cases():
    seam = (ROOT / "examples/seam_conv.mlir").read_text()
    rounds = (ROOT / "test/Transforms/mutate-rounds.mlir").read_text()
    bert = run_pet_opt((ROOT / "test/Conversion/LinalgToPET/Inputs/bert_layer.mlir")
                       .read_text(), ["--convert-linalg-to-pet"])
    rows = (ROOT / "test/Conversion/PETToGPU/Inputs/row-ops.mlir").read_text()
    attention = (ROOT / "test/Conversion/PETToGPU/Inputs/attention.mlir").read_text()
    fused = (ROOT / "test/Conversion/PETToGPU/Inputs/attention-fused.mlir").read_text()
    r32 = resnet18(image=32, classes=10)
    r224 = resnet18()
    return [
        # Softmax and layer norm (--pet-gpu-row-kernels): rows of one warp's
        # eight to a block (the default), and a block per row (warp-rows=0).
        ("row-ops", rows, []),
        ("row-ops-block-rows", rows, []),
        # Matrix products on views with fused epilogues (--pet-gpu-matmul-calls).
        ("attention", attention, []),
        # Scaled dot-product attention as one kernel (--pet-gpu-attention-calls).
        ("attention-fused", fused, []),
        ("seam-conv", seam, []),
        ("seam-conv-opt", seam,
         [gpu.gpu_optimize_flag(f"cost-db={ROOT}/examples/split-conv-costs.json")]),
        ("merge-split-opt", rounds,
         [gpu.gpu_optimize_flag(f"cost-db={ROOT}/test/Transforms/Inputs/merge-split-costs.json")]),
        ("resnet18-32", r32, []),
        ("resnet18-32-opt", r32, [gpu.gpu_optimize_flag("min-gain=-100")]),
        # Batch splits only: seam corrections over 64-512 channels, their
        # reductions split across threads (two kernels each).
        ("resnet18-32-split-opt", r32, [gpu.gpu_optimize_flag(
            "min-gain=-100 operators=conv2d,split,concat")]),
        ("bert-layer-sample", bert, []),
        ("bert-layer-sample-opt", bert, [gpu.gpu_optimize_flag("min-gain=-100")]),
        ("bert-layer-sample-opt-block-rows", bert, [gpu.gpu_optimize_flag("min-gain=-100")]),
        # Through the generated C API: weights preprocessed once at load.
        ("resnet18-32-opt-api", r32, [gpu.gpu_optimize_flag("min-gain=-100")]),
        ("resnet18-224", r224, []),
        ("resnet18-224-opt", r224, [gpu.gpu_optimize_flag("min-gain=-100")]),
        ("resnet18-224-api", r224, []),
        # CSRNet's dilated 3x3 convolutions over 64-512 channels (at 96x128:
        # the CPU path's time), which FP32 programs may run as split TF32.
        ("csrnet-96", csrnet(height=96, width=128), []),
        # What the benchmark runs: replacements measured faster on the GPU
        # (reduction splits among them).
        ("resnet18-224-measured", r224, [gpu.gpu_optimize_flag(
            f"cost-db={ROOT}/bench/results/2026-11-29-h200-fp32-costs.json "
            "require-measured=1")]),
        # The benchmark's ResNeXt-50 and Inception-v3 as PET on chose them.
    ] + [(f"{name}-measured", build(), [gpu.gpu_optimize_flag(
            f"cost-db={ROOT}/bench/results/2026-11-29-h200-fp32-costs.json "
            "require-measured=1")])
         for name, build in (("resnext50", resnext50_32x4d),
                             ("inception-v3", inception_v3))] + [
        # Convolution outputs stored NHWC (channels-last, what the TF32
        # benchmark programs use): residuals, in-place concatenations and
        # generated kernels reading through the transposed layout.
        ("resnet18-32-nhwc", r32, []),
        ("resnet18-224-measured-nhwc", r224, [gpu.gpu_optimize_flag(
            f"cost-db={ROOT}/bench/results/2026-11-29-h200-fp32-costs.json "
            "require-measured=1")]),
        ("inception-v3-nhwc", inception_v3(), []),
        # Filters stored KRSC at load (--pet-gpu-filters-last), with NCHW
        # and with NHWC images.
        ("resnet18-32-krsc", r32, []),
        ("resnet18-224-measured-krsc", r224, [gpu.gpu_optimize_flag(
            f"cost-db={ROOT}/bench/results/2026-11-29-h200-fp32-costs.json "
            "require-measured=1")]),
        ("resnet18-224-measured-nhwc-krsc", r224, [gpu.gpu_optimize_flag(
            f"cost-db={ROOT}/bench/results/2026-11-29-h200-fp32-costs.json "
            "require-measured=1")]),
        # 1x7 and 7x1 filters: a KRSC filter with a dimension of size 1.
        ("inception-v3-nhwc-krsc", inception_v3(), []),
        # What the TF32 benchmark runs: programs measured in TF32 as NHWC /
        # KRSC programs (mutants with corrections among them).
    ] + [(f"{name}-tf32-measured-nhwc-krsc", build(), [gpu.gpu_optimize_flag(
            f"cost-db={ROOT}/bench/results/2026-11-30-h200-tf32-nhwc-krsc-costs.json "
            "require-measured=1")])
         for name, build in (("resnet18-224", resnet18),
                             ("resnext50", resnext50_32x4d))] + extra_cases()


def selected_cases(names=None):
    """The cases, or those named (comma-separated)."""
    chosen = cases()
    if names:
        wanted = set(names.split(","))
        chosen = [c for c in chosen if c[0] in wanted]
    return chosen


def prepare(directory: Path, names=None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, source, pet_args in selected_cases(names):
        optimized = run_pet_opt(source, pet_args) if pet_args else source
        header = directory / f"{name}.h" if name.endswith("-api") else None
        func = "resnet18" if header else None
        (directory / f"{name}.o").write_bytes(
            gpu.compile_to_object(optimized, time_runs=TIME_RUNS,
                                  api_header=header, func=func,
                                  channels_last="-nhwc" in name,
                                  filters_last=name.endswith("-krsc"),
                                  warp_rows=not name.endswith("-block-rows"),
                                  fused_attention=name == "attention-fused" or None))
        results = cpu.run_on_cpu(optimized, func=func)
        (directory / f"{name}.cpu.json").write_text(json.dumps(results))
        print(f"prepared {name}: {len(results)} result(s), shapes "
              f"{[shape for shape, _ in results]}")


def compare(directory: Path, outputs: Path, names=None) -> int:
    failed = 0
    report = []
    for name, _, _ in selected_cases(names):
        reference = [tuple(r) for r in json.loads((directory / f"{name}.cpu.json").read_text())]
        for mode, tolerance in (("gpu", FP32_TOLERANCE), ("tf32", TF32_TOLERANCE)):
            path = outputs / f"{name}.{mode}.txt"
            if not path.exists():
                continue
            text = path.read_text()
            results = cpu.parse_results(text.split("pet-time:")[0])
            timing = [line for line in text.splitlines() if line.startswith("pet-time:")]
            if timing:
                report.append(f"    {name} ({mode}): {timing[0][len('pet-time: '):]}")
            if len(results) != len(reference):
                # The run stopped before printing (its .err says why).
                failed += 1
                report.append(f"FAILED: {name} ({mode}) printed {len(results)} "
                              f"result(s) of {len(reference)}")
                continue
            diff = cpu.max_difference(reference, results)
            ok = diff <= tolerance
            failed += not ok
            report.append(f"{'ok' if ok else 'FAILED'}: {name} ({mode}) max relative "
                          f"difference {diff:.2g} (tolerance {tolerance:g})")
    print("\n".join(report))
    return 1 if failed or not report else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("directory")
    p.add_argument("--cases", help="only these cases (comma-separated names)")
    c = sub.add_parser("compare")
    c.add_argument("directory")
    c.add_argument("outputs")
    c.add_argument("--cases", help="only these cases (comma-separated names)")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(Path(args.directory), args.cases)
        return 0
    return compare(Path(args.directory), Path(args.outputs), args.cases)


if __name__ == "__main__":
    sys.exit(main())
