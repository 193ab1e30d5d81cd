"""The model benchmark's parts that run without a GPU: the five models are
the reference architectures, the keys a search costs are what the
profiler can parse and measure, and the report computes its ratios from
the GPU's outputs."""

import importlib.util
import json
import re
from math import prod
from pathlib import Path

import pytest

from pet_mlir import bench
from pet_mlir.models import MODELS
from pet_mlir.opt import run_pet_opt

ROOT = Path(__file__).resolve().parents[2]


def _measure_ops():
    spec = importlib.util.spec_from_file_location(
        "measure_ops", ROOT / "bench/models/measure_ops.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Parameters of the reference models (torchvision 0.26's resnet18,
# resnext50_32x4d, inception_v3 without its auxiliary classifier; CSRNet;
# twelve BERT-base encoder layers), and each function's result shape.
REFERENCE = {
    "resnet18": (11_689_512, [1, 1000]),
    "resnext50": (25_028_904, [1, 1000]),
    "inception_v3": (23_834_568, [1, 1000]),
    "csrnet": (16_263_489, [1, 1, 72, 96]),
    "bert_base": (85_054_464, [128, 768]),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_models_are_the_reference_architectures(name):
    build, func = MODELS[name]
    source = build()
    signature = source.split("\n")[0]
    weights = re.findall(r"tensor<([\dx]+)xf32> \{pet\.weight\}", signature)
    parameters = sum(prod(int(d) for d in w.split("x")) for w in weights)
    expected_parameters, result_shape = REFERENCE[name]
    assert parameters == expected_parameters
    result = re.search(r"\) -> tensor<([\dx]+)xf32>", signature).group(1)
    assert [int(d) for d in result.split("x")] == result_shape
    # pet-opt parses and verifies it (shapes of every operator).
    assert f"func.func @{func}" in run_pet_opt(source, [])


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
    counts = bench.report_counts(json.loads(report.read_text()))
    assert counts["mutants_applied"] == 1
    assert counts["boxes_corrected"] >= 1


def test_table_ratios_come_from_the_measured_times(tmp_path):
    programs, results = tmp_path / "programs", tmp_path / "results"
    programs.mkdir()
    results.mkdir()
    (programs / "manifest.json").write_text(json.dumps(
        {"m": {"func": "m", "mutants_applied": 2, "boxes_corrected": 3, "optimize_s": 1.5}}))
    for phase, fp32, tf32 in (("off", 2.0, 1.0), ("on", 1.0, 0.8)):
        (results / f"m-{phase}.gpu.txt").write_text(
            f"[1]\npet-time: median {fp32} ms, min 0.9 ms over 100 CUDA graph runs\n")
        (results / f"m-{phase}.tf32.txt").write_text(
            f"pet-time: median {tf32} ms, min 0.5 ms over 100 CUDA graph runs\n")
    (results / "torch.json").write_text(json.dumps(
        {"device": "GPU", "torch": "x", "cudnn": 1, "models": {"m": {
            "eager_fp32": 3.0, "graph_fp32": 2.5, "eager_tf32": 2.0, "graph_tf32": 1.6}}}))
    table = bench.build_table(programs, results)
    row = table["models"][0]
    assert row["speedup_on_vs_off_fp32"] == 2.0
    assert row["on_vs_torch_graph_fp32"] == 0.4
    assert row["speedup_on_vs_off_tf32"] == 1.25
    assert row["on_vs_torch_graph_tf32"] == 0.5
    bench.write_report(table, tmp_path / "out" / "table")
    text = (tmp_path / "out" / "table.md").read_text()
    assert "| m | 3.000 | 2.500 | 2.000 | 1.000 | 0.40 | 2.00 | 2 | 3 | 1.5 |" in text


def test_torch_compile_slices_merge_with_the_pytorch_run(tmp_path):
    # torch.compile timed apart (torch_models.py --only-compile, a model and
    # precision at a time, files torch-compile*.json): the table has
    # PyTorch's eager and graph times and the compiled ones side by side.
    programs, results = tmp_path / "programs", tmp_path / "results"
    programs.mkdir()
    results.mkdir()
    (programs / "manifest.json").write_text(json.dumps({"m": {"func": "m"}}))
    (results / "m-on.tf32.txt").write_text(
        "pet-time: median 0.6 ms, min 0.5 ms over 100 CUDA graph runs\n")
    (results / "m-on.gpu.txt").write_text(
        "pet-time: median 1.0 ms, min 0.9 ms over 100 CUDA graph runs\n")
    (results / "torch.json").write_text(json.dumps(
        {"device": "GPU", "torch": "x", "cudnn": 1, "compile_mode": None, "models": {
            "m": {"eager_fp32": 3.0, "graph_fp32": 2.5, "eager_tf32": 2.0,
                  "graph_tf32": 1.6}}}))
    (results / "torch-compile-tf32.json").write_text(json.dumps(
        {"device": "GPU", "torch": "x", "cudnn": 1, "compile_mode": "max-autotune",
         "models": {"m": {"compile_tf32": 1.2}}}))
    row = bench.build_table(programs, results)["models"][0]
    assert (row["torch_graph_tf32"], row["torch_compile_tf32"]) == (1.6, 1.2)
    assert row["torch_eager_fp32"] == 3.0 and row["torch_compile_fp32"] is None
    assert row["on_vs_torch_compile_tf32"] == 0.5


def test_repeated_runs_report_their_median(tmp_path):
    programs, results = tmp_path / "programs", tmp_path / "results"
    programs.mkdir()
    (programs / "manifest.json").write_text(json.dumps({"m": {"func": "m"}}))
    for run, (off, on) in enumerate([(2.0, 1.5), (3.0, 1.0), (2.5, 1.2)], 1):
        (results / f"run{run}").mkdir(parents=True)
        for phase, t in (("off", off), ("on", on)):
            (results / f"run{run}" / f"m-{phase}.gpu.txt").write_text(
                f"pet-time: median {t} ms, min {t} ms over 100 CUDA graph runs\n")
    row = bench.build_table(programs, results)["models"][0]
    assert row["pet_off_fp32"] == 2.5 and row["pet_on_fp32"] == 1.2
    assert row["pet_off_fp32_runs"] == [2.0, 3.0, 2.5]
    assert row["speedup_on_vs_off_fp32"] == round(2.5 / 1.2, 3)
    assert row["pet_off_tf32"] is None


def test_tf32_uses_its_own_program_and_replacements_show_their_measurements(tmp_path):
    programs, results = tmp_path / "programs", tmp_path / "results"
    programs.mkdir()
    results.mkdir()
    (programs / "manifest.json").write_text(json.dumps({"m": {
        "func": "m", "mutants_applied_on": 1, "boxes_corrected_on": 2,
        "mutants_applied_ontf32": 0, "boxes_corrected_ontf32": 0}}))
    for phase in ("off", "on", "ontf32"):
        (programs / f"m-{phase}.o").write_bytes(b"")
    report = {"functions": [{"name": "m", "subprograms": [
        {"index": 3, "operators": 1, "status": "replaced", "mutant_operators": 5,
         "cost_before_us": 30.0, "cost_after_us": 12.0, "measured_before_us": 20.0,
         "measured_after_us": 5.0, "corrected": [{"boxes": [{}, {}]}]},
        {"index": 4, "operators": 1, "status": "kept: no mutant measured faster"}]}]}
    (programs / "m-on.report.json").write_text(json.dumps(report))
    (programs / "m-ontf32.report.json").write_text(json.dumps(
        {"functions": [{"name": "m", "subprograms": []}]}))
    for name, t in (("m-off.gpu.txt", 2.0), ("m-on.gpu.txt", 1.0), ("m-off.tf32.txt", 1.0),
                    ("m-on.tf32.txt", 3.0), ("m-ontf32.tf32.txt", 0.9)):
        (results / name).write_text(f"pet-time: median {t} ms, min {t} ms over 100 CUDA graph runs\n")
    row = bench.build_table(programs, results)["models"][0]
    # TF32: the program optimized with the TF32 database, not the FP32 one.
    assert row["program_on_tf32"] == "ontf32" and row["pet_on_tf32"] == 0.9
    assert row["mutants_applied_fp32"] == 1 and row["mutants_applied_tf32"] == 0
    assert row["replaced_fp32"] == [{
        "subprogram": 3, "operators": 1, "mutant_operators": 5, "estimated_before_us": 30.0,
        "estimated_after_us": 12.0, "measured_before_us": 20.0, "measured_after_us": 5.0,
        "boxes_corrected": 2}]
    assert row["replaced_tf32"] == []
    bench.write_report(bench.build_table(programs, results), tmp_path / "t")
    text = (tmp_path / "t.md").read_text()
    assert "FP32 m: #3: est. 30.0 -> 12.0, measured 20.0 -> 5.0, 2 boxes" in text


def test_tf32_takes_the_fastest_layout_and_names_it(tmp_path):
    # The TF32 program compiled in several layouts (bench compile
    # --tf32-layouts): the table and the collected database take the
    # fastest that ran, per model, and the report says which.
    programs, results = tmp_path / "programs", tmp_path / "results"
    programs.mkdir()
    results.mkdir()
    layouts = {"ontf32": "nchw", "ontf32-krsc": "krsc", "ontf32-nhwc-krsc": "nhwc-krsc"}
    (programs / "manifest.json").write_text(json.dumps({
        "m": {"func": "m", "tf32_layouts": layouts, "mutants_applied_ontf32": 3},
        "n": {"func": "n", "tf32_layouts": layouts}}))
    for model in ("m", "n"):
        for phase in ("off", "on", *layouts):
            (programs / f"{model}-{phase}.o").write_bytes(b"")
        (programs / f"{model}-ontf32.report.json").write_text(json.dumps({"functions": [
            {"name": model, "key_before": f"{model}0", "key_after": f"{model}1",
             "subprograms": []}]}))
    times = {"m-off.tf32.txt": 1.0, "m-ontf32.tf32.txt": 0.9, "m-ontf32-krsc.tf32.txt": 0.7,
             "m-ontf32-nhwc-krsc.tf32.txt": 0.8, "m-off.gpu.txt": 2.0, "m-on.gpu.txt": 1.5,
             # n: the default layout is the fastest; one variant did not run.
             "n-off.tf32.txt": 1.0, "n-ontf32.tf32.txt": 0.6, "n-ontf32-krsc.tf32.txt": 0.65,
             "n-off.gpu.txt": 2.0}
    for name, t in times.items():
        (results / name).write_text(f"pet-time: median {t} ms, min {t} ms over 100 CUDA graph runs\n")
    rows = {r["model"]: r for r in bench.build_table(programs, results)["models"]}
    assert rows["m"]["program_on_tf32"] == "ontf32-krsc" and rows["m"]["pet_on_tf32"] == 0.7
    assert rows["m"]["layout_tf32"] == "krsc" and rows["m"]["mutants_applied_tf32"] == 3
    assert rows["n"]["program_on_tf32"] == "ontf32" and rows["n"]["layout_tf32"] == "nchw"
    bench.write_report(bench.build_table(programs, results), tmp_path / "t")
    assert "PET on's layout (the fastest of those compiled; images / filters): " \
        "m krsc, n nchw." in (tmp_path / "t.md").read_text()
    db = bench.collect_programs(programs, results, "tf32")
    assert {e["key"]: e["time_us"] for e in db["entries"]} == {
        "m0": 1000.0, "m1": 700.0, "n0": 1000.0, "n1": 600.0}


@pytest.mark.parametrize("off_ms, on_ms, kept_as_it_was", [(0.040, 0.045, True),
                                                         (0.040, 0.035, False)])
def test_whole_programs_measured_no_faster_are_kept_as_they_were(
        tmp_path, off_ms, on_ms, kept_as_it_was):
    # The closed loop's last step: the benchmark's PET off and on, timed
    # whole, go into the database under the keys the optimize report
    # names; optimized again, the function stays as it was where the
    # optimized one measured no faster.
    source = (ROOT / "examples/seam_conv.mlir").read_text()
    base = ROOT / "examples/split-conv-costs.json"
    programs, results = tmp_path / "programs", tmp_path / "results"
    programs.mkdir()
    results.mkdir()
    (programs / "manifest.json").write_text(json.dumps({"m": {"func": "m"}}))
    optimized = run_pet_opt(source, [
        f"--pet-optimize=cost-db={base} report={programs / 'm-on.report.json'}"])
    assert "pet.mutant" in optimized
    for phase, t in (("off", off_ms), ("on", on_ms)):
        (results / f"m-{phase}.gpu.txt").write_text(
            f"pet-time: median {t} ms, min {t} ms over 100 CUDA graph runs\n")
    db = bench.collect_programs(programs, results, "fp32", merge=base)
    whole = json.loads((programs / "m-on.report.json").read_text())["functions"][0]
    times = {e["key"]: e["time_us"] for e in db["entries"]}
    assert times[whole["key_before"]] == 1000 * off_ms
    assert times[whole["key_after"]] == 1000 * on_ms
    assert db["programs_measured_now"] == 2
    (tmp_path / "db.json").write_text(json.dumps(db))
    again = run_pet_opt(source, [
        f"--pet-optimize=cost-db={tmp_path / 'db.json'} "
        f"report={programs / 'm-on.report.json'}"])
    report = json.loads((programs / "m-on.report.json").read_text())["functions"][0]
    assert report.get("original_kept", False) == kept_as_it_was
    assert ("pet.mutant" in again) != kept_as_it_was
    if kept_as_it_was:
        # As it was: the same program PET off compiles (nothing else ran).
        assert again == run_pet_opt(source, ["--pet-optimize=min-gain=10"])
        # A later collect does not file the original's time under the
        # optimized program's key.
        db = bench.collect_programs(programs, results, "fp32", merge=tmp_path / "db.json")
        assert {e["key"]: e["time_us"] for e in db["entries"]}[
            report["key_after"]] == 1000 * on_ms


def test_collect_without_a_benchmark_directory_is_a_clear_error(tmp_path, capsys):
    assert bench.main(["collect", str(tmp_path / "missing"), str(tmp_path),
                       "--out", str(tmp_path / "db.json")]) == 1
    assert "manifest.json" in capsys.readouterr().err
    assert not (tmp_path / "db.json").exists()


def test_tf32_candidates_are_compiled_in_the_tf32_programs_layout(tmp_path, monkeypatch):
    # The TF32 database measures the search's candidates as the TF32
    # program runs: in the last of --tf32-layouts (NHWC images, KRSC
    # filters here), their image arguments NHWC as the convolutions before
    # them write them; the FP32 search's candidates as the environment says.
    # (Objects are not built here: compile_to_object records its layout.)
    from test_measure import CONV
    monkeypatch.setitem(bench.ALL_MODELS, "tiny", (lambda: CONV, "f"))
    layouts = []

    def compile_to_object(source, **options):
        if options.get("timing_main"):
            layouts.append((options["channels_last"], options["filters_last"],
                            options["channels_last_arguments"]))
        return b"object"
    monkeypatch.setattr(bench.gpu, "compile_to_object", compile_to_object)
    manifest = bench.compile_models(tmp_path, ["tiny"], None, 0, ["on", "ontf32"],
                                    candidates=True, tf32_layouts=("nchw", "nhwc-krsc"))
    assert layouts == [(None, None, False), (True, True, True)]
    assert manifest["tiny"]["candidates_ontf32_layout"] == "nhwc-krsc"
    assert manifest["tiny"]["candidates_on"] > 0
    assert "candidates_on_layout" not in manifest["tiny"]
