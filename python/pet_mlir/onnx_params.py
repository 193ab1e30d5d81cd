"""ONNX initializers as named graph inputs, their values in one file: what
pet-compile's `--weights params` does to an ONNX model before torch-mlir
imports it (python/pet_mlir/compile.py).

    python onnx_params.py MODEL.onnx OUT.onnx VALUES.bin [--min-elements N]

Every float32 initializer with at least N elements (default 2: scalars such
as GELU's 0.5 or attention's 1/sqrt(d) stay constants, which the importer
folds into `pet.scale`) and not read as a shape-like operand (Resize's roi
and scales) becomes a graph input of its own name, after the model's own
inputs, in the order of the model's initializers; its values are appended
to VALUES.bin (raw little-endian float32, C order). Initializers of other
types, and those left, stay initializers; one that was also listed as a
graph input (ONNX before IR version 4: an input with a default) is then
no longer an input. Prints, as JSON on stdout, the graph's name, its
inputs and its weights: name, shape, dtype, and for weights the byte
offset and size of their values in VALUES.bin.

Runs where the `onnx` package is (.venv-torch-mlir, next to torch-mlir's
importer); needs nothing of pet_mlir.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Dict, List, Optional, Sequence, Set

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DEFAULT_MIN_ELEMENTS = 2

# Operands that must stay constant for the model to have static shapes:
# (op type, operand index).
_SHAPE_OPERANDS = {("Resize", 1), ("Resize", 2), ("Upsample", 1)}


def _shape_like(graph: onnx.GraphProto) -> Set[str]:
    """Names read as a shape-like operand by some node of `graph`."""
    names = set()
    for node in graph.node:
        for index, name in enumerate(node.input):
            if (node.op_type, index) in _SHAPE_OPERANDS:
                names.add(name)
    return names


def to_params(model: onnx.ModelProto, values_path: str,
              min_elements: int = DEFAULT_MIN_ELEMENTS) -> Dict:
    """Rewrites `model` in place (chosen initializers as trailing inputs),
    writes their values to `values_path`; returns what main prints."""
    graph = model.graph
    initializers = {init.name for init in graph.initializer}
    keep_constant = _shape_like(graph)
    chosen: List[TensorProto] = []
    for init in graph.initializer:
        if (init.data_type == TensorProto.FLOAT and init.name not in keep_constant and
                int(np.prod(init.dims, dtype=np.int64)) >= min_elements):
            chosen.append(init)
    chosen_names = {init.name for init in chosen}
    inputs = [value for value in graph.input if value.name not in initializers]
    weights = []
    offset = 0
    with open(values_path, "wb") as out:
        for init in chosen:
            array = np.asarray(numpy_helper.to_array(init), dtype="<f4", order="C")
            out.write(array.tobytes())
            weights.append(dict(name=init.name, shape=list(array.shape), dtype="float32",
                                offset=offset, nbytes=array.nbytes))
            offset += array.nbytes
    new_inputs = list(inputs) + [
        helper.make_tensor_value_info(init.name, TensorProto.FLOAT, list(init.dims))
        for init in chosen]
    del graph.input[:]
    graph.input.extend(new_inputs)
    rest = [init for init in graph.initializer if init.name not in chosen_names]
    del graph.initializer[:]
    graph.initializer.extend(rest)

    def describe(value: onnx.ValueInfoProto) -> Dict:
        tensor = value.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None)
                for d in tensor.shape.dim]
        return dict(name=value.name, shape=dims,
                    dtype=helper.tensor_dtype_to_np_dtype(tensor.elem_type).name)

    return dict(graph=graph.name, inputs=[describe(v) for v in inputs], weights=weights)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("output", help="the rewritten ONNX model")
    parser.add_argument("values", help="where the weights' values go (raw little-endian f32)")
    parser.add_argument("--min-elements", type=int, default=DEFAULT_MIN_ELEMENTS)
    args = parser.parse_args(argv)
    model = onnx.load(args.model)
    info = to_params(model, args.values, args.min_elements)
    onnx.save(model, args.output)
    json.dump(info, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
