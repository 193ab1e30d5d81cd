#!/usr/bin/env bash
# On the GPU machine (CUDA 13, cuDNN 9, PyTorch + torchvision; no MLIR
# needed): the benchmark through PyTorch's own models (python -m
# pet_mlir.torch_bench, its doc says what each step does). Builds the
# runtime, then for each model and precision whose library DIR holds
# (DIR/NAME-PREC.so from `torch_bench compile`) runs PyTorch and the
# library on the same weights and input in one process, writing
# OUT/NAME.PREC.json; failures are listed in OUT/failures.txt. cuDNN
# algorithm choices are shared between the processes through
# $PET_CUDNN_ALGORITHMS (default OUT/algorithms.tsv). PET_BENCH_PROFILE (set, to anything)
# also writes each library's kernel times per graph replay to
# OUT/NAME.PREC.graph.tsv (CUPTI). PET_BENCH_TORCH_COMPILE=MODEL,... also
# times torch.compile(mode="max-autotune") for those models, last in
# their processes (Inductor's autotuning takes minutes per model).
# Usage: bash bench/models/run-torch.sh DIR OUT [MODELS] [PRECISIONS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$1
out=$2
models=${3:-resnet18,resnext50,inception_v3,csrnet,bert_base}
precisions=${4:-fp32,tf32}
mkdir -p "$out"
rt=${RUNTIME_BUILD:-/tmp/pet-runtime-build}
cmake -S "$root/runtime" -B "$rt" -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log"
cmake --build "$rt" -j"$(nproc)" >> "$out/cmake.log"
export PET_CUDNN_ALGORITHMS=${PET_CUDNN_ALGORITHMS:-$out/algorithms.tsv}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader \
  > "$out/device.txt" 2>/dev/null || true
for model in ${models//,/ }; do
  extra=()
  if [[ ,${PET_BENCH_TORCH_COMPILE:-}, == *,$model,* ]]; then
    extra+=(--torch-compile)
  fi
  for precision in ${precisions//,/ }; do
    [[ -f $dir/$model-$precision.so ]] || continue
    PYTHONPATH="$root/python" python3 -m pet_mlir.torch_bench run "$dir" \
      "$out/$model.$precision.json" --model "$model" --precision "$precision" \
      --runtime-dir "$rt/lib" ${PET_BENCH_PROFILE:+--profile} \
      "${extra[@]}" \
      2> "$out/$model.$precision.err" ||
      echo "$model $precision: FAILED ($(tail -1 "$out/$model.$precision.err"))" |
        tee -a "$out/failures.txt"
  done
done
