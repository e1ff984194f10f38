#!/usr/bin/env bash
# The whole GPU check in two commands, one per machine:
#
#   here:   bash bench/gpu/device_check.sh prepare bench/gpu/out [sm_90]
#   there:  bash bench/gpu/device_check.sh run bench/gpu/out
#           (with the device tool: run(command="bash bench/gpu/device_check.sh
#            run bench/gpu/out", carry=["bench/gpu/out"]))
#
# `run` is `check` (numerics) then `bench` (timings); either alone splits
# the work across calls when one would pass the device tool's ten minutes.
#
# `prepare` compiles the numerics cases (check_cuda.py) and the timing cases
# (bench_cuda.py) into DIR/check and DIR/bench (DIR is git-ignored under
# bench/gpu/out); `run` checks the numerics, then times everything beside
# PyTorch, writes the tables to bench/results/ and, where the device tool's
# $OUT is set, copies them there so that they come back. Extra arguments
# after DIR go to bench_cuda.py --run (e.g. --only models --repeats 10).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
step=${1:?usage: device_check.sh prepare|run|check|bench DIR [...]}
dir=${2:?usage: device_check.sh prepare|run|check|bench DIR [...]}
shift 2

case "$step" in
prepare)
  arch=${1:-sm_90}
  python=${PYTHON:-/usr/bin/python3}
  "$python" "$here/check_cuda.py" --prepare "$dir/check" --gpu-arch "$arch" || exit 1
  "$python" "$here/bench_cuda.py" --prepare "$dir/bench" --gpu-arch "$arch" || exit 1
  du -sh "$dir"
  ;;
run|check|bench)
  status=0
  python=${PYTHON:-python3}
  export PYTHONUNBUFFERED=1
  if [ "$step" != bench ]; then
    "$python" "$here/check_cuda.py" --check "$dir/check" \
      --results "$repo/bench/results/gpu-check-$(date +%F).md" || status=1
  fi
  if [ "$step" != check ]; then
    "$python" "$here/bench_cuda.py" --run "$dir/bench" "$@" \
      --results "$repo/bench/results/gpu-bench-$(date +%F).md" || status=1
  fi
  if [ -n "${OUT:-}" ]; then
    cp "$repo"/bench/results/gpu-*-"$(date +%F)".md "$OUT"/ 2>/dev/null || true
  fi
  exit $status
  ;;
*)
  echo "usage: device_check.sh prepare|run|check|bench DIR [...]" >&2
  exit 2
  ;;
esac
