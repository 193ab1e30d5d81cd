#!/usr/bin/env bash
# Installs what is missing, builds pet-opt and runs the main job on the
# bundled examples: PET's optimization (--pet-optimize: mutation, box-by-box
# verification, corrections) of a convolution, with its report and a picture
# of the corrected boxes; then the box-by-box verification of a partially
# equivalent rewrite; then a ResNet-18 basic block through pet-opt with
# per-pass timing (extra arguments go to that run).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" pet-opt
out=${OUT_DIR:-$build/example-output}
mkdir -p "$out"
echo "== pet-opt seam_conv.mlir --pet-optimize (report: $out/report.json)" >&2
"$build/bin/pet-opt" "$root/examples/seam_conv.mlir" \
  --pet-optimize="cost-db=$root/examples/split-conv-costs.json report=$out/report.json"
PYTHONPATH="$root/python" /usr/bin/python3 -m pet_mlir.boxes_svg "$out/report.json" \
  -o "$out/corrected-boxes.svg"
echo "== corrected boxes drawn in $out/corrected-boxes.svg" >&2
echo "== pet-opt split_conv.mlir --pet-verify" >&2
"$build/bin/pet-opt" "$root/examples/split_conv.mlir" --pet-verify
example=${EXAMPLE:-$root/examples/resnet_block.mlir}
echo "== pet-opt $(basename "$example") --canonicalize --mlir-timing $*" >&2
"$build/bin/pet-opt" "$example" --canonicalize --mlir-timing "$@"
