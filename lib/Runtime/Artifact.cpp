//===- Artifact.cpp - Loading artifacts and reading their metadata --------===//
//
// An artifact is opened with dlopen(RTLD_NOW | RTLD_LOCAL); its exported
// `enc_artifact_metadata` string is parsed and checked against the ABI version
// before any entry point is resolved. Metadata errors name the artifact and
// the function and value at fault. Last, the runtime's services are written
// into the artifact's `enc_runtime_hooks`, when it exports one.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"
#include "Cuda.h"
#include "Json.h"
#include "Status.h"
#include "ThreadPool.h"
#include "Types.h"
#include "encoder/ABI/ArtifactABI.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <map>
#include <mutex>
#include <set>
#include <sys/stat.h>

using namespace encrt;

encrt_artifact::~encrt_artifact() {
  Functions.clear();
  if (Handle)
    dlclose(Handle);
}

/// True when `Address` lies in the object `Handle` itself rather than in one
/// of its dependencies (dlsym on a handle searches those too).
static bool isDefinedIn(void *Handle, const void *Address) {
  struct link_map *Map = nullptr;
  Dl_info Info;
  if (dlinfo(Handle, RTLD_DI_LINKMAP, &Map) != 0 || !Map ||
      !dladdr(Address, &Info) || !Info.dli_fname || !Map->l_name)
    return false;
  return std::strcmp(Info.dli_fname, Map->l_name) == 0;
}

namespace {

class MetadataReader {
public:
  explicit MetadataReader(encrt_artifact &A) : A(A) {}

  encrt_status *read(const json::Value &Root) {
    if (!Root.isObject())
      return bad("the metadata is a JSON ", json::kindName(Root.getKind()),
                 ", not an object");
    const json::Value *Format = Root.get("format");
    if (!Format || !Format->isString())
      return bad("missing string field \"format\"");
    if (Format->getString() != "encoder-artifact")
      return bad("\"format\" is ", quote(Format->getString()),
                 ", expected 'encoder-artifact'");
    const json::Value *Version = Root.get("abi_version");
    if (!Version || !Version->isInt())
      return bad("missing integer field \"abi_version\"");
    int64_t AbiVersion = Version->getInt();
    if (AbiVersion < OldestArtifactAbiVersion ||
        AbiVersion > ArtifactAbiVersion)
      return error(ENCRT_DATA_ERROR, quote(A.Path),
                   " uses artifact ABI version ", AbiVersion,
                   "; this runtime supports versions ",
                   OldestArtifactAbiVersion, " to ", ArtifactAbiVersion);

    const json::Value *Target = Root.get("target");
    if (!Target || !Target->isObject())
      return bad("missing object field \"target\"");
    const json::Value *Kind = Target->get("kind");
    if (!Kind || !Kind->isString() || Kind->getString().empty())
      return bad("\"target\" has no string field \"kind\"");
    A.Target = Kind->getString();
    if (A.Target == "cuda" && AbiVersion < OldestCudaArtifactAbiVersion)
      return error(ENCRT_DATA_ERROR, quote(A.Path),
                   " is a CUDA artifact of ABI version ", AbiVersion,
                   " (managed memory), which this runtime no longer runs; "
                   "compile it again");
    if (const json::Value *Arch = Target->get("gpu_arch"))
      if (Arch->isString())
        A.GpuArch = Arch->getString();

    const json::Value *Functions = Root.get("functions");
    if (!Functions || !Functions->isArray())
      return bad("missing array field \"functions\"");
    std::set<std::string> Names;
    for (size_t I = 0; I < Functions->getArray().size(); ++I) {
      if (encrt_status *S = readFunction(Functions->getArray()[I], I))
        return S;
      const std::string &Name = A.Functions.back()->Name;
      if (!Names.insert(Name).second)
        return bad("function ", quote(Name), " is defined twice");
    }
    if (encrt_status *S = checkPackedAcrossFunctions())
      return S;
    return readKernels(Root.get("kernels"));
  }

private:
  template <typename... Ts> encrt_status *bad(const Ts &...Parts) {
    return error(ENCRT_DATA_ERROR, quote(A.Path),
                 " has invalid metadata: ", Parts...);
  }

  /// Lists what users bind: plain parameters and pack sources, each name
  /// once. One name may appear several times (a tensor used both plain and
  /// packed, or in two packs) but must be declared alike each time, since
  /// one tensor is bound to it.
  encrt_status *collectBindable(encrt_function &F, const std::string &Where) {
    std::map<std::string, size_t> Seen;
    auto Add = [&](const ValueDesc &D, size_t &Index) -> encrt_status * {
      auto [It, Inserted] = Seen.emplace(D.Name, F.Bindable.size());
      Index = It->second;
      if (Inserted) {
        F.Bindable.push_back(&D);
        return nullptr;
      }
      const encrt_value_info &X = F.Bindable[Index]->Info, &Y = D.Info;
      bool Alike = X.dtype == Y.dtype && X.rank == Y.rank;
      for (size_t I = 0; Alike && I < X.rank; ++I)
        Alike = X.dims[I] == Y.dims[I] || X.dims[I] == ENCRT_DYNAMIC_DIM ||
                Y.dims[I] == ENCRT_DYNAMIC_DIM;
      if (Alike)
        return nullptr;
      return bad(Where, ": tensor ", quote(D.Name), " is used as ",
                 formatType(X.dtype, X.dims, X.rank), " and as ",
                 formatType(Y.dtype, Y.dims, Y.rank));
    };
    for (const auto &P : F.Params) {
      if (!P->Pack) {
        if (encrt_status *S = Add(*P, P->BindableIndex))
          return S;
        continue;
      }
      PackSpec &Spec = *P->Pack;
      Spec.SourceIndex.resize(Spec.Sources.size());
      for (size_t I = 0; I < Spec.Sources.size(); ++I)
        if (encrt_status *S = Add(*Spec.Sources[I], Spec.SourceIndex[I]))
          return S;
    }
    return nullptr;
  }

  /// The runtime builds one packed tensor per name for all functions, so
  /// functions that share a packed parameter must declare it alike.
  encrt_status *checkPackedAcrossFunctions() {
    std::map<std::string, std::pair<const encrt_function *, const ValueDesc *>>
        Packed;
    for (const auto &F : A.Functions) {
      for (const auto &P : F->Params) {
        if (!P->Pack)
          continue;
        auto [It, Inserted] =
            Packed.emplace(P->Name, std::make_pair(F.get(), P.get()));
        if (Inserted || samePack(*It->second.second, *P))
          continue;
        return bad("packed parameter ", quote(P->Name),
                   " is built differently by functions ",
                   quote(It->second.first->Name), " and ", quote(F->Name));
      }
    }
    return nullptr;
  }

  static bool samePack(const ValueDesc &X, const ValueDesc &Y) {
    const PackSpec &P = *X.Pack, &Q = *Y.Pack;
    if (X.Info.dtype != Y.Info.dtype || X.Dims != Y.Dims ||
        P.ConcatDim != Q.ConcatDim || P.Panel != Q.Panel ||
        P.Sources.size() != Q.Sources.size())
      return false;
    for (size_t I = 0; I < P.Sources.size(); ++I)
      if (P.Sources[I]->Name != Q.Sources[I]->Name ||
          P.Sources[I]->Dims != Q.Sources[I]->Dims)
        return false;
    return true;
  }

  /// A static shape: every entry an integer >= 0.
  static bool readStaticShape(const json::Value *Shape,
                              std::vector<int64_t> &Out) {
    if (!Shape || !Shape->isArray())
      return false;
    for (const json::Value &Dim : Shape->getArray()) {
      if (!Dim.isInt() || Dim.getInt() < 0)
        return false;
      Out.push_back(Dim.getInt());
    }
    return true;
  }

  encrt_status *readPack(const json::Value &V, const std::string &At,
                         ValueDesc &Out) {
    const std::string Pack = At + ": \"pack\"";
    if (!V.isObject())
      return bad(Pack, " is not an object");
    for (int64_t D : Out.Dims)
      if (D == ENCRT_DYNAMIC_DIM)
        return bad(At, " is packed, so its shape must be static");
    auto Spec = std::make_unique<PackSpec>();
    const json::Value *Sources = V.get("sources");
    if (!Sources || !Sources->isArray() || Sources->getArray().empty())
      return bad(Pack, " has no non-empty array field \"sources\"");
    for (size_t I = 0; I < Sources->getArray().size(); ++I) {
      const json::Value &Src = Sources->getArray()[I];
      std::string Which = strCat(Pack, ": source #", I);
      if (!Src.isObject())
        return bad(Which, " is not an object");
      const json::Value *Name = Src.get("name");
      if (!Name || !Name->isString() || Name->getString().empty())
        return bad(Which, " has no string field \"name\"");
      auto D = std::make_unique<ValueDesc>();
      D->Name = Name->getString();
      if (!readStaticShape(Src.get("shape"), D->Dims))
        return bad(Which, " (", quote(D->Name),
                   ") has no \"shape\" of sizes >= 0");
      D->Info.name = D->Name.c_str();
      D->Info.dtype = Out.Info.dtype;
      D->Info.rank = D->Dims.size();
      D->Info.dims = D->Dims.data();
      Spec->Sources.push_back(std::move(D));
    }

    const ValueDesc &First = *Spec->Sources[0];
    size_t Rank = First.Dims.size();
    const json::Value *Dim = V.get("concat_dim");
    if (!Dim || !Dim->isInt())
      return bad(Pack, " has no integer field \"concat_dim\"");
    if (Dim->getInt() < 0 || static_cast<uint64_t>(Dim->getInt()) >= Rank)
      return bad(Pack, " has concat_dim ", Dim->getInt(), ", but its sources",
                 " have rank ", Rank);
    Spec->ConcatDim = Dim->getInt();
    std::vector<int64_t> Concat = First.Dims;
    Concat[Spec->ConcatDim] = 0;
    for (size_t I = 0; I < Spec->Sources.size(); ++I) {
      const ValueDesc &S = *Spec->Sources[I];
      bool Agree = S.Dims.size() == Rank;
      for (size_t D = 0; Agree && D < Rank; ++D)
        Agree = D == static_cast<size_t>(Spec->ConcatDim) ||
                S.Dims[D] == First.Dims[D];
      if (!Agree)
        return bad(Pack, ": source #", I, " (", quote(S.Name), ") has shape ",
                   formatDims(S.Dims.data(), S.Dims.size()), ", source #0 (",
                   quote(First.Name), ") ", formatDims(First.Dims.data(), Rank),
                   "; they must agree except on concat_dim ", Spec->ConcatDim);
      if (__builtin_add_overflow(Concat[Spec->ConcatDim],
                                 S.Dims[Spec->ConcatDim],
                                 &Concat[Spec->ConcatDim]))
        return bad(Pack, " concatenates more than 2^63 rows");
    }

    std::vector<int64_t> Expected = Concat;
    if (const json::Value *Panel = V.get("panel")) {
      if (!Panel->isInt() || Panel->getInt() < 1)
        return bad(Pack, " has a \"panel\" that is not a positive integer");
      Spec->Panel = Panel->getInt();
      // Rank 2, or a higher rank concatenated along 0, read as the matrix
      // [d0, d1 * d2 * ...] (a convolution weight).
      if (Rank < 2 || (Rank > 2 && Spec->ConcatDim != 0))
        return bad(Pack, " has a panel, but its sources have rank ", Rank,
                   " and concat_dim ", Spec->ConcatDim,
                   " (panels apply to 2-D tensors, or higher ranks "
                   "concatenated along dimension 0)");
      if (Concat[0] % Spec->Panel != 0)
        return bad(Pack, ": panel ", Spec->Panel,
                   " does not divide the rows of the concatenated ",
                   formatDims(Concat.data(), Concat.size()));
      int64_t Columns = 1;
      for (size_t I = 1; I < Concat.size(); ++I)
        if (__builtin_mul_overflow(Columns, Concat[I], &Columns))
          return bad(Pack, " builds a tensor too large to allocate");
      Expected = {Concat[0] / Spec->Panel, Columns, Spec->Panel};
    }
    size_t Bytes;
    if (!checkedByteSize(Out.Info.dtype, Expected.data(), Expected.size(),
                         Bytes))
      return bad(Pack, " builds a tensor too large to allocate");
    if (Expected != Out.Dims)
      return bad(Pack, " builds ",
                 formatType(Out.Info.dtype, Expected.data(), Expected.size()),
                 ", but the parameter is ",
                 formatType(Out.Info.dtype, Out.Dims.data(), Out.Dims.size()));
    Out.Pack = std::move(Spec);
    return nullptr;
  }

  encrt_status *readKernels(const json::Value *List) {
    if (!List)
      return nullptr;
    if (!List->isArray())
      return bad("\"kernels\" is not an array");
    for (size_t I = 0; I < List->getArray().size(); ++I) {
      const json::Value &V = List->getArray()[I];
      std::string Where = strCat("kernel #", I);
      if (!V.isObject())
        return bad(Where, " is not an object");
      auto K = std::make_unique<KernelDesc>();
      const json::Value *Name = V.get("name");
      if (!Name || !Name->isString() || Name->getString().empty())
        return bad(Where, " has no string field \"name\"");
      K->Name = Name->getString();
      Where = strCat(Where, " (", quote(K->Name), ")");
      if (const json::Value *Fn = V.get("function")) {
        if (!Fn->isString())
          return bad(Where, " has a \"function\" that is not a string");
        K->Function = Fn->getString();
      }
      if (const json::Value *Ops = V.get("ops")) {
        if (!Ops->isArray())
          return bad(Where, " has \"ops\" that is not an array of strings");
        for (const json::Value &Op : Ops->getArray()) {
          if (!Op.isString())
            return bad(Where, " has an \"ops\" entry that is not a string");
          K->Ops += (K->Ops.empty() ? "" : ",") + Op.getString();
        }
      }
      K->Info.flops = K->Info.bytes = -1;
      for (auto [Field, Slot] : {std::make_pair("flops", &K->Info.flops),
                                 std::make_pair("bytes", &K->Info.bytes)}) {
        const json::Value *N = V.get(Field);
        if (!N)
          continue;
        if (!N->isInt() || N->getInt() < -1)
          return bad(Where, " has \"", Field,
                     "\" that is neither a count nor -1");
        *Slot = N->getInt();
      }
      K->Info.name = K->Name.c_str();
      K->Info.function = K->Function.c_str();
      K->Info.ops = K->Ops.c_str();
      A.Kernels.push_back(std::move(K));
    }
    return nullptr;
  }

  encrt_status *readFunction(const json::Value &V, size_t Index) {
    std::string Where = strCat("function #", Index);
    if (!V.isObject())
      return bad(Where, " is not an object");
    const json::Value *Name = V.get("name");
    if (!Name || !Name->isString() || Name->getString().empty())
      return bad(Where, " has no string field \"name\"");
    auto F = std::make_unique<encrt_function>();
    F->Artifact = &A;
    F->Name = Name->getString();
    Where = strCat("function ", quote(F->Name));
    const json::Value *Entry = V.get("entry");
    if (!Entry || !Entry->isString() || Entry->getString().empty())
      return bad(Where, " has no string field \"entry\"");
    F->Entry = Entry->getString();

    struct ListSpec {
      const char *Field;
      const char *Noun;
      std::vector<std::unique_ptr<ValueDesc>> *Values;
    };
    ListSpec Lists[] = {{"inputs", "input", &F->Inputs},
                        {"params", "parameter", &F->Params},
                        {"outputs", "output", &F->Outputs}};
    for (const ListSpec &L : Lists) {
      const json::Value *List = V.get(L.Field);
      if (!List || !List->isArray())
        return bad(Where, " has no array field \"", L.Field, "\"");
      for (size_t I = 0; I < List->getArray().size(); ++I) {
        auto Desc = std::make_unique<ValueDesc>();
        if (encrt_status *S = readValue(List->getArray()[I],
                                        strCat(Where, ": ", L.Noun, " #", I),
                                        L.Values == &F->Params, *Desc))
          return S;
        L.Values->push_back(std::move(Desc));
      }
    }
    if (const json::Value *Memory = V.get("memory"))
      if (encrt_status *S = readMemory(*Memory, Where, *F))
        return S;
    std::set<std::string> ParamNames;
    for (const auto &P : F->Params)
      if (!ParamNames.insert(P->Name).second)
        return bad(Where, " has two parameters named ", quote(P->Name));
    if (encrt_status *S = collectBindable(*F, Where))
      return S;

    // Without a handle (parseArtifactMetadata alone: the metadata fuzzer)
    // entry points are not resolved.
    if (A.Handle) {
      dlerror();
      void *Sym = dlsym(A.Handle, F->Entry.c_str());
      if (!Sym || !isDefinedIn(A.Handle, Sym))
        return bad(Where, " has entry ", quote(F->Entry),
                   ", but the artifact exports no such symbol");
      F->Fn = reinterpret_cast<EntryFn>(Sym);
    }
    A.Functions.push_back(std::move(F));
    return nullptr;
  }

  encrt_status *readMemory(const json::Value &V, const std::string &Where,
                           encrt_function &F) {
    std::string At = strCat(Where, ": \"memory\"");
    const json::Value *Symbols = V.isObject() ? V.get("symbols") : nullptr;
    const json::Value *Events = V.isObject() ? V.get("events") : nullptr;
    if (!Symbols || !Symbols->isArray() || !Events || !Events->isArray())
      return bad(At, " has no arrays \"symbols\" and \"events\"");
    MemoryPlan Plan;
    for (const json::Value &Symbol : Symbols->getArray()) {
      if (!Symbol.isString())
        return bad(At, " has a symbol that is not a string");
      Plan.Symbols.push_back(Symbol.getString());
    }
    size_t Allocs = 0;
    for (const json::Value &Event : Events->getArray()) {
      const json::Value *Alloc =
          Event.isObject() ? Event.get("alloc") : nullptr;
      const json::Value *Free = Event.isObject() ? Event.get("free") : nullptr;
      MemoryPlan::Event E;
      if (Alloc && Alloc->isString()) {
        std::string Error;
        E.Alloc =
            Formula::parse(Alloc->getString(), Plan.Symbols.size(), Error);
        if (!E.Alloc)
          return bad(At, " has an allocation ", quote(Alloc->getString()),
                     " that is not a formula: ", Error);
        ++Allocs;
      } else if (Free && Free->isInt() && Free->getInt() >= 0 &&
                 static_cast<size_t>(Free->getInt()) < Allocs) {
        E.Freed = static_cast<size_t>(Free->getInt());
      } else {
        return bad(At, " has an event that is neither {\"alloc\": "
                       "formula} nor {\"free\": an earlier allocation}");
      }
      Plan.Events.push_back(std::move(E));
    }
    if (const json::Value *Complete = V.get("complete"))
      Plan.Complete = !Complete->isBool() || Complete->getBool();
    F.Memory = std::move(Plan);
    return nullptr;
  }

  encrt_status *readValue(const json::Value &V, const std::string &Where,
                          bool IsParam, ValueDesc &Out) {
    if (!V.isObject())
      return bad(Where, " is not an object");
    const json::Value *Name = V.get("name");
    if (!Name || !Name->isString() || Name->getString().empty())
      return bad(Where, " has no string field \"name\"");
    Out.Name = Name->getString();
    std::string At = strCat(Where, " (", quote(Out.Name), ")");

    const json::Value *DType = V.get("dtype");
    if (!DType || !DType->isString())
      return bad(At, " has no string field \"dtype\"");
    encrt_dtype D;
    if (!parseDTypeName(DType->getString(), D))
      return bad(At, " has unknown dtype ", quote(DType->getString()));

    const json::Value *Shape = V.get("shape");
    if (!Shape || !Shape->isArray())
      return bad(At, " has no array field \"shape\"");
    for (const json::Value &Dim : Shape->getArray()) {
      if (!Dim.isInt() || Dim.getInt() < ENCRT_DYNAMIC_DIM)
        return bad(At, " has a shape entry that is neither a size nor -1");
      Out.Dims.push_back(Dim.getInt());
    }

    encrt_value_info &Info = Out.Info;
    Info.name = Out.Name.c_str();
    Info.dtype = D;
    Info.rank = Out.Dims.size();
    Info.dims = Out.Dims.data();

    if (const json::Value *Range = V.get("range")) {
      if (!isIntegerDType(D))
        return bad(At, " has a \"range\" but dtype ", encrt_dtype_name(D),
                   " is not an integer type");
      bool Valid = Range->isArray() && Range->getArray().size() == 2;
      const std::vector<json::Value> &R = Range->getArray();
      if (!Valid || !R[0].isInt() || !R[1].isInt() ||
          R[0].getInt() > R[1].getInt())
        return bad(At, " has a \"range\" that is not [lo, hi] with lo <= hi");
      Info.has_range = 1;
      Info.range_lo = R[0].getInt();
      Info.range_hi = R[1].getInt();
    }
    if (const json::Value *Names = V.get("dim_names")) {
      if (!Names->isArray() || Names->getArray().size() != Out.Dims.size())
        return bad(At, " has \"dim_names\" that is not one string per "
                       "dimension");
      for (const json::Value &N : Names->getArray()) {
        if (!N.isString())
          return bad(At, " has a \"dim_names\" entry that is not a string");
        Out.DimNames.push_back(N.getString());
      }
      for (const std::string &N : Out.DimNames)
        Out.DimNamePtrs.push_back(N.c_str());
      Info.dim_names = Out.DimNamePtrs.data();
    }
    if (const json::Value *Max = V.get("dim_max")) {
      if (!Max->isArray() || Max->getArray().size() != Out.Dims.size())
        return bad(At, " has \"dim_max\" that is not one bound per "
                       "dimension");
      for (const json::Value &M : Max->getArray()) {
        if (!M.isInt() || M.getInt() < -1)
          return bad(At, " has a \"dim_max\" entry that is neither a size "
                         "nor -1");
        Out.DimMax.push_back(M.getInt());
      }
      Info.dim_max = Out.DimMax.data();
    }
    if (const json::Value *Min = V.get("dim_min")) {
      if (!Min->isArray() || Min->getArray().size() != Out.Dims.size())
        return bad(At, " has \"dim_min\" that is not one bound per "
                       "dimension");
      for (size_t I = 0; I < Out.Dims.size(); ++I) {
        const json::Value &M = Min->getArray()[I];
        if (!M.isInt() || M.getInt() < 0 ||
            (Out.Dims[I] >= 0 && M.getInt() > Out.Dims[I]) ||
            (!Out.DimMax.empty() && Out.DimMax[I] >= 0 &&
             M.getInt() > Out.DimMax[I]))
          return bad(At, " has a \"dim_min\" entry that is not a size "
                         "within the dimension's bounds");
        Out.DimMin.push_back(M.getInt());
      }
      Info.dim_min = Out.DimMin.data();
    }
    if (const json::Value *Default = V.get("default")) {
      if (IsParam)
        return bad(At, " has a \"default\"; only inputs have defaults");
      std::string Fill = Default->isString() ? Default->getString() : "";
      if (Fill == "zeros")
        Info.default_fill = ENCRT_DEFAULT_ZEROS;
      else if (Fill == "ones")
        Info.default_fill = ENCRT_DEFAULT_ONES;
      else
        return bad(At, " has a \"default\" that is neither \"zeros\" nor "
                       "\"ones\"");
    }
    if (const json::Value *Ignore = V.get("ignore_value")) {
      if (!isIntegerDType(D))
        return bad(At, " has an \"ignore_value\" but dtype ",
                   encrt_dtype_name(D), " is not an integer type");
      if (!Ignore->isInt())
        return bad(At, " has an \"ignore_value\" that is not an integer");
      Info.has_ignore_value = 1;
      Info.ignore_value = Ignore->getInt();
    }
    if (const json::Value *Pack = V.get("pack")) {
      if (!IsParam)
        return bad(At, " has a \"pack\"; only parameters can be packed");
      return readPack(*Pack, At, Out);
    }
    return nullptr;
  }

  encrt_artifact &A;
};

/// The metadata string, bounded by the symbol's size when the dynamic symbol
/// table records one, so that a missing NUL cannot make us read past it.
encrt_status *readMetadataString(encrt_artifact &A, const char *Sym) {
  Dl_info Info;
  void *EntryPtr = nullptr;
  size_t Length;
  const ElfW(Sym) *Entry = nullptr;
  if (dladdr1(Sym, &Info, &EntryPtr, RTLD_DL_SYMENT))
    Entry = static_cast<const ElfW(Sym) *>(EntryPtr);
  if (Entry && Entry->st_size > 0) {
    Length = strnlen(Sym, Entry->st_size);
    if (Length == Entry->st_size)
      return error(ENCRT_DATA_ERROR, quote(A.Path), ": ",
                   ENC_ARTIFACT_METADATA_SYMBOL, " is not NUL-terminated");
  } else {
    Length = std::strlen(Sym);
  }
  A.Metadata.assign(Sym, Length);
  return nullptr;
}

/// True when [Begin, Begin + Size) lies in a writable segment of the loaded
/// object `Handle` that does not become read-only after relocation (RELRO).
bool isWritableIn(void *Handle, const void *Begin, size_t Size) {
  struct link_map *Map = nullptr;
  if (dlinfo(Handle, RTLD_DI_LINKMAP, &Map) != 0 || !Map)
    return false;
  struct Query {
    ElfW(Addr) Base;
    uintptr_t Begin, End;
    bool Writable = false, ReadOnlyAfterRelocation = false;
  } Q{Map->l_addr, reinterpret_cast<uintptr_t>(Begin),
      reinterpret_cast<uintptr_t>(Begin) + Size};
  dl_iterate_phdr(
      [](struct dl_phdr_info *Info, size_t, void *Data) -> int {
        Query &Q = *static_cast<Query *>(Data);
        if (Info->dlpi_addr != Q.Base)
          return 0;
        for (ElfW(Half) I = 0; I < Info->dlpi_phnum; ++I) {
          const ElfW(Phdr) &P = Info->dlpi_phdr[I];
          uintptr_t Lo = Info->dlpi_addr + P.p_vaddr, Hi = Lo + P.p_memsz;
          if (Q.Begin < Lo || Q.End > Hi)
            continue;
          if (P.p_type == PT_LOAD)
            Q.Writable = (P.p_flags & PF_W) != 0;
          else if (P.p_type == PT_GNU_RELRO)
            Q.ReadOnlyAfterRelocation = true;
        }
        return 1;
      },
      &Q);
  return Q.Writable && !Q.ReadOnlyAfterRelocation;
}

/// Writes the runtime's services into the artifact's `enc_runtime_hooks`,
/// if it exports one (docs/artifact-abi.md). Only the fields that fit in the
/// exported object are written, so an artifact built against an older,
/// shorter struct keeps working.
encrt_status *installHooks(encrt_artifact &A) {
  dlerror();
  void *Sym = dlsym(A.Handle, ENC_RUNTIME_HOOKS_SYMBOL);
  if (!Sym || !isDefinedIn(A.Handle, Sym))
    return nullptr; // compiled code then runs every kernel serially
  Dl_info Info;
  void *EntryPtr = nullptr;
  size_t Size = 0;
  if (dladdr1(Sym, &Info, &EntryPtr, RTLD_DL_SYMENT) && EntryPtr)
    Size = static_cast<const ElfW(Sym) *>(EntryPtr)->st_size;
  constexpr size_t ParallelForEnd = offsetof(enc_runtime_hooks, parallel_for) +
                                    sizeof(enc_runtime_hooks::parallel_for);
  if (Size == 0)
    Size = ParallelForEnd; // no recorded size: assume the first field only
  if (Size < ParallelForEnd)
    return error(ENCRT_DATA_ERROR, quote(A.Path), ": ",
                 ENC_RUNTIME_HOOKS_SYMBOL, " is ", Size,
                 " bytes, too small for a struct "
                 "enc_runtime_hooks");
  if (!isWritableIn(A.Handle, Sym, ParallelForEnd))
    return error(ENCRT_DATA_ERROR, quote(A.Path), ": ",
                 ENC_RUNTIME_HOOKS_SYMBOL,
                 " is in read-only memory; it must be a writable, "
                 "zero-initialized object");
  // dlopen hands out one copy of an object per process: another load of the
  // same file, maybe with calls in flight, finds the hooks already set.
  static std::mutex HooksMutex;
  std::lock_guard<std::mutex> Lock(HooksMutex);
  auto *Hooks = static_cast<enc_runtime_hooks *>(Sym);
  if (Hooks->parallel_for != &parallelFor)
    Hooks->parallel_for = &parallelFor;
  // The GPU hooks, for artifacts whose object has room for them.
  constexpr size_t GPUHooksEnd = offsetof(enc_runtime_hooks, gpu_upload) +
                                 sizeof(enc_runtime_hooks::gpu_upload);
  if (Size >= GPUHooksEnd && isWritableIn(A.Handle, Sym, GPUHooksEnd) &&
      Hooks->gpu_launch != &gpuLaunchHook) {
    Hooks->gpu_alloc = &gpuAllocHook;
    Hooks->gpu_free = &gpuFreeHook;
    Hooks->gpu_launch = &gpuLaunchHook;
    Hooks->gpu_upload = &gpuUploadHook;
  }
  return nullptr;
}

} // namespace

encrt_status *encrt::parseArtifactMetadata(encrt_artifact &A) {
  json::Value Root;
  std::string JsonError;
  if (!json::parse(A.Metadata, Root, JsonError))
    return error(ENCRT_DATA_ERROR, quote(A.Path),
                 " has invalid metadata: not valid JSON: ", JsonError);
  MetadataReader Reader(A);
  return Reader.read(Root);
}

namespace {

encrt_status *loadArtifact(const char *Path, encrt_artifact **Out) {
  struct stat St;
  if (stat(Path, &St) != 0) {
    int E = errno;
    return error(E == ENOENT ? ENCRT_NOT_FOUND : ENCRT_INVALID_ARGUMENT,
                 "cannot open artifact ", quote(Path), ": ", errnoMessage(E));
  }
  if (!S_ISREG(St.st_mode))
    return error(ENCRT_INVALID_ARGUMENT, quote(Path),
                 " is not an encoder artifact: it is not a regular file");

  auto A = std::make_unique<encrt_artifact>();
  A->Path = Path;
  // Without a slash dlopen would search the library path instead of the
  // current directory.
  std::string OpenPath = std::strchr(Path, '/') ? A->Path : "./" + A->Path;
  dlerror();
  A->Handle = dlopen(OpenPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!A->Handle) {
    const char *Why = dlerror();
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " is not an encoder artifact: dlopen failed: ",
                 Why ? Why : "unknown error");
  }

  dlerror();
  void *Sym = dlsym(A->Handle, ENC_ARTIFACT_METADATA_SYMBOL);
  if (!Sym || !isDefinedIn(A->Handle, Sym))
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " is not an encoder artifact: it has no symbol ",
                 ENC_ARTIFACT_METADATA_SYMBOL);
  if (encrt_status *S = readMetadataString(*A, static_cast<const char *>(Sym)))
    return S;

  if (encrt_status *S = parseArtifactMetadata(*A))
    return S;
  if (encrt_status *S = installHooks(*A))
    return S;
  *Out = A.release();
  return nullptr;
}

} // namespace

extern "C" {

encrt_status *encrt_artifact_load(const char *Path, encrt_artifact **Out) {
  return guard([&]() -> encrt_status * {
    if (!Out)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_artifact_load: the output pointer is NULL");
    *Out = nullptr;
    if (!Path)
      return error(ENCRT_INVALID_ARGUMENT, "encrt_artifact_load: path is NULL");
    return loadArtifact(Path, Out);
  });
}

void encrt_artifact_retain(encrt_artifact *Artifact) {
  if (Artifact)
    Artifact->RefCount.fetch_add(1, std::memory_order_relaxed);
}

void encrt_artifact_release(encrt_artifact *Artifact) {
  if (Artifact &&
      Artifact->RefCount.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete Artifact;
}

const char *encrt_artifact_target(const encrt_artifact *Artifact) {
  return Artifact ? Artifact->Target.c_str() : "";
}

const char *encrt_artifact_metadata(const encrt_artifact *Artifact) {
  return Artifact ? Artifact->Metadata.c_str() : "";
}

size_t encrt_artifact_function_count(const encrt_artifact *Artifact) {
  return Artifact ? Artifact->Functions.size() : 0;
}

const encrt_function *encrt_artifact_function(const encrt_artifact *Artifact,
                                              size_t Index) {
  if (!Artifact || Index >= Artifact->Functions.size())
    return nullptr;
  return Artifact->Functions[Index].get();
}

encrt_status *encrt_artifact_find_function(const encrt_artifact *Artifact,
                                           const char *Name,
                                           const encrt_function **Out) {
  return guard([&]() -> encrt_status * {
    if (!Artifact || !Name || !Out)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_artifact_find_function: artifact, name and out "
                   "must be non-NULL");
    *Out = nullptr;
    for (const auto &F : Artifact->Functions) {
      if (F->Name == Name) {
        *Out = F.get();
        return nullptr;
      }
    }
    std::string Available;
    for (const auto &F : Artifact->Functions)
      Available += (Available.empty() ? "" : ", ") + F->Name;
    if (Available.empty())
      return error(ENCRT_NOT_FOUND, "artifact ", quote(Artifact->Path),
                   " has no function ", quote(Name), "; it has no functions");
    return error(ENCRT_NOT_FOUND, "artifact ", quote(Artifact->Path),
                 " has no function ", quote(Name), "; it has: ", Available);
  });
}

const char *encrt_function_name(const encrt_function *Function) {
  return Function ? Function->Name.c_str() : "";
}

static const encrt_value_info *
infoAt(const std::vector<std::unique_ptr<ValueDesc>> &List, size_t Index) {
  return Index < List.size() ? &List[Index]->Info : nullptr;
}

size_t encrt_function_input_count(const encrt_function *Function) {
  return Function ? Function->Inputs.size() : 0;
}

const encrt_value_info *encrt_function_input(const encrt_function *Function,
                                             size_t Index) {
  return Function ? infoAt(Function->Inputs, Index) : nullptr;
}

size_t encrt_function_output_count(const encrt_function *Function) {
  return Function ? Function->Outputs.size() : 0;
}

const encrt_value_info *encrt_function_output(const encrt_function *Function,
                                              size_t Index) {
  return Function ? infoAt(Function->Outputs, Index) : nullptr;
}

size_t encrt_function_param_count(const encrt_function *Function) {
  return Function ? Function->Bindable.size() : 0;
}

const encrt_value_info *encrt_function_param(const encrt_function *Function,
                                             size_t Index) {
  if (!Function || Index >= Function->Bindable.size())
    return nullptr;
  return &Function->Bindable[Index]->Info;
}

size_t encrt_artifact_kernel_count(const encrt_artifact *Artifact) {
  return Artifact ? Artifact->Kernels.size() : 0;
}

const encrt_kernel_info *encrt_artifact_kernel(const encrt_artifact *Artifact,
                                               size_t Index) {
  if (!Artifact || Index >= Artifact->Kernels.size())
    return nullptr;
  return &Artifact->Kernels[Index]->Info;
}

} // extern "C"
