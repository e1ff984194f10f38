/*===- fake_cuda_driver.c - a stand-in libcuda.so.1 for tests -------------===*
 *
 * The CUDA driver entry points libencrt resolves, on a machine without a
 * GPU. Device memory is a mapping the process cannot touch (PROT_NONE): a
 * host read or write of a device buffer crashes the test, as it would on a
 * GPU machine; copies go through a second, accessible view of the same
 * pages, and check that the device range was allocated. A module is its
 * PTX text, a kernel exists when the PTX has its `.entry`, and a launch
 * checks its dimensions and stream and reads every parameter the kernel
 * declares, then does nothing (this machine cannot run PTX). Tests see
 * what the runtime asked for through a log file, and make one entry point
 * fail on demand:
 *
 *   FAKE_CUDA_LOG=FILE     append one line per module load and launch
 *   FAKE_CUDA_FAIL=NAME    make entry point NAME fail (cuLaunchKernel,
 *                          cuMemAllocAsync, cuMemAlloc_v2, cuModuleLoadDataEx,
 *                          cuInit, cuStreamSynchronize, cuMemcpyDtoHAsync_v2)
 *   FAKE_CUDA_DEVICES=N    the device count (default 1)
 *   FAKE_CUDA_CC=XY        the compute capability (default 90)
 *   FAKE_CUDA_POOLS=0      no stream-ordered allocator (memory pools)
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef int CUresult;
enum {
  SUCCESS = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NOT_INITIALIZED = 3,
  NO_DEVICE = 100,
  INVALID_PTX = 218,
  NOT_FOUND = 500,
  LAUNCH_FAILED = 719,
};

static int failing(const char *name) {
  const char *fail = getenv("FAKE_CUDA_FAIL");
  return fail && strcmp(fail, name) == 0;
}

static void logLine(const char *format, const char *a, long long b,
                    long long c) {
  const char *path = getenv("FAKE_CUDA_LOG");
  if (!path)
    return;
  FILE *f = fopen(path, "a");
  if (!f)
    return;
  fprintf(f, format, a, b, c);
  fputc('\n', f);
  fclose(f);
}

struct module {
  char *ptx;
};
struct function {
  struct module *module;
  char name[256];
  int params;
};

EXPORT CUresult cuInit(unsigned flags) {
  (void)flags;
  return failing("cuInit") ? NO_DEVICE : SUCCESS;
}
EXPORT CUresult cuDeviceGetCount(int *count) {
  const char *n = getenv("FAKE_CUDA_DEVICES");
  *count = n ? atoi(n) : 1;
  return SUCCESS;
}
EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return SUCCESS;
}
EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  const char *cc = getenv("FAKE_CUDA_CC");
  int capability = cc ? atoi(cc) : 90;
  const char *pools = getenv("FAKE_CUDA_POOLS");
  if (attribute == 75) /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
    *value = capability / 10;
  else if (attribute == 76) /* ..._MINOR */
    *value = capability % 10;
  else if (attribute == 115) /* ..._MEMORY_POOLS_SUPPORTED */
    *value = !(pools && strcmp(pools, "0") == 0);
  else
    return INVALID_VALUE;
  return SUCCESS;
}
static int context;
EXPORT CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  (void)device;
  *ctx = &context;
  return SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  (void)device;
  return SUCCESS;
}
EXPORT CUresult cuCtxSetCurrent(void *ctx) {
  return ctx == &context ? SUCCESS : INVALID_VALUE;
}

/* Streams: tokens; a launch or copy on anything else is refused. */
static int streams[64];
static int isStream(void *stream) {
  return (int *)stream >= streams && (int *)stream < streams + 64 &&
         *(int *)stream;
}
EXPORT CUresult cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  for (int i = 0; i < 64; ++i)
    if (!streams[i]) {
      streams[i] = 1;
      *stream = &streams[i];
      return SUCCESS;
    }
  return OUT_OF_MEMORY;
}
EXPORT CUresult cuStreamDestroy_v2(void *stream) {
  if (!isStream(stream))
    return INVALID_VALUE;
  *(int *)stream = 0;
  return SUCCESS;
}
EXPORT CUresult cuStreamSynchronize(void *stream) {
  if (!isStream(stream))
    return INVALID_VALUE;
  return failing("cuStreamSynchronize") ? LAUNCH_FAILED : SUCCESS;
}

/* Events: the host time they were recorded at (kernels take none here). */
struct event {
  double ms;
  int recorded;
};
static double nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
EXPORT CUresult cuEventCreate(void **event, unsigned flags) {
  (void)flags;
  *event = calloc(1, sizeof(struct event));
  return *event ? SUCCESS : OUT_OF_MEMORY;
}
EXPORT CUresult cuEventRecord(void *event, void *stream) {
  if (!isStream(stream))
    return INVALID_VALUE;
  struct event *e = event;
  e->ms = nowMs();
  e->recorded = 1;
  return SUCCESS;
}
EXPORT CUresult cuEventElapsedTime(float *ms, void *start, void *end) {
  struct event *s = start, *e = end;
  if (!s->recorded || !e->recorded)
    return INVALID_VALUE;
  *ms = (float)(e->ms - s->ms);
  return SUCCESS;
}
EXPORT CUresult cuEventDestroy_v2(void *event) {
  free(event);
  return SUCCESS;
}

/* Device memory: one sparse arena mapped twice, PROT_NONE at the addresses
 * handed out and read-write for the copies. Freed blocks are reused by
 * size (calls allocate the same sizes again). */
enum { ARENA = 1 << 30, MAX_BLOCKS = 1 << 16 };
static char *device, *shadow;
static size_t used;
static struct block {
  size_t offset, size;
  int live;
} blocks[MAX_BLOCKS];
static int numBlocks;

static int mapArena(void) {
  if (device)
    return 1;
  int fd = memfd_create("fake-cuda-device", 0);
  if (fd < 0 || ftruncate(fd, ARENA) != 0)
    return 0;
  device = mmap(NULL, ARENA, PROT_NONE, MAP_SHARED, fd, 0);
  shadow = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  return device != MAP_FAILED && shadow != MAP_FAILED;
}
static CUresult deviceAlloc(uint64_t *pointer, size_t bytes) {
  if (!bytes || !mapArena())
    return bytes ? OUT_OF_MEMORY : INVALID_VALUE;
  size_t size = (bytes + 255) & ~(size_t)255;
  for (int i = 0; i < numBlocks; ++i)
    if (!blocks[i].live && blocks[i].size == size) {
      blocks[i].live = 1;
      *pointer = (uint64_t)(uintptr_t)(device + blocks[i].offset);
      return SUCCESS;
    }
  if (used + size > ARENA || numBlocks == MAX_BLOCKS)
    return OUT_OF_MEMORY;
  blocks[numBlocks++] = (struct block){used, size, 1};
  *pointer = (uint64_t)(uintptr_t)(device + used);
  used += size;
  return SUCCESS;
}
static struct block *liveBlock(uint64_t pointer) {
  for (int i = 0; device && i < numBlocks; ++i)
    if (blocks[i].live &&
        (uint64_t)(uintptr_t)(device + blocks[i].offset) == pointer)
      return &blocks[i];
  return NULL;
}
static CUresult deviceFree(uint64_t pointer) {
  struct block *b = liveBlock(pointer);
  if (!b)
    return INVALID_VALUE;
  b->live = 0;
  return SUCCESS;
}
/* The accessible view of [pointer, pointer + bytes), inside one live
 * block; NULL otherwise. */
static char *view(uint64_t pointer, size_t bytes) {
  for (int i = 0; device && i < numBlocks; ++i) {
    uint64_t start = (uint64_t)(uintptr_t)(device + blocks[i].offset);
    if (blocks[i].live && pointer >= start &&
        pointer + bytes <= start + blocks[i].size)
      return shadow + blocks[i].offset + (pointer - start);
  }
  return NULL;
}

EXPORT CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned n,
                                   int *options, void **values) {
  (void)n, (void)options, (void)values;
  const char *ptx = image;
  const char *target = strstr(ptx, ".target ");
  if (failing("cuModuleLoadDataEx") || !target || !strstr(ptx, ".entry "))
    return INVALID_PTX;
  struct module *m = malloc(sizeof *m);
  m->ptx = strdup(ptx);
  char arch[32] = {0};
  sscanf(target + 8, "%31s", arch);
  logLine("load module %s", arch, 0, 0);
  *module = m;
  return SUCCESS;
}
EXPORT CUresult cuModuleUnload(void *module) {
  struct module *m = module;
  free(m->ptx);
  free(m);
  return SUCCESS;
}
EXPORT CUresult cuModuleGetFunction(void **function, void *module,
                                    const char *name) {
  struct module *m = module;
  char entry[300];
  snprintf(entry, sizeof entry, ".entry %s(", name);
  const char *at = strstr(m->ptx, entry);
  if (!at)
    return NOT_FOUND;
  struct function *f = calloc(1, sizeof *f);
  f->module = m;
  snprintf(f->name, sizeof f->name, "%s", name);
  const char *end = strchr(at, ')');
  for (const char *p = strstr(at, ".param"); p && p < end;
       p = strstr(p + 1, ".param"))
    ++f->params;
  *function = f; /* leaked with the module: tests are short */
  return SUCCESS;
}
EXPORT CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy,
                               unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned shared, void *stream,
                               void **params, void **extra) {
  (void)shared, (void)extra;
  struct function *f = function;
  if (failing("cuLaunchKernel"))
    return LAUNCH_FAILED;
  if (!isStream(stream))
    return INVALID_VALUE;
  if (!gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024)
    return INVALID_VALUE;
  /* Read each parameter as the driver would copy it (at least a byte). */
  volatile unsigned char sink = 0;
  for (int i = 0; i < f->params; ++i)
    sink ^= *(const unsigned char *)params[i];
  (void)sink;
  logLine("launch %s grid %lld block %lld", f->name, (long long)gx * gy * gz,
          (long long)bx * by * bz);
  return SUCCESS;
}
EXPORT CUresult cuMemAlloc_v2(uint64_t *pointer, size_t bytes) {
  return failing("cuMemAlloc_v2") ? OUT_OF_MEMORY : deviceAlloc(pointer, bytes);
}
EXPORT CUresult cuMemFree_v2(uint64_t pointer) { return deviceFree(pointer); }
EXPORT CUresult cuMemAllocAsync(uint64_t *pointer, size_t bytes, void *stream) {
  if (failing("cuMemAllocAsync"))
    return OUT_OF_MEMORY;
  return isStream(stream) ? deviceAlloc(pointer, bytes) : INVALID_VALUE;
}
EXPORT CUresult cuMemFreeAsync(uint64_t pointer, void *stream) {
  return isStream(stream) ? deviceFree(pointer) : INVALID_VALUE;
}
EXPORT CUresult cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes) {
  char *to = view(dst, bytes);
  if (!to)
    return INVALID_VALUE;
  memcpy(to, src, bytes);
  return SUCCESS;
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(uint64_t dst, const void *src,
                                     size_t bytes, void *stream) {
  return isStream(stream) ? cuMemcpyHtoD_v2(dst, src, bytes) : INVALID_VALUE;
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void *dst, uint64_t src, size_t bytes,
                                     void *stream) {
  const char *from = view(src, bytes);
  if (failing("cuMemcpyDtoHAsync_v2"))
    return LAUNCH_FAILED;
  if (!from || !isStream(stream))
    return INVALID_VALUE;
  memcpy(dst, from, bytes);
  return SUCCESS;
}

static const char *names[][3] = {
    {"0", "CUDA_SUCCESS", "no error"},
    {"1", "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {"2", "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {"100", "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {"218", "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {"500", "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {"719", "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};
static int lookup(CUresult error, int column, const char **out) {
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (atoi(names[i][0]) == error) {
      *out = names[i][column];
      return SUCCESS;
    }
  *out = NULL;
  return INVALID_VALUE;
}
EXPORT CUresult cuGetErrorName(CUresult error, const char **name) {
  return lookup(error, 1, name);
}
EXPORT CUresult cuGetErrorString(CUresult error, const char **string) {
  return lookup(error, 2, string);
}
