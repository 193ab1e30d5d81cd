#!/usr/bin/env bash
# Installs what is missing, builds pet-opt and runs it on a bundled example
# (default: examples/resnet_block.mlir): parse, verify, canonicalize, print,
# with per-pass timing. Extra arguments go to pet-opt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" pet-opt
example=${EXAMPLE:-$root/examples/resnet_block.mlir}
echo "== pet-opt $(basename "$example") --canonicalize --mlir-timing $*" >&2
"$build/bin/pet-opt" "$example" --canonicalize --mlir-timing "$@"
