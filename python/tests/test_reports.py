"""What the benchmark's reports read: the counts of a --pet-optimize report,
a CUDA graph's kernel profile; and the keys a search costs, which
bench/models/measure_ops.py parses and measures on the GPU."""

import importlib.util
import json
from pathlib import Path

from pet_mlir import reports
from pet_mlir.opt import run_pet_opt

ROOT = Path(__file__).resolve().parents[2]


def _measure_ops():
    spec = importlib.util.spec_from_file_location(
        "measure_ops", ROOT / "bench/models/measure_ops.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_costed_keys_parse_into_what_they_name(tmp_path):
    keys_file = tmp_path / "keys.json"
    run_pet_opt((ROOT / "examples/seam_conv.mlir").read_text(),
                [f"--pet-optimize=cost-keys={keys_file}"])
    keys = json.loads(keys_file.read_text())["keys"]
    measure_ops = _measure_ops()
    parsed = [measure_ops.parse_key(k) for k in keys]
    names = {p[0] for p in parsed}
    # The original convolution and the mutant's batch of two half images,
    # and the concatenations that mutants copy; the split into row halves
    # is a view in every mutant (LayoutViews.h): nothing to measure.
    assert {"pet.conv2d", "pet.concat"} <= names and "pet.split" not in names
    convs = {tuple(map(tuple, p[2])): p[1] for p in parsed if p[0] == "pet.conv2d"}
    assert ((1, 2, 8, 7), (3, 2, 3, 3)) in convs
    assert ((2, 2, 4, 7), (3, 2, 3, 3)) in convs
    assert convs[((1, 2, 8, 7), (3, 2, 3, 3))] == {"pad_high": [1, 1], "pad_low": [1, 1]}
    concat = next(p for p in parsed if p[0] == "pet.concat")
    assert concat[1]["axis"] in (0, 2) and len(concat[2]) == 2
    name, attrs, operands, results = measure_ops.parse_key(
        "pet.batch_matmul {transpose_rhs} : (tensor<12x128x64xf32>, "
        "tensor<12x128x64xf32>) -> (tensor<12x128x128xf32>)")
    assert attrs == {"transpose_rhs": True}
    assert results == [[12, 128, 128]]


def test_report_counts_the_mutants_and_boxes_of_an_optimization(tmp_path):
    report = tmp_path / "report.json"
    run_pet_opt((ROOT / "examples/seam_conv.mlir").read_text(),
                [f"--pet-optimize=cost-db={ROOT}/examples/split-conv-costs.json "
                 f"report={report}"])
    counts = reports.report_counts(json.loads(report.read_text()))
    assert counts["mutants_applied"] == 1
    assert counts["boxes_corrected"] >= 1


def test_graph_profile_summarizes_the_replay_and_its_longest_kernels(tmp_path):
    profile = tmp_path / "m.graph.tsv"
    profile.write_text(
        "# 20 replays of the CUDA graph: 3.0 kernels and 12.50 us of kernel time "
        "per replay; the replay took 15.00 us (timed before)\n"
        "# kernel\tlaunches per replay\tus per replay\n"
        "gemm grid 2x1x1\t2.00\t8.000\n"
        "softmax grid 8x1x1\t1.00\t4.500\n")
    summary = reports.graph_profile(profile, count=1)
    assert summary["kernels"] == 3.0 and summary["kernel_us"] == 12.5
    assert summary["replay_us"] == 15.0
    assert summary["top"] == ["gemm grid 2x1x1 (2x, 8.0 us)"]
    (tmp_path / "other.tsv").write_text("not a profile\n")
    assert reports.graph_profile(tmp_path / "other.tsv") is None
