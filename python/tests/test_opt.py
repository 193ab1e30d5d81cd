"""pet_mlir.run_pet_opt against the built pet-opt."""

import pytest

from pet_mlir import PetOptError, find_pet_opt, run_pet_opt

CONV = """
func.func @f(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = pet.conv2d %x, %w strides [2, 2] pad_low [1, 1] pad_high [1, 1]
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}
"""


def test_round_trip_prints_the_op():
    out = run_pet_opt(CONV)
    assert "pet.conv2d %arg0, %arg1 strides [2, 2] pad_low [1, 1] pad_high [1, 1]" in out
    # What pet-opt prints parses again to the same text.
    assert run_pet_opt(out) == out


def test_passes_run():
    src = """
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = pet.transpose %x perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = pet.transpose %0 perm [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
"""
    assert "pet.transpose" in run_pet_opt(src)
    out = run_pet_opt(src, ["--canonicalize"])
    assert "pet.transpose" not in out
    assert "return %arg0" in out


def test_bad_shape_raises_with_location():
    # The stride-2 conv gives 4x4, not the 5x5 written here.
    bad = CONV.replace("-> tensor<1x4x4x4xf32>\n  return %0 : tensor<1x4x4x4xf32>",
                       "-> tensor<1x4x5x5xf32>\n  return %0 : tensor<1x4x5x5xf32>")
    bad = bad.replace("-> tensor<1x4x4x4xf32> {", "-> tensor<1x4x5x5xf32> {")
    assert bad.count("5x5") == 3
    with pytest.raises(PetOptError) as info:
        run_pet_opt(bad)
    assert info.value.returncode == 1
    assert "<stdin>:3:" in info.value.diagnostics
    assert "are incompatible with return type(s)" in info.value.diagnostics


def test_unknown_op_is_an_error():
    with pytest.raises(PetOptError) as info:
        run_pet_opt('func.func @f() {\n  "pet.frobnicate"() : () -> ()\n  return\n}\n')
    assert "pet.frobnicate" in info.value.diagnostics


def test_missing_binary(monkeypatch, tmp_path):
    with pytest.raises(FileNotFoundError):
        run_pet_opt(CONV, pet_opt=str(tmp_path / "no-such-pet-opt"))
    monkeypatch.setenv("PET_OPT", str(tmp_path / "nope"))
    monkeypatch.setenv("PATH", str(tmp_path))
    # Falls back to this checkout's build, which the test suite has built.
    assert find_pet_opt().endswith("build/bin/pet-opt")


def test_resnet18_builds_and_splits():
    from pet_mlir.models import resnet18
    ir = resnet18()
    out = run_pet_opt(ir, ["--pet-split"])
    assert out.count("pet.conv2d") == 20
    # The stem, two per basic block (the shortcut convolution of a
    # downsampling block reads the block's input, like its first
    # convolution, so they share a subprogram), the classifier: 18.
    assert "pet.subprogram = 17 : i64" in out
    assert "pet.subprogram = 18 : i64" not in out
