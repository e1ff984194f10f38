#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install the packages, build,
# compile the bundled tiny BERT classifier (examples/tiny_bert.mlir) for this
# CPU, give it random weights and inputs from a fixed seed, run it, and time
# it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENCODER_BUILD_DIR:-$root/build}
out=$build/example

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

mkdir -p "$out"
set -x
"$build/bin/encoder-compile" "$root/examples/tiny_bert.mlir" -o "$out/tiny_bert.so"
/usr/bin/python3 "$root/examples/make_random_data.py" "$out/tiny_bert.so" \
  --encoder-run="$build/bin/encoder-run" --seed=0 \
  --weights="$out/tiny_bert.safetensors" --inputs="$out/inputs"
"$build/bin/encoder-run" "$out/tiny_bert.so" --list
"$build/bin/encoder-run" "$out/tiny_bert.so" --weights="$out/tiny_bert.safetensors" \
  --input=@"$out/inputs/input_ids.npy" --input=@"$out/inputs/attention_mask.npy"
"$build/bin/encoder-run" "$out/tiny_bert.so" --weights="$out/tiny_bert.safetensors" \
  --input=@"$out/inputs/input_ids.npy" --input=@"$out/inputs/attention_mask.npy" \
  --output=@"$out/logits.npy" --output=@"$out/pooled.npy" --benchmark=100
