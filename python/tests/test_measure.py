"""Whole-program measurements (pet_mlir.measure): the candidates a search
writes, the timing object, the database of program times and how
--pet-optimize chooses by it; every chosen program checked against the
original's values on the reference evaluator."""

import json
import shutil

import pytest

from pet_mlir import measure
from pet_mlir.cpu import evaluate, max_difference
from pet_mlir.opt import run_pet_opt

# A 3x3 convolution over 32 channels (the generator's reduction split needs
# 16 channels a group) on an image with even sides (H and W splits).
CONV = """
func.func @f(%x: tensor<1x32x8x8xf32>, %w: tensor<4x32x3x3xf32> {pet.weight}) -> tensor<1x4x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1]
      : (tensor<1x32x8x8xf32>, tensor<4x32x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = pet.relu %0 : tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}
"""


@pytest.fixture(scope="module")
def candidates(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("candidates")
    path = tmp / "c.mlir"
    run_pet_opt(CONV, [f"--pet-mutate=candidates={path} candidates-per-part=8",
                       "-o", "/dev/null"])
    return path.read_text()


def _db(tmp_path, times, name="db.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"device": "test", "entries": [
        {"key": k, "time_us": v} for k, v in times.items()]}))
    return path


def _optimize(db, extra=""):
    report = db.parent / "report.json"
    out = run_pet_opt(CONV, [f"--pet-optimize=cost-db={db} report={report} {extra}"])
    return out, json.loads(report.read_text())["functions"][0]["subprograms"][0]


def test_candidates_hold_the_original_and_kept_programs(candidates):
    programs = measure.list_programs(candidates)
    names = [p["name"] for p in programs]
    assert names[0] == "s0_original"
    assert len(programs) > 2 and all(n.startswith("s0_p") for n in names[1:])
    # Distinct programs, distinct keys; the original carries no correction.
    assert len({p["key"] for p in programs}) == len(programs)
    bodies = measure._bodies(candidates)
    assert "pet.correct" not in bodies["s0_original"]
    families = {f for n in names[1:] for f in measure.classify(bodies["s0_original"], bodies[n])}
    assert {"reduction split", "H/W split into the batch"} <= families
    # The partially equivalent ones carry their corrections.
    assert any("pet.correct" in bodies[n] for n in names[1:])
    # The candidates module is valid PET and keeps the weights marked.
    assert "pet.weight" in run_pet_opt(candidates)


def _program(candidates, family, corrected):
    bodies = measure._bodies(candidates)
    for p in measure.list_programs(candidates)[1:]:
        body = bodies[p["name"]]
        if measure.classify(bodies["s0_original"], body) == [family] and \
                ("pet.correct" in body) == corrected:
            return p
    raise AssertionError(f"no {family} program")


@pytest.mark.parametrize("family,corrected", [("reduction split", False),
                                              ("H/W split into the batch", True)])
def test_measured_faster_program_is_taken_and_keeps_values(tmp_path, candidates,
                                                           family, corrected):
    programs = measure.list_programs(candidates)
    chosen = _program(candidates, family, corrected)
    # Everything else measured slower than the original.
    times = {p["key"]: 50.0 for p in programs}
    times[programs[0]["key"]] = 20.0
    times[chosen["key"]] = 5.0
    out, part = _optimize(_db(tmp_path, times), "require-measured=1")
    assert part["status"] == "replaced"
    assert part["measured_before_us"] == 20.0 and part["measured_after_us"] == 5.0
    if corrected:
        assert sum(len(r["boxes"]) for r in part["corrected"]) > 0
    assert max_difference(evaluate(CONV), evaluate(out)) < 1e-6


def test_require_measured_keeps_the_original_without_a_faster_measurement(tmp_path, candidates):
    programs = measure.list_programs(candidates)
    # No program measured: nothing may replace the subprogram, however the
    # estimates compare (min-gain=-100 would take any mutant by estimate).
    out, part = _optimize(_db(tmp_path, {}), "require-measured=1 min-gain=-100")
    assert part["status"] == "kept: no mutant measured faster"
    assert "pet.mutant" not in out
    # All measured, none faster than the original.
    times = {p["key"]: 30.0 for p in programs}
    times[programs[0]["key"]] = 10.0
    out, part = _optimize(_db(tmp_path, times))
    assert part["status"] == "kept: no cheaper mutant"
    assert part["measured_before_us"] == 10.0
    assert all(c["measured_us"] == 30.0 for c in part["candidates"])


def test_collect_and_table(tmp_path, candidates):
    directory = tmp_path / "cand"
    directory.mkdir()
    (directory / "m-on.mlir").write_text(candidates)
    programs = measure.list_programs(candidates)
    (directory / "m-on.programs.json").write_text(json.dumps(programs))
    # Two runs of the timing program (pet-time lines as the runtime prints).
    for run, scale in (("run1", 1.0), ("run2", 3.0)):
        (tmp_path / "out" / run).mkdir(parents=True)
        lines = [f"pet-time[{p['label']}]: median {scale * (10 + p['label']):.3f} us per call "
                 "over 30 replays of 10 calls" for p in programs]
        (tmp_path / "out" / run / "m-on.gpu.txt").write_text("\n".join(lines) + "\n")
        (tmp_path / "out" / run / "device.txt").write_text("Test GPU, 1.0\n")
    base = _db(tmp_path, {"pet.relu : (tensor<1xf32>) -> (tensor<1xf32>)": 1.0}, "ops.json")
    db = measure.collect(directory, tmp_path / "out", "fp32", merge=base)
    assert db["device"] == "Test GPU, 1.0" and db["precision"] == "fp32"
    assert db["programs_measured"] == db["programs_measured_now"] == len(programs)
    times = {e["key"]: e["time_us"] for e in db["entries"]}
    assert times["pet.relu : (tensor<1xf32>) -> (tensor<1xf32>)"] == 1.0
    # The larger of two runs' medians (the upper median).
    assert times[programs[1]["key"]] == pytest.approx(33.0)
    # The TF32-optimized module of the same model holds the same programs:
    # each is listed once, under the model's name.
    (directory / "m-ontf32.mlir").write_text(candidates)
    rows = measure.family_table(directory, {"fp32": db})
    assert len(rows) == len(programs) - 1
    assert rows[0]["original_fp32_us"] == pytest.approx(30.0)
    measure.write_family_table(rows, tmp_path / "t.md", "test")
    text = (tmp_path / "t.md").read_text()
    assert "reduction split" in text and "| m |" in text and "m-on" not in text


@pytest.mark.skipif(shutil.which("ptxas") is None and
                    not __import__("pathlib").Path("/usr/local/cuda/bin/ptxas").exists(),
                    reason="no CUDA toolkit (ptxas) to build kernels")
def test_candidates_compile_to_one_timing_object(tmp_path, candidates):
    obj = tmp_path / "c.o"
    programs = measure.compile_candidates(candidates, obj)
    assert obj.stat().st_size > 0
    assert json.loads(obj.with_suffix(".programs.json").read_text()) == programs
    from test_gpu import symbols
    names = symbols(obj.read_bytes(), tmp_path)
    assert "pet_main" in names and "pet_rt_time_graph_calls" in names


def test_measured_programs_are_left_out_of_the_next_round(candidates):
    programs = measure.list_programs(candidates)
    measured = {programs[0]["key"], programs[2]["key"]}
    rest = measure.without_programs(candidates, measured)
    assert [p["key"] for p in measure.list_programs(rest)] == \
        [p["key"] for p in programs if p["key"] not in measured]
    # What is left is still a valid module.
    run_pet_opt(rest)
