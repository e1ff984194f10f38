#!/bin/sh
# encoder-run-test.sh ENCODER_RUN FAKE_ARTIFACT WORKDIR CASE PARALLEL_ARTIFACT
#
# One end-to-end case of encoder-run on the fake artifacts (fake_artifact.c;
# fake_parallel_artifact.c for kernels, profiles and packed parameters):
# happy paths compare stdout exactly; error cases check the exit code and
# that stderr is the single line "encoder-run: error: ..." naming the
# problem.
set -u

RUN=$1
MODEL=$2
CASE=$4
PAR=${5:-}
DIR=$3/$CASE
rm -rf "$DIR"
mkdir -p "$DIR" || exit 1
cd "$DIR" || exit 1

fail() {
  echo "FAIL ($CASE): $*"
  echo "--- stdout"; cat out 2>/dev/null
  echo "--- stderr"; cat err 2>/dev/null
  exit 1
}

# Runs encoder-run with the given arguments, capturing out, err and rc.
run() {
  echo "+ encoder-run $*" | cut -c1-240
  "$RUN" "$@" >out 2>err
  RC=$?
}

expect_ok() {
  [ "$RC" -eq 0 ] || fail "exit code $RC, expected 0"
  [ -s err ] && fail "unexpected stderr"
  return 0
}

# expect_stdout LINE...: stdout is exactly these lines.
expect_stdout() {
  : >expected
  [ $# -eq 0 ] || printf '%s\n' "$@" >expected
  cmp -s out expected || {
    echo "--- expected stdout"; cat expected
    fail "stdout differs"
  }
}

# expect_error CODE NEEDLE...: exit code CODE and one error line on stderr
# (plus the usage line for usage errors) containing every NEEDLE.
expect_error() {
  code=$1
  shift
  [ "$RC" -eq "$code" ] || fail "exit code $RC, expected $code"
  lines=$(wc -l <err)
  first=$(head -n 1 err)
  case "$first" in
  "encoder-run: error: "*) ;;
  *) fail "stderr does not start with 'encoder-run: error: '" ;;
  esac
  if [ "$code" -eq 2 ]; then
    [ "$lines" -eq 2 ] || fail "expected an error line and a usage line"
    sed -n 2p err | grep -q '^usage: encoder-run MODEL.so' ||
      fail "second line is not the usage line"
  else
    [ "$lines" -eq 1 ] || fail "expected exactly one line on stderr"
  fi
  for needle in "$@"; do
    printf '%s' "$first" | grep -qF -- "$needle" ||
      fail "error does not mention: $needle"
  done
  echo "ok: $first"
}

# Writes a safetensors file $1 with one F32 tensor "bias" of $2 elements
# (bytes $3, as printf octal escapes) and "table" = [10, 20, 30, 40].
write_weights() {
  file=$1
  bias_n=$2
  bias_bytes=$3
  bias_end=$((bias_n * 4))
  table_end=$((bias_end + 16))
  header="{\"bias\":{\"dtype\":\"F32\",\"shape\":[$bias_n],\"data_offsets\":[0,$bias_end]},\"table\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[$bias_end,$table_end]}}"
  while [ $((${#header} % 8)) -ne 0 ]; do header="$header "; done
  len=${#header}
  {
    printf "\\$(printf '%03o' $((len % 256)))\\$(printf '%03o' $((len / 256)))"
    printf '\000\000\000\000\000\000'
    printf '%s' "$header"
    printf "$bias_bytes"
    printf '\000\000\040\101\000\000\240\101\000\000\360\101\000\000\040\102'
  } >"$file"
}

# bias = [0.5, -1, 2]
write_weights w.safetensors 3 '\000\000\000\077\000\000\200\277\000\000\000\100'
W=--weights=w.safetensors

# f32 N: the little-endian bytes of float N (an integer >= 0), as printf
# octal escapes.
f32() {
  n=$1
  bits=0
  if [ "$n" -gt 0 ]; then
    e=0
    while [ $((1 << (e + 1))) -le "$n" ]; do e=$((e + 1)); done
    bits=$((((127 + e) << 23) | ((n - (1 << e)) << (23 - e))))
  fi
  printf '\\%03o\\%03o\\%03o\\%03o' $((bits & 255)) $(((bits >> 8) & 255)) \
    $(((bits >> 16) & 255)) $(((bits >> 24) & 255))
}

# write_st FILE "NAME|D1,D2|V1 V2 ..."...: a safetensors file of F32 tensors
# with integer values.
write_st() {
  file=$1
  shift
  header="{"
  data=""
  off=0
  sep=""
  for spec in "$@"; do
    name=${spec%%|*}
    rest=${spec#*|}
    shape=${rest%%|*}
    n=0
    for v in ${rest#*|}; do
      data="$data$(f32 "$v")"
      n=$((n + 1))
    done
    end=$((off + 4 * n))
    header="$header$sep\"$name\":{\"dtype\":\"F32\",\"shape\":[$shape],\"data_offsets\":[$off,$end]}"
    sep=","
    off=$end
  done
  header="$header}"
  while [ $((${#header} % 8)) -ne 0 ]; do header="$header "; done
  len=${#header}
  {
    printf "\\$(printf '%03o' $((len % 256)))\\$(printf '%03o' $((len / 256)))"
    printf '\000\000\000\000\000\000'
    printf '%s' "$header"
    printf "$data"
  } >"$file"
}

# expect_line REGEX: some line of stdout matches (grep -E).
expect_line() {
  grep -Eq -- "$1" out || fail "no line of stdout matches: $1"
}

case "$CASE" in
list)
  run "$MODEL" --list
  expect_ok
  expect_stdout "artifact '$MODEL': target cpu, 5 functions" \
    "function add_bias" \
    "  input  x: ?x3xf32" \
    "  param  bias: 3xf32" \
    "  output y: ?x3xf32" \
    "function lookup" \
    "  input  ids: ?xi64 range [0, 4) ignore -100" \
    "  param  table: 4xf32" \
    "  output total: f32" \
    "function transpose" \
    "  input  x: 2x3xf32" \
    "  output y: 3x2xf32" \
    "function aliasing" \
    "  input  x: ?xf32" \
    "  output same: ?xf32" \
    "  output doubled: ?xf32" \
    "  output doubled_again: ?xf32" \
    "  output constant: 3xf32" \
    "function masked_sum" \
    "  input  ids: ?x?xi64 (batch, sequence >= 1)" \
    "  input  mask: ?x?xi64 (batch, sequence) optional (default ones)" \
    "  input  offset: ?x2xi8 (batch, -) optional (default zeros)" \
    "  output total: i64"
  ;;
literal)
  run "$MODEL" $W --function=add_bias --input=2x3xf32=1,2,3,4,5,6
  expect_ok
  expect_stdout "result[0] y: 2x3xf32=[[1.5, 1, 5], [4.5, 4, 8]]"
  run "$MODEL" $W --function=add_bias "--input=1x3xf32=1e-7 2.25, -3"
  expect_ok
  expect_stdout "result[0] y: 1x3xf32=[[0.5, 1.25, -1]]"
  ;;
npy-roundtrip)
  run "$MODEL" $W --function=add_bias --input=2x3xf32=1,2,3,4,5,6 \
    --output=@y.npy
  expect_ok
  expect_stdout
  [ "$(head -c 6 y.npy | tail -c 5)" = "NUMPY" ] || fail "y.npy is not .npy"
  run "$MODEL" $W --function=add_bias --input=@y.npy
  expect_ok
  expect_stdout "result[0] y: 2x3xf32=[[2, 0, 7], [5, 3, 10]]"
  ;;
scalar-result)
  run "$MODEL" $W --function=lookup --input=3xi64=0,3,-100
  expect_ok
  expect_stdout "result[0] total: f32=50"
  ;;
summarize)
  values=$(seq -s, 0 1999)
  run "$MODEL" --function=aliasing "--input=2000xf32=$values" \
    --output=@same.npy
  expect_ok
  expect_stdout "result[1] doubled: 2000xf32=[0, 2, 4, ..., 3994, 3996, 3998]" \
    "result[2] doubled_again: 2000xf32=[0, 2, 4, ..., 3994, 3996, 3998]" \
    "result[3] constant: 3xf32=[7, 8, 9]"
  values=$(seq -s, 1 1200)
  run "$MODEL" $W --function=add_bias "--input=400x3xf32=$values"
  expect_ok
  expect_stdout "result[0] y: 400x3xf32=[[1.5, 1, 5], [4.5, 4, 8], [7.5, 7, 11], ..., [1192.5, 1192, 1196], [1195.5, 1195, 1199], [1198.5, 1198, 1202]]"
  ;;
benchmark)
  run "$MODEL" $W --function=add_bias --input=1x3xf32=0,0,0 --benchmark=5
  expect_ok
  [ "$(head -n 1 out)" = "result[0] y: 1x3xf32=[[0.5, -1, 2]]" ] ||
    fail "first call's result not printed"
  sed -n 2p out | grep -Eq "^benchmark: function 'add_bias', 5 runs after 3 warm-up runs: median [0-9.]+ ms, min [0-9.]+ ms, max [0-9.]+ ms$" ||
    fail "no benchmark line"
  ;;
unknown-option)
  run "$MODEL" --frobnicate
  expect_error 2 "unknown option '--frobnicate'"
  ;;
missing-model)
  run --list
  expect_error 2 "no MODEL.so given"
  ;;
bad-benchmark)
  run "$MODEL" --benchmark=fast
  expect_error 2 "--benchmark expects a positive number of runs, got 'fast'"
  ;;
unknown-function)
  run "$MODEL" $W --function=nope
  expect_error 1 "no function 'nope'" "add_bias, lookup, transpose, aliasing, masked_sum"
  ;;
no-default-function)
  run "$MODEL" $W --input=f32=1
  expect_error 1 "none is called 'main'" "--function" "add_bias, lookup"
  ;;
not-an-artifact)
  echo "just text" >model.so
  run model.so --list
  expect_error 1 "'model.so' is not an encoder artifact"
  ;;
missing-weights-file)
  run "$MODEL" --weights=missing.safetensors --function=add_bias \
    --input=1x3xf32=1,2,3
  expect_error 1 "cannot open weights file 'missing.safetensors'"
  ;;
unbound-parameter)
  run "$MODEL" --function=add_bias --input=1x3xf32=1,2,3
  expect_error 1 "parameter 'bias' of function 'add_bias' is not bound"
  ;;
wrong-param-shape)
  write_weights w4.safetensors 4 '\000\000\000\077\000\000\000\077\000\000\000\077\000\000\000\077'
  run "$MODEL" --weights=w4.safetensors --function=add_bias \
    --input=1x3xf32=1,2,3
  expect_error 1 "weights file 'w4.safetensors': tensor 'bias' has shape 4, the artifact expects 3"
  ;;
input-count)
  run "$MODEL" $W --function=add_bias
  expect_error 1 "function 'add_bias': no --input for 'x' (give inputs in order, or by name"
  run "$MODEL" $W --function=add_bias --input=1x3xf32=1,2,3 --input=1x3xf32=1,2,3
  expect_error 1 "function 'add_bias' takes 1 input (x), got 2 --input"
  run "$MODEL" $W --function=add_bias --input=x=1x3xf32=1,2,3 --input=x=1x3xf32=1,2,3
  expect_error 2 "input 'x' is given twice by name"
  ;;
optional-inputs)
  # Omitted inputs take their defaults; named ones go where they belong.
  run "$MODEL" --function=masked_sum --input=2x2xi64=1,2,3,4
  expect_ok
  expect_stdout "result[0] total: i64=10"
  run "$MODEL" --function=masked_sum --input=mask=2x2xi32=1,0,0,1 \
    --input=2x2xi64=1,2,3,4
  expect_ok
  expect_stdout "result[0] total: i64=5"
  run "$MODEL" --function=masked_sum --input=2x2xi64=1,2,3,4 \
    --input=offset=2x2xi64=0,1,0,0
  expect_ok
  expect_stdout "result[0] total: i64=1010"
  run "$MODEL" --function=masked_sum --input=2x2xi64=1,2,3,4 \
    --input=offset=2x2xi64=0,300,0,0
  expect_error 1 "input 'offset' (#2) of function 'masked_sum': element [0, 1] is 300, which the input's dtype i8 cannot hold"
  run "$MODEL" --function=masked_sum --input=2x0xi64=
  expect_error 1 "input 'ids' (#0) of function 'masked_sum': dimension 1 ('sequence') is 0, less than the minimum 1 the compiled code needs"
  run "$MODEL" --function=masked_sum --input=mask=2x2xi64=1,1,1,1
  expect_error 1 "function 'masked_sum': no --input for 'ids'"
  ;;
max-memory)
  # masked_sum's metadata estimates 6008 bytes at batch 2 x sequence 3.
  run "$MODEL" --function=masked_sum --input=2x3xi64=1,1,1,1,1,1 --max-memory=6K
  expect_error 1 "function 'masked_sum': a call at batch=2, sequence=3 needs an estimated 6008 bytes for its intermediate buffers, more than the limit of 6000 bytes"
  run "$MODEL" --function=masked_sum --input=2x3xi64=1,1,1,1,1,1 --max-memory=7K
  expect_ok
  run "$MODEL" --function=masked_sum --input=2x3xi64=1,1,1,1,1,1 --max-memory=lots
  expect_error 2 "--max-memory expects a size such as 8G"
  ;;
value-count)
  run "$MODEL" $W --function=add_bias --input=2x3xf32=1,2,3
  expect_error 1 "input 'x' (#0)" "2x3xf32 needs 6 values, got 3"
  ;;
bad-value)
  run "$MODEL" $W --function=add_bias --input=1x3xf32=1,abc,3
  expect_error 1 "input 'x' (#0)" "value #1 'abc' is not a number"
  run "$MODEL" $W --function=lookup --input=2xi8=1,300
  expect_error 1 "value #1 '300' is out of range for i8"
  ;;
bad-dtype)
  run "$MODEL" $W --function=add_bias --input=2x3xq7=1,2,3,4,5,6
  expect_error 1 "unknown dtype 'q7'"
  run "$MODEL" $W --function=add_bias --input=2xyx3xf32=1
  expect_error 1 "bad dimension 'y'"
  run "$MODEL" $W --function=add_bias --input=1,2,3
  expect_error 1 "expected @FILE.npy or TYPE=VALUES"
  ;;
wrong-static-dim)
  run "$MODEL" $W --function=add_bias --input=2x4xf32=1,2,3,4,5,6,7,8
  expect_error 1 "input 'x' (#0) of function 'add_bias': expected shape ?x3xf32, got 2x4xf32"
  ;;
wrong-dtype)
  run "$MODEL" $W --function=add_bias --input=2x3xi32=1,2,3,4,5,6
  expect_error 1 "input 'x' (#0) of function 'add_bias': expected dtype f32"
  run "$MODEL" $W --function=add_bias --input=f32=1
  expect_error 1 "expected rank 2"
  ;;
out-of-range)
  run "$MODEL" $W --function=lookup --input=3xi64=0,7,-100
  expect_error 1 "input 'ids' (#0) of function 'lookup'" "element [1] is 7" \
    "outside the valid range [0, 4)"
  ;;
missing-npy)
  run "$MODEL" $W --function=add_bias --input=@nope.npy
  expect_error 1 "'nope.npy'" "No such file"
  ;;
bad-npy)
  echo "not numpy" >bad.npy
  run "$MODEL" $W --function=add_bias --input=@bad.npy
  expect_error 1 "'bad.npy' is not a .npy file"
  ;;
too-many-outputs)
  run "$MODEL" $W --function=add_bias --input=1x3xf32=1,2,3 --output=@a.npy \
    --output=@b.npy
  expect_error 1 "2 --output files given, but function 'add_bias' has 1 result"
  ;;
cuda-device)
  run "$MODEL" $W --function=add_bias --input=1x3xf32=1,2,3 --device=cuda
  expect_error 1 "compiled for cpu"
  run "$MODEL" --device=tpu
  expect_error 2 "--device expects cpu, cuda or cuda:N, got 'tpu'"
  ;;
profile)
  run "$PAR" --function=mark --input=4xf32=1,2,3,4 --profile
  expect_ok
  [ "$(head -n 2 out)" = "result[0] y: 4xf32=[2, 4, 6, 8]
result[1] hits: 4xi32=[1, 1, 1, 1]" ] || fail "results not printed first"
  expect_line "^result\[3\] bad_ranges: i64=0$"
  expect_line "^profile: function 'mark', 1 run, 4 kernels launched$"
  expect_line "^  kernel +ops +calls +total ms +% +GFLOP/s$"
  expect_line "^  mark\.scale +enc\.linear,enc\.activation +1 +[0-9.]+ +[0-9.]+ +[0-9.]+$"
  expect_line "^  mark\.tail +- +1 +[0-9.]+ +[0-9.]+ +-$"
  expect_line "^  mark\.empty +- +1 "
  expect_line "^  \(unlisted kernels\) +- +1 "
  expect_line "^  sum of kernels: [0-9.]+ ms of [0-9.]+ ms measured \([0-9.]+%\)$"
  expect_line "^  outside kernels: [0-9.]+ ms \(the runtime's checks and copies"
  [ "$(wc -l <out)" -eq 12 ] || fail "expected 4 results and 8 profile lines"
  ;;
profile-benchmark)
  run "$PAR" --function=mark --input=3xf32=1,2,3 --benchmark=5 --profile \
    --threads=2
  expect_ok
  expect_line "^benchmark: function 'mark', 5 runs after 3 warm-up runs"
  expect_line "^profile: function 'mark', 5 runs, 4 kernels launched$"
  expect_line "^  mark\.scale +enc\.linear,enc\.activation +5 "
  expect_line "^  mark\.tail +- +5 "
  # No profile without --profile.
  run "$PAR" --function=mark --input=3xf32=1,2,3 --benchmark=2
  expect_ok
  grep -q '^profile' out && fail "profile printed without --profile"
  ;;
threads)
  run "$PAR" --function=mark --input=4xf32=1,2,3,4 --threads=1
  expect_ok
  expect_line "^result\[2\] threads: i64=1$"
  run "$PAR" --function=mark --input=4xf32=1,2,3,4 --threads=0
  expect_ok
  expect_line "^result\[1\] hits: 4xi32=\[1, 1, 1, 1\]$"
  ;;
bad-threads)
  run "$PAR" --function=mark --threads=-1
  expect_error 2 "--threads expects a number of threads (0: one per core), got '-1'"
  run "$PAR" --function=mark --threads=many
  expect_error 2 "got 'many'"
  ;;
list-kernels-and-sources)
  run "$PAR" --list
  expect_ok
  expect_stdout "artifact '$PAR': target cpu, 3 functions" \
    "function mark" \
    "  input  x: ?xf32" \
    "  output y: ?xf32" \
    "  output hits: ?xi32" \
    "  output threads: i64" \
    "  output bad_ranges: i64" \
    "function nested" \
    "  input  x: ?x?xf32" \
    "  output hits: ?x?xi32" \
    "  output bad_ranges: i64" \
    "function packed" \
    "  param  q.weight: 2x3xf32" \
    "  param  k.weight: 2x3xf32" \
    "  param  bias: 3xf32" \
    "  param  a: 2x1xf32" \
    "  output qk: 2x3x2xf32" \
    "  output bias: 3xf32" \
    "  output qa: 2x4xf32" \
    "  output aligned: i64" \
    "kernel mark.scale (function mark): ops enc.linear,enc.activation, flops ?, bytes ?" \
    "kernel mark.tail (function mark): ops -, flops 0, bytes 8" \
    "kernel mark.empty (function mark): ops -, flops ?, bytes ?" \
    "kernel nested.outer (function nested): ops enc.attention, flops ?, bytes ?" \
    "kernel nested.inner (function nested): ops enc.softmax, flops ?, bytes ?"
  ;;
packed)
  write_st p.safetensors "q.weight|2,3|1 2 3 4 5 6" \
    "k.weight|2,3|7 8 9 10 11 12" "a|2,1|100 200" "bias|3|0 1 2"
  run "$PAR" --weights=p.safetensors --function=packed
  expect_ok
  expect_stdout \
    "result[0] qk: 2x3x2xf32=[[[1, 4], [2, 5], [3, 6]], [[7, 10], [8, 11], [9, 12]]]" \
    "result[1] bias: 3xf32=[0, 1, 2]" \
    "result[2] qa: 2x4xf32=[[1, 2, 3, 100], [4, 5, 6, 200]]" \
    "result[3] aligned: i64=1"
  ;;
unbound-source)
  write_st q.safetensors "q.weight|2,3|1 2 3 4 5 6" "bias|3|1 2 3"
  run "$PAR" --weights=q.safetensors --function=packed
  expect_error 1 "parameter 'k.weight' of function 'packed' is not bound" \
    "the weights file 'q.safetensors' has no tensor of that name"
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "PASS ($CASE)"
