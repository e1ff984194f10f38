#!/usr/bin/env bash
# Configures (once) and builds the whole project in build/ with clang-22,
# lld and Ninja. ENCODER_BUILD_DIR and ENCODER_JOBS override the defaults;
# ENCODER_WERROR=ON makes warnings errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENCODER_BUILD_DIR:-$root/build}

# ENCODER_WERROR=ON (CI) makes warnings errors; the build directory keeps
# the setting it was configured with until this changes it.
werror=${ENCODER_WERROR:-OFF}
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld -DENCODER_WERROR="$werror"
elif [ -n "${ENCODER_WERROR:-}" ] && \
     ! grep -q "^ENCODER_WERROR:BOOL=$werror$" "$build/CMakeCache.txt"; then
  cmake "$build" -DENCODER_WERROR="$werror" >/dev/null
fi
cmake --build "$build" -j "${ENCODER_JOBS:-$(nproc)}"
