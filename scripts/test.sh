#!/usr/bin/env bash
# Every test, on a fresh machine: install the packages, build, then run the
# whole suite (lit tests of the dialect, passes and tools; Catch2 tests of
# the runtime; numerics against PyTorch) through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENCODER_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "${ENCODER_JOBS:-$(nproc)}"
