//===- Cuda.h - CUDA artifacts through the driver API -----------*- C++ -*-===//
//
// Internal to libencrt. The CUDA driver (libcuda.so.1) is loaded with dlopen
// when a module is created for ENCRT_DEVICE_CUDA, never linked: the runtime
// builds and runs without it, and says so when it is missing. Every driver
// call is checked; a failure becomes a status naming the call and the CUDA
// error (CUDA_ERROR_..., from cuGetErrorName).
//
// Compiled code reaches the device through three hooks (Hooks.h): managed
// allocations, frees and synchronous kernel launches of embedded PTX. The
// hooks find the call they belong to through a thread-local CudaCall, which
// also keeps the call's first error: compiled code cannot return one, so
// after an error the hooks do no more device work and the runtime fails the
// call with it.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_CUDA_H
#define ENCODER_LIB_RUNTIME_CUDA_H

#include "encoder/Runtime/Runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace encrt {

/// A device with its primary context; shared by the modules using it.
class CudaDevice;

/// Loads the driver and opens device `Ordinal`: UNAVAILABLE without a driver
/// or device, INVALID_ARGUMENT for an ordinal the machine lacks, or when the
/// device cannot run kernels built for `GpuArch` ("sm_90"; empty: any).
encrt_status *openCudaDevice(int Ordinal, const std::string &GpuArch,
                             std::shared_ptr<CudaDevice> &Out);

/// Makes the device's context current on the calling thread.
encrt_status *cudaMakeCurrent(CudaDevice &Device);

/// Managed memory of `Bytes` (host and device address it alike).
encrt_status *cudaAllocManaged(CudaDevice &Device, size_t Bytes, void **Out);

/// Frees what cudaAllocManaged or the allocation hook returned.
void cudaFree(CudaDevice &Device, void *Pointer);

/// The PTX modules one encrt_module has loaded, by the address of their
/// text in its artifact (stable while the module holds the artifact).
class CudaModules;
std::unique_ptr<CudaModules, void (*)(CudaModules *)>
makeCudaModules(std::shared_ptr<CudaDevice> Device);

/// Makes one call's device, modules and error state current on this thread
/// while it lives.
class ScopedCudaCall {
public:
  ScopedCudaCall(CudaDevice &Device, CudaModules &Modules);
  ~ScopedCudaCall();
  ScopedCudaCall(const ScopedCudaCall &) = delete;
  ScopedCudaCall &operator=(const ScopedCudaCall &) = delete;
  /// The first error of the call (the caller owns it), or null.
  encrt_status *takeError();

  /// What the hooks see of the call (Cuda.cpp).
  struct State;

private:
  std::unique_ptr<State> S;
};

/// The hooks (enc_runtime_hooks::gpu_*).
void *gpuAllocHook(int64_t Bytes);
void gpuFreeHook(void *Pointer);
void gpuLaunchHook(const char *Ptx, const char *Kernel, int64_t GridX,
                   int64_t GridY, int64_t GridZ, int64_t BlockX, int64_t BlockY,
                   int64_t BlockZ, int64_t SharedBytes, void **Params,
                   int64_t NumParams);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_CUDA_H
