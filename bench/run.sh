#!/usr/bin/env bash
# One command for the CPU benchmark: encoder against ONNX Runtime, OpenBLAS
# and PyTorch on this machine. See bench/README.md.
#
#   bench/run.sh [--quick] [--build] [--no-install] [--only=peak,matmul,attention,models]
#                [--threads=N]
#
#   --quick       fewer repeats, smaller sizes (a few minutes; plumbing check)
#   --build       run scripts/build.sh first even when build/ has the tools
#   --no-install  skip scripts/install-deps.sh and bench/install-bench-deps.sh (apt + npm)
#   other options go to bench/cpu/bench.py
#
# Writes bench/results/cpu-<date>.md and .json (quick: quick-<date>.*).
# Nothing else may run on the machine meanwhile.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${ENCODER_BUILD_DIR:-$root/build}

install=1
force_build=0
pass=()
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --build) force_build=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) pass+=("$arg") ;;
  esac
done

if [ "$install" -eq 1 ]; then
  scripts/install-deps.sh        # the project's packages (PyTorch, torchvision, clang-22, ...)
  bench/install-bench-deps.sh    # OpenBLAS, node/npm, onnxruntime-node
fi
if [ "$force_build" -eq 1 ] || [ ! -x "$build/bin/encoder-compile" ] || [ ! -x "$build/bin/encoder-run" ]; then
  echo "bench: building ($build)"
  ENCODER_BUILD_DIR=$build scripts/build.sh
fi

threads=2
for arg in "${pass[@]+"${pass[@]}"}"; do
  case "$arg" in --threads=*) threads=${arg#--threads=} ;; esac
done
export OPENBLAS_NUM_THREADS=$threads
# OpenBLAS installed but the libblas.so.3 alternative pinned elsewhere:
# load OpenBLAS for this run only.
openblas_dir=/usr/lib/x86_64-linux-gnu/openblas-pthread
if ! /usr/bin/python3 bench/cpu/blas_info.py --is-openblas && [ -e "$openblas_dir/libblas.so.3" ]; then
  export LD_LIBRARY_PATH=$openblas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi

exec /usr/bin/python3 bench/cpu/bench.py --build="$build" \
  --command="bench/run.sh${*:+ $*}" "${pass[@]+"${pass[@]}"}"
