/*===- fake_cuda_driver.c - a stand-in libcuda.so.1 for tests -------------===*
 *
 * The CUDA driver entry points libencrt resolves, on a machine without a
 * GPU: managed memory is host memory, a module is its PTX text, a kernel
 * exists when the PTX has its `.entry`, and a launch checks its dimensions
 * and reads every parameter the kernel declares, then does nothing (this
 * machine cannot run PTX). Tests see what the runtime asked for through a
 * log file, and make one entry point fail on demand:
 *
 *   FAKE_CUDA_LOG=FILE     append one line per module load and launch
 *   FAKE_CUDA_FAIL=NAME    make entry point NAME fail (cuLaunchKernel,
 *                          cuMemAllocManaged, cuModuleLoadDataEx, cuInit)
 *   FAKE_CUDA_DEVICES=N    the device count (default 1)
 *   FAKE_CUDA_CC=XY        the compute capability (default 90)
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  if (attribute == 75) /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
    *value = capability / 10;
  else if (attribute == 76) /* ..._MINOR */
    *value = capability % 10;
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
EXPORT CUresult cuCtxSynchronize(void) { return SUCCESS; }

EXPORT CUresult cuModuleLoadDataEx(void **module, const void *image,
                                   unsigned n, int *options, void **values) {
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
  (void)shared, (void)stream, (void)extra;
  struct function *f = function;
  if (failing("cuLaunchKernel"))
    return LAUNCH_FAILED;
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
EXPORT CUresult cuMemAllocManaged(uint64_t *pointer, size_t bytes,
                                  unsigned flags) {
  (void)flags;
  if (failing("cuMemAllocManaged"))
    return OUT_OF_MEMORY;
  void *p = calloc(1, bytes);
  if (!p)
    return OUT_OF_MEMORY;
  *pointer = (uint64_t)(uintptr_t)p;
  return SUCCESS;
}
EXPORT CUresult cuMemFree_v2(uint64_t pointer) {
  free((void *)(uintptr_t)pointer);
  return SUCCESS;
}

static const char *names[][3] = {
    {"0", "CUDA_SUCCESS", "no error"},
    {"1", "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {"2", "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {"100", "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {"218", "CUDA_ERROR_INVALID_PTX",
     "a PTX JIT compilation failed"},
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
