"""The hand-built networks of pet_mlir.models (the GPU equality check's
and the tests' programs) are the reference architectures: parameter
counts and result shapes of torchvision's models and CSRNet's, and
pet-opt verifies each."""

import re
from math import prod

import pytest

from pet_mlir.models import MODELS
from pet_mlir.opt import run_pet_opt


# Parameters of the reference models (torchvision 0.26's resnet18,
# resnext50_32x4d, inception_v3 without its auxiliary classifier; CSRNet),
# and each function's result shape.
REFERENCE = {
    "resnet18": (11_689_512, [1, 1000]),
    "resnext50": (25_028_904, [1, 1000]),
    "inception_v3": (23_834_568, [1, 1000]),
    "csrnet": (16_263_489, [1, 1, 72, 96]),
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
