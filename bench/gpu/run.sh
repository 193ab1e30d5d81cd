#!/usr/bin/env bash
# On the GPU machine (CUDA 13, cuDNN 9, CMake; no MLIR needed): builds the
# runtime, links each program object from `python -m pet_mlir.gpu_check
# prepare DIR` with runtime/tools/RunMain.cpp, runs it in FP32 and in TF32
# mode, and writes the printed results to NAME.gpu.txt and NAME.tf32.txt,
# the times to times.txt, a per-kernel profile of one FP32 forward pass
# to NAME.profile.tsv (PET_PROFILE: each call timed alone) and the kernels'
# GPU time per replay of the timed CUDA graph to NAME.graph.tsv and
# NAME.tf32.graph.tsv (PET_GRAPH_PROFILE, CUPTI; PET_GPU_SKIP_PROFILE=1
# leaves the profiles out),
# the GPU's name to device.txt, all in OUT/results.tar.gz. Programs optimized
# for TF32 (NAME-ontf32) are not profiled.
# Usage: bash bench/gpu/run.sh DIR OUT
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$1
out=$2
mkdir -p "$out"
work=$(mktemp -d)
final=$out
out=$work
rt=${RUNTIME_BUILD:-/tmp/pet-runtime-build}
cmake -S "$root/runtime" -B "$rt" -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log"
cmake --build "$rt" -j"$(nproc)" >> "$out/cmake.log"
# PET_GPU_SKIP_SELF_TEST=1: not the runtime's self-test (a later run on
# the same machine, after one that passed it).
if [[ ${PET_GPU_SKIP_SELF_TEST:-0} != 1 ]]; then
  "$rt/bin/pet-runtime-test" > "$out/runtime-test.txt" 2>&1 || {
    cat "$out/runtime-test.txt"; exit 1; }
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader \
  > "$out/device.txt" 2>/dev/null || true
# PET_GPU_PROGRAMS="a b ..." runs only the objects whose names (without .o)
# match one of those shell patterns.
for obj in "$dir"/*.o; do
  name=$(basename "$obj" .o)
  if [[ -n ${PET_GPU_PROGRAMS:-} ]]; then
    keep=0
    # The patterns split on spaces, not expanded as file names.
    read -ra patterns <<< "$PET_GPU_PROGRAMS"
    for pattern in "${patterns[@]}"; do
      # shellcheck disable=SC2053
      [[ $name == $pattern ]] && keep=1
    done
    ((keep)) || continue
  fi
  program=("$obj")
  driver=("$root/runtime/tools/RunMain.cpp")
  if [[ -f $dir/$name.h ]]; then
    # Through its generated C API (load once, run, graph), packaged as a
    # shared library as `python -m pet_mlir.gpu --shared` links it.
    func=$(sed -n 's/^void _mlir_ciface_\(.*\)_load(.*/\1/p' "$dir/$name.h")
    g++ -shared "$obj" -o "$rt/lib$name.so" -L"$rt/lib" -lpet_runtime \
      -Wl,-rpath,"$rt/lib"
    program=(-L"$rt" "-l$name" -Wl,-rpath,"$rt")
    driver=("$root/runtime/tools/ApiCheck.cpp" -I"$dir" -I"$root/include"
            "-DPET_API_HEADER=\"$name.h\"" "-DPET_F=$func")
  fi
  g++ -O2 "${driver[@]}" "${program[@]}" -I"$root/runtime/include" \
    -L"$rt/lib" -lpet_runtime -Wl,-rpath,"$rt/lib" -o "$rt/$name"
  # Per-kernel GPU time of the timed graph's replays (CUPTI), after the
  # timing: NAME.graph.tsv, NAME.tf32.graph.tsv (PET_GPU_SKIP_PROFILE=1
  # leaves them out).
  graph=() graph32=()
  if [[ ${PET_GPU_SKIP_PROFILE:-0} != 1 ]]; then
    graph=(env "PET_GRAPH_PROFILE=$out/$name.graph.tsv")
    graph32=(env "PET_GRAPH_PROFILE=$out/$name.tf32.graph.tsv")
  fi
  start=$(date +%s.%N)
  "${graph[@]}" "$rt/$name" > "$out/$name.gpu.txt" 2> "$out/$name.err" ||
    echo "$name: FAILED ($(tail -1 "$out/$name.err"))" | tee -a "$out/failures.txt"
  end=$(date +%s.%N)
  PET_TF32=1 "${graph32[@]}" "$rt/$name" > "$out/$name.tf32.txt" 2>> "$out/$name.err" || true
  # Per kernel / library call times of one forward pass (outside the graph);
  # PET_GPU_SKIP_PROFILE=1 leaves it out (programs that only time).
  if [[ ${PET_GPU_SKIP_PROFILE:-0} != 1 && $name != *-ontf32* ]]; then
    PET_PROFILE="$out/$name.profile.tsv" "$rt/$name" > /dev/null 2>> "$out/$name.err" || true
  fi
  awk -v n="$name" -v s="$start" -v e="$end" 'BEGIN { printf "%s %.3f s\n", n, e - s }' >> "$out/times.txt"
done
[[ -f $out/runtime-test.txt ]] && tail -1 "$out/runtime-test.txt"
cat "$out/times.txt"
tar -czf "$final/results.tar.gz" -C "$work" .
