#!/usr/bin/env bash
# Installs what PET-MLIR needs to build and test, and only what is missing:
# on a machine that has everything it changes nothing and takes a second.
set -euo pipefail

DEB_PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools # LLVM/MLIR 22
  cmake ninja-build g++ libgtest-dev                     # build, unit tests
  python3 python3-pytest python3-venv                    # lit, Python tests, IREE venv
  python3-pip python3-setuptools                         # pip install ./python
  python3-numpy                                          # pet_mlir.params and its tests
)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
