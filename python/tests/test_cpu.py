"""The CPU path: PET -> linalg -> LLVM, run with mlir-runner.

Every lowering is checked against PET's reference evaluator on the same
generated inputs, and optimized programs against their originals. Tolerance:
1e-5 of the largest |value| of a result (f32 arithmetic against double, with
printMemrefF32's six significant digits).
"""

from pathlib import Path

import pytest

from pet_mlir import cpu
from pet_mlir.models import resnet18
from pet_mlir.opt import run_pet_opt

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-5

try:
    cpu.find_llvm_tool("mlir-runner")
    cpu.runner_libraries()
    HAVE_RUNNER = True
except FileNotFoundError as error:  # pragma: no cover - depends on the machine
    HAVE_RUNNER = False
    SKIP_REASON = f"MLIR's CPU runner is missing: {error}"

needs_runner = pytest.mark.skipif(not HAVE_RUNNER,
                                  reason=SKIP_REASON if not HAVE_RUNNER else "")


def chunks(path: Path):
    return [c for c in path.read_text().split("// -----") if "func.func" in c]


def public_functions(source: str):
    import re
    return re.findall(r"func\.func @(\w+)\(", source)


def test_generated_inputs_are_what_pet_opt_feeds():
    src = """
func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<5xf32>) -> (tensor<2x3x4xf32>, tensor<5xf32>) {
  %0 = pet.scale %a by 1.0 : tensor<2x3x4xf32>
  %1 = pet.scale %b by 1.0 : tensor<5xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<5xf32>
}
"""
    results = cpu.evaluate(src, seed=7)
    assert [shape for shape, _ in results] == [[2, 3, 4], [5]]
    for arg, (shape, values) in enumerate(results):
        expected = cpu.generate_input(shape, 7, arg)
        assert values == pytest.approx(expected, rel=1e-7, abs=1e-12)
    # Other seeds and arguments give other values.
    assert cpu.generate_input([5], 7, 1) != cpu.generate_input([5], 8, 1)
    assert cpu.generate_input([5], 7, 0) != cpu.generate_input([5], 7, 1)


@needs_runner
@pytest.mark.parametrize(
    "chunk", chunks(ROOT / "test/Conversion/PETToLinalg/ops.mlir"),
    ids=lambda c: public_functions(c)[0])
def test_lowering_matches_the_evaluator(chunk):
    on_cpu = cpu.run_on_cpu(chunk)
    reference = cpu.evaluate(chunk)
    assert len(on_cpu) == len(reference) > 0
    assert cpu.max_difference(reference, on_cpu) <= TOLERANCE
    # Not all zeros: the comparison means something.
    assert any(v != 0 for _, values in on_cpu for v in values)


@needs_runner
@pytest.mark.parametrize(
    "chunk", chunks(ROOT / "test/Transforms/correction-kernels.mlir"),
    ids=lambda c: public_functions(c)[0])
def test_correction_kernels_compute_the_corrections(chunk):
    # The reference evaluator applies pet.correct's semantics (the region's
    # values on the boxes, the mutant elsewhere); the loop must agree, as
    # must --pet-correct's per-box operators.
    lowered = run_pet_opt(chunk, ["--pet-correction-kernels"])
    on_cpu = cpu.run_on_cpu(lowered)
    reference = cpu.evaluate(chunk)
    assert cpu.max_difference(reference, on_cpu) <= TOLERANCE
    per_box = cpu.run_on_cpu(chunk, pet_args=["--pet-correct"])
    assert cpu.max_difference(per_box, on_cpu) <= TOLERANCE
    if "pet.correct" in lowered:
        assert "pet.softmax" in chunk  # the one case left for --pet-correct
        return
    assert "scf.forall" in lowered or "boxes [[]]" in chunk
    # The mutants are the last arguments: where boxes were corrected, the
    # results are not the mutants' values (the check above means something).
    import re
    signature = re.search(r"func\.func @\w+\((.*?)\) ->", chunk).group(1)
    num_args = signature.count(": tensor<")
    for i, (shape, values) in enumerate(on_cpu):
        mutant = cpu.generate_input(shape, 1, num_args - len(on_cpu) + i)
        changed = any(abs(a - b) > 1e-6 for a, b in zip(mutant, values))
        assert changed == ("boxes [[]]" not in chunk)


@needs_runner
@pytest.mark.parametrize(
    "chunk", chunks(ROOT / "test/Conversion/PETToLinalg/ops.mlir") +
    chunks(ROOT / "test/Conversion/PETToGPU/fuse-elementwise.mlir") +
    chunks(ROOT / "test/Conversion/PETToGPU/split-reductions.mlir"),
    ids=lambda c: public_functions(c)[0])
def test_gpu_linalg_transforms_keep_values(chunk):
    # The GPU pipeline's element-wise fusion and reduction splitting,
    # checked on the CPU path.
    transformed = cpu.run_on_cpu(
        chunk, linalg_args=["--pet-fuse-elementwise", "--pet-split-reductions"])
    assert cpu.max_difference(cpu.evaluate(chunk), transformed) <= TOLERANCE


def optimized_cases():
    cases = []
    for chunk in chunks(ROOT / "test/Transforms/mutate-families.mlir"):
        cases.append((public_functions(chunk)[0], chunk,
                      "--pet-optimize=min-gain=-100"))
        cases.append((public_functions(chunk)[0] + "-merge-costs", chunk,
                      "--pet-optimize=cost-db="
                      f"{ROOT}/test/Transforms/Inputs/merge-costs.json"))
    rounds = (ROOT / "test/Transforms/mutate-rounds.mlir").read_text()
    cases.append(("merge-then-split", rounds, "--pet-optimize=cost-db="
                  f"{ROOT}/test/Transforms/Inputs/merge-split-costs.json"))
    seam = (ROOT / "examples/seam_conv.mlir").read_text()
    cases.append(("seam-conv", seam,
                  f"--pet-optimize=cost-db={ROOT}/examples/split-conv-costs.json"))
    # Every mutant taken: merged filters become a preprocessing function that
    # the entry point runs first, as a runtime does at load. Each convolution
    # searched alone (max-window-ops=1): with batch normalization folded
    # before the search, a convolution and its bias are a subprogram of two
    # operators, which a whole search leaves without mutants, and this case
    # is to carry one with corrected boxes (a seam split).
    cases.append(("resnet18-32px-all-mutants", resnet18(image=32, classes=10),
                  "--pet-optimize=min-gain=-100 max-window-ops=1"))
    # The same with each subprogram's corrections as one parallel loop (what
    # the GPU pipeline runs).
    for name, source, flag in list(cases):
        if name in ("merge-then-split", "seam-conv", "resnet18-32px-all-mutants"):
            cases.append((name + "-kernels", source, flag + " correction-kernels=1"))
    return cases


@needs_runner
@pytest.mark.parametrize("name,source,flag", optimized_cases(),
                         ids=[c[0] for c in optimized_cases()])
def test_optimized_program_computes_the_original_on_cpu(name, source, flag):
    optimized = run_pet_opt(source, [flag])
    original = cpu.run_on_cpu(source)
    after = cpu.run_on_cpu(optimized)
    assert cpu.max_difference(original, after) <= TOLERANCE
    # The original also agrees with the reference evaluator.
    assert cpu.max_difference(cpu.evaluate(source), original) <= TOLERANCE
    if "min-gain" in flag or name in ("merge-then-split", "seam-conv"):
        assert "pet.mutant" in optimized, "no mutant applied: the test would be vacuous"
    if name.endswith("-kernels"):
        assert "scf.forall" in optimized and "pet.insert" not in optimized
    if name.startswith("resnet18-32px-all-mutants"):
        assert "pet.preprocess = @resnet18_preprocess" in optimized


@needs_runner
def test_resnet18_optimized_with_a_cost_database_matches_on_cpu(tmp_path):
    # A small ResNet-18 (32x32 input). The database makes the first stage's
    # convolutions on a batch of two half images fast, so mutants replace
    # them (with corrections) and the program differs from the original.
    source = resnet18(image=32, classes=10)
    keys = run_pet_opt(source, ["--pet-estimate-cost=emit-keys=true"])
    import json
    import re
    entries = []
    for key in sorted(set(re.findall(r'pet\.cost_key = "([^"]*)"', keys))):
        if key.startswith("pet.conv2d"):
            entries.append({"key": key, "time_us": 100.0})
            # The same convolution on two half images.
            half = re.sub(r"\(tensor<1x(\d+)x(\d+)x",
                          lambda m: f"(tensor<2x{m.group(1)}x{int(m.group(2)) // 2}x",
                          key, count=1)
            half = re.sub(r"-> \(tensor<1x(\d+)x(\d+)x",
                          lambda m: f"-> (tensor<2x{m.group(1)}x{int(m.group(2)) // 2}x",
                          half, count=1)
            entries.append({"key": half, "time_us": 10.0})
    db = tmp_path / "costs.json"
    db.write_text(json.dumps({"entries": entries}))
    optimized = run_pet_opt(source, [f"--pet-optimize=cost-db={db}"])
    assert "pet.mutant" in optimized
    original = cpu.run_on_cpu(source)
    after = cpu.run_on_cpu(optimized)
    assert original[0][0] == [1, 10]
    assert cpu.max_difference(original, after) <= TOLERANCE


@needs_runner
def test_filters_stored_krsc_compute_the_same_on_cpu():
    # --pet-gpu-filters-last (programs for TF32 tensor cores): the
    # preprocessing function returns the filters F x KH x KW x C and the
    # network reads them back through a transpose; its results are the
    # same (the GPU runs these transposes as strided views).
    from pet_mlir import gpu
    prepared = run_pet_opt(resnet18(image=32, classes=10), list(gpu.PREPARE))
    krsc = run_pet_opt(prepared, ["--pet-gpu-filters-last"])
    assert krsc.count("perm [0, 2, 3, 1]") == 20  # one per convolution
    assert krsc.count("perm [0, 3, 1, 2]") == 20
    assert cpu.max_difference(cpu.run_on_cpu(prepared),
                              cpu.run_on_cpu(krsc)) <= TOLERANCE


@needs_runner
def test_merged_split_biases_compute_the_same_on_cpu():
    # --pet-merge-split-biases (part of --pet-optimize): a split's pieces'
    # biases added as one before it; the same results.
    source = """
func.func @merged(%x: tensor<8x64xf32>, %bk: tensor<1x32xf32>, %bv: tensor<1x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %0:2 = pet.split %x axis 1 sizes [32, 32] : (tensor<8x64xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>)
  %1 = pet.add %0#0, %bk : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %2 = pet.add %bv, %0#1 : (tensor<1x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  return %1, %2 : tensor<8x32xf32>, tensor<8x32xf32>
}
"""
    merged = run_pet_opt(source, ["--pet-merge-split-biases"])
    assert "pet.concat" in merged
    assert cpu.max_difference(cpu.run_on_cpu(source), cpu.run_on_cpu(merged)) == 0.0
