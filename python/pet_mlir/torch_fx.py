"""torch.nn.Modules through torch-mlir's FX importer (torch.export) to
linalg-on-tensors, what pet-compile and `pet_mlir.compile.compile(module,
example_inputs=...)` take them in as.

With weights as parameters (the default), the module's floating-point
parameters and buffers (of at least `min_elements` elements: by default
all, a one-element bias too) are passed to
it explicitly (torch.func.functional_call), so that torch.export sees them
as inputs and the imported function takes them as arguments after the
module's own inputs, in state_dict order, under their state_dict names;
their values go to a file (raw little-endian float32, as onnx_params.py
writes for ONNX models). The rest (integer buffers such as BatchNorm's
num_batches_tracked) stays constant. With weights as constants,
torch-mlir inlines them all. The module is exported as it is: call
`.eval()` first for inference (BatchNorm with its running statistics).

A program saved with torch.export.save (.pt2) comes in the same way
(load_exported: its module and the example inputs it was exported with),
which is what `pet-compile MODEL.pt2` does.

Needs torch and torch-mlir in the running Python (pip install torch
torch-mlir; the project's .venv-torch-mlir has both: bash
scripts/setup-torch-mlir.sh).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .compile import MODULE_MIN_ELEMENTS


def is_module(model: Any) -> bool:
    """Whether `model` is a torch.nn.Module (without importing torch)."""
    return any(f"{c.__module__}.{c.__name__}" == "torch.nn.modules.module.Module"
               for c in type(model).__mro__)


def load_exported(path: Path) -> Tuple[Any, Tuple[Any, ...]]:
    """A program saved with torch.export.save (.pt2) as a module (its
    parameters under their original state_dict names) and the example
    inputs it was exported with."""
    import torch
    program = torch.export.load(str(path))
    args, kwargs = program.example_inputs or ((), {})
    if kwargs or not args:
        raise ValueError(f"{path}: saved without positional example inputs "
                         "(export it with example tensors, no keyword arguments)")
    return program.module(), tuple(args)


def function_name_of(text: str) -> str:
    """`text` as a function name: lower case, letters, digits and _."""
    name = "".join(c if c.isalnum() else "_" for c in text.lower())
    return name if name and not name[0].isdigit() else "model_" + name


def function_name(module: Any) -> str:
    """The compiled function's name: the module's class name, lower case."""
    return function_name_of(type(module).__name__)


def module_to_linalg(module: Any, example_inputs: Sequence[Any], *,
                     weights: str = "params", values: Optional[Path] = None,
                     min_elements: int = MODULE_MIN_ELEMENTS,
                     func_name: Optional[str] = None) -> Tuple[str, Dict[str, Any]]:
    """The linalg-on-tensors torch-mlir's FX importer makes of `module`
    called on `example_inputs` (tensors; their shapes are the program's),
    and what it says of the arguments: {"graph": name, "inputs": [...],
    "weights": [...]} with each argument's name, shape and dtype, and for
    weights (weights="params", values written to `values`) the byte offset
    and size of its values."""
    import numpy as np
    import torch
    from torch_mlir import fx

    name = func_name or function_name(module)
    inputs = tuple(example_inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"example input {i} is a {type(x).__name__}, not a tensor")
    described = [dict(name=f"input{i}", shape=list(x.shape),
                      dtype=str(x.dtype).replace("torch.", ""))
                 for i, x in enumerate(inputs)]
    if weights == "constants":
        imported = fx.export_and_import(module, *inputs, output_type="linalg-on-tensors",
                                        func_name=name)
        return str(imported), dict(graph=name, inputs=described, weights=[])
    if weights != "params":
        raise ValueError(f"weights must be 'params' or 'constants', not {weights!r}")
    if values is None:
        raise ValueError("weights='params' needs `values`, the file for their values")
    state = module.state_dict()
    names = [n for n, t in state.items()
             if t.dtype == torch.float32 and t.numel() >= min_elements]
    tensors = [state[n].detach() for n in names]

    class Functional(torch.nn.Module):
        """`module` with the named tensors passed as arguments."""

        def __init__(self):
            super().__init__()
            self.inner = module

        def forward(self, *args):
            given = dict(zip(names, args[len(inputs):]))
            return torch.func.functional_call(self.inner, given, args[:len(inputs)])

    imported = fx.export_and_import(Functional(), *inputs, *tensors,
                                    output_type="linalg-on-tensors", func_name=name)
    described_weights: List[Dict[str, Any]] = []
    offset = 0
    with open(values, "wb") as out:
        for n, t in zip(names, tensors):
            array = np.ascontiguousarray(t.cpu().numpy().astype("<f4"))
            out.write(array.tobytes())
            described_weights.append(dict(name=n, shape=list(array.shape), dtype="float32",
                                          offset=offset, nbytes=array.nbytes))
            offset += array.nbytes
    return str(imported), dict(graph=name, inputs=described, weights=described_weights)
