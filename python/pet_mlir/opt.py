"""Runs pet-opt as a subprocess on MLIR text."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional, Sequence

_REPO_ROOT = Path(__file__).resolve().parents[2]


class PetOptError(RuntimeError):
    """pet-opt rejected its input; `diagnostics` holds what it printed."""

    def __init__(self, returncode: int, diagnostics: str):
        super().__init__(f"pet-opt failed with exit code {returncode}:\n{diagnostics}")
        self.returncode = returncode
        self.diagnostics = diagnostics


def find_pet_opt() -> str:
    """The pet-opt binary: $PET_OPT, else build/bin/pet-opt of this checkout,
    else the first on PATH."""
    candidates = [os.environ.get("PET_OPT"), str(_REPO_ROOT / "build" / "bin" / "pet-opt"),
                  shutil.which("pet-opt")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(
        "pet-opt not found: build it with scripts/build.sh or set PET_OPT")


def run_pet_opt(source: str, args: Sequence[str] = (), *,
                pet_opt: Optional[str] = None, timeout: float = 600) -> str:
    """Runs `pet-opt ARGS` on `source` and returns the printed module.

    Raises PetOptError with pet-opt's diagnostics if it exits non-zero.
    """
    binary = pet_opt or find_pet_opt()
    proc = subprocess.run([binary, *args, "-"], input=source, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise PetOptError(proc.returncode, proc.stderr)
    return proc.stdout


def optimize_flag(options: str = "") -> str:
    """pet-opt's `--pet-optimize` flag with `options` ("depth=3 min-gain=0",
    or empty for the defaults)."""
    return "--pet-optimize" + (f"={options}" if options else "")
