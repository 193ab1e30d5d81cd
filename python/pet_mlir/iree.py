"""IREE consumes PET's output: exported linalg compiled with iree-compile for
the llvm-cpu backend and run with iree-run-module, on the inputs the CPU path
generates (pet_mlir.cpu.generate_input), so the results compare directly.

Needs IREE's command-line tools (`pip install iree-base-compiler
iree-base-runtime`; `bash scripts/setup-iree.sh` puts them in .venv-iree).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

from .cpu import Result, ToolError, generate_input

_REPO_ROOT = Path(__file__).resolve().parents[2]


def find_iree_tool(name: str) -> str:
    """$PET_IREE_DIR/bin, the project's .venv-iree, or PATH."""
    for root in [os.environ.get("PET_IREE_DIR"), str(_REPO_ROOT / ".venv-iree")]:
        if root and os.access(os.path.join(root, "bin", name), os.X_OK):
            return os.path.join(root, "bin", name)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found: bash scripts/setup-iree.sh installs IREE")


def write_npy(path: Path, shape: Sequence[int], values: Sequence[float]) -> None:
    """A float32 .npy file (format 1.0), without numpy."""
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack(f"<{len(values)}f", *values))


def read_npy(path: Path) -> Result:
    data = Path(path).read_bytes()
    if data[:6] != b"\x93NUMPY":
        raise ToolError(f"{path} is not a .npy file")
    major = data[6]
    length_size = 2 if major == 1 else 4
    length = int.from_bytes(data[8:8 + length_size], "little")
    header = data[8 + length_size:8 + length_size + length].decode()
    if "'<f4'" not in header or "True" in header:
        raise ToolError(f"{path}: expected little-endian float32, C order: {header}")
    shape = [int(d) for d in re.search(r"\(([^)]*)\)", header).group(1).split(",")
             if d.strip()]
    body = data[8 + length_size + length:]
    count = len(body) // 4
    return shape, list(struct.unpack(f"<{count}f", body))


def compile_module(linalg: str, output: Path) -> None:
    proc = subprocess.run(
        [find_iree_tool("iree-compile"), "-", "--iree-hal-target-device=local",
         "--iree-hal-local-target-device-backends=llvm-cpu", "-o", str(output)],
        input=linalg, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        # Its diagnostics, not the (long) source lines it echoes after them.
        diagnostics = [line[:500] for line in proc.stderr.splitlines()
                       if "error:" in line or "note:" in line][:8]
        raise ToolError("iree-compile failed:\n" + ("\n".join(diagnostics) if diagnostics
                                                      else proc.stderr[-4000:]))


def run_with_iree(linalg: str, func: str, arg_shapes: Sequence[Sequence[int]],
                  num_results: int, *, seed: int = 1) -> List[Result]:
    """Compiles `linalg` (linalg-on-tensors, e.g. from --convert-pet-to-linalg)
    and runs `func` on the generated inputs; its results."""
    with tempfile.TemporaryDirectory() as tmp:
        module = Path(tmp) / "module.vmfb"
        compile_module(linalg, module)
        return run_module(module, func, arg_shapes, num_results, seed=seed)


def run_module(module: Path, func: str, arg_shapes: Sequence[Sequence[int]],
               num_results: int, *, seed: int = 1) -> List[Result]:
    """Runs `func` of the compiled IREE module `module` (.vmfb, llvm-cpu) on
    the generated inputs with iree-run-module; its results."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        cmd = [find_iree_tool("iree-run-module"), f"--module={module}",
               "--device=local-task", f"--function={func}"]
        for arg, shape in enumerate(arg_shapes):
            path = tmp_path / f"arg{arg}.npy"
            write_npy(path, shape, generate_input(shape, seed, arg))
            cmd.append(f"--input=@{path}")
        outputs = [tmp_path / f"out{i}.npy" for i in range(num_results)]
        cmd += [f"--output=@{path}" for path in outputs]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise ToolError(f"iree-run-module failed:\n{proc.stderr[-4000:]}")
        return [read_npy(path) for path in outputs]


def signature(linalg: str, func: str):
    """Argument shapes and the number of results of `func` in `linalg` text
    (static f32 tensors)."""
    match = re.search(r"func\.func @" + re.escape(func) + r"\((.*?)\)\s*->\s*(\(.*?\)|tensor<[^>]*>)",
                      linalg)
    if not match:
        raise ValueError(f"no function @{func}")
    args = [[int(d) for d in t.split("x")[:-1]]
            for t in re.findall(r"tensor<([0-9x]+xf32)>", match.group(1))]
    results = len(re.findall(r"tensor<", match.group(2)))
    return args, results
