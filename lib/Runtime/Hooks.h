//===- Hooks.h - Services the runtime offers compiled code ------*- C++ -*-===//
//
// Internal to libencrt: the runtime side of `enc_runtime_hooks`
// (docs/artifact-abi.md, "Runtime hooks: kernels and threads"). An artifact
// exports one zero-initialized, writable object of this type; the runtime
// fills it in right after dlopen, before any call. The layout is ABI: fields
// are only ever appended, and the runtime writes only the fields that fit in
// the object the artifact exports. Not part of the public C API.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_HOOKS_H
#define ENCODER_LIB_RUNTIME_HOOKS_H

#include <cstdint>

extern "C" {

/// Runs iterations [begin, end) of a kernel.
typedef void (*enc_kernel_body)(void *context, int64_t begin, int64_t end);

struct enc_runtime_hooks {
  /// Runs body(context, b, e) over disjoint ranges covering [0, count) and
  /// returns when all are done. `kernel` indexes the metadata's "kernels";
  /// `flops` is the work of this launch (0 when unknown).
  void (*parallel_for)(enc_kernel_body body, void *context, int64_t count,
                       int64_t kernel, int64_t flops);
  /// CUDA artifacts: device memory of `bytes` (never NULL; host code never
  /// dereferences it), its free, an asynchronous launch of kernel `kernel`
  /// of the NUL-terminated PTX `ptx` with cuLaunchKernel's parameter array,
  /// and a copy of `bytes` of host constant data to device memory. All are
  /// ordered on the calling encrt call's stream.
  void *(*gpu_alloc)(int64_t bytes);
  void (*gpu_free)(void *pointer);
  void (*gpu_launch)(const char *ptx, const char *kernel, int64_t grid_x,
                     int64_t grid_y, int64_t grid_z, int64_t block_x,
                     int64_t block_y, int64_t block_z, int64_t shared_bytes,
                     void **params, int64_t num_params);
  void (*gpu_upload)(void *device, const void *host, int64_t bytes);
};

} // extern "C"

namespace encrt {

/// The name of the exported hooks object.
constexpr const char *RuntimeHooksSymbol = "enc_runtime_hooks";

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_HOOKS_H
