//===- Cuda.h - CUDA artifacts through the driver API -----------*- C++ -*-===//
//
// Internal to libencrt. The CUDA driver (libcuda.so.1) is loaded with dlopen
// when a module is created for ENCRT_DEVICE_CUDA, never linked, so the
// runtime builds and runs without it. Every driver call is checked; a
// failure becomes a status naming the call and the CUDA error. Every buffer
// of a CUDA call is device memory: compiled code allocates, uploads
// constants and launches through the hooks (ArtifactABI.h), ordered on the
// call's own stream and synchronized once, at its end. The hooks find their
// call through a thread-local ScopedCudaCall, which keeps the call's first
// error, since compiled code cannot return one.
// docs/rationale/runtime.md, 'CUDA driver'.
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

/// Device memory of `Bytes` holding a copy of `Host` (parameters: made
/// once, synchronously, kept until the binding goes).
encrt_status *cudaUploadPersistent(CudaDevice &Device, const void *Host,
                                   size_t Bytes, void **Out);

/// Frees what cudaUploadPersistent returned.
void cudaFree(CudaDevice &Device, void *Pointer);

/// The PTX modules one encrt_module has loaded, by the address of their
/// text in its artifact (stable while the module holds the artifact).
class CudaModules;
std::unique_ptr<CudaModules, void (*)(CudaModules *)>
makeCudaModules(std::shared_ptr<CudaDevice> Device);

/// One call's device work: its stream, the modules, the error state the
/// hooks record into, and the buffers it frees at its end. Current on the
/// creating thread while it lives.
class ScopedCudaCall {
public:
  ScopedCudaCall(CudaDevice &Device, CudaModules &Modules);
  /// Waits for the call's work if finish() did not, then releases the
  /// stream.
  ~ScopedCudaCall();
  ScopedCudaCall(const ScopedCudaCall &) = delete;
  ScopedCudaCall &operator=(const ScopedCudaCall &) = delete;

  /// Creates the stream; first, before any other use.
  encrt_status *start();
  /// A device copy of `Bytes` at `Host` (an input), freed at the call's end.
  encrt_status *upload(const void *Host, size_t Bytes, void **Out);
  /// Queues a copy of device memory to `Host`, complete after finish().
  encrt_status *download(void *Host, const void *Device, size_t Bytes);
  /// Queues the free of a device buffer compiled code allocated.
  void release(void *Device);
  /// True once the call has an error (compiled code's, or a queued
  /// operation's).
  bool failed() const;
  /// Records CUDA events around the compiled code's device work: call
  /// before and after it; finish() then measures the time between.
  encrt_status *markDeviceStart();
  encrt_status *markDeviceEnd();
  /// After finish(): the device time between the marks, or a negative
  /// value when not measured.
  double deviceMilliseconds() const;
  /// Waits for the call's work: the first error of the call (the caller
  /// owns it), or null.
  encrt_status *finish();

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
void gpuUploadHook(void *Device, const void *Host, int64_t Bytes);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_CUDA_H
