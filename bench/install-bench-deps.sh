#!/usr/bin/env bash
# Installs what bench/run.sh needs beyond scripts/install-deps.sh:
#   - Debian's OpenBLAS (libopenblas0-pthread) when numpy's BLAS is not
#     OpenBLAS (Debian's default libblas3 is the slow reference BLAS);
#   - node and npm, when missing (Debian's nodejs, npm);
#   - onnxruntime-node (pinned) into bench/.work/node (git-ignored), with
#     `npm install --ignore-scripts`: its Linux x64 CPU library ships in the
#     package, and the install script only fetches GPU libraries.
# Safe to run again: it skips what is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ORT_VERSION=1.30.0
python=/usr/bin/python3

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
updated=0
apt_install() {
  if [ "$updated" -eq 0 ]; then $sudo apt-get update -qq; updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# 1. OpenBLAS behind numpy.
if $python "$root/bench/cpu/blas_info.py" --is-openblas; then
  echo "install-bench-deps: numpy uses OpenBLAS ($($python "$root/bench/cpu/blas_info.py" --first))"
else
  echo "install-bench-deps: numpy uses $($python "$root/bench/cpu/blas_info.py" --first); installing libopenblas0-pthread"
  installed libopenblas0-pthread || apt_install libopenblas0-pthread
  if ! $python "$root/bench/cpu/blas_info.py" --is-openblas; then
    # The libblas.so.3 alternative is pinned elsewhere: run.sh puts
    # OpenBLAS's directory first on LD_LIBRARY_PATH for the benchmark only.
    echo "install-bench-deps: note: the libblas.so.3 alternative does not point to OpenBLAS;" \
         "bench/run.sh will use LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread"
  fi
fi

# 2. node + npm, clang-22 (the FMA peak program).
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
command -v clang-22 >/dev/null || apt_install clang-22

# 3. onnxruntime-node, pinned, into bench/.work/node.
dir="$root/bench/.work/node"
have=$(node -p "try { require('$dir/node_modules/onnxruntime-node/package.json').version } catch (e) { '' }" 2>/dev/null || true)
if [ "$have" = "$ORT_VERSION" ] &&
   ls "$dir"/node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime.so* >/dev/null 2>&1; then
  echo "install-bench-deps: onnxruntime-node $ORT_VERSION already in bench/.work/node"
else
  echo "install-bench-deps: npm install onnxruntime-node@$ORT_VERSION into bench/.work/node"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name": "encoder-bench-ort", "private": true}' > "$dir/package.json"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --save-exact \
     "onnxruntime-node@$ORT_VERSION")
  have=$(node -p "require('$dir/node_modules/onnxruntime-node/package.json').version")
  [ "$have" = "$ORT_VERSION" ] || { echo "install-bench-deps: got onnxruntime-node $have" >&2; exit 1; }
fi
