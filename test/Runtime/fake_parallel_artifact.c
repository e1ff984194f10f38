/*===- fake_parallel_artifact.c - An artifact that launches kernels -------===*
 *
 * Stands in for encoder-compile output that uses the runtime hooks of
 * docs/artifact-abi.md: it exports a zero-initialized `enc_runtime_hooks`
 * and launches every kernel through `parallel_for`, falling back to running
 * the body itself while the hook is NULL. Its metadata lists the kernels and
 * has packed parameters. The bodies record what they were given (which
 * indices ran, how often, on how many threads, any range outside the launch)
 * so that tests can check the runtime's splitting.
 *
 * Built with -DFAKE_NO_HOOKS it exports no hooks, as an artifact of a
 * compiler that predates them: every kernel then runs serially.
 *
 *===----------------------------------------------------------------------===*/

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef void (*enc_kernel_body)(void *context, int64_t begin, int64_t end);

struct enc_runtime_hooks {
  void (*parallel_for)(enc_kernel_body body, void *context, int64_t count,
                       int64_t kernel, int64_t flops);
};

#ifdef FAKE_NO_HOOKS
static struct enc_runtime_hooks enc_runtime_hooks;
#else
EXPORT struct enc_runtime_hooks enc_runtime_hooks;
#endif

/* Kernel indices, as in "kernels" below. */
enum { KScale, KTail, KEmpty, KOuter, KInner, KUnlisted = 99 };

EXPORT const char enc_artifact_metadata[] =
    "{\n"
    "  \"format\": \"encoder-artifact\",\n"
    "  \"abi_version\": 1,\n"
    "  \"producer\": \"fake_parallel_artifact.c\",\n"
    "  \"target\": {\"kind\": \"cpu\"},\n"
    "  \"functions\": [\n"
    "    {\"name\": \"mark\", \"entry\": \"fake_mark\",\n"
    "     \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", "
    "\"shape\": [-1]}],\n"
    "     \"params\": [],\n"
    "     \"outputs\": [{\"name\": \"y\", \"dtype\": \"f32\", "
    "\"shape\": [-1]},\n"
    "                 {\"name\": \"hits\", \"dtype\": \"i32\", "
    "\"shape\": [-1]},\n"
    "                 {\"name\": \"threads\", \"dtype\": \"i64\", "
    "\"shape\": []},\n"
    "                 {\"name\": \"bad_ranges\", \"dtype\": \"i64\", "
    "\"shape\": []}]},\n"
    "    {\"name\": \"nested\", \"entry\": \"fake_nested\",\n"
    "     \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", "
    "\"shape\": [-1, -1]}],\n"
    "     \"params\": [],\n"
    "     \"outputs\": [{\"name\": \"hits\", \"dtype\": \"i32\", "
    "\"shape\": [-1, -1]},\n"
    "                 {\"name\": \"bad_ranges\", \"dtype\": \"i64\", "
    "\"shape\": []}]},\n"
    "    {\"name\": \"packed\", \"entry\": \"fake_packed\",\n"
    "     \"inputs\": [],\n"
    "     \"params\": [\n"
    "       {\"name\": \"qk.packed\", \"dtype\": \"f32\", "
    "\"shape\": [2, 3, 2],\n"
    "        \"pack\": {\"sources\": [{\"name\": \"q.weight\", "
    "\"shape\": [2, 3]},\n"
    "                             {\"name\": \"k.weight\", "
    "\"shape\": [2, 3]}],\n"
    "                 \"concat_dim\": 0, \"panel\": 2}},\n"
    "       {\"name\": \"bias\", \"dtype\": \"f32\", \"shape\": [3]},\n"
    "       {\"name\": \"qa.packed\", \"dtype\": \"f32\", "
    "\"shape\": [2, 4],\n"
    "        \"pack\": {\"sources\": [{\"name\": \"q.weight\", "
    "\"shape\": [2, 3]},\n"
    "                             {\"name\": \"a\", \"shape\": [2, 1]}],\n"
    "                 \"concat_dim\": 1}}],\n"
    "     \"outputs\": [{\"name\": \"qk\", \"dtype\": \"f32\", "
    "\"shape\": [2, 3, 2]},\n"
    "                 {\"name\": \"bias\", \"dtype\": \"f32\", "
    "\"shape\": [3]},\n"
    "                 {\"name\": \"qa\", \"dtype\": \"f32\", "
    "\"shape\": [2, 4]},\n"
    "                 {\"name\": \"aligned\", \"dtype\": \"i64\", "
    "\"shape\": []}]}\n"
    "  ],\n"
    "  \"kernels\": [\n"
    "    {\"name\": \"mark.scale\", \"function\": \"mark\", "
    "\"ops\": [\"enc.linear\", \"enc.activation\"], \"flops\": -1, "
    "\"bytes\": -1},\n"
    "    {\"name\": \"mark.tail\", \"function\": \"mark\", \"ops\": [], "
    "\"flops\": 0, \"bytes\": 8},\n"
    "    {\"name\": \"mark.empty\", \"function\": \"mark\"},\n"
    "    {\"name\": \"nested.outer\", \"function\": \"nested\", "
    "\"ops\": [\"enc.attention\"], \"future\": true},\n"
    "    {\"name\": \"nested.inner\", \"function\": \"nested\", "
    "\"ops\": [\"enc.softmax\"]}\n"
    "  ]\n"
    "}\n";

static void launch(enc_kernel_body Body, void *Context, int64_t Count,
                   int64_t Kernel, int64_t Flops) {
  if (enc_runtime_hooks.parallel_for)
    enc_runtime_hooks.parallel_for(Body, Context, Count, Kernel, Flops);
  else if (Count > 0)
    Body(Context, 0, Count);
}

/* Descriptor word layout: allocated, aligned, offset, sizes[R], strides[R]. */
static void *dataOf(const int64_t *Desc) { return (char *)(intptr_t)Desc[1]; }

static void setResult(int64_t *Out, void *Data, int64_t Rank,
                      const int64_t *Sizes) {
  Out[0] = (int64_t)(intptr_t)Data;
  Out[1] = (int64_t)(intptr_t)Data;
  Out[2] = 0;
  int64_t Stride = 1;
  for (int64_t I = Rank; I-- > 0;) {
    Out[3 + I] = Sizes[I];
    Out[3 + Rank + I] = Stride;
    Stride *= Sizes[I];
  }
}

#define MAX_THREADS 64

struct Recorder {
  int64_t Count;
  int32_t *Hits;     /* incremented atomically per index run */
  int64_t BadRanges; /* ranges outside [0, Count) or empty */
  pthread_t Threads[MAX_THREADS];
  int64_t NumThreads; /* distinct threads seen */
  pthread_mutex_t Mutex;
};

static void recordRange(struct Recorder *R, int64_t Begin, int64_t End) {
  if (Begin < 0 || End > R->Count || Begin >= End)
    __atomic_fetch_add(&R->BadRanges, 1, __ATOMIC_RELAXED);
  for (int64_t I = Begin; I < End && I >= 0 && I < R->Count; ++I)
    __atomic_fetch_add(&R->Hits[I], 1, __ATOMIC_RELAXED);
  pthread_t Self = pthread_self();
  pthread_mutex_lock(&R->Mutex);
  int Seen = 0;
  for (int64_t I = 0; I < R->NumThreads; ++I)
    Seen |= pthread_equal(R->Threads[I], Self);
  if (!Seen && R->NumThreads < MAX_THREADS)
    R->Threads[R->NumThreads++] = Self;
  pthread_mutex_unlock(&R->Mutex);
}

struct MarkContext {
  struct Recorder R;
  const float *X;
  float *Y;
  int64_t TailCalls;
};

static void scaleBody(void *Context, int64_t Begin, int64_t End) {
  struct MarkContext *C = (struct MarkContext *)Context;
  recordRange(&C->R, Begin, End);
  for (int64_t I = Begin; I < End && I >= 0 && I < C->R.Count; ++I)
    C->Y[I] = 2 * C->X[I];
}

static void tailBody(void *Context, int64_t Begin, int64_t End) {
  struct MarkContext *C = (struct MarkContext *)Context;
  if (Begin != 0 || End != 1)
    __atomic_fetch_add(&C->R.BadRanges, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&C->TailCalls, 1, __ATOMIC_RELAXED);
}

static void emptyBody(void *Context, int64_t Begin, int64_t End) {
  struct MarkContext *C = (struct MarkContext *)Context;
  if (Begin < End)
    __atomic_fetch_add(&C->R.BadRanges, 1, __ATOMIC_RELAXED);
}

/* y = 2x over kernel "mark.scale" (flops: one per element), then a launch of
 * one iteration, one of none and one of a kernel missing from the metadata;
 * hits[i] = how often index i ran, threads = distinct threads that ran
 * "mark.scale", bad_ranges = ranges a body should never have seen. */
EXPORT void fake_mark(void *const *Args, void *Results) {
  const int64_t *X = (const int64_t *)Args[0];
  int64_t N = X[3];
  struct MarkContext C;
  memset(&C, 0, sizeof(C));
  pthread_mutex_init(&C.R.Mutex, NULL);
  C.R.Count = N;
  C.R.Hits = (int32_t *)calloc((size_t)N + 1, sizeof(int32_t));
  C.X = (const float *)dataOf(X) + X[2];
  C.Y = (float *)malloc((size_t)N * sizeof(float) + 1);
  launch(scaleBody, &C, N, KScale, N);
  launch(tailBody, &C, 1, KTail, 0);
  launch(emptyBody, &C, 0, KEmpty, 0);
  launch(emptyBody, &C, 0, KUnlisted, 0);
  if (C.TailCalls != 1)
    C.R.BadRanges += 1;
  pthread_mutex_destroy(&C.R.Mutex);

  int64_t *Threads = (int64_t *)malloc(sizeof(int64_t));
  int64_t *Bad = (int64_t *)malloc(sizeof(int64_t));
  *Threads = C.R.NumThreads;
  *Bad = C.R.BadRanges;
  int64_t *Out = (int64_t *)Results;
  setResult(Out, C.Y, 1, &N);
  setResult(Out + 5, C.R.Hits, 1, &N);
  setResult(Out + 10, Threads, 0, NULL);
  setResult(Out + 13, Bad, 0, NULL);
}

struct NestedContext {
  struct Recorder R; /* over n * m */
  int64_t Rows, Cols;
};

struct InnerContext {
  struct NestedContext *Outer;
  int64_t Row;
};

static void innerBody(void *Context, int64_t Begin, int64_t End) {
  struct InnerContext *C = (struct InnerContext *)Context;
  struct NestedContext *N = C->Outer;
  if (Begin < 0 || End > N->Cols || Begin >= End) {
    __atomic_fetch_add(&N->R.BadRanges, 1, __ATOMIC_RELAXED);
    return;
  }
  recordRange(&N->R, C->Row * N->Cols + Begin, C->Row * N->Cols + End);
}

static void outerBody(void *Context, int64_t Begin, int64_t End) {
  struct NestedContext *N = (struct NestedContext *)Context;
  for (int64_t I = Begin; I < End; ++I) {
    struct InnerContext Inner = {N, I};
    launch(innerBody, &Inner, N->Cols, KInner, N->Cols);
  }
}

/* hits[i, j] = how often (i, j) ran: kernel "nested.outer" over rows
 * launches "nested.inner" over the columns of each row from its body. */
EXPORT void fake_nested(void *const *Args, void *Results) {
  const int64_t *X = (const int64_t *)Args[0];
  struct NestedContext N;
  memset(&N, 0, sizeof(N));
  pthread_mutex_init(&N.R.Mutex, NULL);
  N.Rows = X[3];
  N.Cols = X[4];
  N.R.Count = N.Rows * N.Cols;
  N.R.Hits = (int32_t *)calloc((size_t)N.R.Count + 1, sizeof(int32_t));
  launch(outerBody, &N, N.Rows, KOuter, 0);
  pthread_mutex_destroy(&N.R.Mutex);
  int64_t *Bad = (int64_t *)malloc(sizeof(int64_t));
  *Bad = N.R.BadRanges;
  int64_t *Out = (int64_t *)Results;
  int64_t Sizes[2] = {N.Rows, N.Cols};
  setResult(Out, N.R.Hits, 2, Sizes);
  setResult(Out + 7, Bad, 0, NULL);
}

static float *copyOf(const int64_t *Desc, size_t Count) {
  float *Out = (float *)malloc(Count * sizeof(float));
  memcpy(Out, (const float *)dataOf(Desc) + Desc[2], Count * sizeof(float));
  return Out;
}

/* Returns its parameters as the entry point received them: the packed
 * buffers, the plain bias in between (argument order), and whether both
 * packed buffers are 64-byte aligned. */
EXPORT void fake_packed(void *const *Args, void *Results) {
  const int64_t *Qk = (const int64_t *)Args[0];
  const int64_t *Bias = (const int64_t *)Args[1];
  const int64_t *Qa = (const int64_t *)Args[2];
  int64_t *Out = (int64_t *)Results;
  int64_t QkSizes[3] = {2, 3, 2}, BiasSizes[1] = {3}, QaSizes[2] = {2, 4};
  int64_t *Aligned = (int64_t *)malloc(sizeof(int64_t));
  *Aligned = (Qk[1] % 64 == 0) && (Qa[1] % 64 == 0) && Qk[3] == 2 &&
             Qk[4] == 3 && Qk[5] == 2 && Qa[3] == 2 && Qa[4] == 4;
  setResult(Out, copyOf(Qk, 12), 3, QkSizes);
  setResult(Out + 9, copyOf(Bias, 3), 1, BiasSizes);
  setResult(Out + 14, copyOf(Qa, 8), 2, QaSizes);
  setResult(Out + 21, Aligned, 0, NULL);
}
