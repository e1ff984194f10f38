#!/usr/bin/env bash
# Configures (once) and builds the whole project in build/ with clang-22,
# lld and Ninja. ENCODER_BUILD_DIR and ENCODER_JOBS override the defaults.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENCODER_BUILD_DIR:-$root/build}

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld
fi
cmake --build "$build" -j "${ENCODER_JOBS:-$(nproc)}"
