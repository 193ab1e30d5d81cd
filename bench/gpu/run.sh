#!/usr/bin/env bash
# On the GPU machine (CUDA 13, cuDNN 9, CMake; no MLIR needed): builds the
# runtime, links each program object from `python -m pet_mlir.gpu_check
# prepare DIR` with runtime/tools/RunMain.cpp, runs it in FP32 and in TF32
# mode, and writes the printed results to OUT/NAME.gpu.txt and
# OUT/NAME.tf32.txt (and the times to OUT/times.txt).
# Usage: bash bench/gpu/run.sh DIR OUT
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$1
out=$2
mkdir -p "$out"
rt=${RUNTIME_BUILD:-/tmp/pet-runtime-build}
cmake -S "$root/runtime" -B "$rt" -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log"
cmake --build "$rt" -j"$(nproc)" >> "$out/cmake.log"
"$rt/bin/pet-runtime-test" > "$out/runtime-test.txt" 2>&1 || {
  cat "$out/runtime-test.txt"; exit 1; }
for obj in "$dir"/*.o; do
  name=$(basename "$obj" .o)
  g++ -O2 "$obj" "$root/runtime/tools/RunMain.cpp" -I"$root/runtime/include" \
    -L"$rt/lib" -lpet_runtime -Wl,-rpath,"$rt/lib" -o "$rt/$name"
  start=$(date +%s.%N)
  "$rt/$name" > "$out/$name.gpu.txt"
  end=$(date +%s.%N)
  PET_TF32=1 "$rt/$name" > "$out/$name.tf32.txt"
  awk -v n="$name" -v s="$start" -v e="$end" 'BEGIN { printf "%s %.3f s\n", n, e - s }' >> "$out/times.txt"
done
cat "$out/runtime-test.txt" | tail -1
cat "$out/times.txt"
