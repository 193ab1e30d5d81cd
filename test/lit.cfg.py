# -*- Python -*-
# lit configuration of the PET-MLIR FileCheck tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "PET"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.pet_obj_root, "test")
config.excludes = ["Unit", "Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.pet_tools_dir, config.llvm_tools_dir]
tools = ["pet-opt"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The CPU path (python/pet_mlir/cpu.py holds the pipeline): upstream
# mlir-opt lowers to LLVM, mlir-runner runs it with MLIR's runtime libraries.
import sys

# Helpers of the tests (test/*/Inputs/*.py) run with lit's own Python.
config.substitutions.append(("%python", sys.executable))
sys.path.insert(0, os.path.join(config.pet_src_root, "python"))
from pet_mlir.cpu import CPU_PIPELINE  # noqa: E402

llvm_config.add_tool_substitutions(["mlir-opt", "mlir-runner"],
                                   [config.llvm_tools_dir])
llvm_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(("%pet_cpu_pipeline", f"'{CPU_PIPELINE}'"))
config.substitutions.append((
    "%mlir_runner_libs",
    ",".join(os.path.join(llvm_lib_dir, lib) for lib in
             ["libmlir_runner_utils.so", "libmlir_c_runner_utils.so"])))
