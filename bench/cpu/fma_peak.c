// Register-resident FMA peak of this CPU, in fp32 GFLOP/s.
//
//   clang-22 -O3 -march=native -pthread fma_peak.c -o fma_peak
//   ./fma_peak THREADS [SECONDS]
//
// Each thread runs independent chains of fused multiply-adds on the widest
// vector registers the compiler targets (AVX-512: 16 floats; AVX2: 8), with
// enough chains (ACC) to cover the FMA latency on every pipe, and no memory
// traffic. flops = 2 * lanes * ACC * iterations per thread. It prints one
// line: "threads N gflops X" (the best of 5 timed rounds). This is an upper
// bound for any fp32 matmul on this machine; no real kernel reaches it
// (loads, packing, edges), a good one gets 80-90%.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1(x) _mm512_set1_ps(x)
#define STORE(p, v) _mm512_storeu_ps(p, v)
#elif defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1(x) _mm256_set1_ps(x)
#define STORE(p, v) _mm256_storeu_ps(p, v)
#else
#error "needs FMA (build with -march=native on an x86-64 CPU with FMA)"
#endif

#define ACC 16

static long iterations = 1L << 24;
static volatile double sink[64]; // volatile: the chains are not dead code

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void *work(void *arg) {
  long id = (long)arg;
  vec a = SET1(0.999999f), b = SET1(1e-7f);
  vec acc[ACC];
  for (int i = 0; i < ACC; ++i)
    acc[i] = SET1((float)(i + id));
  for (long n = 0; n < iterations; ++n) {
    // ACC independent chains per iteration; fully unrolled, so they stay
    // in registers.
#pragma clang loop unroll(full)
    for (int i = 0; i < ACC; ++i)
      acc[i] = FMA(acc[i], a, b);
  }
  float out[LANES];
  double s = 0;
  for (int i = 0; i < ACC; ++i) {
    STORE(out, acc[i]);
    for (int l = 0; l < LANES; ++l)
      s += out[l];
  }
  sink[id % 64] = s;
  return NULL;
}

static double round_gflops(int threads) {
  pthread_t t[256];
  double start = now();
  for (long i = 0; i < threads; ++i)
    pthread_create(&t[i], NULL, work, (void *)i);
  for (int i = 0; i < threads; ++i)
    pthread_join(t[i], NULL);
  double seconds = now() - start;
  return 2.0 * LANES * ACC * (double)iterations * threads / seconds * 1e-9;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  double target = argc > 2 ? atof(argv[2]) : 0.5;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: fma_peak THREADS [SECONDS_PER_ROUND]\n");
    return 2;
  }
  // Calibrate so that one round takes about `target` seconds.
  iterations = 1L << 20;
  double start = now();
  work((void *)0);
  double one = now() - start;
  iterations = (long)(iterations * target / (one > 1e-6 ? one : 1e-6));
  if (iterations < (1L << 20))
    iterations = 1L << 20;
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    double g = round_gflops(threads);
    if (g > best)
      best = g;
  }
  printf("threads %d lanes %d gflops %.1f\n", threads, LANES, best);
  return 0;
}
