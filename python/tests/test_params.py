"""Weights as named parameters (pet-compile --weights params): an ONNX
model's initializers become the compiled function's `{pet.weight}`
arguments with their ONNX names, listed in a manifest (OUT.params.json)
with their values in OUT.params.bin; pet_mlir.params loads, maps and saves
them, and the cpu module run with them equals onnx's reference evaluator.
The manifest round-trips. The ONNX tests need torch-mlir and onnx in
.venv-torch-mlir (scripts/setup-torch-mlir.sh) and, to run the cpu module,
IREE (scripts/setup-iree.sh); without them they are skipped, saying so."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

np = pytest.importorskip("numpy", reason="pet_mlir.params needs numpy "
                         "(apt-get install python3-numpy; scripts/setup.sh does)")

from pet_mlir import compile as pet_compile
from pet_mlir import params
from pet_mlir.opt import run_pet_opt

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-torch-mlir"

needs_torch_mlir = pytest.mark.skipif(
    not (VENV / "bin/torch-mlir-import-onnx").exists(),
    reason="torch-mlir not installed (bash scripts/setup-torch-mlir.sh; CI does)")


def _have_iree() -> bool:
    from pet_mlir import iree
    try:
        iree.find_iree_tool("iree-compile")
        iree.find_iree_tool("iree-run-module")
        return True
    except FileNotFoundError:
        return False


needs_iree = pytest.mark.skipif(not _have_iree(),
                                reason="IREE not installed (bash scripts/setup-iree.sh; CI does)")


def _arrays_equal(a, b) -> bool:
    return list(a) == list(b) and all(
        a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and np.array_equal(a[k], b[k])
        for k in a)


def test_manifest_round_trips(tmp_path):
    """save -> load gives the same names, in the same order, and the same
    float32 arrays; saving again after a model's manifest keeps its
    function, inputs and results and writes the same bytes."""
    rng = np.random.default_rng(3)
    weights = {"conv1.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
               "bn1.bias": rng.standard_normal(4).astype(np.float32),
               "fc.weight": rng.standard_normal((10, 4)).astype(np.float64),  # cast
               "scalar": np.float32(2.5)}
    first = params.save(tmp_path / "w.params.json", weights)
    loaded = params.load(tmp_path / "w.params.json")
    assert list(loaded) == list(weights)
    for name, value in weights.items():
        assert loaded[name].dtype == np.float32
        assert loaded[name].shape == np.shape(value)
        assert np.array_equal(loaded[name], np.asarray(value, np.float32))
    assert (tmp_path / "w.params.bin").stat().st_size == 4 * sum(
        np.size(v) for v in weights.values())
    assert [a["offset"] for a in first["arguments"]] == [0, 432, 448, 608]

    # A model's manifest: inputs and results kept, weights rewritten.
    model = dict(first, function="f", entry="f_entry", target="cpu",
                 results=[{"shape": [1, 10], "dtype": "float32"}])
    model["arguments"] = [{"name": "x", "role": "input", "shape": [1, 3, 8, 8],
                           "dtype": "float32"}] + first["arguments"]
    params.write_manifest(tmp_path / "model.params.json", model)
    second = params.save(tmp_path / "copy.params.json", loaded,
                         manifest=tmp_path / "model.params.json")
    again = params.load(tmp_path / "copy.params.json")
    assert _arrays_equal(again, loaded)
    reread = params.read_manifest(tmp_path / "copy.params.json")
    for key in ("function", "entry", "target", "results", "arguments"):
        assert reread[key] == model[key] == second[key], key
    assert reread["values"] == "copy.params.bin"
    assert ((tmp_path / "copy.params.bin").read_bytes() ==
            (tmp_path / "w.params.bin").read_bytes())


def test_from_state_dict_checks_names_and_shapes(tmp_path):
    """Mapping a state_dict by name: in the manifest's order, as float32;
    a missing name, a wrong shape or (strict) an extra name is a
    ParamsError that names them."""
    weights = {"a.weight": np.ones((2, 3), np.float32), "a.bias": np.zeros(2, np.float32)}
    manifest = params.save(tmp_path / "m.params.json", weights)
    state = {"a.bias": [1.0, 2.0], "a.weight": np.arange(6.0).reshape(2, 3)}
    mapped = params.from_state_dict(manifest, state)
    assert list(mapped) == ["a.weight", "a.bias"]
    assert mapped["a.weight"].dtype == np.float32 and mapped["a.bias"].tolist() == [1, 2]

    with pytest.raises(params.ParamsError, match=r"'a.weight' has shape \[3, 2\], "
                                                 r"the model's is \[2, 3\]"):
        params.from_state_dict(manifest, dict(state, **{"a.weight": np.ones((3, 2))}))
    with pytest.raises(params.ParamsError, match="missing: a.bias"):
        params.from_state_dict(manifest, {"a.weight": state["a.weight"]})
    # An integer buffer (BatchNorm's step count) is never a weight: ignored;
    # a float tensor the manifest lacks is an error unless strict=False.
    counted = dict(state, **{"bn.num_batches_tracked": np.array(7)})
    assert list(params.from_state_dict(manifest, counted)) == list(mapped)
    extra = dict(state, **{"bn.running_mean": np.zeros(2, np.float32)})
    with pytest.raises(params.ParamsError, match="not in the manifest: "
                                                 "bn.running_mean"):
        params.from_state_dict(manifest, extra)
    assert list(params.from_state_dict(manifest, extra, strict=False)) == list(mapped)
    with pytest.raises(params.ParamsError, match="not a parameter manifest"):
        (tmp_path / "bad.json").write_text("{}")
        params.load(tmp_path / "bad.json")


def test_header_names_the_weights(tmp_path):
    """The cuda target's header gets the model's names (no CUDA needed: the
    header pet-opt writes for the C API, names added as pet-compile does),
    and compiles as C."""
    program = ("func.func @f(%x: tensor<2x3xf32>, %w: tensor<3x4xf32> {pet.weight}) "
               "-> tensor<2x4xf32> {\n"
               "  %0 = pet.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) "
               "-> tensor<2x4xf32>\n  return %0 : tensor<2x4xf32>\n}\n")
    header = tmp_path / "f.h"
    run_pet_opt(program, [f"--pet-add-inference-api=header={header}", "-o", os.devnull])
    manifest = {"format": params.FORMAT, "function": "f", "values": "libf.so.params.bin",
                "arguments": [
                    {"name": "input", "role": "input", "shape": [2, 3], "dtype": "float32"},
                    {"name": 'fc"weight', "role": "weight", "shape": [3, 4],
                     "dtype": "float32", "offset": 0, "nbytes": 48}]}
    pet_compile.add_names_to_header(header, manifest)
    text = header.read_text()
    assert 'pet_f_weight_names[] = {"fc\\"weight"};' in text
    assert 'pet_f_argument_names[] = {"input", "fc\\"weight"};' in text
    assert "pet_f_weight_offsets[] = {0};" in text
    assert text.rstrip().endswith("#endif")
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc:
        main = tmp_path / "main.c"
        main.write_text(f'#include "{header}"\nint main(void) '
                        '{ return pet_f_weight_names[0][0] != \'f\'; }\n')
        subprocess.run([cc, "-fsyntax-only", f"-I{ROOT / 'runtime/include'}", str(main)],
                       check=True)


_MAKE_ONNX = """
import json, sys
import numpy as np
import onnx
from onnx import numpy_helper
from onnx.reference import ReferenceEvaluator
from pet_mlir import onnx_models, onnx_params
model = getattr(onnx_models, sys.argv[1])(**json.loads(sys.argv[2]))
onnx.save(model, sys.argv[3])
rng = np.random.default_rng(5)
feeds = {v.name: rng.standard_normal([d.dim_value for d in v.type.tensor_type.shape.dim])
         .astype(np.float32) for v in model.graph.input}
out = {f"input:{k}": v for k, v in feeds.items()}
for i, o in enumerate(ReferenceEvaluator(model).run(None, feeds)):
    out[f"expected:{i}"] = o
inits = [(i.name, numpy_helper.to_array(i)) for i in model.graph.initializer]
out.update({f"init:{n}": a for n, a in inits})
# Other weights (each float initializer of >= 2 elements times 1.5), fed to
# the model with its initializers as inputs.
alt = {n: (a * 1.5).astype(np.float32) for n, a in inits
       if a.dtype == np.float32 and a.size >= 2}
onnx_params.to_params(model, sys.argv[4] + ".bin")
for i, o in enumerate(ReferenceEvaluator(model).run(None, {**feeds, **alt})):
    out[f"expected_alt:{i}"] = o
out.update({f"alt:{n}": a for n, a in alt.items()})
np.savez(sys.argv[4], **out)
json.dump([n for n, _ in inits], open(sys.argv[4] + ".names.json", "w"))
"""


def _make_onnx(tmp_path, model, options):
    """The ONNX model file, and what onnx computes of it: its inputs,
    reference outputs, initializers (in order) and, with other weights
    (alt:NAME), their outputs (expected_alt:I)."""
    path, data = tmp_path / f"{model}.onnx", tmp_path / "reference.npz"
    subprocess.run([str(VENV / "bin/python"), "-c", _MAKE_ONNX, model,
                    json.dumps(options), str(path), str(data)],
                   check=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "python")))
    names = json.loads(Path(str(data) + ".names.json").read_text())
    with np.load(data) as npz:
        return path, {k: npz[k] for k in npz.files}, names


def _close(expected, got) -> float:
    """max |expected - got| over the largest |expected|."""
    assert expected.shape == got.shape
    return float(np.abs(expected - got).max() / np.abs(expected).max())


MODELS = [
    ("resnet_block", {"image": 16, "channels": 8}),
    ("bert_layer", {"seq": 8, "hidden": 32, "heads": 2, "ffn": 64}),
]


@needs_torch_mlir
@needs_iree
@pytest.mark.parametrize("model,options", MODELS, ids=[m for m, _ in MODELS])
def test_onnx_weights_as_named_parameters_on_cpu(tmp_path, model, options):
    """An ONNX file with initializers compiled with params for the cpu
    target (every mutant taken): the manifest lists the initializers'
    names and shapes, the values file holds their values, and the module
    run with them (from the file, from a state_dict of other values, from
    a saved copy) equals onnx's reference evaluator within 1e-4."""
    path, ref, names = _make_onnx(tmp_path, model, options)
    module = tmp_path / "model.vmfb"
    optimized = pet_compile.compile(path, target="cpu", output=module,
                                    optimize="min-gain=-100")
    assert "pet.mutant" in optimized and "{pet.weight}" in optimized
    manifest = params.read_manifest(str(module) + ".params.json")
    assert manifest["function"] == model and manifest["entry"] == f"{model}_entry"
    assert manifest["values"] == "model.vmfb.params.bin"
    # Every float initializer of >= 2 elements, in the model's order; the
    # scalars (and Reshape's int64 shapes) stay constants.
    inits = {n: ref[f"init:{n}"] for n in names}
    weights = [n for n in names if inits[n].dtype == np.float32 and inits[n].size >= 2]
    assert [a["name"] for a in params.inputs(manifest)] == ["x"]
    assert [a["name"] for a in params.weights(manifest)] == weights
    assert [a["shape"] for a in params.weights(manifest)] == \
        [list(inits[n].shape) for n in weights]
    assert len(manifest["results"]) == 1
    loaded = params.load(manifest)
    assert list(loaded) == weights
    assert all(np.array_equal(loaded[n], inits[n]) for n in weights)

    x = ref["input:x"]
    got = pet_compile.run_cpu(module, [x])
    assert _close(ref["expected:0"], got[0]) <= 1e-4
    # Other weights, by name from a state_dict (names in any order).
    alt = {n: ref[f"alt:{n}"] for n in reversed(weights)}
    got_alt = pet_compile.run_cpu(module, {"x": x}, params=alt)
    assert _close(ref["expected_alt:0"], got_alt[0]) <= 1e-4
    assert _close(ref["expected:0"], got_alt[0]) > 1e-2
    # Saved and loaded again: the same results.
    params.save(tmp_path / "alt.params.json", alt, manifest=manifest)
    again = pet_compile.run_cpu(module, [x], params=tmp_path / "alt.params.json")
    assert np.array_equal(again[0], got_alt[0])
    with pytest.raises(params.ParamsError, match="missing: " + weights[0]):
        pet_compile.run_cpu(module, [x], params={n: alt[n] for n in weights[1:]})


@needs_torch_mlir
def test_weights_constants_and_min_elements(tmp_path, capsys):
    """`--weights constants` imports the weights into the program as
    before (no arguments, no manifest); `--min-elements` leaves smaller
    initializers constants; the default is params."""
    path, ref, names = _make_onnx(tmp_path, *MODELS[0])
    out = tmp_path / "out.mlir"
    assert pet_compile.main([str(path), "-o", str(out), "--weights", "constants",
                             "-q"]) == 0
    assert not Path(str(out) + ".params.json").exists()
    assert "pet.weight" not in out.read_text()
    assert "func.func @resnet_block(%arg0: tensor<1x8x16x16xf32>) ->" in out.read_text()

    assert pet_compile.main([str(path), "-o", str(out), "--min-elements", "100",
                             "-q"]) == 0
    manifest = params.read_manifest(str(out) + ".params.json")
    big = [n for n in names if ref[f"init:{n}"].size >= 100]
    assert [a["name"] for a in params.weights(manifest)] == big
    assert out.read_text().count("{pet.weight}") == len(big)
    assert capsys.readouterr().err == ""


HAS_PTXAS = shutil.which("ptxas") is not None or Path("/usr/local/cuda/bin/ptxas").exists()


@needs_torch_mlir
@pytest.mark.skipif(not HAS_PTXAS, reason="no ptxas (CUDA toolkit) to build the kernels' fatbin")
def test_cuda_target_names_its_weights(tmp_path):
    """--target cuda with params: the library's load takes the weights, and
    its header and the manifest name them (running it: the GPU machine)."""
    if not (ROOT / "build/lib/libpet_runtime.so").exists():
        pytest.skip("the GPU runtime was not built (no CUDA toolkit or cuDNN)")
    path, ref, names = _make_onnx(tmp_path, *MODELS[0])
    library = tmp_path / "libblock.so"
    pet_compile.compile(path, target="cuda", output=library)
    manifest = params.read_manifest(str(library) + ".params.json")
    assert manifest["entry"] == "pet_resnet_block_load"
    weights = [a["name"] for a in params.weights(manifest)]
    header = (tmp_path / "libblock.h").read_text()
    assert "pet_resnet_block_weight_names[] = {" + ", ".join(
        f'"{n}"' for n in weights) + "};" in header
    assert f"pet_resnet_block_load(float *w1, float *w2," in header
