"""The corrected-boxes picture, from a report pet-opt writes."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pet_mlir import run_pet_opt
from pet_mlir.boxes_svg import CELL, MARGIN, main, render

ROOT = Path(__file__).resolve().parents[2]
COSTS = ROOT / "test" / "Transforms" / "Inputs" / "split-conv-costs.json"
CONV = """
func.func @conv(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
  %1 = pet.relu %0 : tensor<1x3x8x7xf32>
  return %1 : tensor<1x3x8x7xf32>
}
"""


def rects(svg: str):
    root = ET.fromstring(svg)
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect")
            if r.get("class") == "corrected"]


def test_seam_rows_of_a_real_report(tmp_path):
    report = tmp_path / "report.json"
    run_pet_opt(CONV, [f"--pet-optimize=cost-db={COSTS} report={report}"])
    out = tmp_path / "boxes.svg"
    assert main([str(report), "-o", str(out)]) == 0
    boxes = rects(out.read_text())
    # Rows 3 and 4 of the 8x7 plane, as 6 boxes (3 column ranges x 2 rows).
    assert len(boxes) == 6
    ys = sorted({int(b.get("y")) for b in boxes})
    assert ys == [MARGIN + 3 * CELL, MARGIN + 4 * CELL]
    xs = sorted(int(b.get("x")) + int(b.get("width")) for b in boxes)
    assert xs[-1] == MARGIN + 7 * CELL


def test_leading_dimensions_are_projected():
    svg = render({"shape": [2, 3, 4, 4], "boxes": [
        {"lower": [0, 0, 0, 0], "upper": [1, 3, 1, 4]},
        {"lower": [1, 0, 0, 0], "upper": [2, 3, 1, 4]},
        {"lower": [0, 0, 3, 2], "upper": [2, 3, 4, 4]}]})
    boxes = rects(svg)
    assert len(boxes) == 2
    assert {(b.get("width"), b.get("height")) for b in boxes} == {
        (str(4 * CELL), str(CELL)), (str(2 * CELL), str(CELL))}


def test_nothing_to_draw(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"functions": []}))
    assert main([str(report)]) == 1
    with pytest.raises(ValueError):
        render({"shape": [], "boxes": []})
