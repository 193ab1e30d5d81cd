#!/usr/bin/env bash
# Installs IREE's compiler and runtime tools (iree-compile, iree-run-module)
# from the Python package index into .venv-iree, for the tests that run PET's
# exported linalg with IREE (python/tests/test_iree.py). Idempotent: does
# nothing when they are there. Needs network access to PyPI.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv-iree"
version=3.13.0
if [[ -x $venv/bin/iree-compile && -x $venv/bin/iree-run-module ]]; then
  exit 0
fi
start=$SECONDS
/usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check \
  "iree-base-compiler==$version" "iree-base-runtime==$version"
echo "setup-iree: IREE $version installed in .venv-iree ($((SECONDS - start)) s)"
