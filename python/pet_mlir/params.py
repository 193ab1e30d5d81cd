"""A compiled model's named parameters: its manifest and its weights' values.

pet-compile (`--weights params`, the default for ONNX files) keeps a
model's float weights as arguments of the compiled function, marked
`{pet.weight}`, and writes next to its output OUT

  OUT.params.json  the manifest: the function, every argument in order
                   (name, role "input" or "weight", shape, dtype; for a
                   weight the byte offset and size of its values), the
                   results' shapes, and the values file's name;
  OUT.params.bin   the weights' values: raw little-endian float32 in C
                   order, concatenated in argument order (a weight's bytes
                   at its offset; a C program can fread them, numpy can
                   memory-map them).

For example (FORMAT "pet-params/1"):

    {"format": "pet-params/1", "model": "block.onnx", "target": "cpu",
     "function": "resnet_block", "entry": "resnet_block_entry",
     "values": "block.vmfb.params.bin",
     "arguments": [
       {"name": "x", "role": "input", "shape": [1, 8, 16, 16], "dtype": "float32"},
       {"name": "conv1.weight", "role": "weight", "shape": [16, 8, 3, 3],
        "dtype": "float32", "offset": 0, "nbytes": 4608}, ...],
     "results": [{"shape": [1, 16, 8, 8], "dtype": "float32"}]}

Names are the ONNX graph's input and initializer names (what
torch.onnx.export gives a module's parameters: their state_dict names
where it does not fold them). `entry` is the function to call with the
inputs then the weights: for the cpu target `<function>_entry`, which
computes the preprocessed weights (--pet-preprocess) and calls the
function; for linalg the function itself, whose trailing
`{pet.preprocessed}` arguments `<function>_preprocess` computes; for cuda
`pet_<function>_load`, which takes the weights (in this order) and
computes the preprocessed weights, after which `pet_<function>_run` takes
every argument (inputs, then weights), the preprocessed weights and the
results' buffers (the header names the weights and arguments).

    from pet_mlir import params
    weights = params.load("block.vmfb.params.json")          # name -> array
    weights = params.from_state_dict("block.vmfb.params.json", model.state_dict(),
                                     strict=False)
    params.save("tuned.params.json", weights, manifest="block.vmfb.params.json")

Needs numpy (`pip install numpy`, Debian's python3-numpy).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

FORMAT = "pet-params/1"
MANIFEST_SUFFIX = ".params.json"
VALUES_SUFFIX = ".params.bin"

Manifest = Dict[str, Any]
PathLike = Union[str, Path]


class ParamsError(ValueError):
    """Parameters that do not fit a manifest, or a manifest that cannot be
    read; the message says which names and shapes."""


def _np():
    try:
        import numpy
    except ImportError:
        raise ImportError("pet_mlir.params needs numpy: pip install numpy "
                          "(or apt-get install python3-numpy)") from None
    return numpy


def manifest_path(output: PathLike) -> Path:
    """The manifest pet-compile writes next to `output`."""
    return Path(str(output) + MANIFEST_SUFFIX)


def values_path(output: PathLike) -> Path:
    """The values file pet-compile writes next to `output`."""
    return Path(str(output) + VALUES_SUFFIX)


def read_manifest(manifest: Union[PathLike, Manifest]) -> Manifest:
    """The manifest at path `manifest` (a dict is returned as it is), with
    `path` set to where it was read from."""
    if isinstance(manifest, dict):
        return manifest
    path = Path(manifest)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ParamsError(f"{path}: cannot read the manifest: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ParamsError(f"{path}: not a parameter manifest (format {FORMAT!r})")
    data["path"] = str(path)
    return data


def write_manifest(path: PathLike, manifest: Manifest) -> None:
    """Writes `manifest` (without its `path`) as JSON to `path`."""
    data = {k: v for k, v in manifest.items() if k != "path"}
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            # One argument or result a line.
            items = ",\n  ".join(json.dumps(_ordered(item)) for item in value)
            lines.append(f" {json.dumps(key)}: [\n  {items}]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}")
    Path(path).write_text("{\n" + ",\n".join(lines) + "\n}\n")


_KEYS = ("name", "role", "shape", "dtype", "offset", "nbytes")


def _ordered(item: Dict[str, Any]) -> Dict[str, Any]:
    """An argument's keys in the documented order, others after them."""
    return {**{k: item[k] for k in _KEYS if k in item},
            **{k: v for k, v in item.items() if k not in _KEYS}}


def weights(manifest: Union[PathLike, Manifest]) -> List[Dict[str, Any]]:
    """The manifest's weight arguments, in order."""
    return [a for a in read_manifest(manifest)["arguments"] if a["role"] == "weight"]


def inputs(manifest: Union[PathLike, Manifest]) -> List[Dict[str, Any]]:
    """The manifest's input arguments (what a run is given), in order."""
    return [a for a in read_manifest(manifest)["arguments"] if a["role"] == "input"]


def _values_file(manifest: Manifest) -> Path:
    if not manifest.get("values"):
        raise ParamsError("the manifest names no values file")
    values = Path(manifest["values"])
    if not values.is_absolute() and manifest.get("path"):
        values = Path(manifest["path"]).parent / values
    return values


def load(manifest: Union[PathLike, Manifest]) -> "OrderedDict[str, Any]":
    """The weights the manifest's values file holds: name -> float32 numpy
    array of its shape, in argument order."""
    np = _np()
    manifest = read_manifest(manifest)
    path = _values_file(manifest)
    if not path.exists():
        raise ParamsError(f"{path}: the values file is missing")
    size = path.stat().st_size
    result: "OrderedDict[str, Any]" = OrderedDict()
    for arg in weights(manifest):
        count = int(np.prod(arg["shape"], dtype=np.int64))
        if arg.get("dtype", "float32") != "float32" or arg["nbytes"] != 4 * count:
            raise ParamsError(f"weight {arg['name']!r}: {arg['nbytes']} bytes of "
                              f"{arg.get('dtype')} for shape {arg['shape']}")
        if arg["offset"] + arg["nbytes"] > size:
            raise ParamsError(f"{path}: {size} bytes, too short for weight "
                              f"{arg['name']!r} at {arg['offset']}+{arg['nbytes']}")
        array = np.fromfile(path, dtype="<f4", count=count, offset=arg["offset"])
        result[arg["name"]] = array.astype(np.float32).reshape(arg["shape"])
    return result


def as_array(name: str, value: Any):
    """`value` (a numpy array, torch tensor, list, ...) as a numpy array."""
    np = _np()
    if hasattr(value, "detach"):  # a torch tensor (maybe requiring grad, on a GPU)
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":
        raise ParamsError(f"{name!r}: {array.dtype} values, not numbers")
    return array


def from_state_dict(manifest: Union[PathLike, Manifest], state_dict: Mapping[str, Any],
                    *, strict: bool = True) -> "OrderedDict[str, Any]":
    """The manifest's weights taken by name from `state_dict` (a PyTorch
    state_dict, or any mapping of names to numpy arrays or tensors), as
    float32 arrays in argument order. Raises ParamsError naming every
    missing weight and every shape that differs; with `strict`, also
    names in `state_dict` the manifest does not have, except integer
    tensors (BatchNorm's num_batches_tracked), unless strict=False."""
    np = _np()
    wanted = weights(manifest)
    names = {a["name"] for a in wanted}
    problems = []
    missing = [a["name"] for a in wanted if a["name"] not in state_dict]
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    # Integer buffers (BatchNorm's num_batches_tracked) are never weights:
    # a module's state_dict fits its manifest without strict=False.
    extra = [name for name in state_dict if name not in names and
             as_array(name, state_dict[name]).dtype.kind not in "iub"]
    if strict and extra:
        problems.append(f"not in the manifest: {', '.join(map(str, extra))} "
                        "(strict=False ignores them)")
    result: "OrderedDict[str, Any]" = OrderedDict()
    for arg in wanted:
        if arg["name"] not in state_dict:
            continue
        array = as_array(arg["name"], state_dict[arg["name"]])
        if list(array.shape) != list(arg["shape"]):
            problems.append(f"{arg['name']!r} has shape {list(array.shape)}, "
                            f"the model's is {list(arg['shape'])}")
            continue
        result[arg["name"]] = np.asarray(array, dtype=np.float32, order="C")
    if problems:
        raise ParamsError("the parameters do not fit the model: " + "; ".join(problems))
    return result


def save(path: PathLike, params: Mapping[str, Any], *,
         manifest: Optional[Union[PathLike, Manifest]] = None) -> Manifest:
    """Writes `params` (name -> array or tensor) as a manifest at `path` and
    its values file next to it (`path` with .bin for .json); returns the
    manifest written. With `manifest` (a compiled model's), `params` must
    fit it (from_state_dict, strict) and the copy keeps its function,
    inputs and results; without, it lists `params` alone, as weights."""
    np = _np()
    path = Path(path)
    values = path.with_suffix(".bin") if path.suffix == ".json" else Path(str(path) + ".bin")
    if manifest is not None:
        template = read_manifest(manifest)
        arrays = from_state_dict(template, params)
        new = {k: v for k, v in template.items() if k not in ("path", "arguments")}
        arguments = [dict(a) for a in template["arguments"]]
    else:
        arrays = OrderedDict((name, np.asarray(as_array(name, value),
                                               dtype=np.float32, order="C"))
                             for name, value in params.items())
        new = {"format": FORMAT}
        arguments = [dict(name=name, role="weight", shape=list(a.shape), dtype="float32")
                     for name, a in arrays.items()]
    offset = 0
    with open(values, "wb") as out:
        for arg in arguments:
            if arg["role"] != "weight":
                continue
            data = arrays[arg["name"]].astype("<f4").tobytes()
            out.write(data)
            arg.update(offset=offset, nbytes=len(data))
            offset += len(data)
    new.update(values=values.name, arguments=arguments)
    write_manifest(path, new)
    new["path"] = str(path)
    return new
