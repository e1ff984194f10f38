#!/usr/bin/env bash
# Every test, on a fresh machine: install the packages, build, then run
#  1. the whole suite (lit tests of the dialect, passes and tools; Catch2
#     tests of the runtime; numerics against PyTorch; the Python package;
#     the fuzz targets' seed and regression inputs) through ctest;
#  2. the runtime and its tools' tests built with AddressSanitizer and
#     UndefinedBehaviorSanitizer (build-asan), and with ThreadSanitizer
#     (build-tsan: the thread pool and concurrent callers);
#  3. the compiler built with GCC (build-gcc) and the lit suite run on it,
#     then every example model's stages printed by both builds, compared:
#     the IR must not depend on the compiler that built the compiler;
#  4. every libFuzzer target for ENCODER_FUZZ_SECONDS (default 20) each
#     (scripts/fuzz.sh, build-fuzz).
# ENCODER_TEST_STAGES=suite,sanitizers,gcc,fuzz picks stages (default: all);
# ENCODER_WERROR=ON (CI) makes warnings errors in every build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENCODER_BUILD_DIR:-$root/build}
jobs=${ENCODER_JOBS:-$(nproc)}
stages=${ENCODER_TEST_STAGES:-suite,sanitizers,gcc,fuzz}
werror=${ENCODER_WERROR:-OFF}
has() { [[ ",$stages," == *",$1,"* ]]; }

"$root/scripts/install-deps.sh"

if has suite; then
  "$root/scripts/build.sh"
  (cd "$build" && ctest --output-on-failure -j "$jobs")
fi

if has sanitizers; then
  for kind in asan tsan; do
    dir=$root/build-$kind
    flags=$([ $kind = asan ] && echo address,undefined || echo thread)
    if [ ! -f "$dir/build.ninja" ]; then
      cmake -G Ninja -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
        -DLLVM_USE_LINKER=lld -DENCODER_RUNTIME_ONLY=ON \
        -DENCODER_SANITIZE=$flags -DENCODER_WERROR="$werror" >/dev/null
    fi
    cmake --build "$dir" -j "$jobs"
    echo "== runtime tests under $flags"
    (cd "$dir" && ASAN_OPTIONS=detect_leaks=1 TSAN_OPTIONS=halt_on_error=1 \
       ctest --output-on-failure -j "$jobs")
  done
fi

if has gcc; then
  dir=$root/build-gcc
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -G Ninja -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
      -DENCODER_WERROR="$werror" >/dev/null
  fi
  # What the lit suite runs, nothing more: GCC is the slower compiler here.
  cmake --build "$dir" -j "$jobs" --target encoder-opt encoder-compile \
    encoder-run encoder-tune encrt_fake_cuda_driver
  echo "== lit on the GCC build"
  /usr/lib/llvm-22/bin/lit -q "$dir/test"
  # Every stage of every example model (and the CUDA kernels' PTX) printed
  # by both compilers' builds must be the same text.
  if [ -x "$build/bin/encoder-compile" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    compared=0
    for model in "$root"/examples/tiny_bert.mlir "$root"/examples/*/config.json; do
      model=${model%/config.json}
      for stage in enc linalg llvm cuda; do
        args=(--emit=$stage)
        [ $stage = cuda ] && args=(--emit=ptx --target=cuda)
        for side in clang gcc; do
          bin=$([ $side = clang ] && echo "$build" || echo "$dir")/bin/encoder-compile
          "$bin" "$model" "${args[@]}" >"$out/$side" 2>"$out/$side.err" || {
            echo "$side build: encoder-compile $model ${args[*]} failed:" >&2
            cat "$out/$side.err" >&2
            exit 1
          }
        done
        if [ ! -s "$out/clang" ] || ! cmp -s "$out/clang" "$out/gcc"; then
          echo "encoder-compile $model ${args[*]}: the clang and GCC builds print different IR" >&2
          diff "$out/clang" "$out/gcc" | head -n 20 >&2
          exit 1
        fi
        compared=$((compared + 1))
      done
    done
    echo "== the clang and GCC builds print the same IR ($compared model stages)"
  fi
fi

if has fuzz; then
  "$root/scripts/fuzz.sh" "${ENCODER_FUZZ_SECONDS:-20}"
fi
