#!/usr/bin/env bash
# Installs what is missing, builds pet-opt and runs it on the bundled
# examples: a ResNet-18 basic block (parse, verify, canonicalize, print, with
# per-pass timing; extra arguments go to pet-opt), then the box-by-box
# verification of a partially equivalent convolution rewrite.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" pet-opt
example=${EXAMPLE:-$root/examples/resnet_block.mlir}
echo "== pet-opt $(basename "$example") --canonicalize --mlir-timing $*" >&2
"$build/bin/pet-opt" "$example" --canonicalize --mlir-timing "$@"
echo "== pet-opt split_conv.mlir --pet-verify" >&2
"$build/bin/pet-opt" "$root/examples/split_conv.mlir" --pet-verify
