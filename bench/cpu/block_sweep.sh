#!/usr/bin/env bash
# Sweeps the register block of the packed matmul micro-kernel (rows x panel
# columns, --op-config=enc.linear:tile=RxP) on BERT's FFN-up linear
# (128 x 3072 x 768) and writes the medians to
# bench/results/block-sweep-<date>.md. Run on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ENCODER_BUILD_DIR:-$root/build}/bin
work=$root/bench/.work/block-sweep
mkdir -p "$work" "$root/bench/results"
cat > "$work/linear.mlir" <<'MLIR'
func.func @main(%x: tensor<128x768xf32> {enc.name = "x"}) -> tensor<128x3072xf32> {
  %w = enc.param "w" : tensor<3072x768xf32>
  %b = enc.param "b" : tensor<3072xf32>
  %y = enc.linear %x, %w, %b : (tensor<128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<128x3072xf32>
  return %y : tensor<128x3072xf32>
}
MLIR
/usr/bin/python3 - "$work" "$root" <<'PY'
import sys
import numpy as np
sys.path.insert(0, sys.argv[2] + "/python-bindings")
from encoder import safetensors
rng = np.random.default_rng(0)
safetensors.save_file({"w": rng.standard_normal((3072, 768)).astype(np.float32),
                       "b": rng.standard_normal(3072).astype(np.float32)},
                      sys.argv[1] + "/w.safetensors")
np.save(sys.argv[1] + "/x.npy", rng.standard_normal((128, 768)).astype(np.float32))
PY
out=$root/bench/results/block-sweep-$(date +%Y-%m-%d).md
{
  echo "# Micro-kernel register blocks: 128 x 3072 x 768 (BERT FFN-up), f32"
  echo
  echo "Command: \`bench/cpu/block_sweep.sh\` ($(date '+%Y-%m-%d %H:%M'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))."
  echo "Each: \`encoder-compile --op-config=enc.linear:tile=RxP\`, then \`encoder-run --benchmark=50 --threads=T\` (median)."
  echo
  echo "| rows x panel | 1 thread ms | GFLOP/s | 2 threads ms | GFLOP/s |"
  echo "|---|---|---|---|---|"
  for cfg in 4x32 6x32 8x32 10x32 12x32 14x32 4x64 6x64 8x16 12x16 16x16 4x48 6x48; do
    "$bin/encoder-compile" "$work/linear.mlir" -o "$work/linear.so" --op-config=enc.linear:tile=$cfg
    row="| $cfg"
    for t in 1 2; do
      ms=$("$bin/encoder-run" "$work/linear.so" --weights="$work/w.safetensors" \
             --input=@"$work/x.npy" --threads=$t --benchmark=50 |
           sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
      gflops=$(awk -v ms="$ms" 'BEGIN { printf "%.1f", 2 * 128 * 3072 * 768 / (ms * 1e6) }')
      row="$row | $ms | $gflops"
    done
    echo "$row |"
  done
} > "$out"
echo "wrote $out"
