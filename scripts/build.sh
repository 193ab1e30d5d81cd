#!/usr/bin/env bash
# Configures (once) and builds PET-MLIR in $BUILD_DIR (default: build/) with
# ninja against Debian's LLVM/MLIR 22. Extra arguments are ninja targets.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
if [[ ! -f $build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir >/dev/null
fi
ninja -C "$build" "$@"
