//===- ArtifactMetadata.cpp - Reading an artifact's metadata --------------===//
//
// The `enc_artifact_metadata` JSON (docs/artifact-abi.md) into the
// artifact's functions, values, parameters, packs and kernels, checked
// against the ABI version; errors name the artifact and the function and
// value at fault. With a handle, each function's entry point is resolved in
// the artifact itself.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"
#include "Json.h"
#include "Status.h"
#include "Types.h"
#include "encoder/ABI/ArtifactABI.h"

#include <cstring>
#include <dlfcn.h>
#include <map>
#include <set>

using namespace encrt;

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
      std::string Name;
      if (encrt_status *S = readFunction(Functions->getArray()[I], I, Name))
        return S;
      if (!Names.insert(Name).second)
        return bad("function ", quote(Name), " is defined twice");
    }
    if (encrt_status *S = linkDerivedParams())
      return S;
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
      if (P->Derive)
        continue; // computed by the runtime; its sources come later
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

  /// Resolves each derived parameter's internal function, checks the output
  /// it names against the parameter, and makes the function's bindable
  /// names the user-facing function's too.
  encrt_status *linkDerivedParams() {
    for (const auto &F : A.Functions) {
      std::string Where = strCat("function ", quote(F->Name));
      std::set<std::string> Linked;
      for (const auto &P : F->Params) {
        if (!P->Derive)
          continue;
        DeriveSpec &D = *P->Derive;
        const encrt_function *Fn = nullptr;
        for (const auto &I : A.Internal)
          if (I->Name == D.Function)
            Fn = I.get();
        std::string At = strCat(Where, ": parameter ", quote(P->Name));
        if (!Fn)
          return bad(At, " is derived by ", quote(D.Function),
                     ", which is not an internal function");
        if (!Fn->Inputs.empty())
          return bad(At, " is derived by ", quote(D.Function),
                     ", which takes inputs");
        if (D.Output >= Fn->Outputs.size())
          return bad(At, " is output #", D.Output, " of ", quote(D.Function),
                     ", which has ", Fn->Outputs.size());
        const ValueDesc &Out = *Fn->Outputs[D.Output];
        if (Out.Info.dtype != P->Info.dtype || Out.Dims != P->Dims)
          return bad(
              At, " is ", formatType(P->Info.dtype, P->Info.dims, P->Info.rank),
              " but output #", D.Output, " of ", quote(D.Function), " is ",
              formatType(Out.Info.dtype, Out.Info.dims, Out.Info.rank));
        D.Fn = Fn;
        if (!Linked.insert(D.Function).second)
          continue;
        for (const ValueDesc *Source : Fn->Bindable) {
          bool Known = false;
          for (const ValueDesc *B : F->Bindable)
            Known |= B->Name == Source->Name;
          if (!Known)
            F->Bindable.push_back(Source);
        }
      }
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

  encrt_status *readFunction(const json::Value &V, size_t Index,
                             std::string &NameOut) {
    std::string Where = strCat("function #", Index);
    if (!V.isObject())
      return bad(Where, " is not an object");
    const json::Value *Name = V.get("name");
    if (!Name || !Name->isString() || Name->getString().empty())
      return bad(Where, " has no string field \"name\"");
    auto F = std::make_unique<encrt_function>();
    F->Artifact = &A;
    F->Name = Name->getString();
    NameOut = F->Name;
    Where = strCat("function ", quote(F->Name));
    bool Internal = false;
    if (const json::Value *Flag = V.get("internal")) {
      if (!Flag->isBool())
        return bad(Where, " has an \"internal\" that is not a boolean");
      Internal = Flag->getBool();
    }
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
    F->Internal = Internal;
    if (Internal) {
      for (const auto &P : F->Params)
        if (P->Derive)
          return bad(Where, " is internal and has a derived parameter");
      A.Internal.push_back(std::move(F));
    } else {
      A.Functions.push_back(std::move(F));
    }
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
    if (const json::Value *Derive = V.get("derive")) {
      if (!IsParam)
        return bad(At, " has a \"derive\"; only parameters can be derived");
      const json::Value *Fn = Derive->get("function");
      const json::Value *Output = Derive->get("output");
      if (!Fn || !Fn->isString() || !Output || !Output->isInt() ||
          Output->getInt() < 0)
        return bad(At, " has a \"derive\" without a string \"function\" "
                       "and an \"output\" index");
      for (int64_t Dim : Out.Dims)
        if (Dim == ENCRT_DYNAMIC_DIM)
          return bad(At, " is derived, so its shape must be static");
      Out.Derive = std::make_unique<DeriveSpec>();
      Out.Derive->Function = Fn->getString();
      Out.Derive->Output = static_cast<size_t>(Output->getInt());
    }
    return nullptr;
  }

  encrt_artifact &A;
};

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
