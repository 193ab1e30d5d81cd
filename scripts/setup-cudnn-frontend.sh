#!/usr/bin/env bash
# Puts NVIDIA's header-only cudnn-frontend (the C++ API of cuDNN's graph
# interface) under third_party/cudnn-frontend/include, where the GPU
# runtime's CMake looks for it. Only useful where cuDNN is: the runtime
# builds without it (convolutions then through cuDNN's legacy API only).
# The headers come from the Python package index (the wheel of
# nvidia-cudnn-frontend carries them); the GPU machine has no registry, so
# they travel with the working tree there (bench/README.md). Does nothing
# when they are present.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=1.32.0
dest=$root/third_party/cudnn-frontend
if [[ -f $dest/include/cudnn_frontend.h && -f $dest/VERSION &&
      $(cat "$dest/VERSION") == "$version" ]]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Any wheel of this version has the same headers: ask for one whatever
# Python runs here.
python3 -m pip download -q --no-deps --only-binary=:all: \
  --python-version 3.11 --platform manylinux_2_28_x86_64 \
  -d "$tmp" "nvidia-cudnn-frontend==$version"
python3 - "$tmp" "$dest" <<'PY'
import glob, os, shutil, sys, zipfile
tmp, dest = sys.argv[1:]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
shutil.rmtree(dest, ignore_errors=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("include/"):
            target = os.path.join(dest, name)
            if name.endswith("/"):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
PY
echo "$version" > "$dest/VERSION"
echo "setup: cudnn-frontend $version headers in $dest/include"
