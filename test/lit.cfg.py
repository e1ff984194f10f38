# -*- Python -*-
# lit configuration of the encoder compiler's tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "ENCODER"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
# Numerics/ and Runtime/ hold Catch2 tests, run by ctest directly.
config.excludes = ["Inputs", "Numerics", "Runtime", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.encoder_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
# The interpreter with NumPy (and PyTorch) from Debian, for test helpers.
config.substitutions.append(("%python", config.python_reference))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# IR checks see the model of the target, never a tuning record that
# encoder-tune left in the developer's ~/.cache (tests that want one name it).
config.environment["ENCODER_TUNING_RECORD"] = "none"

tool_dirs = [config.encoder_tools_dir, config.llvm_tools_dir]
tools = ["encoder-opt", "encoder-compile", "encoder-run", "encoder-tune"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
# The runner's path, for scripts that call it themselves.
config.substitutions.append(
    ("%encoder_run_path", os.path.join(config.encoder_tools_dir, "encoder-run")))
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# The stand-in libcuda.so.1 (test/Runtime/fake_cuda_driver.c), for the
# runtime's CUDA path on machines without a GPU.
config.substitutions.append(
    ("%fake_cuda_dir", os.path.join(config.encoder_obj_root, "test", "Runtime", "fake-cuda")))
# ptxas from the CUDA toolkit checks the PTX the GPU pipeline emits.
ptxas = "/usr/local/cuda/bin/ptxas"
if os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
