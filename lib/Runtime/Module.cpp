//===- Module.cpp - Binding parameters and calling entry points -----------===//
//
// A module is an artifact plus bound parameters. A call checks its inputs
// against the metadata, builds one memref descriptor per argument (arrays of
// 8-byte words, docs/artifact-abi.md), runs the entry point and takes over
// the result allocations, copying a result instead when it aliases an
// argument, another result or constant memory, or is not dense row-major.
//
// Users bind names as encrt_function_param lists them: plain parameters and
// the sources of packed ones. A packed parameter is built at the first call
// that finds all its sources bound and rebuilt when one was rebound since;
// each build is kept alive by the calls using it, like any binding.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"
#include "Buffer.h"
#include "Cuda.h"
#include "Pack.h"
#include "SafeTensors.h"
#include "Status.h"
#include "ThreadPool.h"
#include "Types.h"

#include <atomic>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <optional>

using namespace encrt;

static_assert(sizeof(void *) == sizeof(int64_t),
              "the artifact ABI assumes 8-byte pointers");

namespace {

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
  /// CUDA modules: the copy in managed memory, made at the first call.
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

} // namespace

struct encrt_module {
  encrt_artifact *Artifact = nullptr;
  encrt_module_options Options{};
  /// Every bindable name of every function, with each declaration.
  std::map<std::string, std::vector<ParamUse>> Params;
  /// Every packed parameter of every function, by its internal name.
  std::map<std::string, std::unique_ptr<PackedParam>> Packed;

  mutable std::mutex Mutex; // guards Bindings and WeightsPaths
  std::map<std::string, std::shared_ptr<const Binding>> Bindings;
  std::vector<std::string> WeightsPaths;

  std::atomic<bool> Profiling{false};
  encrt::KernelProfile Profile;

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
    CudaModules.reset();
    encrt_artifact_release(Artifact);
  }
};

namespace {

/// Checks a tensor against every declaration of parameter `Name`; dynamic
/// dims in a declaration accept any size. `Source` says where the tensor
/// came from ("weights file 'w.safetensors': tensor 'w'").
encrt_status *checkParamType(const encrt_module &M, const std::string &Name,
                             const std::string &Source, encrt_dtype DType,
                             const int64_t *Dims, size_t Rank) {
  for (const ParamUse &Use : M.Params.at(Name)) {
    const encrt_value_info &Info = Use.Desc->Info;
    std::string Of = strCat(" (parameter ", quote(Name), " of function ",
                            quote(Use.Function->Name), ")");
    if (DType != Info.dtype)
      return error(ENCRT_INVALID_ARGUMENT, Source, " has dtype ",
                   encrt_dtype_name(DType), ", the artifact expects ",
                   encrt_dtype_name(Info.dtype), Of);
    bool Match = Rank == Info.rank;
    for (size_t I = 0; Match && I < Rank; ++I)
      Match = Info.dims[I] == ENCRT_DYNAMIC_DIM || Info.dims[I] == Dims[I];
    if (!Match)
      return error(ENCRT_INVALID_ARGUMENT, Source, " has shape ",
                   Rank ? formatDims(Dims, Rank) : std::string("() (scalar)"),
                   ", the artifact expects ",
                   Info.rank ? formatDims(Info.dims, Info.rank)
                             : std::string("() (scalar)"),
                   Of);
  }
  return nullptr;
}

encrt_status *bindWeights(encrt_module &M, encrt_weights &W) {
  // Check everything first so that a bad file binds nothing.
  std::vector<std::pair<std::string, std::shared_ptr<Binding>>> New;
  for (const auto &[Name, Uses] : M.Params) {
    const encrt_weights::Tensor *T = W.find(Name);
    if (!T)
      continue;
    std::string Source =
        strCat("weights file ", quote(W.Path), ": tensor ", quote(Name));
    if (encrt_status *S = checkParamType(M, Name, Source, T->DType,
                                         T->Dims.data(), T->Dims.size()))
      return S;
    auto B = std::make_shared<Binding>();
    B->DType = T->DType;
    B->Dims = T->Dims;
    B->Data = T->Data;
    // Safetensors only aligns the data section as a whole; compiled code may
    // assume element alignment, so misaligned tensors get an aligned copy.
    size_t Align = encrt_dtype_size(T->DType);
    if (T->Bytes && reinterpret_cast<uintptr_t>(T->Data) % Align != 0) {
      B->OwnedCopy = allocateTensorMemory(T->Bytes);
      std::memcpy(B->OwnedCopy, T->Data, T->Bytes);
      B->Data = B->OwnedCopy;
    } else {
      encrt_weights_retain(&W);
      B->Weights = &W;
    }
    New.emplace_back(Name, std::move(B));
  }
  // Old bindings are released outside the lock: releasing one may run a
  // caller's callback.
  std::vector<std::shared_ptr<const Binding>> Replaced;
  Replaced.reserve(New.size());
  {
    std::lock_guard<std::mutex> Lock(M.Mutex);
    M.WeightsPaths.push_back(W.Path);
    for (auto &[Name, B] : New) {
      auto &Slot = M.Bindings[Name];
      Replaced.push_back(std::move(Slot));
      Slot = std::move(B);
    }
  }
  return nullptr;
}

encrt_status *bindParameter(encrt_module &M, const char *Name,
                            const encrt_tensor_view *View,
                            void (*Release)(void *), void *UserData) {
  auto It = M.Params.find(Name);
  if (It == M.Params.end()) {
    auto Packed = M.Packed.find(Name);
    if (Packed == M.Packed.end())
      return error(ENCRT_NOT_FOUND, "artifact ", quote(M.Artifact->Path),
                   " has no parameter named ", quote(Name));
    std::string Sources;
    for (const auto &S : Packed->second->Desc.Pack->Sources)
      Sources += (Sources.empty() ? "" : ", ") + quote(S->Name);
    return error(ENCRT_INVALID_ARGUMENT, "parameter ", quote(Name),
                 " of artifact ", quote(M.Artifact->Path),
                 " is built by the runtime from ", Sources,
                 "; bind those instead");
  }
  std::string Source = strCat("tensor bound to parameter ", quote(Name));
  size_t Bytes;
  if (encrt_status *S = checkView(View, Source, Bytes))
    return S;
  if (encrt_status *S =
          checkParamType(M, Name, Source, View->dtype, View->dims, View->rank))
    return S;
  if (Bytes &&
      reinterpret_cast<uintptr_t>(View->data) % encrt_dtype_size(View->dtype))
    return error(ENCRT_INVALID_ARGUMENT, Source,
                 ": data is not aligned to its ", encrt_dtype_size(View->dtype),
                 "-byte elements");
  auto B = std::make_shared<Binding>();
  B->DType = View->dtype;
  B->Dims.assign(View->dims, View->dims + View->rank);
  B->Data = View->data;
  std::shared_ptr<const Binding> Replaced;
  {
    std::lock_guard<std::mutex> Lock(M.Mutex);
    auto &Slot = M.Bindings[Name];
    // Nothing below throws: the module owns the callback only on success.
    B->Release = Release;
    B->UserData = UserData;
    Replaced = std::move(Slot);
    Slot = std::move(B);
  }
  return nullptr;
}

/// NOT_FOUND for the first unbound name of `F` (in encrt_function_param
/// order), else null; fills `Out` (when given) with the binding of each.
encrt_status *
collectBindings(const encrt_module &M, const encrt_function &F,
                std::vector<std::shared_ptr<const Binding>> *Out) {
  std::lock_guard<std::mutex> Lock(M.Mutex);
  for (const ValueDesc *P : F.Bindable) {
    auto It = M.Bindings.find(P->Name);
    if (It == M.Bindings.end()) {
      std::string Why;
      if (M.WeightsPaths.empty()) {
        Why = "no weights file has been bound";
      } else if (M.WeightsPaths.size() == 1) {
        Why = strCat("the weights file ", quote(M.WeightsPaths[0]),
                     " has no tensor of that name");
      } else {
        std::string Files;
        for (const std::string &Path : M.WeightsPaths)
          Files += (Files.empty() ? "" : ", ") + quote(Path);
        Why = strCat("none of the weights files (", Files,
                     ") has a tensor of that name");
      }
      return error(ENCRT_NOT_FOUND, "parameter ", quote(P->Name),
                   " of function ", quote(F.Name), " is not bound; ", Why);
    }
    if (Out)
      Out->push_back(It->second);
  }
  return nullptr;
}

/// Packed parameter `P` of a function built from the bindings `Bound` of
/// that function's bindable names: the module's current build when it was
/// made from the same source bindings, else a new one.
std::shared_ptr<const Binding>
packedBinding(encrt_module &M, const ValueDesc &P,
              const std::vector<std::shared_ptr<const Binding>> &Bound) {
  PackedParam &Packed = *M.Packed.at(P.Name);
  std::vector<uint64_t> Ids;
  std::vector<const void *> Data;
  for (size_t I : P.Pack->SourceIndex) {
    Ids.push_back(Bound[I]->Id);
    Data.push_back(Bound[I]->Data);
  }
  // Concurrent calls wait for one build rather than each making their own.
  std::lock_guard<std::mutex> Lock(Packed.Mutex);
  if (Packed.Built && Packed.BuiltFrom == Ids)
    return Packed.Built;
  auto B = std::make_shared<Binding>();
  B->DType = P.Info.dtype;
  B->Dims = P.Dims;
  B->OwnedCopy = buildPackedTensor(P, Data);
  B->Data = B->OwnedCopy;
  Packed.Built = B;
  Packed.BuiltFrom = std::move(Ids);
  return B;
}

/// NOT_FOUND for the first unbound name of `F`, else null; fills `Out`
/// with one binding per entry-point parameter, building packed ones.
encrt_status *collectParams(encrt_module &M, const encrt_function &F,
                            std::vector<std::shared_ptr<const Binding>> &Out) {
  std::vector<std::shared_ptr<const Binding>> Bound;
  Bound.reserve(F.Bindable.size());
  if (encrt_status *S = collectBindings(M, F, &Bound))
    return S;
  Out.reserve(F.Params.size());
  for (const auto &P : F.Params)
    Out.push_back(P->Pack ? packedBinding(M, *P, Bound)
                          : Bound[P->BindableIndex]);
  return nullptr;
}

/// "[1, 2]" for an element's multi-dimensional index.
std::string formatIndex(const std::vector<int64_t> &Dims, int64_t Flat) {
  std::vector<int64_t> Index(Dims.size());
  for (size_t I = Dims.size(); I-- > 0;) {
    Index[I] = Flat % Dims[I];
    Flat /= Dims[I];
  }
  std::string Out = "[";
  for (size_t I = 0; I < Index.size(); ++I)
    Out += (I ? ", " : "") + std::to_string(Index[I]);
  return Out + "]";
}

/// " ('sequence')" for a named dimension, "" otherwise.
std::string dimLabel(const encrt_value_info &Info, size_t I) {
  if (!Info.dim_names || !*Info.dim_names[I])
    return "";
  return strCat(" (", quote(Info.dim_names[I]), ")");
}

/// Dimensions of one name must have one size across a call's inputs.
encrt_status *checkNamedDims(const encrt_function &F,
                             const encrt_tensor_view *Inputs) {
  struct Seen {
    int64_t Size;
    size_t Input, Dim;
  };
  std::map<std::string, Seen> Sizes;
  for (size_t In = 0; In < F.Inputs.size(); ++In) {
    const encrt_value_info &Info = F.Inputs[In]->Info;
    for (size_t D = 0; Info.dim_names && D < Info.rank; ++D) {
      if (!*Info.dim_names[D])
        continue;
      auto [It, Inserted] =
          Sizes.emplace(Info.dim_names[D], Seen{Inputs[In].dims[D], In, D});
      if (Inserted || It->second.Size == Inputs[In].dims[D])
        continue;
      const encrt_value_info &First = F.Inputs[It->second.Input]->Info;
      return error(ENCRT_INVALID_ARGUMENT, "function ", quote(F.Name),
                   ": dimension ", quote(Info.dim_names[D]), " is ",
                   It->second.Size, " in input ", quote(First.name),
                   " (dimension ", It->second.Dim, ") but ",
                   Inputs[In].dims[D], " in input ", quote(Info.name),
                   " (dimension ", D, ")");
    }
  }
  return nullptr;
}

encrt_status *checkInput(const encrt_function &F, size_t Index,
                         const encrt_tensor_view &View) {
  const encrt_value_info &Info = F.Inputs[Index]->Info;
  std::string What = strCat("input ", quote(Info.name), " (#", Index,
                            ") of function ", quote(F.Name));
  std::string Expected = formatType(Info.dtype, Info.dims, Info.rank);
  size_t Bytes;
  if (encrt_status *S = checkView(&View, What, Bytes))
    return S;
  std::string Got = formatType(View.dtype, View.dims, View.rank);
  if (View.dtype != Info.dtype)
    return error(ENCRT_INVALID_ARGUMENT, What, ": expected dtype ",
                 encrt_dtype_name(Info.dtype), " (", Expected, "), got ",
                 encrt_dtype_name(View.dtype), " (", Got, ")");
  if (View.rank != Info.rank)
    return error(ENCRT_INVALID_ARGUMENT, What, ": expected rank ", Info.rank,
                 " (", Expected, "), got rank ", View.rank, " (", Got, ")");
  for (size_t I = 0; I < Info.rank; ++I)
    if (Info.dims[I] != ENCRT_DYNAMIC_DIM && Info.dims[I] != View.dims[I])
      return error(ENCRT_INVALID_ARGUMENT, What, ": expected shape ", Expected,
                   ", got ", Got, " (dimension ", I, ")");
  for (size_t I = 0; Info.dim_max && I < Info.rank; ++I)
    if (Info.dim_max[I] >= 0 && View.dims[I] > Info.dim_max[I])
      return error(ENCRT_INVALID_ARGUMENT, What, ": dimension ", I,
                   dimLabel(Info, I), " is ", View.dims[I],
                   ", more than the maximum ", Info.dim_max[I],
                   " the artifact was compiled for");

  if (!Info.has_range && !Info.has_ignore_value)
    return nullptr;
  if (!isIntegerDType(Info.dtype))
    return nullptr;
  int64_t N = static_cast<int64_t>(Bytes / encrt_dtype_size(View.dtype));
  for (int64_t E = 0; E < N; ++E) {
    int64_t V = loadInteger(View.data, View.dtype, static_cast<size_t>(E));
    if (Info.has_ignore_value && V == Info.ignore_value)
      continue;
    if (!Info.has_range || (V >= Info.range_lo && V < Info.range_hi))
      continue;
    std::string Allowed = strCat("[", Info.range_lo, ", ", Info.range_hi, ")");
    if (Info.has_ignore_value)
      Allowed += strCat(" or the ignore value ", Info.ignore_value);
    return error(
        ENCRT_INVALID_ARGUMENT, What, ": element ",
        formatIndex(std::vector<int64_t>(View.dims, View.dims + View.rank), E),
        " is ", V, ", outside the valid range ", Allowed);
  }
  return nullptr;
}

/// Appends the descriptor words of a dense row-major tensor.
void appendDescriptor(std::vector<int64_t> &Words, const void *Data,
                      const int64_t *Dims, size_t Rank) {
  int64_t Ptr;
  std::memcpy(&Ptr, &Data, sizeof(Ptr));
  Words.push_back(Ptr); // allocated
  Words.push_back(Ptr); // aligned
  Words.push_back(0);   // offset
  Words.insert(Words.end(), Dims, Dims + Rank);
  size_t StridesAt = Words.size();
  Words.resize(Words.size() + Rank);
  int64_t Stride = 1;
  for (size_t I = Rank; I-- > 0;) {
    Words[StridesAt + I] = Stride;
    Stride *= Dims[I]; // cannot overflow: the byte size was checked
  }
}

struct FreeDeleter {
  void operator()(void *P) const { std::free(P); }
};

/// One result descriptor as the entry point filled it in.
struct RawResult {
  void *Allocated = nullptr;
  char *Aligned = nullptr;
  int64_t Offset = 0;
  std::vector<int64_t> Sizes;
  std::vector<int64_t> Strides;
  bool Owned = false;
  bool Dense = false;
  size_t Bytes = 0;
};

/// Frees, on scope exit, every result allocation the runtime owns and has
/// not handed to a buffer, whatever path (error, exception) leaves the call.
struct OwnedAllocations {
  std::vector<RawResult> &Results;
  encrt::CudaDevice *Device; // results of CUDA artifacts: managed memory
  ~OwnedAllocations() {
    for (RawResult &R : Results)
      if (R.Owned)
        Device ? encrt::cudaFree(*Device, R.Allocated) : std::free(R.Allocated);
  }
};

/// Managed memory freed on scope exit (inputs staged for a CUDA call).
struct DeviceCopies {
  encrt::CudaDevice *Device = nullptr;
  std::vector<void *> Pointers;
  ~DeviceCopies() {
    for (void *P : Pointers)
      encrt::cudaFree(*Device, P);
  }
};

/// The managed copy of a bound parameter, made once.
encrt_status *deviceCopyOf(encrt_module &M, const Binding &B,
                           const void *&Out) {
  std::lock_guard<std::mutex> Lock(B.DeviceMutex);
  if (!B.DeviceCopy) {
    size_t Bytes = 0;
    checkedByteSize(B.DType, B.Dims.data(), B.Dims.size(), Bytes);
    void *Copy = nullptr;
    if (encrt_status *S = encrt::cudaAllocManaged(*M.Device, Bytes, &Copy))
      return S;
    if (Bytes)
      std::memcpy(Copy, B.Data, Bytes);
    B.DeviceCopy = Copy;
    B.Device = M.Device;
  }
  Out = B.DeviceCopy;
  return nullptr;
}

bool isDenseRowMajor(const RawResult &R) {
  if (R.Bytes == 0)
    return true;
  if (R.Offset != 0)
    return false;
  int64_t Expected = 1;
  for (size_t I = R.Sizes.size(); I-- > 0;) {
    // The stride of a unit dimension is never used to address memory.
    if (R.Sizes[I] != 1 && R.Strides[I] != Expected)
      return false;
    Expected *= R.Sizes[I];
  }
  return true;
}

/// Copies a strided result into the dense buffer `Dst`.
void copyStrided(const RawResult &R, size_t ElemSize, char *Dst) {
  size_t Rank = R.Sizes.size();
  std::vector<int64_t> Index(Rank, 0);
  int64_t N = static_cast<int64_t>(R.Bytes / ElemSize);
  for (int64_t E = 0; E < N; ++E) {
    int64_t Src = R.Offset;
    for (size_t I = 0; I < Rank; ++I)
      Src += Index[I] * R.Strides[I];
    std::memcpy(Dst + E * ElemSize, R.Aligned + Src * int64_t(ElemSize),
                ElemSize);
    for (size_t I = Rank; I-- > 0;) {
      if (++Index[I] < R.Sizes[I])
        break;
      Index[I] = 0;
    }
  }
}

/// True when `P` lies inside a loaded object (an artifact constant, say):
/// such memory must never be passed to free().
bool isInLoadedObject(const void *P) {
  Dl_info Info;
  return dladdr(P, &Info) != 0;
}

encrt_status *callFunction(encrt_module &M, const encrt_function &F,
                           const encrt_tensor_view *Inputs, size_t NumInputs,
                           encrt_buffer **Outputs) {
  const std::string FnName = quote(F.Name);
  size_t NumOutputs = F.Outputs.size();
  if (NumOutputs && !Outputs)
    return error(ENCRT_INVALID_ARGUMENT, "function ", FnName, " has ",
                 NumOutputs, " outputs but the outputs array is NULL");
  for (size_t I = 0; I < NumOutputs; ++I)
    Outputs[I] = nullptr;
  if (NumInputs != F.Inputs.size())
    return error(ENCRT_INVALID_ARGUMENT, "function ", FnName, " takes ",
                 F.Inputs.size(), " inputs, got ", NumInputs);
  if (NumInputs && !Inputs)
    return error(ENCRT_INVALID_ARGUMENT, "function ", FnName,
                 ": the inputs array is NULL");
  for (size_t I = 0; I < NumInputs; ++I)
    if (encrt_status *S = checkInput(F, I, Inputs[I]))
      return S;
  if (encrt_status *S = checkNamedDims(F, Inputs))
    return S;
  std::vector<std::shared_ptr<const Binding>> Params;
  if (encrt_status *S = collectParams(M, F, Params))
    return S;

  // Argument descriptors, inputs then parameters. Compiled code may assume
  // element alignment, so a misaligned input is passed as an aligned copy.
  // CUDA artifacts read inputs and parameters from managed memory.
  encrt::CudaDevice *Device = M.Device.get();
  std::optional<encrt::ScopedCudaCall> CudaCall;
  DeviceCopies Staged;
  Staged.Device = Device;
  if (Device) {
    if (encrt_status *S = encrt::cudaMakeCurrent(*Device))
      return S;
    Staged.Pointers.reserve(NumInputs);
  }
  std::vector<std::vector<int64_t>> ArgWords;
  std::vector<const void *> ArgData;
  std::vector<std::unique_ptr<void, FreeDeleter>> InputCopies;
  InputCopies.reserve(NumInputs); // emplace_back must not throw below
  for (size_t I = 0; I < NumInputs; ++I) {
    const encrt_tensor_view &In = Inputs[I];
    const void *Data = In.data;
    size_t Bytes = 0;
    checkedByteSize(In.dtype, In.dims, In.rank, Bytes); // checked above
    if (Device) {
      void *Copy = nullptr;
      if (encrt_status *S = encrt::cudaAllocManaged(*Device, Bytes, &Copy))
        return S;
      Staged.Pointers.push_back(Copy);
      if (Bytes)
        std::memcpy(Copy, Data, Bytes);
      Data = Copy;
    } else if (Bytes &&
        reinterpret_cast<uintptr_t>(Data) % encrt_dtype_size(In.dtype)) {
      InputCopies.emplace_back(allocateTensorMemory(Bytes));
      std::memcpy(InputCopies.back().get(), Data, Bytes);
      Data = InputCopies.back().get();
    }
    ArgWords.emplace_back();
    appendDescriptor(ArgWords.back(), Data, In.dims, In.rank);
    ArgData.push_back(Data);
  }
  for (const auto &B : Params) {
    const void *Data = B->Data;
    if (Device)
      if (encrt_status *S = deviceCopyOf(M, *B, Data))
        return S;
    ArgWords.emplace_back();
    appendDescriptor(ArgWords.back(), Data, B->Dims.data(), B->Dims.size());
    ArgData.push_back(Data);
  }
  std::vector<void *> Args;
  for (auto &Words : ArgWords)
    Args.push_back(Words.data());

  size_t ResultWordCount = 0;
  for (const auto &Out : F.Outputs)
    ResultWordCount += 3 + 2 * Out->Dims.size();
  std::vector<int64_t> ResultWords(ResultWordCount + 1, 0);

  // Reserve before the call so that recording results cannot throw and leak
  // what the entry point allocated.
  std::vector<RawResult> Raw(NumOutputs);
  for (size_t I = 0; I < NumOutputs; ++I) {
    Raw[I].Sizes.reserve(F.Outputs[I]->Dims.size());
    Raw[I].Strides.reserve(F.Outputs[I]->Dims.size());
  }

  encrt_status *DeviceError = nullptr;
  {
    CallContext Call;
    Call.NumThreads = M.Options.num_threads;
    if (M.Profiling.load(std::memory_order_relaxed))
      Call.Profile = &M.Profile;
    ScopedCallContext Scope(Call);
    if (Device)
      CudaCall.emplace(*Device, *M.CudaModules);
    F.Fn(Args.data(), ResultWords.data());
    if (CudaCall) {
      DeviceError = CudaCall->takeError();
      CudaCall.reset();
    }
  }

  // Decode descriptors and decide ownership before anything can fail, so
  // that every owned allocation is freed on every path.
  OwnedAllocations Guard{Raw, Device};
  const int64_t *W = ResultWords.data();
  for (size_t I = 0; I < NumOutputs; ++I) {
    RawResult &R = Raw[I];
    size_t Rank = F.Outputs[I]->Dims.size();
    std::memcpy(&R.Allocated, &W[0], sizeof(void *));
    std::memcpy(&R.Aligned, &W[1], sizeof(void *));
    R.Offset = W[2];
    R.Sizes.assign(W + 3, W + 3 + Rank);
    R.Strides.assign(W + 3 + Rank, W + 3 + 2 * Rank);
    W += 3 + 2 * Rank;
    bool Aliased = !R.Allocated;
    for (const void *D : ArgData)
      Aliased |= R.Allocated == D;
    for (size_t J = 0; J < I; ++J)
      Aliased |= R.Allocated == Raw[J].Allocated;
    R.Owned = !Aliased && !isInLoadedObject(R.Allocated);
  }
  if (DeviceError)
    return DeviceError;

  std::vector<std::unique_ptr<encrt_buffer>> Buffers(NumOutputs);
  for (size_t I = 0; I < NumOutputs; ++I) {
    RawResult &R = Raw[I];
    const encrt_value_info &Info = F.Outputs[I]->Info;
    std::string Expected = formatType(Info.dtype, Info.dims, Info.rank);
    bool Match = true;
    for (size_t D = 0; D < Info.rank; ++D)
      Match &= R.Sizes[D] >= 0 && (Info.dims[D] == ENCRT_DYNAMIC_DIM ||
                                   Info.dims[D] == R.Sizes[D]);
    if (!Match ||
        !checkedByteSize(Info.dtype, R.Sizes.data(), Info.rank, R.Bytes))
      return error(ENCRT_INTERNAL, "function ", FnName, " of artifact ",
                   quote(M.Artifact->Path), " broke the ABI: output ",
                   quote(Info.name), " (#", I, ") has sizes [",
                   formatDims(R.Sizes.data(), R.Sizes.size()), "], expected ",
                   Expected);
    if (R.Bytes && !R.Aligned)
      return error(ENCRT_INTERNAL, "function ", FnName, " of artifact ",
                   quote(M.Artifact->Path), " broke the ABI: output ",
                   quote(Info.name), " (#", I, ") has a NULL data pointer");
    R.Dense = isDenseRowMajor(R);
    auto Buffer = std::make_unique<encrt_buffer>();
    Buffer->DType = Info.dtype;
    Buffer->Dims = R.Sizes;
    Buffers[I] = std::move(Buffer);
  }

  // Copy first, hand over allocations second: a copied result may read
  // memory that another result is about to own.
  for (size_t I = 0; I < NumOutputs; ++I) {
    RawResult &R = Raw[I];
    // Managed memory is the device's: results are copied out of it.
    if (!R.Bytes || (R.Owned && R.Dense && !Device))
      continue;
    Buffers[I]->Allocation = allocateTensorMemory(R.Bytes);
    Buffers[I]->Data = Buffers[I]->Allocation;
    copyStrided(R, encrt_dtype_size(Buffers[I]->DType),
                static_cast<char *>(Buffers[I]->Data));
  }
  for (size_t I = 0; I < NumOutputs; ++I) {
    RawResult &R = Raw[I];
    if (R.Bytes && R.Owned && R.Dense && !Device) {
      Buffers[I]->Allocation = R.Allocated;
      Buffers[I]->Data = R.Aligned;
      R.Owned = false;
    }
  }
  for (size_t I = 0; I < NumOutputs; ++I)
    Outputs[I] = Buffers[I].release();
  return nullptr;
}

} // namespace

extern "C" {

void encrt_module_options_init(encrt_module_options *Options) {
  if (!Options)
    return;
  Options->device = ENCRT_DEVICE_CPU;
  Options->device_ordinal = 0;
  Options->num_threads = 0;
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
    for (const auto &F : Artifact->Functions) {
      for (const auto &P : F->Params) {
        if (!P->Pack) {
          M->Params[P->Name].push_back(ParamUse{F.get(), P.get()});
          continue;
        }
        for (const auto &Source : P->Pack->Sources)
          M->Params[Source->Name].push_back(ParamUse{F.get(), Source.get()});
        std::unique_ptr<PackedParam> &Packed = M->Packed[P->Name];
        if (!Packed)
          Packed = std::make_unique<PackedParam>(*P);
      }
    }
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
    return bindParameter(*Module, Name, View, Release, UserData);
  });
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
  if (Module)
    Module->Profile.reset();
}

} // extern "C"
