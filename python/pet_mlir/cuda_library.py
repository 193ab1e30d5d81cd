"""Runs a library of pet-compile's cuda target from Python: on numpy arrays,
or in place on PyTorch CUDA tensors (no copies through the host).

    model = CudaLibrary("libmodel.so")            # header: libmodel.h
    model.load(weights)                           # arrays or tensors, in order
    (y,) = model.run(x)                           # numpy in, numpy out
    (y,) = model.run(x_cuda)                      # torch CUDA in, torch CUDA out

`weights` is a sequence in the order of the function's weight arguments, or
a mapping by name with `manifest=` (pet-compile's OUT.params.json) or a
pet_mlir.params manifest path (its written values). The library's buffers
are described by its generated header (pet-opt --pet-add-inference-api):
`pet_<f>_load(w<i>..., p<j>...)` takes the weights and fills the
preprocessed weights, `pet_<f>_run(a<i>..., p<j>..., r<k>...)` every
argument (inputs and weights), the preprocessed weights and the results.
numpy data is copied into runtime memory (pet_rt_alloc, visible to host and
GPU); PyTorch CUDA tensors (float32, contiguous, on device 0) are copied
on the GPU (device to device, on the runtime's stream after PyTorch's
current stream has finished), and results come back as new CUDA tensors
the same way. (Not in place: the programs' host code may touch their
buffers, which therefore are the runtime's host-visible memory.) Errors of
the runtime (no GPU, wrong buffers, CUDA/cuDNN failures) raise
CudaLibraryError with the runtime's message.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union


class CudaLibraryError(RuntimeError):
    """The library cannot be loaded or run; the message says why."""


_WRAPPER = re.compile(r"static inline int pet_(\w+?)_(load|run)\(([^)]*)\)\s*\{")
_DESCRIPTOR = re.compile(r"pet_memref_\d+ d_(\w+) = \{\w+, \w+, 0, \{([\d, ]*)\}, "
                         r"\{([\d, ]*)\}\};")


def parse_header(text: str) -> Dict[str, Any]:
    """The entry points a generated header declares: the function's name,
    and per entry point ("load", "run") its buffers in order, each a dict
    with name (w<i>, p<j>, a<i>, r<k>), kind (weight, preprocessed,
    argument, result), argument number (weights and arguments) and shape."""
    wrappers = list(_WRAPPER.finditer(text))
    names = {m.group(1) for m in wrappers}
    if len(names) != 1 or {m.group(2) for m in wrappers} != {"load", "run"}:
        raise CudaLibraryError("not a header of pet-opt --pet-add-inference-api "
                               "(no pet_<f>_load / pet_<f>_run)")
    shapes = {m.group(1): [int(d) for d in m.group(2).split(",") if d.strip()]
              for m in _DESCRIPTOR.finditer(text)}
    kinds = {"w": "weight", "p": "preprocessed", "a": "argument", "r": "result"}
    entries: Dict[str, List[Dict[str, Any]]] = {}
    for match in wrappers:
        buffers = []
        params = match.group(3).strip()
        for param in ([] if params in ("", "void") else params.split(",")):
            name = param.replace("float", "").replace("*", "").strip()
            if not re.fullmatch(r"[wpar]\d+", name) or name not in shapes:
                raise CudaLibraryError(f"pet_{match.group(1)}_{match.group(2)}: "
                                       f"unexpected parameter {param.strip()!r}")
            kind = kinds[name[0]]
            buffers.append(dict(name=name, kind=kind, shape=shapes[name],
                                index=int(name[1:])))
        entries[match.group(2)] = buffers
    return dict(function=names.pop(), **entries)


def _descriptor_type(rank: int):
    class MemRef(ctypes.Structure):
        _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
                    ("strides", ctypes.c_int64 * rank)]
    return MemRef


def _descriptor(address: int, shape: Sequence[int]):
    rank = len(shape)
    strides, step = [], 1
    for size in reversed(shape):
        strides.insert(0, step)
        step *= size
    d = _descriptor_type(rank)()
    d.allocated = d.aligned = address
    d.offset = 0
    d.sizes = (ctypes.c_int64 * rank)(*shape)
    d.strides = (ctypes.c_int64 * rank)(*strides)
    return d


def _elements(shape: Sequence[int]) -> int:
    return math.prod(shape)


def _is_float(value: Any) -> bool:
    """Whether a state_dict entry holds floating-point values."""
    dtype = getattr(value, "dtype", None)
    return dtype is not None and ("float" in str(dtype) or "half" in str(dtype))


def _is_torch(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "data_ptr")


class CudaLibrary:
    """A loaded cuda-target library (see the module's doc)."""

    def __init__(self, library: Union[str, Path], header: Optional[Union[str, Path]] = None,
                 runtime_dir: Optional[Union[str, Path]] = None):
        library = Path(library)
        header = Path(header) if header else library.with_suffix(".h")
        if not library.exists():
            raise CudaLibraryError(f"{library}: no such file")
        if not header.exists():
            raise CudaLibraryError(f"{header}: no such file (the library's header; "
                                   "header= names another)")
        self.api = parse_header(header.read_text())
        f = self.api["function"]
        from .gpu import find_runtime_library
        try:
            runtime = find_runtime_library(Path(runtime_dir) if runtime_dir else None)
        except FileNotFoundError as error:
            raise CudaLibraryError(str(error)) from None
        try:
            # libstdc++ first: its symbols then win over any copy another
            # library carries (cuDNN's sublibraries bind to the first). Then
            # the runtime, told to return errors: the library's constructor
            # loads its kernels, which without a GPU would otherwise abort
            # the process. RTLD_GLOBAL: the library's libpet_runtime.so is
            # then this copy.
            ctypes.CDLL("libstdc++.so.6", mode=ctypes.RTLD_GLOBAL)
            rt = ctypes.CDLL(str(runtime / "libpet_runtime.so"), mode=ctypes.RTLD_GLOBAL)
            rt.pet_rt_set_abort_on_error.argtypes = [ctypes.c_bool]
            rt.pet_rt_set_abort_on_error(False)
            self._lib = ctypes.CDLL(str(library.resolve()), mode=ctypes.RTLD_GLOBAL)
        except OSError as error:
            raise CudaLibraryError(f"{library}: {error}") from None
        self._rt = rt
        rt.pet_rt_alloc.restype = ctypes.c_void_p
        rt.pet_rt_alloc.argtypes = [ctypes.c_size_t]
        rt.pet_rt_free.argtypes = [ctypes.c_void_p]
        rt.pet_rt_error_message.restype = ctypes.c_char_p
        rt.pet_rt_check_buffer.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
        rt.mgpuMemcpy.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                  ctypes.c_void_p]
        rt.pet_rt_graph_median_ms.restype = ctypes.c_double
        rt.pet_rt_graph_median_ms.argtypes = [ctypes.c_int64]
        self._entry = {name: getattr(self._lib, f"_mlir_ciface_{f}_{name}")
                       for name in ("load", "run")}
        self._owned: List[int] = []          # pet_rt_alloc buffers, freed by close()
        self._weights: Dict[int, int] = {}   # argument number -> address
        self._preprocessed: Dict[int, int] = {}
        self._loaded = False

    # Runtime calls, errors raised.
    def _check(self, what: str) -> None:
        if self._rt.pet_rt_last_error() != 0:
            message = self._rt.pet_rt_error_message().decode(errors="replace")
            self._rt.pet_rt_clear_error()
            raise CudaLibraryError(f"{what}: {message}")

    def _alloc(self, elements: int) -> int:
        address = self._rt.pet_rt_alloc(elements * 4)
        self._check("pet_rt_alloc")
        self._owned.append(address)
        return address

    def _numpy_buffer(self, name: str, value: Any, shape: Sequence[int]) -> int:
        import numpy as np
        array = np.ascontiguousarray(np.asarray(value, dtype=np.float32))
        if list(array.shape) != list(shape):
            raise CudaLibraryError(f"{name} has shape {list(array.shape)}, the library "
                                   f"takes {list(shape)}")
        address = self._alloc(array.size)
        ctypes.memmove(address, array.ctypes.data, array.nbytes)
        return address

    def _torch_buffer(self, name: str, tensor: Any, shape: Sequence[int]) -> int:
        """Runtime memory holding a CUDA tensor's values, copied on the GPU."""
        import torch
        if tensor.dtype != torch.float32 or not tensor.is_contiguous():
            raise CudaLibraryError(f"{name}: a contiguous float32 tensor is needed "
                                   f"({tensor.dtype})")
        if list(tensor.shape) != list(shape):
            raise CudaLibraryError(f"{name} has shape {list(tensor.shape)}, the library "
                                   f"takes {list(shape)}")
        address = self._alloc(tensor.numel())
        torch.cuda.current_stream(tensor.device).synchronize()
        self._rt.mgpuMemcpy(address, tensor.data_ptr(), tensor.numel() * 4, None)
        self._check(f"{name} (copying the tensor)")
        return address

    def _buffer(self, name: str, value: Any, shape: Sequence[int]) -> int:
        if _is_torch(value):
            if value.device.type == "cuda":
                return self._torch_buffer(name, value, shape)
            value = value.detach().numpy()
        return self._numpy_buffer(name, value, shape)

    def _call(self, entry: str, addresses: List[Tuple[int, Sequence[int]]]) -> None:
        descriptors = [_descriptor(address, shape) for address, shape in addresses]
        for (address, shape), buffer in zip(addresses, self.api[entry]):
            self._rt.pet_rt_check_buffer(ctypes.c_void_p(address), _elements(shape) * 4,
                                          buffer["name"].encode())
            self._check(f"pet_{self.api['function']}_{entry}")
        self._entry[entry](*[ctypes.byref(d) for d in descriptors])
        self._rt.pet_rt_synchronize()
        self._check(f"pet_{self.api['function']}_{entry}")

    @property
    def weight_shapes(self) -> List[List[int]]:
        return [b["shape"] for b in self.api["load"] if b["kind"] == "weight"]

    def load(self, weights: Union[Sequence[Any], Mapping[str, Any], str, Path] = (),
             manifest: Optional[Union[str, Path, Mapping[str, Any]]] = None) -> None:
        """Hands the library its weights (see the module's doc; PyTorch CUDA
        tensors are copied on the GPU) and computes the preprocessed ones."""
        if isinstance(weights, (str, Path)):
            from . import params as P
            manifest = manifest or weights
            weights = P.load(weights)
        if isinstance(weights, Mapping):
            from . import params as P
            if manifest is None:
                raise CudaLibraryError("weights by name need the manifest (manifest=)")
            names = [a["name"] for a in P.weights(manifest)]
            missing = [n for n in names if n not in weights]
            if missing:
                raise CudaLibraryError(f"weights missing: {', '.join(missing)}")
            # Float entries the library does not take would be ignored, their
            # values compiled in: refused (integer buffers, such as
            # BatchNorm's num_batches_tracked, are no weights).
            taken = set(names)
            unused = [n for n, v in weights.items() if n not in taken and _is_float(v)]
            if unused:
                raise CudaLibraryError(
                    f"weights the library does not take (compiled as constants, or "
                    f"another model's): {', '.join(unused[:8])}"
                    f"{' ...' if len(unused) > 8 else ''}")
            weights = [weights[n] for n in names]
        load = self.api["load"]
        wanted = [b for b in load if b["kind"] == "weight"]
        if len(weights) != len(wanted):
            raise CudaLibraryError(f"{len(weights)} weight(s) given, the library takes "
                                   f"{len(wanted)}")
        self.close()
        addresses = []
        given = iter(weights)
        for buffer in load:
            if buffer["kind"] == "weight":
                address = self._buffer(buffer["name"], next(given), buffer["shape"])
                self._weights[buffer["index"]] = address
            else:
                address = self._alloc(_elements(buffer["shape"]))
                self._preprocessed[buffer["index"]] = address
            addresses.append((address, buffer["shape"]))
        self._call("load", addresses)
        self._loaded = True

    def _run_buffers(self, inputs: Sequence[Any]) -> Tuple[List[Tuple[int, Sequence[int]]],
                                                           List[int]]:
        """The run entry's buffers for `inputs` (new ones allocated for the
        inputs and the results), and the results' among them."""
        if not self._loaded:
            raise CudaLibraryError("call load() first")
        run = self.api["run"]
        wanted = [b for b in run if b["kind"] == "argument" and b["index"] not in self._weights]
        if len(inputs) != len(wanted):
            raise CudaLibraryError(f"{len(inputs)} input(s) given, the library takes "
                                   f"{len(wanted)}")
        results: List[int] = []
        addresses = []
        given = iter(inputs)
        for buffer in run:
            if buffer["kind"] == "argument" and buffer["index"] in self._weights:
                address = self._weights[buffer["index"]]
            elif buffer["kind"] == "argument":
                address = self._buffer(buffer["name"], next(given), buffer["shape"])
            elif buffer["kind"] == "preprocessed":
                address = self._preprocessed[buffer["index"]]
            else:
                address = self._alloc(_elements(buffer["shape"]))
                results.append(address)
            addresses.append((address, buffer["shape"]))
        return addresses, results

    def time(self, *inputs: Any, runs: int = 100,
             profile: Optional[Union[str, Path]] = None) -> float:
        """Median milliseconds of `runs` replays of one run on `inputs`
        captured as a CUDA graph, each waited for (as the benchmark's
        programs time themselves: pet_rt_time_graph). With `profile`, the
        graph's kernels are then traced (CUPTI) and their GPU time per
        replay written to that file (the runtime's PET_GRAPH_PROFILE)."""
        if runs < 1:
            raise CudaLibraryError(f"runs must be positive ({runs})")
        owned_before = len(self._owned)
        try:
            addresses, _ = self._run_buffers(inputs)
            self._call("run", addresses)   # warm-up: algorithm choices, kernels
            descriptors = [_descriptor(address, shape) for address, shape in addresses]
            self._rt.pet_rt_graph_begin()
            self._entry["run"](*[ctypes.byref(d) for d in descriptors])
            self._rt.pet_rt_graph_end()
            self._check("capturing a run in a CUDA graph")
            median = self._rt.pet_rt_graph_median_ms(runs)
            self._check("timing the graph")
            if profile is not None:
                previous = os.environ.get("PET_GRAPH_PROFILE")
                os.environ["PET_GRAPH_PROFILE"] = str(profile)
                try:
                    self._rt.pet_rt_time_graph(20)   # prints a pet-time line
                    self._check("profiling the graph")
                finally:
                    if previous is None:
                        del os.environ["PET_GRAPH_PROFILE"]
                    else:
                        os.environ["PET_GRAPH_PROFILE"] = previous
            return median
        finally:
            self._rt.pet_rt_graph_destroy()
            for address in self._owned[owned_before:]:
                self._rt.pet_rt_free(ctypes.c_void_p(address))
            del self._owned[owned_before:]

    def run(self, *inputs: Any) -> List[Any]:
        """Runs the function on `inputs` (its non-weight arguments, in
        order): numpy results, or CUDA tensors where the inputs are."""
        run = self.api["run"]
        on_gpu = any(_is_torch(x) and x.device.type == "cuda" for x in inputs)
        owned_before = len(self._owned)
        try:
            addresses, results = self._run_buffers(inputs)
            self._call("run", addresses)
            out = []
            for address, buffer in zip(results, [b for b in run if b["kind"] == "result"]):
                if on_gpu:
                    import torch
                    tensor = torch.empty(buffer["shape"], dtype=torch.float32, device="cuda")
                    self._rt.mgpuMemcpy(tensor.data_ptr(), address, tensor.numel() * 4, None)
                    self._rt.pet_rt_synchronize()
                    self._check("copying a result")
                    out.append(tensor)
                else:
                    import numpy as np
                    array = np.empty(buffer["shape"], dtype=np.float32)
                    ctypes.memmove(array.ctypes.data, address, array.nbytes)
                    out.append(array)
            return out
        finally:
            for address in self._owned[owned_before:]:
                self._rt.pet_rt_free(ctypes.c_void_p(address))
            del self._owned[owned_before:]

    def close(self) -> None:
        """Frees what load() allocated."""
        for address in self._owned:
            self._rt.pet_rt_free(ctypes.c_void_p(address))
        self._owned = []
        self._weights, self._preprocessed = {}, {}
        self._loaded = False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
