//===- Artifact.h - Loaded artifacts and their functions --------*- C++ -*-===//
//
// Internal to libencrt. An encrt_artifact is a dlopen'ed artifact plus its
// parsed, validated metadata (docs/artifact-abi.md); each encrt_function has
// its entry point resolved. A function's parameters come in two lists: the
// ABI's (what the entry point takes, packed parameters included) and the
// bindable one (what users bind: plain parameters and the sources of packed
// ones, each name once).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_ARTIFACT_H
#define ENCODER_LIB_RUNTIME_ARTIFACT_H

#include "encoder/ABI/ArtifactABI.h"
#include "encoder/Runtime/Runtime.h"

#include "Formula.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encrt {

/// The ABI version this runtime implements, and the oldest it still runs
/// (include/encoder/ABI/ArtifactABI.h).
constexpr int64_t ArtifactAbiVersion = ENC_ARTIFACT_ABI_VERSION;
constexpr int64_t OldestArtifactAbiVersion = ENC_ARTIFACT_OLDEST_ABI_VERSION;
constexpr int64_t OldestCudaArtifactAbiVersion =
    ENC_ARTIFACT_OLDEST_CUDA_ABI_VERSION;

/// `void (void *const *args, void *results)`, see the ABI document.
using EntryFn = void (*)(void *const *, void *);

struct ValueDesc;

/// How the runtime builds a packed parameter from checkpoint tensors (the
/// `pack` field): the sources concatenated along ConcatDim, then, with a
/// panel, the [n, k] result laid out as [n / Panel, k, Panel].
struct PackSpec {
  /// Static shapes, of the packed parameter's dtype.
  std::vector<std::unique_ptr<ValueDesc>> Sources;
  int64_t ConcatDim = 0;
  int64_t Panel = 0; // 0: none
  /// Where each source is in its function's encrt_function::Bindable.
  std::vector<size_t> SourceIndex;
};

/// How the runtime computes a derived parameter (the `derive` field): output
/// `Output` of the artifact's internal function `Function`, which takes
/// parameters only (a weight-only subgraph, enc-hoist-weight-only), called
/// once per binding of its parameters.
struct DeriveSpec {
  std::string Function;
  size_t Output = 0;
  const encrt_function *Fn = nullptr; // resolved after all functions
};

/// One input, parameter, pack source or output. Heap-allocated and never
/// moved, so the pointers inside `Info` stay valid for the artifact's
/// lifetime.
struct ValueDesc {
  std::string Name;
  std::vector<int64_t> Dims;
  std::vector<std::string> DimNames; // empty, or one per dim
  std::vector<const char *> DimNamePtrs;
  std::vector<int64_t> DimMax; // empty, or one per dim
  std::vector<int64_t> DimMin; // empty, or one per dim
  encrt_value_info Info{};
  /// Parameters only: set when the runtime builds this one from sources.
  std::unique_ptr<PackSpec> Pack;
  /// Parameters only: set when an internal function computes this one.
  std::unique_ptr<DeriveSpec> Derive;
  /// Plain parameters: where this one is in encrt_function::Bindable.
  size_t BindableIndex = 0;
};

/// One entry of the metadata's "kernels".
struct KernelDesc {
  std::string Name;
  std::string Function;
  std::string Ops; // comma-separated
  encrt_kernel_info Info{};
};

} // namespace encrt

namespace encrt {
/// What a call allocates, in order (enc-record-memory): each allocation's
/// bytes as a formula in named input dimensions, and the frees.
struct MemoryPlan {
  std::vector<std::string> Symbols; // "batch", "input_values.1", ...
  struct Event {
    std::optional<Formula> Alloc; // set: an allocation; else a free
    size_t Freed = 0;             // the allocation a free frees
  };
  std::vector<Event> Events;
  bool Complete = true;
};
} // namespace encrt

struct encrt_function {
  encrt_artifact *Artifact = nullptr;
  std::string Name;
  std::string Entry;
  encrt::EntryFn Fn = nullptr;
  std::vector<std::unique_ptr<encrt::ValueDesc>> Inputs;
  /// The entry point's parameters, in metadata order.
  std::vector<std::unique_ptr<encrt::ValueDesc>> Params;
  std::vector<std::unique_ptr<encrt::ValueDesc>> Outputs;
  /// What users bind: each plain parameter and pack source once, in order
  /// of first appearance in Params (points into Params and their packs),
  /// then what the internal functions deriving its parameters bind.
  std::vector<const encrt::ValueDesc *> Bindable;
  /// Called by the runtime itself (derived parameters), not listed.
  bool Internal = false;
  /// Set when the metadata records the function's allocations.
  std::optional<encrt::MemoryPlan> Memory;
};

namespace encrt {
/// Reads A.Metadata (the JSON text) into A's functions and kernels,
/// validating every field; resolves entry points when A.Handle is set.
encrt_status *parseArtifactMetadata(encrt_artifact &A);

/// True when `Address` lies in the object `Handle` itself rather than in one
/// of its dependencies (dlsym on a handle searches those too).
bool isDefinedIn(void *Handle, const void *Address);
} // namespace encrt

struct encrt_artifact {
  std::atomic<int> RefCount{1};
  std::string Path;
  void *Handle = nullptr;
  std::string Metadata;
  std::string Target;  // "cpu" or "cuda"
  std::string GpuArch; // cuda: the kernels' architecture, e.g. "sm_90"
  std::vector<std::unique_ptr<encrt_function>> Functions;
  /// Functions the runtime calls itself (derived parameters): not listed
  /// to users.
  std::vector<std::unique_ptr<encrt_function>> Internal;
  std::vector<std::unique_ptr<encrt::KernelDesc>> Kernels;

  encrt_artifact() = default;
  encrt_artifact(const encrt_artifact &) = delete;
  encrt_artifact &operator=(const encrt_artifact &) = delete;
  ~encrt_artifact();
};

#endif // ENCODER_LIB_RUNTIME_ARTIFACT_H
