"""What the benchmark's reports (pet_mlir.torch_bench) read from the
optimizer and the runtime: the counts of a --pet-optimize report, the
summary of a CUDA graph's kernel profile (PET_GRAPH_PROFILE, CUPTI), and
matplotlib for the charts where it is installed."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, Optional


def report_counts(report: dict) -> Dict[str, int]:
    """Mutants applied and boxes corrected, from a --pet-optimize report."""
    mutants = boxes = 0
    for function in report["functions"]:
        for part in function["subprograms"]:
            if part["status"] == "replaced":
                mutants += 1
                boxes += sum(len(r["boxes"]) for r in part.get("corrected", []))
    return {"mutants_applied": mutants, "boxes_corrected": boxes}


_GRAPH_HEADER = re.compile(r"# (\d+) replays of the CUDA graph: ([\d.]+) kernels and "
                           r"([\d.]+) us of kernel time per replay; the replay took ([\d.]+) us")


def graph_profile(path: Path, count: int = 4) -> Optional[dict]:
    """What a PET_GRAPH_PROFILE file says: kernels and kernel time per
    replay, the replay's time, the longest kernels."""
    lines = path.read_text().splitlines()
    m = _GRAPH_HEADER.match(lines[0]) if lines else None
    if not m:
        return None
    rows = [line.split("\t") for line in lines[1:]
            if not line.startswith("#") and line.count("\t") == 2]
    rows.sort(key=lambda r: -float(r[2]))
    return {"kernels": float(m.group(2)), "kernel_us": float(m.group(3)),
            "replay_us": float(m.group(4)),
            "top": [f"{r[0]} ({float(r[1]):g}x, {float(r[2]):.1f} us)" for r in rows[:count]]}


def pyplot():
    """matplotlib.pyplot without a display, or None (saying so) where
    matplotlib is missing: the reports' charts are optional."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: no chart", file=sys.stderr)
        return None
    return plt
