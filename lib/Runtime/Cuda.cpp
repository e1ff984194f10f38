//===- Cuda.cpp - CUDA artifacts through the driver API
//---------------------===//

#include "Cuda.h"

#include "Status.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace encrt {
namespace {

// The few driver types and entry points the runtime uses, declared here so
// that building the runtime needs no CUDA toolkit. Their ABI is stable: the
// `_v2` names are the ones cuda.h maps the plain names to since CUDA 4.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
using CUcontext = CUctx_st *;
using CUmodule = CUmod_st *;
using CUfunction = CUfunc_st *;
using CUstream = CUstream_st *;
using CUevent = CUevent_st *;
constexpr CUresult CUDA_SUCCESS = 0;
constexpr unsigned CU_STREAM_NON_BLOCKING = 1;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*cuMemFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

/// Loads libcuda.so.1 once per process; later calls return the same
/// result. The library stays loaded: unloading a driver at exit is unsafe.
encrt_status *loadDriver(const Driver *&Out) {
  static std::mutex Mutex;
  static Driver D;
  static bool Loaded = false;
  std::lock_guard<std::mutex> Lock(Mutex);
  if (Loaded) {
    Out = &D;
    return nullptr;
  }
  dlerror();
  void *Handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!Handle) {
    const char *Why = dlerror();
    return error(ENCRT_UNAVAILABLE,
                 "no CUDA driver: libcuda.so.1 could not be loaded (",
                 Why ? Why : "unknown error", ")");
  }
  struct Entry {
    const char *Name;
    void **Slot;
  };
  const Entry Entries[] = {
      {"cuInit", reinterpret_cast<void **>(&D.cuInit)},
      {"cuDeviceGetCount", reinterpret_cast<void **>(&D.cuDeviceGetCount)},
      {"cuDeviceGet", reinterpret_cast<void **>(&D.cuDeviceGet)},
      {"cuDeviceGetAttribute",
       reinterpret_cast<void **>(&D.cuDeviceGetAttribute)},
      {"cuDevicePrimaryCtxRetain",
       reinterpret_cast<void **>(&D.cuDevicePrimaryCtxRetain)},
      {"cuDevicePrimaryCtxRelease_v2",
       reinterpret_cast<void **>(&D.cuDevicePrimaryCtxRelease)},
      {"cuCtxSetCurrent", reinterpret_cast<void **>(&D.cuCtxSetCurrent)},
      {"cuStreamCreate", reinterpret_cast<void **>(&D.cuStreamCreate)},
      {"cuStreamDestroy_v2", reinterpret_cast<void **>(&D.cuStreamDestroy)},
      {"cuStreamSynchronize",
       reinterpret_cast<void **>(&D.cuStreamSynchronize)},
      {"cuModuleLoadDataEx", reinterpret_cast<void **>(&D.cuModuleLoadDataEx)},
      {"cuModuleUnload", reinterpret_cast<void **>(&D.cuModuleUnload)},
      {"cuModuleGetFunction",
       reinterpret_cast<void **>(&D.cuModuleGetFunction)},
      {"cuLaunchKernel", reinterpret_cast<void **>(&D.cuLaunchKernel)},
      {"cuMemAlloc_v2", reinterpret_cast<void **>(&D.cuMemAlloc)},
      {"cuMemFree_v2", reinterpret_cast<void **>(&D.cuMemFree)},
      {"cuMemAllocAsync", reinterpret_cast<void **>(&D.cuMemAllocAsync)},
      {"cuMemFreeAsync", reinterpret_cast<void **>(&D.cuMemFreeAsync)},
      {"cuMemcpyHtoD_v2", reinterpret_cast<void **>(&D.cuMemcpyHtoD)},
      {"cuMemcpyHtoDAsync_v2", reinterpret_cast<void **>(&D.cuMemcpyHtoDAsync)},
      {"cuMemcpyDtoHAsync_v2", reinterpret_cast<void **>(&D.cuMemcpyDtoHAsync)},
      {"cuEventCreate", reinterpret_cast<void **>(&D.cuEventCreate)},
      {"cuEventRecord", reinterpret_cast<void **>(&D.cuEventRecord)},
      {"cuEventElapsedTime", reinterpret_cast<void **>(&D.cuEventElapsedTime)},
      {"cuEventDestroy_v2", reinterpret_cast<void **>(&D.cuEventDestroy)},
      {"cuGetErrorName", reinterpret_cast<void **>(&D.cuGetErrorName)},
      {"cuGetErrorString", reinterpret_cast<void **>(&D.cuGetErrorString)},
  };
  for (const Entry &E : Entries) {
    *E.Slot = dlsym(Handle, E.Name);
    if (!*E.Slot) {
      dlclose(Handle);
      return error(ENCRT_UNAVAILABLE, "the CUDA driver libcuda.so.1 lacks ",
                   E.Name, "; it is too old for this runtime");
    }
  }
  Loaded = true;
  Out = &D;
  return nullptr;
}

/// "CUDA error CUDA_ERROR_X (its description) in WHAT".
encrt_status *cudaError(const Driver &D, CUresult R, const std::string &What,
                        encrt_status_code Code = ENCRT_INTERNAL) {
  const char *Name = nullptr, *Description = nullptr;
  if (D.cuGetErrorName(R, &Name) != CUDA_SUCCESS || !Name)
    Name = "an unknown CUDA error";
  if (D.cuGetErrorString(R, &Description) != CUDA_SUCCESS || !Description)
    Description = "no description";
  return error(Code, "CUDA error ", Name, " (", Description, ") in ", What);
}

} // namespace

class CudaDevice {
public:
  const Driver *D = nullptr;
  int Ordinal = 0;
  CUdevice Device = 0;
  CUcontext Context = nullptr;
  /// Stream-ordered allocation (cuMemAllocAsync); without it, buffers are
  /// allocated with cuMemAlloc and freed after the stream drains.
  bool MemoryPools = false;
  /// CUDA_LAUNCH_BLOCKING=1: wait after each launch, so that a failing
  /// kernel is named (asynchronous errors otherwise surface at the end of
  /// the call).
  bool LaunchBlocking = false;
  /// Allocations the hook served from host memory after a device failure,
  /// so that compiled code never sees NULL; the call fails anyway.
  std::mutex FallbackMutex;
  std::set<void *> HostFallbacks;

  ~CudaDevice() {
    if (Context)
      D->cuDevicePrimaryCtxRelease(Device);
  }
};

encrt_status *openCudaDevice(int Ordinal, const std::string &GpuArch,
                             std::shared_ptr<CudaDevice> &Out) {
  const Driver *D = nullptr;
  if (encrt_status *S = loadDriver(D))
    return S;
  if (CUresult R = D->cuInit(0))
    return cudaError(*D, R, "cuInit", ENCRT_UNAVAILABLE);
  int Count = 0;
  if (CUresult R = D->cuDeviceGetCount(&Count))
    return cudaError(*D, R, "cuDeviceGetCount", ENCRT_UNAVAILABLE);
  if (Count == 0)
    return error(ENCRT_UNAVAILABLE, "the CUDA driver sees no device");
  if (Ordinal < 0 || Ordinal >= Count)
    return error(ENCRT_INVALID_ARGUMENT, "CUDA device ", Ordinal,
                 " does not exist: this machine has ", Count,
                 Count == 1 ? " device" : " devices");
  auto Device = std::make_shared<CudaDevice>();
  Device->D = D;
  Device->Ordinal = Ordinal;
  if (CUresult R = D->cuDeviceGet(&Device->Device, Ordinal))
    return cudaError(*D, R, "cuDeviceGet(" + std::to_string(Ordinal) + ")");
  // PTX for sm_XY runs on devices of compute capability X.Y and later (the
  // driver JIT-compiles it); "sm_90a" kernels run on 9.0 exactly.
  int Major = 0, Minor = 0;
  if (CUresult R = D->cuDeviceGetAttribute(
          &Major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, Device->Device))
    return cudaError(*D, R, "cuDeviceGetAttribute(compute capability)");
  if (CUresult R = D->cuDeviceGetAttribute(
          &Minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, Device->Device))
    return cudaError(*D, R, "cuDeviceGetAttribute(compute capability)");
  if (!GpuArch.empty()) {
    unsigned Wanted = 0;
    bool ArchSpecific = GpuArch.back() == 'a';
    if (std::sscanf(GpuArch.c_str(), "sm_%u", &Wanted) != 1)
      return error(ENCRT_DATA_ERROR, "the artifact's gpu_arch '", GpuArch,
                   "' is not sm_NN");
    unsigned Have = unsigned(Major * 10 + Minor);
    if (Have < Wanted || (ArchSpecific && Have != Wanted))
      return error(ENCRT_INVALID_ARGUMENT,
                   "the artifact's kernels are built "
                   "for ",
                   GpuArch, " but CUDA device ", Ordinal,
                   " has compute capability ", Major, ".", Minor,
                   "; compile with --gpu-arch=sm_", Have);
  }
  int Pools = 0;
  if (CUresult R = D->cuDeviceGetAttribute(
          &Pools, CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED, Device->Device))
    return cudaError(*D, R, "cuDeviceGetAttribute(memory pools)");
  Device->MemoryPools = Pools != 0;
  const char *Blocking = std::getenv("CUDA_LAUNCH_BLOCKING");
  Device->LaunchBlocking = Blocking && std::strcmp(Blocking, "1") == 0;
  if (CUresult R =
          D->cuDevicePrimaryCtxRetain(&Device->Context, Device->Device)) {
    Device->Context = nullptr;
    return cudaError(*D, R, "cuDevicePrimaryCtxRetain");
  }
  Out = std::move(Device);
  return nullptr;
}

encrt_status *cudaMakeCurrent(CudaDevice &Device) {
  if (CUresult R = Device.D->cuCtxSetCurrent(Device.Context))
    return cudaError(*Device.D, R, "cuCtxSetCurrent");
  return nullptr;
}

namespace {
CUdeviceptr devicePointer(const void *Pointer) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(Pointer));
}
void *hostView(CUdeviceptr Pointer) {
  return reinterpret_cast<void *>(static_cast<uintptr_t>(Pointer));
}
} // namespace

encrt_status *cudaUploadPersistent(CudaDevice &Device, const void *Host,
                                   size_t Bytes, void **Out) {
  const Driver &D = *Device.D;
  CUdeviceptr Pointer = 0;
  // Zero bytes is an error to the driver; a byte keeps pointers distinct.
  if (CUresult R = D.cuMemAlloc(&Pointer, Bytes ? Bytes : 1))
    return cudaError(D, R, "cuMemAlloc(" + std::to_string(Bytes) + " bytes)");
  if (Bytes)
    if (CUresult R = D.cuMemcpyHtoD(Pointer, Host, Bytes)) {
      D.cuMemFree(Pointer);
      return cudaError(D, R,
                       "cuMemcpyHtoD(" + std::to_string(Bytes) + " bytes)");
    }
  *Out = hostView(Pointer);
  return nullptr;
}

void cudaFree(CudaDevice &Device, void *Pointer) {
  // A failing free leaves nothing to undo; the next checked call reports
  // a broken context.
  if (Pointer)
    Device.D->cuMemFree(devicePointer(Pointer));
}

class CudaModules {
public:
  explicit CudaModules(std::shared_ptr<CudaDevice> Device)
      : Device(std::move(Device)) {}
  ~CudaModules() {
    for (auto &[Ptx, Module] : Modules)
      Device->D->cuModuleUnload(Module);
  }

  /// The kernel `Name` of the PTX at `Ptx`, loading (JIT-compiling) the
  /// module at its first use.
  encrt_status *function(const char *Ptx, const char *Name, CUfunction &Out) {
    std::lock_guard<std::mutex> Lock(Mutex);
    auto Known = Functions.find({Ptx, Name});
    if (Known != Functions.end()) {
      Out = Known->second;
      return nullptr;
    }
    const Driver &D = *Device->D;
    CUmodule &Module = Modules[Ptx];
    if (!Module) {
      char Log[4096] = {};
      int Options[] = {CU_JIT_ERROR_LOG_BUFFER,
                       CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
      void *Values[] = {Log, reinterpret_cast<void *>(sizeof(Log))};
      if (CUresult R = D.cuModuleLoadDataEx(&Module, Ptx, 2, Options, Values)) {
        Modules.erase(Ptx);
        std::string What = std::string("cuModuleLoadDataEx of the PTX of "
                                       "kernel '") +
                           Name + "'";
        if (Log[0])
          What += " (JIT log: " + std::string(Log) + ")";
        return cudaError(D, R, What);
      }
    }
    if (CUresult R = D.cuModuleGetFunction(&Out, Module, Name))
      return cudaError(D, R,
                       std::string("cuModuleGetFunction('") + Name + "')");
    Functions[{Ptx, Name}] = Out;
    return nullptr;
  }

  std::shared_ptr<CudaDevice> Device;

private:
  std::mutex Mutex;
  std::map<const char *, CUmodule> Modules;
  std::map<std::pair<const char *, std::string>, CUfunction> Functions;
};

std::unique_ptr<CudaModules, void (*)(CudaModules *)>
makeCudaModules(std::shared_ptr<CudaDevice> Device) {
  return {new CudaModules(std::move(Device)), [](CudaModules *M) { delete M; }};
}

struct ScopedCudaCall::State {
  State(CudaDevice &Device, CudaModules &Modules)
      : Device(Device), Modules(Modules) {}
  CudaDevice &Device;
  CudaModules &Modules;
  CUstream Stream = nullptr;
  encrt_status *Error = nullptr;
  /// Device buffers freed at the end of the call (uploaded inputs).
  std::vector<void *> Staged;
  /// Events around compiled code's device work (profiling), and the time
  /// between them once finished.
  CUevent Start = nullptr, End = nullptr;
  double DeviceMs = -1;
  bool Finished = false;
  State *Saved = nullptr;
};

namespace {
thread_local ScopedCudaCall::State *CurrentCall = nullptr;

/// Keeps the first error of the call.
void fail(ScopedCudaCall::State &Call, encrt_status *Status) {
  if (!Call.Error)
    Call.Error = Status;
  else
    encrt_status_free(Status);
}

/// Device memory on the call's stream.
encrt_status *allocate(ScopedCudaCall::State &Call, size_t Bytes, void **Out) {
  const Driver &D = *Call.Device.D;
  CUdeviceptr Pointer = 0;
  size_t Size = Bytes ? Bytes : 1;
  if (Call.Device.MemoryPools) {
    if (CUresult R = D.cuMemAllocAsync(&Pointer, Size, Call.Stream))
      return cudaError(D, R,
                       "cuMemAllocAsync(" + std::to_string(Bytes) + " bytes)");
  } else if (CUresult R = D.cuMemAlloc(&Pointer, Size)) {
    return cudaError(D, R, "cuMemAlloc(" + std::to_string(Bytes) + " bytes)");
  }
  *Out = hostView(Pointer);
  return nullptr;
}

/// Frees device memory once the call's work before it is done.
void release(ScopedCudaCall::State &Call, void *Pointer) {
  if (!Pointer)
    return;
  {
    std::lock_guard<std::mutex> Lock(Call.Device.FallbackMutex);
    if (Call.Device.HostFallbacks.erase(Pointer)) {
      std::free(Pointer);
      return;
    }
  }
  const Driver &D = *Call.Device.D;
  if (Call.Device.MemoryPools) {
    if (CUresult R = D.cuMemFreeAsync(devicePointer(Pointer), Call.Stream))
      fail(Call, cudaError(D, R, "cuMemFreeAsync"));
    return;
  }
  if (CUresult R = D.cuStreamSynchronize(Call.Stream))
    fail(Call, cudaError(D, R, "cuStreamSynchronize before cuMemFree"));
  D.cuMemFree(devicePointer(Pointer));
}
} // namespace

ScopedCudaCall::ScopedCudaCall(CudaDevice &Device, CudaModules &Modules)
    : S(new State(Device, Modules)) {
  S->Saved = CurrentCall;
  CurrentCall = S.get();
}

ScopedCudaCall::~ScopedCudaCall() {
  encrt_status_free(finish());
  for (CUevent Event : {S->Start, S->End})
    if (Event)
      S->Device.D->cuEventDestroy(Event);
  if (S->Stream)
    S->Device.D->cuStreamDestroy(S->Stream);
  CurrentCall = S->Saved;
}

encrt_status *ScopedCudaCall::start() {
  const Driver &D = *S->Device.D;
  if (CUresult R = D.cuStreamCreate(&S->Stream, CU_STREAM_NON_BLOCKING)) {
    S->Stream = nullptr;
    return cudaError(D, R, "cuStreamCreate");
  }
  return nullptr;
}

encrt_status *ScopedCudaCall::upload(const void *Host, size_t Bytes,
                                     void **Out) {
  if (encrt_status *Status = allocate(*S, Bytes, Out))
    return Status;
  S->Staged.push_back(*Out);
  const Driver &D = *S->Device.D;
  if (Bytes)
    if (CUresult R =
            D.cuMemcpyHtoDAsync(devicePointer(*Out), Host, Bytes, S->Stream))
      return cudaError(
          D, R, "cuMemcpyHtoDAsync(" + std::to_string(Bytes) + " bytes)");
  return nullptr;
}

encrt_status *ScopedCudaCall::download(void *Host, const void *Device,
                                       size_t Bytes) {
  const Driver &D = *S->Device.D;
  if (Bytes)
    if (CUresult R =
            D.cuMemcpyDtoHAsync(Host, devicePointer(Device), Bytes, S->Stream))
      return cudaError(
          D, R, "cuMemcpyDtoHAsync(" + std::to_string(Bytes) + " bytes)");
  return nullptr;
}

void ScopedCudaCall::release(void *Device) { encrt::release(*S, Device); }

bool ScopedCudaCall::failed() const { return S->Error != nullptr; }

namespace {
encrt_status *recordEvent(ScopedCudaCall::State &Call, CUevent &Event) {
  const Driver &D = *Call.Device.D;
  if (!Event)
    if (CUresult R = D.cuEventCreate(&Event, /*CU_EVENT_DEFAULT=*/0)) {
      Event = nullptr;
      return cudaError(D, R, "cuEventCreate");
    }
  if (CUresult R = D.cuEventRecord(Event, Call.Stream))
    return cudaError(D, R, "cuEventRecord");
  return nullptr;
}
} // namespace

encrt_status *ScopedCudaCall::markDeviceStart() {
  return recordEvent(*S, S->Start);
}

encrt_status *ScopedCudaCall::markDeviceEnd() {
  return recordEvent(*S, S->End);
}

double ScopedCudaCall::deviceMilliseconds() const { return S->DeviceMs; }

encrt_status *ScopedCudaCall::finish() {
  if (S->Finished)
    return std::exchange(S->Error, nullptr);
  S->Finished = true;
  for (void *P : S->Staged)
    encrt::release(*S, P);
  S->Staged.clear();
  if (S->Stream)
    if (CUresult R = S->Device.D->cuStreamSynchronize(S->Stream))
      fail(*S, cudaError(*S->Device.D, R,
                         S->Device.LaunchBlocking
                             ? "cuStreamSynchronize at the end of the call"
                             : "cuStreamSynchronize at the end of the call "
                               "(with CUDA_LAUNCH_BLOCKING=1 the failing "
                               "kernel is named)"));
  float Ms = 0;
  if (!S->Error && S->Start && S->End) {
    if (CUresult R = S->Device.D->cuEventElapsedTime(&Ms, S->Start, S->End))
      fail(*S, cudaError(*S->Device.D, R, "cuEventElapsedTime"));
    else
      S->DeviceMs = Ms;
  }
  return std::exchange(S->Error, nullptr);
}

void *gpuAllocHook(int64_t Bytes) {
  size_t Size = Bytes > 0 ? static_cast<size_t>(Bytes) : 1;
  ScopedCudaCall::State *Call = CurrentCall;
  if (Call && !Call->Error) {
    void *Pointer = nullptr;
    encrt_status *S = allocate(*Call, Size, &Pointer);
    if (!S)
      return Pointer;
    fail(*Call, S);
  }
  // No device to allocate on (an error earlier in the call, or compiled
  // code run outside a call): host memory keeps compiled code from seeing
  // NULL; the launches that would use it are skipped.
  void *Pointer = std::malloc(Size);
  if (Call && Pointer) {
    std::lock_guard<std::mutex> Lock(Call->Device.FallbackMutex);
    Call->Device.HostFallbacks.insert(Pointer);
  }
  return Pointer;
}

void gpuFreeHook(void *Pointer) {
  if (ScopedCudaCall::State *Call = CurrentCall)
    release(*Call, Pointer);
  else
    std::free(Pointer);
}

void gpuUploadHook(void *Device, const void *Host, int64_t Bytes) {
  ScopedCudaCall::State *Call = CurrentCall;
  if (!Call || Call->Error || Bytes <= 0)
    return;
  const Driver &D = *Call->Device.D;
  if (CUresult R = D.cuMemcpyHtoDAsync(devicePointer(Device), Host,
                                       size_t(Bytes), Call->Stream))
    fail(*Call, cudaError(D, R,
                          "cuMemcpyHtoDAsync of a constant (" +
                              std::to_string(Bytes) + " bytes)"));
}

void gpuLaunchHook(const char *Ptx, const char *Kernel, int64_t GridX,
                   int64_t GridY, int64_t GridZ, int64_t BlockX, int64_t BlockY,
                   int64_t BlockZ, int64_t SharedBytes, void **Params,
                   int64_t NumParams) {
  (void)NumParams; // cuLaunchKernel reads as many as the kernel declares
  ScopedCudaCall::State *Call = CurrentCall;
  if (!Call || Call->Error)
    return;
  const Driver &D = *Call->Device.D;
  auto fits = [](int64_t V) { return V >= 0 && V <= 0x7fffffff; };
  if (!fits(GridX) || !fits(GridY) || !fits(GridZ) || !fits(BlockX) ||
      !fits(BlockY) || !fits(BlockZ) || !fits(SharedBytes))
    return fail(*Call, error(ENCRT_INTERNAL, "kernel '", Kernel,
                             "': launch dimensions out of range (grid ", GridX,
                             "x", GridY, "x", GridZ, ", block ", BlockX, "x",
                             BlockY, "x", BlockZ, ")"));
  CUfunction Function = nullptr;
  if (encrt_status *S = Call->Modules.function(Ptx, Kernel, Function))
    return fail(*Call, S);
  auto what = [&] {
    return std::string("cuLaunchKernel('") + Kernel + "', grid " +
           std::to_string(GridX) + "x" + std::to_string(GridY) + "x" +
           std::to_string(GridZ) + ", block " + std::to_string(BlockX) + "x" +
           std::to_string(BlockY) + "x" + std::to_string(BlockZ) + ")";
  };
  if (CUresult R = D.cuLaunchKernel(
          Function, unsigned(GridX), unsigned(GridY), unsigned(GridZ),
          unsigned(BlockX), unsigned(BlockY), unsigned(BlockZ),
          unsigned(SharedBytes), Call->Stream, Params, nullptr))
    return fail(*Call, cudaError(D, R, what()));
  if (Call->Device.LaunchBlocking)
    if (CUresult R = D.cuStreamSynchronize(Call->Stream))
      return fail(*Call,
                  cudaError(D, R, "cuStreamSynchronize after " + what()));
}

} // namespace encrt
