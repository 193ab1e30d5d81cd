"""pet-compile: a model file to a PET-optimized program.

    pet-compile MODEL.{mlir,onnx,pt2} --target {linalg,cpu,cuda} -o OUT [--func F]
                [--weights {params,constants}] [--min-elements N]
                [--layout {nchw,krsc,nhwc,nhwc-krsc}]

MODEL is linalg-on-tensors (what torch-mlir and IREE speak; imported with
--convert-linalg-to-pet), PET IR, or an ONNX file (through torch-mlir's
ONNX importer: `pip install torch-mlir`, or `bash scripts/setup-torch-mlir.sh`).
The program is optimized with --pet-optimize (OPTIONS from --optimize) and
then

  linalg  written as linalg-on-tensors (OUT, .mlir): what IREE compiles,
          and what our CPU path runs (`python -m pet_mlir.cpu`);
  cpu     that linalg compiled by IREE for its llvm-cpu backend (OUT, a
          .vmfb module for iree-run-module or IREE's Python runtime; IREE's
          tools from $PET_IREE_DIR, .venv-iree or PATH);
  cuda    compiled for the GPU (sm_90a) into a shared library OUT with
          pet_<func>_load/run/free entry points declared in OUT's header
          (OUT with .h; --header names another), linked against
          libpet_runtime.so (--runtime-dir, $PET_RUNTIME_DIR or build/lib).
          --layout stores convolution outputs NHWC (nhwc) and/or the
          preprocessed filters KRSC (krsc): the layouts of cuDNN's TF32
          tensor-core kernels (default nchw, what FP32 runs fastest in).

An ONNX model's weights are, by default (`--weights params`), named
parameters: every float32 initializer of at least N elements (--min-elements,
default 2: scalars such as GELU's 0.5 stay constants, which the importer
folds into the operators) becomes an argument of the compiled function,
after the model's inputs, marked `{pet.weight}` (so --pet-preprocess
computes what depends only on weights once, at load), and pet-compile
writes next to OUT

  OUT.params.json  the manifest: the function and the entry point to call,
                   every argument in order with its ONNX name, role (input
                   or weight), shape and dtype, each weight's byte offset
                   in OUT.params.bin, and the results' shapes;
  OUT.params.bin   the weights' values, raw little-endian float32,
                   concatenated in argument order.

The cpu module's `<func>_entry` takes the inputs then the weights (and
computes the preprocessed weights); the cuda library's `pet_<func>_load`
takes the weights in the manifest's order (then buffers for the
preprocessed weights) and `pet_<func>_run` every argument, inputs then
weights, then the preprocessed weights and the results' buffers; the
header names them (`pet_<func>_weight_names`, `_weight_offsets`,
`_argument_names`, added by pet-compile).
`pet_mlir.params` loads the values (`load`), maps a PyTorch state_dict onto
them by name (`from_state_dict`) and writes new ones (`save`);
`run_cpu(module, inputs, params=...)` runs the cpu module with them.
`--weights constants` imports the weights as constants inside the program,
as before (no manifest). MLIR input is compiled as it is: arguments it marks
`{pet.weight}` stay arguments.

From Python: `pet_mlir.compile.compile(path_or_text, target=..., output=...,
weights=...)`. pet-opt is $PET_OPT, this checkout's build/bin/pet-opt, or
the one on PATH.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import gpu
from .cpu import ToolError
from .opt import (PetOptError, mutant_remarks, optimize_flag, run_pet_opt,
                  run_pet_opt_with_remarks)

TARGETS = ("linalg", "cpu", "cuda")
WEIGHTS = ("params", "constants")
# Float initializers (parameters) with fewer elements stay constants; the
# default of torch_fx.py too, and of onnx_params.py (which runs in
# torch-mlir's venv without pet_mlir, so it states its own).
DEFAULT_MIN_ELEMENTS = 2
# A torch.nn.Module's float parameters and buffers are all weights, a
# one-element bias too (loading a state_dict must reach every entry).
MODULE_MIN_ELEMENTS = 1


class CompileError(RuntimeError):
    """The model cannot be compiled; the message says why."""


def _looks_like_onnx(data: bytes) -> bool:
    """Whether `data` starts as a serialized ONNX ModelProto does: with its
    field 1, ir_version, a varint (protobuf writes fields in order)."""
    return data[:1] == b"\x08"


def load(model: Union[str, Path]) -> str:
    """The model as MLIR text: a path to .mlir or .onnx, or MLIR text."""
    if isinstance(model, str) and ("func.func" in model or model.lstrip().startswith("module")):
        return model
    path = Path(model)
    if not path.exists():
        raise CompileError(f"{path}: no such file")
    data = path.read_bytes()
    if path.suffix == ".onnx":
        if not _looks_like_onnx(data):
            raise CompileError(f"{path}: not an ONNX model (no ModelProto fields)")
        from . import torch_import
        try:
            return torch_import.onnx_file_to_linalg(path)
        except FileNotFoundError as error:
            raise CompileError(f"ONNX input needs torch-mlir: {error}") from None
        except subprocess.CalledProcessError as error:
            raise CompileError(f"{path}: torch-mlir could not import it:\n"
                               f"{(error.stderr or '').strip()[-4000:]}") from None
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise CompileError(f"{path}: neither MLIR text nor an .onnx file") from None


def _onnx_python() -> str:
    """A Python with the onnx package: the one of torch-mlir's venv (next to
    torch-mlir-import-onnx), else this one."""
    from . import torch_import
    python = Path(torch_import.find_tool("torch-mlir-import-onnx")).parent / "python"
    return str(python) if python.exists() else sys.executable


def load_onnx_with_params(path: Union[str, Path], values: Path, *,
                          min_elements: int = DEFAULT_MIN_ELEMENTS) -> Tuple[str, Dict]:
    """The ONNX file `path` as linalg-on-tensors whose function takes its
    float32 initializers of at least `min_elements` elements as arguments
    after its inputs, marked `{pet.weight}`; their values written to
    `values` (onnx_params.py). Returns the MLIR text and what
    onnx_params.py says of the model: its graph's name, its inputs and its
    weights (name, shape, dtype; offset and nbytes in `values`)."""
    path = Path(path)
    if not path.exists():
        raise CompileError(f"{path}: no such file")
    with open(path, "rb") as f:
        if not _looks_like_onnx(f.read(1)):
            raise CompileError(f"{path}: not an ONNX model (no ModelProto fields)")
    from . import torch_import
    with tempfile.TemporaryDirectory() as tmp:
        rewritten = Path(tmp) / "model.onnx"
        try:
            python = _onnx_python()
        except FileNotFoundError as error:
            raise CompileError(f"ONNX input needs torch-mlir: {error}") from None
        proc = subprocess.run(
            [python, str(Path(__file__).with_name("onnx_params.py")), str(path),
             str(rewritten), str(values), f"--min-elements={min_elements}"],
            capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise CompileError(f"{path}: its initializers could not be made parameters "
                               f"(onnx_params.py, with {python}):\n"
                               f"{proc.stderr.strip()[-4000:]}")
        info = json.loads(proc.stdout)
        try:
            linalg = torch_import.onnx_file_to_linalg(rewritten)
        except FileNotFoundError as error:
            raise CompileError(f"ONNX input needs torch-mlir: {error}") from None
        except subprocess.CalledProcessError as error:
            raise CompileError(f"{path}: torch-mlir could not import it:\n"
                               f"{(error.stderr or '').strip()[-4000:]}") from None
    return _mark_weights(linalg, len(info["inputs"]), len(info["weights"]), path), info


_ARG = re.compile(r"(%arg(\d+): tensor<[^>]*>)(\s*\{[^}]*\})?")


def _mark_weights(linalg: str, first: int, count: int, path: Path) -> str:
    """`linalg` with the arguments `first`.. of its public function marked
    `{pet.weight}` (the one function torch-mlir's ONNX importer makes)."""
    lines = linalg.split("\n")
    funcs = [i for i, line in enumerate(lines)
             if line.lstrip().startswith("func.func @")]
    if len(funcs) != 1:
        raise CompileError(f"{path}: torch-mlir made {len(funcs)} functions, not one")
    line = lines[funcs[0]]
    arguments = _ARG.findall(line.split(") ->")[0])
    if len(arguments) != first + count:
        raise CompileError(f"{path}: torch-mlir's function has {len(arguments)} "
                           f"argument(s), not the {first} input(s) and {count} "
                           "weight(s) of the model")

    def mark(match: "re.Match[str]") -> str:
        if int(match.group(2)) < first or match.group(3):
            return match.group(0)
        return match.group(1) + " {pet.weight}"
    lines[funcs[0]] = _ARG.sub(mark, line)
    return "\n".join(lines)


_SIGNATURE = re.compile(r"func\.func @([\w$.]+)\((.*?)\)\s*(?:->\s*(\(.*?\)|tensor<[^>]*>))?"
                        r"\s*(?:attributes\s*\{(.*?)\}\s*)?\{\s*$")
_TENSOR = re.compile(r"tensor<((?:[0-9]+x)*)f32>")


def signature(program: str, func: Optional[str] = None) -> Dict[str, Any]:
    """The function `func` of `program` (default: the only public one that
    is no other's weight preprocessing): its name, its arguments' shapes
    and whether each is a weight or preprocessed, its results' shapes, and
    its preprocessing function (or None)."""
    found = []
    for line in program.splitlines():
        line = line.strip()
        if not line.startswith("func.func @"):
            continue
        match = _SIGNATURE.match(line)
        if match:
            found.append(match)
    preprocess = {m for match in found if match.group(4)
                  for m in re.findall(r"pet\.preprocess\s*=\s*@([\w$.]+)", match.group(4))}
    if func is None:
        candidates = [m for m in found if m.group(1) not in preprocess]
    else:
        candidates = [m for m in found if m.group(1) == func]
    if len(candidates) != 1:
        raise CompileError(f"name the function to compile with --func (found "
                           f"{', '.join('@' + m.group(1) for m in found) or 'none'})"
                           if func is None else f"no function @{func}")
    match = candidates[0]
    arguments = []
    for text, _, attrs in _ARG.findall(match.group(2)):
        shape = _TENSOR.search(text)
        if not shape:
            raise CompileError(f"@{match.group(1)}: argument {text!r} is not a static "
                               "f32 tensor")
        arguments.append(dict(shape=[int(d) for d in shape.group(1).split("x") if d],
                              weight="pet.weight" in (attrs or ""),
                              preprocessed="pet.preprocessed" in (attrs or "")))
    results = [[int(d) for d in shape.split("x") if d]
               for shape in _TENSOR.findall(match.group(3) or "")]
    pre = re.search(r"pet\.preprocess\s*=\s*@([\w$.]+)", match.group(4) or "")
    return dict(name=match.group(1), arguments=arguments, results=results,
                preprocess=pre.group(1) if pre else None)


def _manifest(info: Dict, sig: Dict[str, Any], *, model: Path, target: str,
              entry: str, values: Path) -> Dict[str, Any]:
    """The parameter manifest (pet_mlir.params) of a compiled ONNX model or
    PyTorch module."""
    from .params import FORMAT
    named = [dict(v, role="input") for v in info["inputs"]] + \
        [dict(v, role="weight") for v in info["weights"]]
    arguments = [a for a in sig["arguments"] if not a["preprocessed"]]
    if len(arguments) != len(named):
        raise CompileError(f"@{sig['name']} has {len(arguments)} argument(s) after "
                           f"optimization, the model {len(named)}")
    for arg, value in zip(arguments, named):
        if arg["shape"] != value["shape"] or arg["weight"] != (value["role"] == "weight"):
            raise CompileError(f"@{sig['name']}'s arguments do not match the model's "
                               f"{value['role']} {value['name']!r} ({value['shape']})")
        value["shape"] = arg["shape"]
    return {"format": FORMAT, "model": model.name, "target": target,
            "function": sig["name"], "entry": entry, "values": values.name,
            "arguments": named,
            "results": [dict(shape=shape, dtype="float32") for shape in sig["results"]]}


def _c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def add_names_to_header(header: Path, manifest: Mapping[str, Any]) -> None:
    """Declares, in the C header pet-opt wrote for the cuda target
    (--pet-add-inference-api), the model's names of its buffers: of
    pet_<f>_load's weights w<i> and of pet_<f>_run's arguments a<i> (the
    inputs, then the weights), in order, and the byte offset of each
    weight's values in the values file."""
    f = manifest["function"]
    weights = [a for a in manifest["arguments"] if a["role"] == "weight"]

    def table(kind: str, name: str, items: List[str]) -> str:
        return (f"static const {kind} pet_{f}_{name}[] = {{"
                + ", ".join(items or ["0"]) + "};\n")
    values = manifest["values"]
    block = (f"/* Added by pet-compile: the model's names of pet_{f}_load's weights "
             f"(w<i>) and of\n   pet_{f}_run's arguments (a<i>: the inputs, then the "
             f"weights), in order, and\n   the byte offset of each weight's values "
             f"(little-endian float32) in\n   {values} "
             f"(described by {values[:-len('.bin')]}.json). */\n"
             + table("char *const", "weight_names", [_c_string(a["name"]) for a in weights])
             + table("int64_t", "weight_offsets", [str(a["offset"]) for a in weights])
             + table("char *const", "argument_names",
                     [_c_string(a["name"]) for a in manifest["arguments"]]))
    text = header.read_text()
    end = text.rstrip().rfind("#endif")
    if end < 0:
        raise CompileError(f"{header}: no include guard to add the names before")
    header.write_text(text[:end] + block + "\n" + text[end:])


_DYNAMIC = re.compile(r"tensor<(?:[^<>]*\?|\*)")
_ELEMENT = re.compile(r"tensor<(?:[0-9]+x)*([a-z][a-z0-9]*)>")


def to_pet(source: str) -> str:
    """MLIR text as PET IR: linalg-on-tensors imported, PET kept."""
    if _DYNAMIC.search(source):
        raise CompileError("the model has dynamic shapes (tensor<?x...> or tensor<*x...>): "
                           "export it with static shapes (example inputs of the size "
                           "it will run at)")
    signatures = "\n".join(line for line in source.splitlines() if "func.func" in line)
    other = sorted({t for t in _ELEMENT.findall(signatures) if t != "f32"})
    if other:
        raise CompileError(f"the model takes or returns {', '.join(other)} tensors: "
                           "PET compiles f32 programs")
    return run_pet_opt(source, ["--convert-linalg-to-pet"])


def _module_to_linalg(module: Any, example_inputs: Optional[Sequence[Any]], weights: str,
                      values: Path, min_elements: int,
                      func_name: Optional[str] = None) -> Tuple[str, Dict]:
    """A torch.nn.Module as linalg through torch-mlir's FX importer
    (torch_fx.py), its weight arguments marked `{pet.weight}`."""
    from . import torch_fx
    if example_inputs is None:
        raise CompileError("a torch.nn.Module needs example_inputs (tensors of the "
                           "shapes it will run at)")
    try:
        linalg, info = torch_fx.module_to_linalg(module, example_inputs, weights=weights,
                                                 values=values, min_elements=min_elements,
                                                 func_name=func_name)
    except ImportError as error:
        raise CompileError(f"torch.nn.Module input needs torch and torch-mlir: {error}") \
            from None
    except TypeError as error:
        raise CompileError(str(error)) from None
    if info["weights"]:
        linalg = _mark_weights(linalg, len(info["inputs"]), len(info["weights"]),
                               Path(info["graph"]))
    return linalg, info


def _model_name(model: Any) -> str:
    """How the manifest names the model: a file's name, a module's class."""
    from . import torch_fx
    return type(model).__name__ if torch_fx.is_module(model) else Path(model).name


def _is_pt2_path(model: Any) -> bool:
    """Whether `model` names a program saved with torch.export.save."""
    return isinstance(model, (str, Path)) and "\n" not in str(model) and \
        Path(model).suffix == ".pt2"


def _load_exported(path: Union[str, Path]) -> Tuple[Any, Tuple[Any, ...]]:
    """A .pt2 file's module and example inputs (torch_fx.load_exported)."""
    from . import torch_fx
    if not Path(path).exists():
        raise CompileError(f"{path}: no such file")
    try:
        return torch_fx.load_exported(Path(path))
    except ImportError as error:
        raise CompileError(f"{path}: .pt2 input needs torch and torch-mlir: {error}") \
            from None
    except Exception as error:  # torch's own reasons (not a .pt2, versions)
        raise CompileError(f"{path}: not a program torch.export.load reads: "
                           f"{str(error).strip().splitlines()[0][:300]}") from None


def _is_onnx_path(model: Union[str, Path]) -> bool:
    """Whether `model` names an ONNX file (not MLIR text)."""
    if isinstance(model, str) and "\n" in model:
        return False
    return Path(model).suffix == ".onnx"


def compile(model: Any, *, target: str = "linalg",
            output: Optional[Union[str, Path]] = None, func: Optional[str] = None,
            optimize: str = "", header: Optional[Union[str, Path]] = None,
            runtime_dir: Optional[Path] = None, progress: bool = False,
            weights: str = "params", min_elements: Optional[int] = None,
            example_inputs: Optional[Sequence[Any]] = None,
            layout: str = "nchw") -> str:
    """Compiles `model` (a path, MLIR text, or a torch.nn.Module called on
    `example_inputs`) for `target`; writes `output` when given. Returns the
    optimized PET program (MLIR text). With `progress`, a search longer
    than a second shows the time it has taken (on stderr), and a summary of
    what it replaced follows. An ONNX model's float32 initializers, or a
    module's float32 parameters and buffers, of at least `min_elements`
    elements (default: an ONNX model's of 2, a module's all) are, with
    `weights="params"`, arguments marked `{pet.weight}`,
    described in OUT.params.json with their values in OUT.params.bin
    (pet_mlir.params; a module's under their state_dict names); with
    `weights="constants"`, constants in the program. `layout` (cuda) is
    the layout of convolution outputs and preprocessed filters
    (gpu.LAYOUTS: nchw, krsc, nhwc, nhwc-krsc)."""
    if target not in TARGETS:
        raise CompileError(f"unknown target {target!r} (one of {', '.join(TARGETS)})")
    if layout not in gpu.LAYOUTS:
        raise CompileError(f"unknown layout {layout!r} (one of {', '.join(gpu.LAYOUTS)})")
    if weights not in WEIGHTS:
        raise CompileError(f"unknown weights {weights!r} (one of {', '.join(WEIGHTS)})")
    if output is not None and not Path(output).resolve().parent.is_dir():
        raise CompileError(f"{output}: its directory does not exist")
    with tempfile.TemporaryDirectory() as tmp:
        values = Path(tmp) / "params.bin"
        info = None
        try:
            from . import torch_fx
            func_name = None
            if _is_pt2_path(model):
                # Named after the file (its module is a GraphModule).
                func_name = torch_fx.function_name_of(Path(model).stem)
                source, example_inputs = _load_exported(model)
            else:
                source = model
            if torch_fx.is_module(source):
                linalg, info = _module_to_linalg(
                    source, example_inputs, weights, values,
                    MODULE_MIN_ELEMENTS if min_elements is None else min_elements,
                    func_name)
                program = to_pet(linalg)
                if not info["weights"]:
                    info = None
            elif weights == "params" and _is_onnx_path(model):
                linalg, info = load_onnx_with_params(
                    model, values,
                    min_elements=DEFAULT_MIN_ELEMENTS if min_elements is None else min_elements)
                program = to_pet(linalg)
            else:
                program = to_pet(load(model))
        except PetOptError as error:
            # pet-opt read the model from stdin: name the file in its messages.
            name = str(model) if isinstance(model, Path) or "\n" not in str(model) else None
            if name is None:
                raise
            raise CompileError(error.diagnostics.replace("<stdin>", name).strip()) from None
        flag = optimize_flag(optimize) if target != "cuda" else gpu.gpu_optimize_flag(optimize)
        start = time.monotonic()
        optimized, diagnostics = run_pet_opt_with_remarks(
            program, [flag], progress="searching for mutants" if progress else None)
        if progress:
            mutants = mutant_remarks(diagnostics)
            print(f"pet-compile: {len(mutants)} subprogram(s) replaced by mutants "
                  f"({sum(m[1] for m in mutants)} operator(s) -> "
                  f"{sum(m[0] for m in mutants)}), {sum(m[2] for m in mutants)} box(es) "
                  f"corrected, in {time.monotonic() - start:.1f} s", file=sys.stderr)
        if output is None:
            if target == "cuda":
                raise CompileError("the cuda target needs an output (the shared library)")
            return optimized
        output = Path(output)
        sig = None
        if info is not None:
            sig = signature(optimized, func)
        elif target == "cpu":
            try:  # MLIR input: an entry point where it has weights to preprocess
                sig = signature(optimized, func)
            except CompileError:
                pass
        if target == "linalg":
            entry = sig["name"] if sig else None
            output.write_text(run_pet_opt(optimized, ["--convert-pet-to-linalg"]))
        elif target == "cpu":
            entry = compile_program_for_cpu(
                optimized, sig if sig and (info is not None or sig["preprocess"]) else None,
                output)
        else:
            # cuda: optimized as the GPU pipeline does (corrections as kernels).
            header = Path(header) if header else output.with_suffix(".h")
            channels_last, filters_last = gpu.LAYOUTS[layout]
            obj = gpu.compile_to_object(optimized, func=func, api_header=header.resolve(),
                                        runner_main=False, channels_last=channels_last,
                                        filters_last=filters_last)
            gpu.link_shared_library(obj, output, runtime_dir)
            entry = f"pet_{sig['name']}_load" if sig else None
        if info is not None:
            from .params import manifest_path, values_path, write_manifest
            manifest = _manifest(info, sig, model=Path(_model_name(model)), target=target,
                                 entry=entry,
                                 values=values_path(output))
            shutil.move(str(values), values_path(output))
            write_manifest(manifest_path(output), manifest)
            if target == "cuda":
                add_names_to_header(header, manifest)
        return optimized


def compile_program_for_cpu(optimized: str, sig: Optional[Dict[str, Any]],
                            output: Path) -> Optional[str]:
    """The cpu target's step after the search: the PET program `optimized`
    through linalg to an IREE module (llvm-cpu) at `output`. With `sig`
    (signature()), the module's entry takes the weights as they are and
    computes the preprocessed ones, as a runtime does at load; returns the
    entry's name (None: the program's functions as they are)."""
    from . import iree
    passes = ["--convert-pet-to-linalg"]
    if sig:
        passes.append(f"--pet-add-runner-main=func={sig['name']} print=false")
    iree.compile_module(run_pet_opt(optimized, passes), output)
    return f"{sig['name']}_entry" if sig else None


def run_cpu(module: Union[str, Path], inputs: Union[Sequence[Any], Mapping[str, Any]],
            params: Union[None, str, Path, Mapping[str, Any]] = None, *,
            manifest: Optional[Union[str, Path]] = None) -> List[Any]:
    """Runs the cpu target's module (.vmfb) with iree-run-module on
    `inputs` (arrays in the manifest's input order, or a mapping by name)
    and its weights: `params` a mapping of names to arrays or tensors (a
    state_dict: checked against the manifest, pet_mlir.params.from_state_dict),
    another manifest whose values to load, or None for the values written
    with the module. `manifest` defaults to MODULE.params.json. Returns the
    results as float32 numpy arrays."""
    import numpy as np

    from . import iree
    from . import params as P
    module = Path(module)
    manifest = P.read_manifest(manifest or P.manifest_path(module))
    if params is None:
        weights = P.load(manifest)
    elif isinstance(params, (str, Path)):
        weights = P.from_state_dict(manifest, P.load(params))
    else:
        weights = P.from_state_dict(manifest, params)
    wanted = P.inputs(manifest)
    if isinstance(inputs, Mapping):
        missing = [a["name"] for a in wanted if a["name"] not in inputs]
        if missing:
            raise P.ParamsError(f"inputs missing: {', '.join(missing)}")
        inputs = [inputs[a["name"]] for a in wanted]
    if len(inputs) != len(wanted):
        raise P.ParamsError(f"{len(inputs)} input(s) given, the model takes {len(wanted)} "
                            f"({', '.join(a['name'] for a in wanted)})")
    arrays = []
    for arg, value in zip(wanted, inputs):
        array = np.asarray(P.as_array(arg["name"], value), dtype=np.float32, order="C")
        if list(array.shape) != list(arg["shape"]):
            raise P.ParamsError(f"input {arg['name']!r} has shape {list(array.shape)}, "
                                f"the model's is {arg['shape']}")
        arrays.append(array)
    arrays += list(weights.values())
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [iree.find_iree_tool("iree-run-module"), f"--module={module}",
               "--device=local-task", f"--function={manifest['entry']}"]
        for i, array in enumerate(arrays):
            path = Path(tmp) / f"arg{i}.npy"
            np.save(path, array)
            cmd.append(f"--input=@{path}")
        outputs = [Path(tmp) / f"out{i}.npy" for i in range(len(manifest["results"]))]
        cmd += [f"--output=@{path}" for path in outputs]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise ToolError(f"iree-run-module failed:\n{proc.stderr[-4000:]}")
        return [np.load(path) for path in outputs]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="pet-compile",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="linalg-on-tensors or PET (.mlir), ONNX (.onnx), or "
                        "a program saved with torch.export.save (.pt2)")
    parser.add_argument("-t", "--target", choices=TARGETS, default="linalg")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--func", help="the function to compile (default: the only public one)")
    parser.add_argument("--optimize", metavar="OPTIONS", default="",
                        help="--pet-optimize's options, e.g. 'cost-db=costs.json'")
    parser.add_argument("--header", help="cuda: the C header (default: OUTPUT with .h)")
    parser.add_argument("--runtime-dir", type=Path,
                        help="cuda: where libpet_runtime.so is")
    parser.add_argument("--weights", choices=WEIGHTS, default="params",
                        help="ONNX: float initializers as named arguments with a manifest "
                             "(OUTPUT.params.json, values in OUTPUT.params.bin), or as "
                             "constants in the program (default: params)")
    parser.add_argument("--min-elements", type=int, default=None,
                        metavar="N", help="params: initializers of fewer elements stay "
                        f"constants (default {DEFAULT_MIN_ELEMENTS} for ONNX; a .pt2 "
                        "program's parameters are all weights)")
    parser.add_argument("--layout", choices=list(gpu.LAYOUTS), default="nchw",
                        help="cuda: convolution outputs NHWC and/or preprocessed filters "
                             "KRSC, as cuDNN's TF32 tensor cores read them (default nchw)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress or summary on stderr")
    args = parser.parse_args(argv)
    try:
        compile(args.model, target=args.target, output=args.output, func=args.func,
                optimize=args.optimize, header=args.header, runtime_dir=args.runtime_dir,
                progress=not args.quiet, weights=args.weights,
                min_elements=args.min_elements, layout=args.layout)
    except (CompileError, PetOptError, ToolError, FileNotFoundError) as error:
        print(f"pet-compile: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
