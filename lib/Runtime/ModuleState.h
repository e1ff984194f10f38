//===- ModuleState.h - What an encrt_module holds ----------------*- C++
//-*-===//
//
// Internal to libencrt: the module object of the C API and its bindings,
// shared by the C API (Module.cpp), parameter binding (Params.cpp) and
// calls (Call.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_MODULESTATE_H
#define ENCODER_LIB_RUNTIME_MODULESTATE_H

#include "Artifact.h"
#include "Cuda.h"
#include "ThreadPool.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace encrt {

/// Memory bound to one parameter name, or a packed parameter built by the
/// runtime. Released (user callback, weights reference, aligned or packed
/// copy) when the last call using it is done.
struct Binding {
  /// Unique in the process: tells a packed parameter whether a source was
  /// rebound since it was built.
  const uint64_t Id = NextId.fetch_add(1, std::memory_order_relaxed);
  encrt_dtype DType = ENCRT_F32;
  std::vector<int64_t> Dims;
  const void *Data = nullptr;
  void (*Release)(void *) = nullptr;
  void *UserData = nullptr;
  encrt_weights *Weights = nullptr;
  void *OwnedCopy = nullptr;
  /// The dtype the bound tensor had when the runtime converted it into
  /// OwnedCopy (an f16 or bf16 checkpoint); DType when it did not.
  std::optional<encrt_dtype> ConvertedFrom;
  /// CUDA modules: the copy in device memory, made at the first call.
  mutable std::mutex DeviceMutex;
  mutable void *DeviceCopy = nullptr;
  mutable std::shared_ptr<encrt::CudaDevice> Device;

  Binding() = default;
  Binding(const Binding &) = delete;
  Binding &operator=(const Binding &) = delete;
  ~Binding() {
    if (Release)
      Release(UserData);
    encrt_weights_release(Weights);
    std::free(OwnedCopy);
    if (Device)
      encrt::cudaFree(*Device, DeviceCopy);
  }

private:
  static inline std::atomic<uint64_t> NextId{1};
};

/// A bindable name as one function declares it: a plain parameter or the
/// source of a packed one.
struct ParamUse {
  const encrt_function *Function;
  const ValueDesc *Desc;
};

/// The module's copy of one packed parameter, shared by every function that
/// declares it (they declare it alike, the metadata reader checked).
struct PackedParam {
  explicit PackedParam(const ValueDesc &Desc) : Desc(Desc) {}
  const ValueDesc &Desc;
  std::mutex Mutex; // guards Built and BuiltFrom; held while building
  std::shared_ptr<const Binding> Built;
  std::vector<uint64_t> BuiltFrom; // Binding::Id of each source
};

/// The outputs of one internal function that derives parameters, shared by
/// every function using them, computed at the first call that needs them
/// and again when one of the function's parameters was rebound since.
struct DerivedParams {
  std::mutex Mutex; // guards Built and BuiltFrom; held while computing
  std::vector<std::shared_ptr<const Binding>> Built;
  std::vector<uint64_t> BuiltFrom; // Binding::Id of each parameter
};

} // namespace encrt

struct encrt_module {
  encrt_artifact *Artifact = nullptr;
  encrt_module_options Options{};
  /// Every bindable name of every function, with each declaration.
  std::map<std::string, std::vector<encrt::ParamUse>> Params;
  /// Every packed parameter of every function, by its internal name.
  std::map<std::string, std::unique_ptr<encrt::PackedParam>> Packed;
  /// Every internal function computing derived parameters, by name.
  std::map<std::string, std::unique_ptr<encrt::DerivedParams>> Derived;

  mutable std::mutex Mutex; // guards Bindings and WeightsPaths
  std::map<std::string, std::shared_ptr<const encrt::Binding>> Bindings;
  std::vector<std::string> WeightsPaths;

  std::atomic<bool> Profiling{false};
  encrt::KernelProfile Profile;
  /// CUDA modules: device time of the profiled calls (Calls, Nanoseconds).
  encrt::KernelCounters DeviceTime;

  /// CUDA modules: the device and the PTX modules loaded so far.
  std::shared_ptr<encrt::CudaDevice> Device;
  std::unique_ptr<encrt::CudaModules, void (*)(encrt::CudaModules *)>
      CudaModules{nullptr, nullptr};

  explicit encrt_module(size_t NumKernels) : Profile(NumKernels) {}
  encrt_module(const encrt_module &) = delete;
  encrt_module &operator=(const encrt_module &) = delete;
  ~encrt_module() {
    Bindings.clear();
    Packed.clear();
    Derived.clear();
    CudaModules.reset();
    encrt_artifact_release(Artifact);
  }
};

namespace encrt {

/// Binds every parameter the weights file has (all or nothing on a type
/// error); the module keeps `W`.
encrt_status *bindWeights(encrt_module &M, encrt_weights &W);
/// Binds parameters to caller memory, all or none, in one step that
/// concurrent calls see whole.
encrt_status *bindParameters(encrt_module &M, size_t Count,
                             const char *const *Names,
                             const encrt_tensor_view *Views,
                             void (*Release)(void *), void *const *UserData);
/// NOT_FOUND for the first unbound bindable name of `F`; with `Out`, also
/// collects the bindings in `F.Bindable` order.
encrt_status *collectBindings(const encrt_module &M, const encrt_function &F,
                              std::vector<std::shared_ptr<const Binding>> *Out);
/// One binding per entry-point parameter of `F`, packed ones built.
encrt_status *collectParams(encrt_module &M, const encrt_function &F,
                            std::vector<std::shared_ptr<const Binding>> &Out);
/// The device copy of a bound parameter, made once (CUDA modules).
encrt_status *deviceCopyOf(encrt_module &M, const Binding &B, const void *&Out);
/// Checks the inputs, runs `F` and hands over its results
/// (encrt_module_call).
encrt_status *callFunction(encrt_module &M, const encrt_function &F,
                           const encrt_tensor_view *Inputs, size_t NumInputs,
                           encrt_buffer **Outputs);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_MODULESTATE_H
