//===- Params.cpp - Binding parameters of a module
//--------------------------===//
//
// Users bind names as encrt_function_param lists them: plain parameters and
// the sources of packed ones. A packed parameter is built at the first call
// that finds all its sources bound and rebuilt when one was rebound since;
// each build is kept alive by the calls using it, like any binding. A
// derived parameter is an output of an internal function of the artifact
// (enc-hoist-weight-only), computed and kept the same way.
//
//===----------------------------------------------------------------------===//

#include "ModuleState.h"

#include "Buffer.h"
#include "Convert.h"
#include "Pack.h"
#include "SafeTensors.h"
#include "Status.h"
#include "Types.h"

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

using namespace encrt;

namespace {

/// Checks a tensor against every declaration of parameter `Name`; dynamic
/// dims in a declaration accept any size, and a float tensor of another
/// float dtype is converted (`Target` receives the declared dtype).
/// `Source` says where the tensor came from ("weights file
/// 'w.safetensors': tensor 'w'").
encrt_status *checkParamType(const encrt_module &M, const std::string &Name,
                             const std::string &Source, encrt_dtype DType,
                             const int64_t *Dims, size_t Rank,
                             encrt_dtype &Target) {
  Target = M.Params.at(Name).front().Desc->Info.dtype;
  for (const ParamUse &Use : M.Params.at(Name)) {
    const encrt_value_info &Info = Use.Desc->Info;
    std::string Of = strCat(" (parameter ", quote(Name), " of function ",
                            quote(Use.Function->Name), ")");
    bool Converts = isFloatDType(DType) && isConvertible(DType, Info.dtype);
    if ((DType != Info.dtype && !Converts) || Info.dtype != Target)
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

size_t bytesOf(const Binding &B) {
  size_t Bytes = 0;
  checkedByteSize(B.DType, B.Dims.data(), B.Dims.size(), Bytes);
  return Bytes;
}

/// Drops the whole pages of a read-only file mapping inside [Data, Data +
/// Bytes) from memory; the kernel reads them again from the file when they
/// are next touched. Only an optimization: failure is ignored.
void releaseMappedPages(const void *Data, size_t Bytes) {
  static const uintptr_t Page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t Begin =
      (reinterpret_cast<uintptr_t>(Data) + Page - 1) / Page * Page;
  uintptr_t End = (reinterpret_cast<uintptr_t>(Data) + Bytes) / Page * Page;
  if (End > Begin)
    madvise(reinterpret_cast<void *>(Begin), End - Begin, MADV_DONTNEED);
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
  // The packed copy is what compiled code reads: the sources' pages of a
  // mapped weights file can leave memory (they are read again from the file
  // should anything need them), so that a model's weights are resident once,
  // not twice (BERT-base: 440 MB rather than 880 MB).
  for (size_t I : P.Pack->SourceIndex)
    if (Bound[I]->Weights)
      releaseMappedPages(Bound[I]->Data, bytesOf(*Bound[I]));
  return B;
}

/// Makes `B` (holding a tensor of another float dtype) a converted copy of
/// dtype `Target`: checkpoints are published in f16 and bf16, artifacts
/// compute in f32.
void convertInto(Binding &B, encrt_dtype Target, const void *Data,
                 size_t Bytes) {
  size_t Count = Bytes / encrt_dtype_size(B.DType);
  B.OwnedCopy = allocateTensorMemory(Count * encrt_dtype_size(Target));
  size_t Unused;
  convertElements(Data, B.DType, B.OwnedCopy, Target, Count, Unused);
  B.ConvertedFrom = B.DType;
  B.DType = Target;
  B.Data = B.OwnedCopy;
}

} // namespace

encrt_status *encrt::bindWeights(encrt_module &M, encrt_weights &W) {
  // Check everything first so that a bad file binds nothing.
  std::vector<std::pair<std::string, std::shared_ptr<Binding>>> New;
  for (const auto &[Name, Uses] : M.Params) {
    const encrt_weights::Tensor *T = W.find(Name);
    if (!T)
      continue;
    std::string Source =
        strCat("weights file ", quote(W.Path), ": tensor ", quote(Name));
    encrt_dtype Target;
    if (encrt_status *S = checkParamType(
            M, Name, Source, T->DType, T->Dims.data(), T->Dims.size(), Target))
      return S;
    auto B = std::make_shared<Binding>();
    B->DType = T->DType;
    B->Dims = T->Dims;
    B->Data = T->Data;
    // Safetensors only aligns the data section as a whole; compiled code may
    // assume element alignment, so misaligned tensors get an aligned copy.
    size_t Align = encrt_dtype_size(T->DType);
    if (Target != T->DType) {
      convertInto(*B, Target, T->Data, T->Bytes);
    } else if (T->Bytes && reinterpret_cast<uintptr_t>(T->Data) % Align != 0) {
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

namespace {

/// Checks one parameter to bind to caller memory and makes its binding
/// (converted when its float dtype differs); binds nothing.
encrt_status *prepareBinding(encrt_module &M, const char *Name,
                             const encrt_tensor_view *View,
                             std::shared_ptr<Binding> &Out) {
  if (!Name)
    return error(ENCRT_INVALID_ARGUMENT, "a parameter name is NULL");
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
  encrt_dtype Target;
  if (encrt_status *S = checkParamType(M, Name, Source, View->dtype, View->dims,
                                       View->rank, Target))
    return S;
  if (Target == View->dtype && Bytes &&
      reinterpret_cast<uintptr_t>(View->data) % encrt_dtype_size(View->dtype))
    return error(ENCRT_INVALID_ARGUMENT, Source,
                 ": data is not aligned to its ", encrt_dtype_size(View->dtype),
                 "-byte elements");
  auto B = std::make_shared<Binding>();
  B->DType = View->dtype;
  B->Dims.assign(View->dims, View->dims + View->rank);
  B->Data = View->data;
  if (Target != View->dtype)
    convertInto(*B, Target, View->data, Bytes);
  Out = std::move(B);
  return nullptr;
}

} // namespace

encrt_status *encrt::bindParameters(encrt_module &M, size_t Count,
                                    const char *const *Names,
                                    const encrt_tensor_view *Views,
                                    void (*Release)(void *),
                                    void *const *UserData) {
  if (Count && (!Names || !Views))
    return error(ENCRT_INVALID_ARGUMENT,
                 "parameter names and views must be non-NULL");
  // Everything is checked before anything is bound, and everything is
  // bound under one lock: a concurrent call sees all old or all new.
  std::vector<std::shared_ptr<Binding>> New(Count);
  for (size_t I = 0; I < Count; ++I)
    if (encrt_status *S = prepareBinding(M, Names[I], &Views[I], New[I]))
      return S;
  std::vector<std::shared_ptr<const Binding>> Replaced;
  Replaced.reserve(Count);
  {
    std::lock_guard<std::mutex> Lock(M.Mutex);
    // Nothing below throws: the module owns the callbacks only on success.
    for (size_t I = 0; I < Count; ++I) {
      New[I]->Release = Release;
      New[I]->UserData = UserData ? UserData[I] : nullptr;
      auto &Slot = M.Bindings[Names[I]];
      Replaced.push_back(std::move(Slot));
      Slot = std::move(New[I]);
    }
  }
  // Old bindings are released outside the lock: releasing one may run a
  // caller's callback.
  return nullptr;
}

/// NOT_FOUND for the first unbound name of `F` (in encrt_function_param
/// order), else null; fills `Out` (when given) with the binding of each.
encrt_status *
encrt::collectBindings(const encrt_module &M, const encrt_function &F,
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

namespace {

/// Derived parameter `P`: output `P.Derive->Output` of its internal
/// function, called with that function's parameters when none was rebound
/// since the last call, else reused.
encrt_status *derivedBinding(encrt_module &M, const ValueDesc &P,
                             std::shared_ptr<const Binding> &Out) {
  const encrt_function &Fn = *P.Derive->Fn;
  DerivedParams &Derived = *M.Derived.at(P.Derive->Function);
  std::vector<std::shared_ptr<const Binding>> Params;
  if (encrt_status *S = collectParams(M, Fn, Params))
    return S;
  std::vector<uint64_t> Ids;
  for (const auto &B : Params)
    Ids.push_back(B->Id);
  // Concurrent calls wait for one computation rather than each making
  // their own.
  std::lock_guard<std::mutex> Lock(Derived.Mutex);
  if (Derived.Built.empty() || Derived.BuiltFrom != Ids) {
    std::vector<encrt_buffer *> Buffers(Fn.Outputs.size(), nullptr);
    if (encrt_status *S = callFunction(M, Fn, nullptr, 0, Buffers.data()))
      return S;
    std::vector<std::shared_ptr<const Binding>> Built;
    for (encrt_buffer *Buffer : Buffers) {
      auto B = std::make_shared<Binding>();
      B->DType = Buffer->DType;
      B->Dims = Buffer->Dims;
      B->Data = Buffer->Data;
      B->OwnedCopy = Buffer->Allocation; // the binding frees it now
      Buffer->Allocation = nullptr;
      encrt_buffer_release(Buffer);
      Built.push_back(std::move(B));
    }
    Derived.Built = std::move(Built);
    Derived.BuiltFrom = std::move(Ids);
  }
  Out = Derived.Built[P.Derive->Output];
  return nullptr;
}

} // namespace

/// NOT_FOUND for the first unbound name of `F`, else null; fills `Out`
/// with one binding per entry-point parameter, building packed and derived
/// ones.
encrt_status *
encrt::collectParams(encrt_module &M, const encrt_function &F,
                     std::vector<std::shared_ptr<const Binding>> &Out) {
  std::vector<std::shared_ptr<const Binding>> Bound;
  Bound.reserve(F.Bindable.size());
  if (encrt_status *S = collectBindings(M, F, &Bound))
    return S;
  Out.reserve(F.Params.size());
  for (const auto &P : F.Params) {
    if (P->Derive) {
      std::shared_ptr<const Binding> Derived;
      if (encrt_status *S = derivedBinding(M, *P, Derived))
        return S;
      Out.push_back(std::move(Derived));
      continue;
    }
    Out.push_back(P->Pack ? packedBinding(M, *P, Bound)
                          : Bound[P->BindableIndex]);
  }
  return nullptr;
}

/// The device copy of a bound parameter, made once.
encrt_status *encrt::deviceCopyOf(encrt_module &M, const Binding &B,
                                  const void *&Out) {
  std::lock_guard<std::mutex> Lock(B.DeviceMutex);
  if (!B.DeviceCopy) {
    size_t Bytes = 0;
    checkedByteSize(B.DType, B.Dims.data(), B.Dims.size(), Bytes);
    void *Copy = nullptr;
    if (encrt_status *S =
            encrt::cudaUploadPersistent(*M.Device, B.Data, Bytes, &Copy))
      return S;
    B.DeviceCopy = Copy;
    B.Device = M.Device;
  }
  Out = B.DeviceCopy;
  return nullptr;
}
