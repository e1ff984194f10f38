"""The package splits like the C++: the runtime extension links neither MLIR
nor LLVM; `cmake --install` installs an importable package."""

import os
import subprocess
import sys

import encoder
from encoder import _runtime

from conftest import SOURCE_DIR


def test_runtime_extension_links_no_compiler_library():
    libraries = subprocess.run(["ldd", _runtime.__file__], capture_output=True, text=True, check=True).stdout
    assert "libencrt" in libraries
    assert "libMLIR" not in libraries and "libLLVM" not in libraries


def test_running_needs_no_compiler(tiny_bert):
    # A fresh interpreter that loads and runs an artifact never loads the
    # compiler extension.
    code = (
        "import sys, encoder\n"
        f"m = encoder.load({tiny_bert.path!r})\n"
        "assert 'main' in m.functions\n"
        "assert 'encoder._compiler' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cmake_install_gives_an_importable_package(tmp_path):
    build = os.path.dirname(os.path.dirname(os.path.dirname(encoder.__file__)))
    subprocess.run(
        ["cmake", "--install", build, "--prefix", str(tmp_path)], check=True, capture_output=True
    )
    site = [os.path.join(root) for root, dirs, _ in os.walk(tmp_path) if "encoder" in dirs and "python" in root]
    assert site, "no installed encoder package"
    env = dict(os.environ, PYTHONPATH=site[0])
    code = (
        "import encoder, os\n"
        f"assert encoder.__file__.startswith({str(tmp_path)!r}), encoder.__file__\n"
        f"m = encoder.compile({os.path.join(SOURCE_DIR, 'examples', 'tiny_bert.mlir')!r})\n"
        "print(sorted(m.functions))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert os.path.exists(os.path.join(tmp_path, "bin", "encoder-compile"))
    assert os.path.exists(os.path.join(tmp_path, "include", "encoder", "Runtime", "Runtime.h"))
