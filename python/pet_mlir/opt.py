"""Runs pet-opt as a subprocess on MLIR text."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import List, Optional, Sequence, TextIO, Tuple

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
    return run_pet_opt_with_remarks(source, args, pet_opt=pet_opt, timeout=timeout)[0]


def optimize_flag(options: str = "") -> str:
    """pet-opt's `--pet-optimize` flag with `options` ("depth=3 min-gain=0",
    or empty for the defaults)."""
    return "--pet-optimize" + (f"={options}" if options else "")


# --pet-mutate's remark for each subprogram it replaces.
_MUTANT_REMARK = re.compile(r"a mutant of (\d+) operator\(s\) replaces (\d+) .*?"
                            r"(\d+) box\(es\) corrected")


def mutant_remarks(diagnostics: str) -> List[Tuple[int, int, int]]:
    """(mutant operators, replaced operators, corrected boxes) of each
    subprogram --pet-mutate replaced, from its remarks."""
    return [tuple(int(g) for g in m.groups()) for m in _MUTANT_REMARK.finditer(diagnostics)]


def run_pet_opt_with_remarks(source: str, args: Sequence[str] = (), *,
                             pet_opt: Optional[str] = None,
                             progress: Optional[str] = None,
                             stream: Optional[TextIO] = None,
                             timeout: float = 3600) -> Tuple[str, str]:
    """Like run_pet_opt, but also returns pet-opt's diagnostics (remarks).
    With `progress` ("searching", say), a run longer than a second says so
    on `stream` (default stderr) with the time spent, once a second on a
    terminal, every 30 s otherwise."""
    binary = pet_opt or find_pet_opt()
    stream = stream or sys.stderr
    done = threading.Event()

    def tick():
        start = time.monotonic()
        if done.wait(1.0):
            return
        live = stream.isatty()
        while True:
            line = f"pet-compile: {progress}... {time.monotonic() - start:.0f} s"
            stream.write(("\r" + line) if live else line + "\n")
            stream.flush()
            if done.wait(1.0 if live else 30.0):
                break
        if live:
            stream.write("\n")

    ticker = threading.Thread(target=tick, daemon=True) if progress else None
    if ticker:
        ticker.start()
    try:
        proc = subprocess.run([binary, *args, "-"], input=source, capture_output=True,
                              text=True, timeout=timeout, check=False)
    finally:
        done.set()
        if ticker:
            ticker.join()
    if proc.returncode != 0:
        raise PetOptError(proc.returncode, proc.stderr)
    return proc.stdout, proc.stderr
