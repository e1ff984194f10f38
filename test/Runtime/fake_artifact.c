/*===- fake_artifact.c - A hand-written artifact for runtime tests --------===*
 *
 * Stands in for encoder-compile output and follows docs/artifact-abi.md to
 * the letter: it exports `enc_artifact_metadata` and one entry point
 * `void(void *const *args, void *results)` per function; every tensor is a
 * memref descriptor of 8-byte words; results are malloc'ed and owned by the
 * caller. Some functions break the "dense, unaliased result" habit on
 * purpose to exercise the runtime's copies.
 *
 * Built with -DFAKE_TARGET_CUDA it claims the cuda target instead.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

#ifdef FAKE_TARGET_CUDA
#define FAKE_TARGET "{\"kind\": \"cuda\", \"arch\": \"sm_80\"}"
#define FAKE_ABI "2" /* CUDA artifacts start at version 2 */
#else
#define FAKE_ABI "1" /* the oldest version still loads */
#define FAKE_TARGET                                                            \
  "{\"kind\": \"cpu\", \"triple\": \"x86_64-unknown-linux-gnu\", "             \
  "\"cpu\": \"generic\"}"
#endif

EXPORT const char enc_artifact_metadata[] =
    "{\n"
    "  \"format\": \"encoder-artifact\",\n"
    "  \"abi_version\": " FAKE_ABI ",\n"
    "  \"producer\": \"fake_artifact.c\",\n"
    "  \"target\": " FAKE_TARGET ",\n"
    "  \"future_field\": {\"ignored\": [1, 2.5, null, true]},\n"
    "  \"functions\": [\n"
    "    {\"name\": \"add_bias\", \"entry\": \"fake_add_bias\",\n"
    "     \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", "
    "\"shape\": [-1, 3]}],\n"
    "     \"params\": [{\"name\": \"bias\", \"dtype\": \"f32\", "
    "\"shape\": [3]}],\n"
    "     \"outputs\": [{\"name\": \"y\", \"dtype\": \"f32\", "
    "\"shape\": [-1, 3]}]},\n"
    "    {\"name\": \"lookup\", \"entry\": \"fake_lookup\",\n"
    "     \"inputs\": [{\"name\": \"ids\", \"dtype\": \"i64\", \"shape\": "
    "[-1], "
    "\"range\": [0, 4], \"ignore_value\": -100}],\n"
    "     \"params\": [{\"name\": \"table\", \"dtype\": \"f32\", "
    "\"shape\": [4]}],\n"
    "     \"outputs\": [{\"name\": \"total\", \"dtype\": \"f32\", "
    "\"shape\": []}],\n"
    "     \"note\": \"unknown fields are ignored\"},\n"
    "    {\"name\": \"transpose\", \"entry\": \"fake_transpose\",\n"
    "     \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", "
    "\"shape\": [2, 3]}],\n"
    "     \"params\": [],\n"
    "     \"outputs\": [{\"name\": \"y\", \"dtype\": \"f32\", "
    "\"shape\": [3, 2]}]},\n"
    "    {\"name\": \"aliasing\", \"entry\": \"fake_aliasing\",\n"
    "     \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", "
    "\"shape\": [-1]}],\n"
    "     \"params\": [],\n"
    "     \"outputs\": [{\"name\": \"same\", \"dtype\": \"f32\", "
    "\"shape\": [-1]},\n"
    "                 {\"name\": \"doubled\", \"dtype\": \"f32\", "
    "\"shape\": [-1]},\n"
    "                 {\"name\": \"doubled_again\", \"dtype\": \"f32\", "
    "\"shape\": [-1]},\n"
    "                 {\"name\": \"constant\", \"dtype\": \"f32\", "
    "\"shape\": [3]}]},\n"
    "    {\"name\": \"masked_sum\", \"entry\": \"fake_masked_sum\",\n"
    "     \"inputs\": [{\"name\": \"ids\", \"dtype\": \"i64\", "
    "\"shape\": [-1, -1], \"dim_names\": [\"batch\", \"sequence\"], "
    "\"dim_min\": [0, 1]},\n"
    "                {\"name\": \"mask\", \"dtype\": \"i64\", "
    "\"shape\": [-1, -1], \"dim_names\": [\"batch\", \"sequence\"], "
    "\"default\": \"ones\"},\n"
    "                {\"name\": \"offset\", \"dtype\": \"i8\", "
    "\"shape\": [-1, 2], \"dim_names\": [\"batch\", \"\"], "
    "\"default\": \"zeros\"}],\n"
    "     \"params\": [],\n"
    "     \"outputs\": [{\"name\": \"total\", \"dtype\": \"i64\", "
    "\"shape\": []}],\n"
    "     \"memory\": {\"symbols\": [\"batch\", \"sequence\"], "
    "\"events\": [{\"alloc\": \"(s0 * s1) * 1000\"}, "
    "{\"alloc\": \"s1 ceildiv 2 * 4\"}, {\"free\": 0}, "
    "{\"alloc\": \"s0 * 3000 - 8\"}], \"complete\": true}}\n"
    "  ]\n"
    "}\n";

/* Descriptor word layout: allocated, aligned, offset, sizes[R], strides[R]. */
static void *dataOf(const int64_t *Desc) { return (char *)(intptr_t)Desc[1]; }

static void setResult(int64_t *Out, const void *Allocated, const void *Aligned,
                      int64_t Offset, int64_t Rank, const int64_t *Sizes,
                      const int64_t *Strides) {
  Out[0] = (int64_t)(intptr_t)Allocated;
  Out[1] = (int64_t)(intptr_t)Aligned;
  Out[2] = Offset;
  for (int64_t I = 0; I < Rank; ++I) {
    Out[3 + I] = Sizes[I];
    Out[3 + Rank + I] = Strides[I];
  }
}

/* y[i, j] = x[i, j] + bias[j] for x of shape ?x3. */
EXPORT void fake_add_bias(void *const *Args, void *Results) {
  const int64_t *X = (const int64_t *)Args[0];
  const int64_t *Bias = (const int64_t *)Args[1];
  const float *XData = (const float *)dataOf(X) + X[2];
  const float *BData = (const float *)dataOf(Bias) + Bias[2];
  int64_t Rows = X[3], Cols = X[4];
  float *Y = (float *)malloc((size_t)(Rows * Cols) * sizeof(float) + 1);
  for (int64_t I = 0; I < Rows; ++I)
    for (int64_t J = 0; J < Cols; ++J)
      Y[I * Cols + J] = XData[I * X[5] + J * X[6]] + BData[J * Bias[4]];
  int64_t Sizes[2] = {Rows, Cols};
  int64_t Strides[2] = {Cols, 1};
  setResult((int64_t *)Results, Y, Y, 0, 2, Sizes, Strides);
}

/* total = sum of table[id] over ids that are not -100. */
EXPORT void fake_lookup(void *const *Args, void *Results) {
  const int64_t *Ids = (const int64_t *)Args[0];
  const int64_t *Table = (const int64_t *)Args[1];
  const int64_t *IdData = (const int64_t *)dataOf(Ids) + Ids[2];
  const float *TData = (const float *)dataOf(Table) + Table[2];
  float *Total = (float *)malloc(sizeof(float));
  *Total = 0;
  for (int64_t I = 0; I < Ids[3]; ++I)
    if (IdData[I] != -100)
      *Total += TData[IdData[I]];
  setResult((int64_t *)Results, Total, Total, 0, 0, NULL, NULL);
}

/* y = transpose(x), returned as a strided view with a non-zero offset. */
EXPORT void fake_transpose(void *const *Args, void *Results) {
  const int64_t *X = (const int64_t *)Args[0];
  const float *XData = (const float *)dataOf(X) + X[2];
  float *Buf = (float *)malloc(7 * sizeof(float));
  Buf[0] = -1.0f; /* skipped by the offset */
  memcpy(Buf + 1, XData, 6 * sizeof(float));
  int64_t Sizes[2] = {3, 2};
  int64_t Strides[2] = {1, 3};
  setResult((int64_t *)Results, Buf, Buf, 1, 2, Sizes, Strides);
}

static const float Constant[3] = {7.0f, 8.0f, 9.0f};

/* same: x itself; doubled: 2x; doubled_again: the same allocation as
 * doubled; constant: memory inside this object. Only `doubled` may be
 * freed by the caller. */
EXPORT void fake_aliasing(void *const *Args, void *Results) {
  const int64_t *X = (const int64_t *)Args[0];
  float *XData = (float *)dataOf(X) + X[2];
  int64_t N = X[3];
  float *Doubled = (float *)malloc((size_t)N * sizeof(float) + 1);
  for (int64_t I = 0; I < N; ++I)
    Doubled[I] = 2 * XData[I];
  int64_t *Out = (int64_t *)Results;
  int64_t Sizes[1] = {N};
  int64_t Strides[1] = {1};
  int64_t ConstSizes[1] = {3};
  setResult(Out, XData, XData, 0, 1, Sizes, Strides);
  setResult(Out + 5, Doubled, Doubled, 0, 1, Sizes, Strides);
  setResult(Out + 10, Doubled, Doubled, 0, 1, Sizes, Strides);
  setResult(Out + 15, Constant, Constant, 0, 1, ConstSizes, Strides);
}

/* total = sum(ids * mask) + 1000 * sum(offset): tells an omitted mask
 * (ones) and offset (zeros) from given ones. */
EXPORT void fake_masked_sum(void *const *Args, void *Results) {
  const int64_t *Ids = (const int64_t *)Args[0];
  const int64_t *Mask = (const int64_t *)Args[1];
  const int64_t *Offset = (const int64_t *)Args[2];
  const int64_t *IdData = (const int64_t *)dataOf(Ids) + Ids[2];
  const int64_t *MaskData = (const int64_t *)dataOf(Mask) + Mask[2];
  const int8_t *OffsetData = (const int8_t *)dataOf(Offset) + Offset[2];
  int64_t *Total = (int64_t *)malloc(sizeof(int64_t));
  *Total = 0;
  for (int64_t I = 0; I < Ids[3] * Ids[4]; ++I)
    *Total += IdData[I] * MaskData[I];
  for (int64_t I = 0; I < Offset[3] * Offset[4]; ++I)
    *Total += 1000 * OffsetData[I];
  setResult((int64_t *)Results, Total, Total, 0, 0, NULL, NULL);
}
