#!/usr/bin/env bash
# On the GPU machine: runs many small programs (the GPU soundness check,
# `python -m pet_mlir.gpu_soundness prepare DIR`) as run.sh runs a few: builds
# the runtime and its self-test, links every DIR/*.o with RunMain.cpp
# (compiled once), several links and runs at a time, each program in FP32
# and in TF32 mode (PET_TF32=1), and writes NAME.gpu.txt, NAME.tf32.txt,
# NAME.err (when not empty), failures.txt and device.txt into
# OUT/results.tar.gz. No timing and no profiles.
# Usage: bash bench/gpu/run-many.sh DIR OUT [JOBS (default 8)]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(cd "$1" && pwd)
final=$2
jobs=${3:-8}
mkdir -p "$final"
work=$(mktemp -d)
rt=${RUNTIME_BUILD:-/tmp/pet-runtime-build}
cmake -S "$root/runtime" -B "$rt" -DCMAKE_BUILD_TYPE=Release > "$work/cmake.log"
cmake --build "$rt" -j"$(nproc)" >> "$work/cmake.log"
"$rt/bin/pet-runtime-test" > "$work/runtime-test.txt" 2>&1 || {
  cat "$work/runtime-test.txt"; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader \
  > "$work/device.txt" 2>/dev/null || true
g++ -O2 -c "$root/runtime/tools/RunMain.cpp" -I"$root/runtime/include" \
  -o "$rt/RunMain.o"
mkdir -p "$work/bin"
: > "$work/failures.txt"

run_one() {
  local name
  name=$(basename "$1" .o)
  local exe=$work/bin/$name
  if ! g++ "$1" "$rt/RunMain.o" -L"$rt/lib" -lpet_runtime \
      -Wl,-rpath,"$rt/lib" -o "$exe" 2> "$work/$name.err"; then
    echo "$name: FAILED to link" >> "$work/failures.txt"
    return 0
  fi
  "$exe" > "$work/$name.gpu.txt" 2>> "$work/$name.err" ||
    echo "$name: FAILED (FP32)" >> "$work/failures.txt"
  PET_TF32=1 "$exe" > "$work/$name.tf32.txt" 2>> "$work/$name.err" ||
    echo "$name: FAILED (TF32)" >> "$work/failures.txt"
  [[ -s $work/$name.err ]] || rm -f "$work/$name.err"
  rm -f "$exe"
}
export -f run_one
export work rt
find "$dir" -maxdepth 1 -name '*.o' -print0 |
  xargs -0 -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}
rmdir "$work/bin"
echo "$(find "$work" -name '*.gpu.txt' | wc -l) programs run," \
  "$(wc -l < "$work/failures.txt") failure(s)"
tail -1 "$work/runtime-test.txt"
tar -czf "$final/results.tar.gz" -C "$work" .
