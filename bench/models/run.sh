#!/usr/bin/env bash
# On the GPU machine (CUDA 13, cuDNN 9, CMake, PyTorch; no MLIR): runs the
# model benchmark's programs compiled here by `python -m pet_mlir.bench
# compile DIR` (through bench/gpu/run.sh: FP32, TF32, per-kernel profile),
# PyTorch's times for the same models (torch_models.py), and, when DIR has
# the searches' operator keys, measures them into OUT/costs.json, the cost
# database for `python -m pet_mlir.bench compile DIR --cost-db costs.json`.
# Everything lands in OUT/results.tar.gz.
# MODELS (comma-separated, default the five at batch 1; MODEL_b16 at batch
# 16) selects the programs and the PyTorch models run.
# Usage: bash bench/models/run.sh DIR OUT [MODELS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$1
out=$2
models=${3:-resnet18,resnext50,inception_v3,csrnet,bert_base}
mkdir -p "$out"
# Only the named models' programs (MODEL-off/on/ontf32, and the TF32
# program's other layouts MODEL-ontf32-LAYOUT).
export PET_GPU_PROGRAMS=""
for m in ${models//,/ }; do PET_GPU_PROGRAMS+="$m-off $m-on $m-ontf32 $m-ontf32-* "; done
work=$(mktemp -d)
# Each program in REPEATS processes; the report takes the median over the
# repeats and keeps their range. The runtime times cuDNN's algorithms when
# a process first meets a convolution shape, and close ones trade places
# from process to process (a whole program by up to ~25%): all processes
# share one file of choices (PET_CUDNN_ALGORITHMS, in the results), so that
# PET off and on run the shapes they have in common alike and differ only
# by what PET changed. PET_BENCH_PER_PROCESS_ALGORITHMS=1 lets every process
# choose for itself.
if [[ ${PET_BENCH_PER_PROCESS_ALGORITHMS:-0} != 1 ]]; then
  export PET_CUDNN_ALGORITHMS=${PET_CUDNN_ALGORITHMS:-$work/algorithms.tsv}
fi
repeats=${PET_BENCH_REPEATS:-3}
for ((r = 1; r <= repeats; ++r)); do
  mkdir -p "$work/run$r"
  bash "$here/../gpu/run.sh" "$dir" "$work/run$r"
  tar -xzf "$work/run$r/results.tar.gz" -C "$work/run$r" && rm "$work/run$r/results.tar.gz"
done
if [[ ${PET_BENCH_SKIP_TORCH:-0} != 1 ]]; then
  # PET_BENCH_TORCH_COMPILE=1: torch.compile(mode="max-autotune") too
  # (minutes of autotuning per model and precision).
  compile=()
  [[ ${PET_BENCH_TORCH_COMPILE:-0} == 1 ]] && compile=(--compile)
  python3 "$here/torch_models.py" --models "$models" --out "$work/torch.json" "${compile[@]}"
fi
shopt -s nullglob
keys=("$dir"/*.keys.json)
if [[ ${#keys[@]} -gt 0 && ${PET_BENCH_SKIP_MEASURE:-0} != 1 ]]; then
  python3 "$here/measure_ops.py" "${keys[@]}" --out "$work/costs.json"
fi
tar -czf "$out/results.tar.gz" -C "$work" .
