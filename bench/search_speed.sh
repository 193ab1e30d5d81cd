#!/usr/bin/env bash
# How long PET's optimization takes on a ResNet-18-sized function (batch 1,
# 224x224, built by python/pet_mlir/models.py), with per-pass times.
# Usage: bash bench/search_speed.sh [extra --pet-optimize options]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PYTHONPATH="$root/python" /usr/bin/python3 -c \
  "from pet_mlir.models import resnet18; print(resnet18())" > "$work/resnet18.mlir"
options="report=$work/report.json${1:+ $1}"
time "$build/bin/pet-opt" "$work/resnet18.mlir" \
  --pet-optimize="$options" --mlir-timing > /dev/null
/usr/bin/python3 - "$work/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
subs = [s for f in report["functions"] for s in f["subprograms"]]
replaced = sum(s["status"] == "replaced" for s in subs)
reused = sum(bool(s.get("reused_search")) for s in subs)
states = sum(s.get("search_states", 0) for s in subs if not s.get("reused_search"))
print(f"{len(subs)} subprograms ({reused} searched before), {replaced} replaced, "
      f"{states} search states, {report['seconds']:.1f} s in pet-mutate")
PY
