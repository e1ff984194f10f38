//===- Module.cpp - The module functions of the C API
//-----------------------===//
//
// A module is an artifact plus bound parameters (ModuleState.h); binding is
// in Params.cpp, calling in Call.cpp.
//
//===----------------------------------------------------------------------===//

#include "ModuleState.h"

#include "Status.h"
#include "Types.h"

using namespace encrt;

extern "C" {

void encrt_module_options_init(encrt_module_options *Options) {
  if (!Options)
    return;
  Options->device = ENCRT_DEVICE_CPU;
  Options->device_ordinal = 0;
  Options->num_threads = 0;
  Options->max_call_bytes = 0;
}

encrt_status *encrt_module_create(encrt_artifact *Artifact,
                                  const encrt_module_options *Options,
                                  encrt_module **Out) {
  return guard([&]() -> encrt_status * {
    if (!Artifact || !Out)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_create: artifact and out must be non-NULL");
    *Out = nullptr;
    encrt_module_options Opts;
    encrt_module_options_init(&Opts);
    if (Options)
      Opts = *Options;
    const std::string Path = quote(Artifact->Path);
    std::shared_ptr<encrt::CudaDevice> Device;
    if (Opts.num_threads < 0)
      return error(ENCRT_INVALID_ARGUMENT, "num_threads is ", Opts.num_threads,
                   "; use 0 for one thread per core");
    // An if-chain rather than a switch: C callers may pass any value.
    if (Opts.device == ENCRT_DEVICE_CPU) {
      if (Artifact->Target != "cpu")
        return error(ENCRT_INVALID_ARGUMENT, "artifact ", Path,
                     " was compiled for ", Artifact->Target,
                     " and cannot run on the CPU");
    } else if (Opts.device == ENCRT_DEVICE_CUDA) {
      if (Artifact->Target != "cuda")
        return error(ENCRT_INVALID_ARGUMENT, "artifact ", Path,
                     " was compiled for ", Artifact->Target,
                     " and cannot run on a CUDA device");
      if (Opts.device_ordinal < 0)
        return error(ENCRT_INVALID_ARGUMENT, "device_ordinal is ",
                     Opts.device_ordinal, "; it must be non-negative");
      if (encrt_status *S = encrt::openCudaDevice(Opts.device_ordinal,
                                                  Artifact->GpuArch, Device))
        return S;
    } else {
      return error(ENCRT_INVALID_ARGUMENT, "unknown device kind ",
                   static_cast<int>(Opts.device));
    }

    auto M = std::make_unique<encrt_module>(Artifact->Kernels.size());
    M->Options = Opts;
    if (Device) {
      M->CudaModules = encrt::makeCudaModules(Device);
      M->Device = std::move(Device);
    }
    // A derived parameter stands for what its internal function binds,
    // recorded under the function that uses it.
    auto addParams = [&](const encrt_function &User,
                         const encrt_function &Declaring, auto &self) -> void {
      for (const auto &P : Declaring.Params) {
        if (P->Derive) {
          std::unique_ptr<DerivedParams> &Derived =
              M->Derived[P->Derive->Function];
          if (!Derived) {
            Derived = std::make_unique<DerivedParams>();
            self(User, *P->Derive->Fn, self);
          }
          continue;
        }
        if (!P->Pack) {
          M->Params[P->Name].push_back(ParamUse{&User, P.get()});
          continue;
        }
        for (const auto &Source : P->Pack->Sources)
          M->Params[Source->Name].push_back(ParamUse{&User, Source.get()});
        std::unique_ptr<PackedParam> &Packed = M->Packed[P->Name];
        if (!Packed)
          Packed = std::make_unique<PackedParam>(*P);
      }
    };
    for (const auto &F : Artifact->Functions)
      addParams(*F, *F, addParams);
    encrt_artifact_retain(Artifact);
    M->Artifact = Artifact;
    *Out = M.release();
    return nullptr;
  });
}

void encrt_module_release(encrt_module *Module) { delete Module; }

encrt_status *encrt_module_bind_weights(encrt_module *Module,
                                        encrt_weights *Weights) {
  return guard([&]() -> encrt_status * {
    if (!Module || !Weights)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_bind_weights: module and weights must be "
                   "non-NULL");
    return bindWeights(*Module, *Weights);
  });
}

encrt_status *encrt_module_bind_parameter(encrt_module *Module,
                                          const char *Name,
                                          const encrt_tensor_view *View,
                                          void (*Release)(void *),
                                          void *UserData) {
  return guard([&]() -> encrt_status * {
    if (!Module || !Name)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_bind_parameter: module and name must be "
                   "non-NULL");
    void *Data[] = {UserData};
    return bindParameters(*Module, 1, &Name, View, Release, Data);
  });
}

encrt_status *encrt_module_bind_parameters(encrt_module *Module, size_t Count,
                                           const char *const *Names,
                                           const encrt_tensor_view *Views,
                                           void (*Release)(void *),
                                           void *const *UserData) {
  return guard([&]() -> encrt_status * {
    if (!Module)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_bind_parameters: module is NULL");
    return bindParameters(*Module, Count, Names, Views, Release, UserData);
  });
}

void encrt_module_converted_params(const encrt_module *Module, size_t *Count,
                                   size_t *Bytes, unsigned *FromDTypes) {
  size_t N = 0, Total = 0;
  unsigned From = 0;
  if (Module) {
    std::lock_guard<std::mutex> Lock(Module->Mutex);
    for (const auto &[Name, B] : Module->Bindings) {
      if (!B->ConvertedFrom)
        continue;
      size_t Size = 0;
      encrt::checkedByteSize(B->DType, B->Dims.data(), B->Dims.size(), Size);
      ++N;
      Total += Size;
      From |= 1u << static_cast<unsigned>(*B->ConvertedFrom);
    }
  }
  if (Count)
    *Count = N;
  if (Bytes)
    *Bytes = Total;
  if (FromDTypes)
    *FromDTypes = From;
}

encrt_status *encrt_module_check_parameters(const encrt_module *Module,
                                            const encrt_function *Function) {
  return guard([&]() -> encrt_status * {
    if (!Module || !Function)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_check_parameters: module and function must "
                   "be non-NULL");
    if (Function->Artifact != Module->Artifact)
      return error(ENCRT_INVALID_ARGUMENT, "function ", quote(Function->Name),
                   " belongs to artifact ", quote(Function->Artifact->Path),
                   ", not to the module's ", quote(Module->Artifact->Path));
    return collectBindings(*Module, *Function, nullptr);
  });
}

encrt_status *encrt_module_call(encrt_module *Module,
                                const encrt_function *Function,
                                const encrt_tensor_view *Inputs,
                                size_t NumInputs, encrt_buffer **Outputs) {
  return guard([&]() -> encrt_status * {
    if (!Module || !Function)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_call: module and function must be non-NULL");
    if (Function->Artifact != Module->Artifact)
      return error(ENCRT_INVALID_ARGUMENT, "function ", quote(Function->Name),
                   " belongs to artifact ", quote(Function->Artifact->Path),
                   ", not to the module's ", quote(Module->Artifact->Path));
    return callFunction(*Module, *Function, Inputs, NumInputs, Outputs);
  });
}

void encrt_module_set_profiling(encrt_module *Module, int Enabled) {
  if (Module)
    Module->Profiling.store(Enabled != 0, std::memory_order_relaxed);
}

encrt_status *encrt_module_kernel_stats(const encrt_module *Module,
                                        int64_t Kernel, int64_t *Calls,
                                        double *TotalMs, int64_t *Flops) {
  return guard([&]() -> encrt_status * {
    if (!Module)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_kernel_stats: module is NULL");
    size_t Count = Module->Profile.size();
    if (Kernel < -1 || (Kernel >= 0 && static_cast<uint64_t>(Kernel) >= Count))
      return error(ENCRT_INVALID_ARGUMENT, "kernel index ", Kernel,
                   " is out of range: artifact ", quote(Module->Artifact->Path),
                   " lists ", Count,
                   " kernels (-1 stands for launches of unlisted ones)");
    const KernelCounters &C = Module->Profile.at(Kernel);
    if (Calls)
      *Calls = C.Calls.load(std::memory_order_relaxed);
    if (TotalMs)
      *TotalMs =
          static_cast<double>(C.Nanoseconds.load(std::memory_order_relaxed)) /
          1e6;
    if (Flops)
      *Flops = C.Flops.load(std::memory_order_relaxed);
    return nullptr;
  });
}

void encrt_module_reset_profile(encrt_module *Module) {
  if (Module) {
    Module->Profile.reset();
    Module->DeviceTime.reset();
  }
}

encrt_status *encrt_module_device_stats(const encrt_module *Module,
                                        int64_t *Calls, double *TotalMs) {
  return guard([&]() -> encrt_status * {
    if (!Module)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_module_device_stats: module is NULL");
    if (Calls)
      *Calls = Module->DeviceTime.Calls.load(std::memory_order_relaxed);
    if (TotalMs)
      *TotalMs = static_cast<double>(Module->DeviceTime.Nanoseconds.load(
                     std::memory_order_relaxed)) /
                 1e6;
    return nullptr;
  });
}

} // extern "C"
