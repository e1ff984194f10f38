//===- Artifact.cpp - Loading artifacts -----------------------------------===//
//
// An artifact is opened with dlopen(RTLD_NOW | RTLD_LOCAL); its exported
// `enc_artifact_metadata` string is parsed and checked against the ABI version
// (ArtifactMetadata.cpp) before any entry point is resolved. Last, the
// runtime's services are written into the artifact's `enc_runtime_hooks`,
// when it exports one. The C API's accessors of artifacts and functions.
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

bool encrt::isDefinedIn(void *Handle, const void *Address) {
  struct link_map *Map = nullptr;
  Dl_info Info;
  if (dlinfo(Handle, RTLD_DI_LINKMAP, &Map) != 0 || !Map ||
      !dladdr(Address, &Info) || !Info.dli_fname || !Map->l_name)
    return false;
  return std::strcmp(Info.dli_fname, Map->l_name) == 0;
}

namespace {

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
