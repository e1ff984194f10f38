//===- Artifact.cpp - Loading artifacts and reading their metadata --------===//
//
// An artifact is opened with dlopen(RTLD_NOW | RTLD_LOCAL); its exported
// `enc_artifact_metadata` string is parsed and checked against ABI version 1
// before any entry point is resolved. Metadata errors name the artifact and
// the function and value at fault.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"
#include "Json.h"
#include "Status.h"
#include "Types.h"

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <set>
#include <sys/stat.h>

using namespace encrt;

static constexpr const char *MetadataSymbol = "enc_artifact_metadata";

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
    if (Version->getInt() != ArtifactAbiVersion)
      return error(ENCRT_DATA_ERROR, quote(A.Path),
                   " uses artifact ABI version ", Version->getInt(),
                   "; this runtime supports only version ", ArtifactAbiVersion);

    const json::Value *Target = Root.get("target");
    if (!Target || !Target->isObject())
      return bad("missing object field \"target\"");
    const json::Value *Kind = Target->get("kind");
    if (!Kind || !Kind->isString() || Kind->getString().empty())
      return bad("\"target\" has no string field \"kind\"");
    A.Target = Kind->getString();

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
    return nullptr;
  }

private:
  template <typename... Ts> encrt_status *bad(const Ts &...Parts) {
    return error(ENCRT_DATA_ERROR, quote(A.Path),
                 " has invalid metadata: ", Parts...);
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
        if (encrt_status *S =
                readValue(List->getArray()[I],
                          strCat(Where, ": ", L.Noun, " #", I), *Desc))
          return S;
        L.Values->push_back(std::move(Desc));
      }
    }
    std::set<std::string> ParamNames;
    for (const auto &P : F->Params)
      if (!ParamNames.insert(P->Name).second)
        return bad(Where, " has two parameters named ", quote(P->Name));

    dlerror();
    void *Sym = dlsym(A.Handle, F->Entry.c_str());
    if (!Sym || !isDefinedIn(A.Handle, Sym))
      return bad(Where, " has entry ", quote(F->Entry),
                 ", but the artifact exports no such symbol");
    F->Fn = reinterpret_cast<EntryFn>(Sym);
    A.Functions.push_back(std::move(F));
    return nullptr;
  }

  encrt_status *readValue(const json::Value &V, const std::string &Where,
                          ValueDesc &Out) {
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
    if (const json::Value *Ignore = V.get("ignore_value")) {
      if (!isIntegerDType(D))
        return bad(At, " has an \"ignore_value\" but dtype ",
                   encrt_dtype_name(D), " is not an integer type");
      if (!Ignore->isInt())
        return bad(At, " has an \"ignore_value\" that is not an integer");
      Info.has_ignore_value = 1;
      Info.ignore_value = Ignore->getInt();
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
      return error(ENCRT_DATA_ERROR, quote(A.Path), ": ", MetadataSymbol,
                   " is not NUL-terminated");
  } else {
    Length = std::strlen(Sym);
  }
  A.Metadata.assign(Sym, Length);
  return nullptr;
}

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
  void *Sym = dlsym(A->Handle, MetadataSymbol);
  if (!Sym || !isDefinedIn(A->Handle, Sym))
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " is not an encoder artifact: it has no symbol ",
                 MetadataSymbol);
  if (encrt_status *S = readMetadataString(*A, static_cast<const char *>(Sym)))
    return S;

  json::Value Root;
  std::string JsonError;
  if (!json::parse(A->Metadata, Root, JsonError))
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " has invalid metadata: not valid JSON: ", JsonError);
  MetadataReader Reader(*A);
  if (encrt_status *S = Reader.read(Root))
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
  return Function ? Function->Params.size() : 0;
}

const encrt_value_info *encrt_function_param(const encrt_function *Function,
                                             size_t Index) {
  return Function ? infoAt(Function->Params, Index) : nullptr;
}

} // extern "C"
