//===- Call.cpp - Calling an entry point of a module
//------------------------===//
//
// A call checks its inputs against the metadata, builds one memref
// descriptor per argument (arrays of 8-byte words, docs/artifact-abi.md),
// runs the entry point and takes over the result allocations, copying a
// result instead when it aliases an argument, another result or constant
// memory, or is not dense row-major. CUDA modules upload inputs for the
// call and parameters once, and always download results: every buffer of
// theirs is device memory.
//
//===----------------------------------------------------------------------===//

#include "ModuleState.h"

#include "Buffer.h"
#include "Inputs.h"
#include "Status.h"
#include "Types.h"

#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <optional>
#include <unistd.h>

using namespace encrt;

static_assert(sizeof(void *) == sizeof(int64_t),
              "the artifact ABI assumes 8-byte pointers");

namespace {

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
                   " (dimension ", It->second.Dim, ") but ", Inputs[In].dims[D],
                   " in input ", quote(Info.name), " (dimension ", D, ")");
    }
  }
  return nullptr;
}

/// The size of the input dimension a memory formula's symbol names
/// ("batch", or "input_values.1" for an unnamed one), or -1.
int64_t symbolSize(const encrt_function &F, const encrt_tensor_view *Inputs,
                   const std::string &Symbol) {
  for (size_t In = 0; In < F.Inputs.size(); ++In) {
    const ValueDesc &Desc = *F.Inputs[In];
    for (size_t D = 0; D < Desc.Dims.size(); ++D) {
      std::string Name = Desc.DimNames.empty() ? "" : Desc.DimNames[D];
      if (Name.empty())
        Name = strCat(Desc.Name, ".", D);
      if (Name == Symbol)
        return Inputs[In].dims[D];
    }
  }
  return -1;
}

/// "6008 bytes", "1.5 MB", "108.8 GB".
std::string humanBytes(double Bytes) {
  char Text[48];
  if (Bytes < 1e4)
    std::snprintf(Text, sizeof(Text), "%.0f bytes", Bytes);
  else if (Bytes < 1e9)
    std::snprintf(Text, sizeof(Text), "%.1f MB", Bytes / 1e6);
  else
    std::snprintf(Text, sizeof(Text), "%.1f GB", Bytes / 1e9);
  return Text;
}

/// Refuses a call whose intermediate buffers, as the artifact's memory
/// record estimates them at this call's sizes, would not fit the module's
/// limit: better a message now than a failed allocation in compiled code.
encrt_status *checkMemory(const encrt_module &M, const encrt_function &F,
                          const encrt_tensor_view *Inputs) {
  if (!F.Memory || M.Options.max_call_bytes < 0)
    return nullptr;
  int64_t Limit = M.Options.max_call_bytes;
  bool MachineLimit = Limit == 0;
  if (MachineLimit) {
    long Pages = sysconf(_SC_PHYS_PAGES), PageSize = sysconf(_SC_PAGESIZE);
    if (Pages <= 0 || PageSize <= 0)
      return nullptr;
    Limit = static_cast<int64_t>(Pages) * PageSize;
  }
  std::vector<int64_t> Values;
  std::string At;
  for (const std::string &Symbol : F.Memory->Symbols) {
    Values.push_back(symbolSize(F, Inputs, Symbol));
    if (Values.back() < 0)
      return nullptr; // an artifact whose record names no input: no check
    At += strCat(At.empty() ? "" : ", ", Symbol, "=", Values.back());
  }
  std::vector<int64_t> Sizes;
  double Live = 0, Peak = 0; // double: the sum of overflowing sizes
  bool Overflow = false;
  for (const MemoryPlan::Event &E : F.Memory->Events) {
    if (E.Alloc) {
      std::optional<int64_t> Bytes = E.Alloc->evaluate(Values);
      Overflow |= !Bytes;
      Sizes.push_back(Bytes ? *Bytes : 0);
      Live += Bytes ? static_cast<double>(*Bytes) : 0;
      Peak = std::max(Peak, Live);
    } else if (E.Freed < Sizes.size()) {
      Live -= static_cast<double>(Sizes[E.Freed]);
    }
  }
  if (!Overflow && Peak <= static_cast<double>(Limit))
    return nullptr;
  return error(ENCRT_INVALID_ARGUMENT, "function ", quote(F.Name),
               ": a call at ", At, " needs ",
               Overflow ? std::string("more than 2^63 bytes")
                        : "an estimated " + humanBytes(Peak),
               " for its intermediate buffers, more than the limit of ",
               humanBytes(static_cast<double>(Limit)),
               MachineLimit ? " (the machine's memory; "
                              "encrt_module_options.max_call_bytes)"
                            : " (encrt_module_options.max_call_bytes)");
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
  for (size_t I = 0; Info.dim_min && I < Info.rank; ++I)
    if (View.dims[I] < Info.dim_min[I])
      return error(ENCRT_INVALID_ARGUMENT, What, ": dimension ", I,
                   dimLabel(Info, I), " is ", View.dims[I],
                   ", less than the minimum ", Info.dim_min[I],
                   " the compiled code needs");

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
  encrt::ScopedCudaCall *Cuda; // CUDA results: device memory
  ~OwnedAllocations() {
    for (RawResult &R : Results)
      if (R.Owned)
        Cuda ? Cuda->release(R.Allocated) : std::free(R.Allocated);
  }
};

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

/// The elements a strided result addresses, [First, Last] relative to its
/// aligned pointer; Bytes > 0.
std::pair<int64_t, int64_t> elementSpan(const RawResult &R) {
  int64_t First = R.Offset, Last = R.Offset;
  for (size_t I = 0; I < R.Sizes.size(); ++I) {
    int64_t Reach = (R.Sizes[I] - 1) * R.Strides[I];
    (Reach < 0 ? First : Last) += Reach;
  }
  return {First, Last};
}

/// A strided result downloaded as the span it addresses, to be copied
/// into its dense buffer once the download is done.
struct Restrided {
  RawResult Span;
  char *Dst;
  size_t ElemSize;
};

/// Queues the download of a device result into `Dst` (dense), through a
/// host copy of the span it addresses when it is strided; `Staging` keeps
/// that copy until the call is finished.
encrt_status *downloadResult(encrt::ScopedCudaCall &Cuda, RawResult &R,
                             size_t ElemSize, char *Dst,
                             std::vector<std::unique_ptr<char[]>> &Staging,
                             std::vector<Restrided> &Later) {
  if (R.Dense)
    return Cuda.download(Dst, R.Aligned, R.Bytes);
  auto [First, Last] = elementSpan(R);
  size_t SpanBytes = size_t(Last - First + 1) * ElemSize;
  Staging.emplace_back(new char[SpanBytes]);
  if (encrt_status *S =
          Cuda.download(Staging.back().get(),
                        R.Aligned + First * int64_t(ElemSize), SpanBytes))
    return S;
  // Restrided on the host once the copy is done.
  RawResult Host = R;
  Host.Aligned = Staging.back().get();
  Host.Offset = R.Offset - First;
  Later.push_back({std::move(Host), Dst, ElemSize});
  return nullptr;
}

/// True when `P` lies inside a loaded object (an artifact constant, say):
/// such memory must never be passed to free().
bool isInLoadedObject(const void *P) {
  Dl_info Info;
  return dladdr(P, &Info) != 0;
}

/// CUDA results: every one is downloaded into host memory, then the
/// device buffers compiled code allocated are freed, then the call's work
/// is waited for; its first error fails the call.
encrt_status *
downloadResults(encrt::ScopedCudaCall &Cuda, std::vector<RawResult> &Raw,
                std::vector<std::unique_ptr<encrt_buffer>> &Buffers,
                encrt_buffer **Outputs) {
  std::vector<std::unique_ptr<char[]>> Staging;
  std::vector<Restrided> Restride;
  encrt_status *Failed = nullptr;
  // After a device error the results hold nothing worth downloading.
  for (size_t I = 0; I < Raw.size() && !Failed && !Cuda.failed(); ++I) {
    RawResult &R = Raw[I];
    if (!R.Bytes)
      continue;
    Buffers[I]->Allocation = allocateTensorMemory(R.Bytes);
    Buffers[I]->Data = Buffers[I]->Allocation;
    Failed = downloadResult(Cuda, R, encrt_dtype_size(Buffers[I]->DType),
                            static_cast<char *>(Buffers[I]->Data), Staging,
                            Restride);
  }
  for (RawResult &R : Raw)
    if (R.Owned) {
      Cuda.release(R.Allocated);
      R.Owned = false;
    }
  encrt_status *Error = Cuda.finish();
  if (Failed || Error) {
    encrt_status_free(Failed ? Error : nullptr);
    return Failed ? Failed : Error;
  }
  for (const Restrided &R : Restride)
    copyStrided(R.Span, R.ElemSize, R.Dst);
  for (size_t I = 0; I < Raw.size(); ++I)
    Outputs[I] = Buffers[I].release();
  return nullptr;
}

} // namespace

encrt_status *encrt::callFunction(encrt_module &M, const encrt_function &F,
                                  const encrt_tensor_view *Inputs,
                                  size_t NumInputs, encrt_buffer **Outputs) {
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
  PreparedInputs Prepared;
  if (encrt_status *S = prepareInputs(F, Inputs, Prepared))
    return S;
  Inputs = Prepared.Views.data();
  for (size_t I = 0; I < NumInputs; ++I)
    if (encrt_status *S = checkInput(F, I, Inputs[I]))
      return S;
  if (encrt_status *S = checkNamedDims(F, Inputs))
    return S;
  if (encrt_status *S = checkMemory(M, F, Inputs))
    return S;
  std::vector<std::shared_ptr<const Binding>> Params;
  if (encrt_status *S = collectParams(M, F, Params))
    return S;

  // Argument descriptors, inputs then parameters. Compiled code may assume
  // element alignment, so a misaligned input is passed as an aligned copy.
  // CUDA artifacts get device copies of inputs and parameters.
  encrt::CudaDevice *Device = M.Device.get();
  std::optional<encrt::ScopedCudaCall> Cuda;
  if (Device) {
    if (encrt_status *S = encrt::cudaMakeCurrent(*Device))
      return S;
    Cuda.emplace(*Device, *M.CudaModules);
    if (encrt_status *S = Cuda->start())
      return S;
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
    if (Cuda) {
      void *Copy = nullptr;
      if (encrt_status *S = Cuda->upload(Data, Bytes, &Copy))
        return S;
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

  bool Profiling = M.Profiling.load(std::memory_order_relaxed);
  if (Cuda && Profiling)
    if (encrt_status *S = Cuda->markDeviceStart())
      return S;
  {
    CallContext Call;
    Call.NumThreads = M.Options.num_threads;
    if (Profiling)
      Call.Profile = &M.Profile;
    ScopedCallContext Scope(Call);
    F.Fn(Args.data(), ResultWords.data());
  }
  // Returned once the results' ownership is known, so that Guard frees
  // them.
  encrt_status *MarkError = Cuda && Profiling ? Cuda->markDeviceEnd() : nullptr;

  // Decode descriptors and decide ownership before anything can fail, so
  // that every owned allocation is freed on every path.
  OwnedAllocations Guard{Raw, Cuda ? &*Cuda : nullptr};
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
    R.Owned = !Aliased && (Cuda || !isInLoadedObject(R.Allocated));
  }
  if (MarkError)
    return MarkError;

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

  if (Cuda) {
    if (encrt_status *S = downloadResults(*Cuda, Raw, Buffers, Outputs))
      return S;
    // Derived parameters are part of binding, not calls of their own.
    if (Cuda->deviceMilliseconds() >= 0 && !F.Internal) {
      M.DeviceTime.Calls.fetch_add(1, std::memory_order_relaxed);
      M.DeviceTime.Nanoseconds.fetch_add(
          static_cast<int64_t>(Cuda->deviceMilliseconds() * 1e6),
          std::memory_order_relaxed);
    }
    return nullptr;
  }

  // Copy first, hand over allocations second: a copied result may read
  // memory that another result is about to own.
  for (size_t I = 0; I < NumOutputs; ++I) {
    RawResult &R = Raw[I];
    if (!R.Bytes || (R.Owned && R.Dense))
      continue;
    Buffers[I]->Allocation = allocateTensorMemory(R.Bytes);
    Buffers[I]->Data = Buffers[I]->Allocation;
    copyStrided(R, encrt_dtype_size(Buffers[I]->DType),
                static_cast<char *>(Buffers[I]->Data));
  }
  for (size_t I = 0; I < NumOutputs; ++I) {
    RawResult &R = Raw[I];
    if (R.Bytes && R.Owned && R.Dense) {
      Buffers[I]->Allocation = R.Allocated;
      Buffers[I]->Data = R.Aligned;
      R.Owned = false;
    }
  }
  for (size_t I = 0; I < NumOutputs; ++I)
    Outputs[I] = Buffers[I].release();
  return nullptr;
}
