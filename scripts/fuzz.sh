#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 20), in build-fuzz/
# (clang-22, -fsanitize=fuzzer,address,undefined): the safetensors and .npy
# readers, the artifact metadata reader, the model-config frontend, the ONNX
# importer (with ONNX's parser and checker), and IR
# parsing + verification + the enc passes to linalg. Each target starts
# from its seed corpus (test/fuzz/corpus, the lit inputs) and writes what it
# finds to build-fuzz/fuzz/<target>/ (corpus/ and crash-* files), never into
# the repository. Fuzzing goes on past a crash (libFuzzer's fork mode);
# every crash input is then replayed and triaged: a crash with a frame in
# the project's own code fails the run (fix it and add the input to
# test/fuzz/regressions/<target>/, which every build replays); one entirely
# inside Debian's libMLIR.so (its parsers) or libonnx/libprotobuf is upstream's, listed in
# build-fuzz/fuzz/<target>/upstream.txt and docs/reliability.md, and does
# not fail the run.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 3600 npy
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ENCODER_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors npy metadata model-config onnx pipeline)

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld -DENCODER_FUZZ=ON \
    -DENCODER_WERROR="${ENCODER_WERROR:-OFF}" \
    -DENCODER_SANITIZE=fuzzer-no-link,address,undefined >/dev/null
fi
cmake --build "$build" -j "${ENCODER_JOBS:-$(nproc)}" \
  --target "${targets[@]/#/encoder-fuzz-}"

# libMLIR.so is not instrumented: ASan cannot see its containers' bounds
# (container-overflow), sees its template copies twice (ODR), and LLVM's
# allocators poison memory in our instrumented copies of their inline code
# that libMLIR's copies never unpoison (use-after-poison): user poisoning
# is off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_container_overflow=0:detect_odr_violation=0:allow_user_poisoning=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
seeds() {
  case "$1" in
    pipeline) echo "$root/test/Dialect $root/test/Graph $root/test/Conversion $root/test/Codegen" ;;
    *) echo "$root/test/fuzz/corpus/$1" ;;
  esac
}
# A crash is the project's when a frame of its stack is in our sources, or
# when the target itself gave up (a failed check of its own, such as "what
# the frontend built must verify": the first frame past the signal and
# sanitizer machinery is LLVMFuzzerTestOneInput).
ours() {
  grep -E "^ +#[0-9]+ .* in .* $root/(lib|dialects|include|tools|python-bindings)/" "$1" \
    | grep -v "LLVMFuzzerTestOneInput" | head -n 1 || true
  grep -E "^ +#[0-9]+ " "$1" \
    | grep -vE " in (__sanitizer|__asan|__ubsan|fuzzer::|__pthread_kill|pthread_kill|raise|abort|gsignal|__GI_)|crtstuff|libc\.so" \
    | head -n 1 | grep "LLVMFuzzerTestOneInput" || true
}
status=0
for target in "${targets[@]}"; do
  out=$build/fuzz/$target
  mkdir -p "$out/corpus"
  rm -f "$out"/crash-* "$out"/timeout-* "$out"/oom-* "$out/upstream.txt"
  echo "== $target: ${seconds}s"
  # shellcheck disable=SC2046
  (cd "$out" && "$build/bin/encoder-fuzz-$target" -max_total_time="$seconds" \
     -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
     -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
     "$out/corpus" $(seeds "$target") >"$out/log" 2>&1) || true
  grep -E "INFO: fuzzed for|DONE|cov:" "$out/log" | tail -n 2
  for crash in "$out"/crash-* "$out"/timeout-* "$out"/oom-*; do
    [ -e "$crash" ] || continue
    "$build/bin/encoder-fuzz-$target" -timeout=30 -rss_limit_mb=4096 "$crash" \
      >"$crash.log" 2>&1 || true
    frame=$(ours "$crash.log")
    if [ -n "$frame" ]; then
      echo "fuzz: $target: $(basename "$crash") crashes in the project's code:" >&2
      echo "$frame" >&2
      echo "  input: $crash, stack: $crash.log" >&2
      status=1
    else
      summary=$(grep -m1 -E "^SUMMARY|ERROR: libFuzzer" "$crash.log" || echo "no report")
      echo "$(basename "$crash"): $summary" >>"$out/upstream.txt"
      echo "fuzz: $target: $(basename "$crash") is in upstream code only ($summary)"
    fi
  done
done
exit $status
