"""Render the boxes a PET optimization corrected as an SVG picture.

Reads the JSON report of ``pet-opt --pet-mutate="report=FILE"`` (or
``--pet-optimize``) and draws, for one output of one replaced subprogram,
the output's last two dimensions (H x W for NCHW tensors) as a grid with
the corrected boxes in red; boxes that differ only in leading dimensions
(batch, channels) are drawn once.

    python3 -m pet_mlir.boxes_svg report.json -o boxes.svg
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Iterable, Optional
from xml.sax.saxutils import escape

CELL = 24  # pixels per tensor position
MARGIN = 40


def find_corrections(report: dict, function: Optional[str] = None,
                     subprogram: Optional[int] = None) -> Iterable[tuple]:
    """(function name, subprogram index, output index, correction) for every
    corrected output in the report, filtered by function and subprogram."""
    for func in report.get("functions", []):
        if function is not None and func["name"] != function:
            continue
        for sub in func.get("subprograms", []):
            if subprogram is not None and sub["index"] != subprogram:
                continue
            for index, corrected in enumerate(sub.get("corrected", [])):
                yield func["name"], sub["index"], index, corrected


def render(corrected: dict, title: str = "") -> str:
    """SVG of one output's corrected boxes, on its last two dimensions."""
    shape = corrected["shape"]
    if not shape:
        raise ValueError("a rank-0 output has no picture")
    rows = shape[-2] if len(shape) >= 2 else 1
    cols = shape[-1]
    width, height = cols * CELL + 2 * MARGIN, rows * CELL + 2 * MARGIN
    seen = set()
    rects = []
    for box in corrected["boxes"]:
        lower, upper = box["lower"], box["upper"]
        r0, r1 = (lower[-2], upper[-2]) if len(shape) >= 2 else (0, 1)
        c0, c1 = lower[-1], upper[-1]
        if (r0, r1, c0, c1) in seen:
            continue
        seen.add((r0, r1, c0, c1))
        rects.append(
            f'<rect class="corrected" x="{MARGIN + c0 * CELL}" '
            f'y="{MARGIN + r0 * CELL}" width="{(c1 - c0) * CELL}" '
            f'height="{(r1 - r0) * CELL}" fill="#e4572e" fill-opacity="0.55" '
            f'stroke="#a4161a"><title>rows {r0}:{r1}, columns {c0}:{c1}'
            f'</title></rect>')
    grid = [f'<rect x="{MARGIN}" y="{MARGIN}" width="{cols * CELL}" '
            f'height="{rows * CELL}" fill="#f4f4f4" stroke="#333"/>']
    for r in range(1, rows):
        grid.append(f'<line x1="{MARGIN}" y1="{MARGIN + r * CELL}" '
                    f'x2="{MARGIN + cols * CELL}" y2="{MARGIN + r * CELL}" '
                    f'stroke="#ccc"/>')
    for c in range(1, cols):
        grid.append(f'<line x1="{MARGIN + c * CELL}" y1="{MARGIN}" '
                    f'x2="{MARGIN + c * CELL}" y2="{MARGIN + rows * CELL}" '
                    f'stroke="#ccc"/>')
    label = escape(title or f"tensor {'x'.join(map(str, shape))}")
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f'<text x="{MARGIN}" y="{MARGIN - 12}" font-family="sans-serif" '
        f'font-size="14">{label}: {len(seen)} corrected box(es)</text>',
        *grid, *rects, "</svg>", ""])


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="JSON report of pet-opt --pet-mutate")
    parser.add_argument("-o", "--output", default="-", help="SVG file (- for stdout)")
    parser.add_argument("--function", help="function name (default: first corrected)")
    parser.add_argument("--subprogram", type=int, help="subprogram index")
    parser.add_argument("--result", type=int, default=0, help="output of the subprogram")
    args = parser.parse_args(argv)
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    found = [c for c in find_corrections(report, args.function, args.subprogram)
             if c[2] == args.result and c[3]["boxes"]]
    if not found:
        print("no corrected boxes in the report for that selection", file=sys.stderr)
        return 1
    name, sub, index, corrected = found[0]
    svg = render(corrected, f"@{name} subprogram {sub} output {index}")
    if args.output == "-":
        sys.stdout.write(svg)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
