#!/usr/bin/env bash
# Installs every Debian package the project needs on a fresh Debian 12 machine.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(
  # Compiler toolchain: LLVM/MLIR 22 (CMake config, lit, FileCheck), clang, lld.
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  # The formatting check (test/Style/clang_format.sh) is pinned to 22.
  clang-format-22
  # libFuzzer and the sanitizers' runtimes for clang-22 (test/fuzz, CI).
  libclang-rt-22-dev
  cmake ninja-build
  # Tests: Catch2 v2 for the runtime and numerics.
  catch2
  # Python bindings and the independent numerical reference (PyTorch 1.13).
  python3-dev pybind11-dev python3-numpy python3-pytest
  python3-torch python3-torchvision python3-torchaudio
  # ONNX import: ONNX's C++ library (schemas, checker, shape inference) on
  # protobuf, and ONNX's backend node tests for the conformance runner.
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata python3-onnx
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
