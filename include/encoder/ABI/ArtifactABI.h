/*===- ArtifactABI.h - What an artifact and the runtime agree on --*- C -*-===//
 *
 * The one definition of the artifact ABI (docs/artifact-abi.md): its
 * version, the symbols an artifact exports and the layout of the hooks
 * object the runtime fills in. Plain C, so that the runtime (no MLIR or
 * LLVM inside), the compiler's lowering (which builds the same struct as an
 * LLVM type, field by field from ENC_HOOK_*) and hand-written test
 * artifacts all include this file. Fields of enc_runtime_hooks are only
 * ever appended: an artifact built for an older runtime exports a shorter
 * object, and the runtime writes only the fields that fit.
 *
 *===----------------------------------------------------------------------===*/

#ifndef ENCODER_ABI_ARTIFACTABI_H
#define ENCODER_ABI_ARTIFACTABI_H

#include <stddef.h>
#include <stdint.h>

/* The version written into an artifact's metadata. Version 2 changed only
 * CUDA artifacts (device memory instead of managed memory), so the runtime
 * still runs CPU artifacts of version 1. */
#define ENC_ARTIFACT_ABI_VERSION 2
#define ENC_ARTIFACT_OLDEST_ABI_VERSION 1
#define ENC_ARTIFACT_OLDEST_CUDA_ABI_VERSION 2

/* The exported NUL-terminated JSON metadata string. */
#define ENC_ARTIFACT_METADATA_SYMBOL "enc_artifact_metadata"
/* The exported, zero-initialized, writable struct enc_runtime_hooks. */
#define ENC_RUNTIME_HOOKS_SYMBOL "enc_runtime_hooks"
/* Prefix of the packed entry point of each public function:
 * void __enc_entry_<name>(void *const *args, void *results). */
#define ENC_ENTRY_POINT_PREFIX "__enc_entry_"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs iterations [begin, end) of a kernel. */
typedef void (*enc_kernel_body)(void *context, int64_t begin, int64_t end);

/* The field indices of struct enc_runtime_hooks, for code that builds it
 * as a struct of pointers (the compiler). */
enum enc_runtime_hook_field {
  ENC_HOOK_PARALLEL_FOR = 0,
  ENC_HOOK_GPU_ALLOC = 1,
  ENC_HOOK_GPU_FREE = 2,
  ENC_HOOK_GPU_LAUNCH = 3,
  ENC_HOOK_GPU_UPLOAD = 4,
  ENC_HOOK_FIELD_COUNT = 5
};

struct enc_runtime_hooks {
  /* Runs body(context, b, e) over disjoint ranges covering [0, count) and
   * returns when all are done. `kernel` indexes the metadata's "kernels";
   * `flops` is the work of this launch (0 when unknown). */
  void (*parallel_for)(enc_kernel_body body, void *context, int64_t count,
                       int64_t kernel, int64_t flops);
  /* CUDA artifacts: device memory of `bytes` (never NULL; host code never
   * dereferences it), its free, an asynchronous launch of kernel `kernel`
   * of the NUL-terminated PTX `ptx` with cuLaunchKernel's parameter array,
   * and a copy of `bytes` of host constant data to device memory. All are
   * ordered on the calling encrt call's stream. */
  void *(*gpu_alloc)(int64_t bytes);
  void (*gpu_free)(void *pointer);
  void (*gpu_launch)(const char *ptx, const char *kernel, int64_t grid_x,
                     int64_t grid_y, int64_t grid_z, int64_t block_x,
                     int64_t block_y, int64_t block_z, int64_t shared_bytes,
                     void **params, int64_t num_params);
  void (*gpu_upload)(void *device, const void *host, int64_t bytes);
};

#ifdef __cplusplus
} /* extern "C" */
#define ENC_ABI_STATIC_ASSERT static_assert
#else
#define ENC_ABI_STATIC_ASSERT _Static_assert
#endif

/* The compiler builds the struct as ENC_HOOK_FIELD_COUNT pointers in the
 * order of the enum: the C layout must be exactly that. */
ENC_ABI_STATIC_ASSERT(sizeof(struct enc_runtime_hooks) ==
                          ENC_HOOK_FIELD_COUNT * sizeof(void *),
                      "enc_runtime_hooks is one pointer per field");
ENC_ABI_STATIC_ASSERT(offsetof(struct enc_runtime_hooks, parallel_for) ==
                          ENC_HOOK_PARALLEL_FOR * sizeof(void *),
                      "parallel_for is field ENC_HOOK_PARALLEL_FOR");
ENC_ABI_STATIC_ASSERT(offsetof(struct enc_runtime_hooks, gpu_alloc) ==
                          ENC_HOOK_GPU_ALLOC * sizeof(void *),
                      "gpu_alloc is field ENC_HOOK_GPU_ALLOC");
ENC_ABI_STATIC_ASSERT(offsetof(struct enc_runtime_hooks, gpu_free) ==
                          ENC_HOOK_GPU_FREE * sizeof(void *),
                      "gpu_free is field ENC_HOOK_GPU_FREE");
ENC_ABI_STATIC_ASSERT(offsetof(struct enc_runtime_hooks, gpu_launch) ==
                          ENC_HOOK_GPU_LAUNCH * sizeof(void *),
                      "gpu_launch is field ENC_HOOK_GPU_LAUNCH");
ENC_ABI_STATIC_ASSERT(offsetof(struct enc_runtime_hooks, gpu_upload) ==
                          ENC_HOOK_GPU_UPLOAD * sizeof(void *),
                      "gpu_upload is field ENC_HOOK_GPU_UPLOAD");
#undef ENC_ABI_STATIC_ASSERT

#endif /* ENCODER_ABI_ARTIFACTABI_H */
