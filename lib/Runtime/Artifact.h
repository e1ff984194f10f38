//===- Artifact.h - Loaded artifacts and their functions --------*- C++ -*-===//
//
// Internal to libencrt. An encrt_artifact is a dlopen'ed artifact plus its
// parsed, validated metadata (docs/artifact-abi.md); each encrt_function has
// its entry point resolved.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_ARTIFACT_H
#define ENCODER_LIB_RUNTIME_ARTIFACT_H

#include "encoder/Runtime/Runtime.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace encrt {

/// The ABI version this runtime implements.
constexpr int64_t ArtifactAbiVersion = 1;

/// `void (void *const *args, void *results)`, see the ABI document.
using EntryFn = void (*)(void *const *, void *);

/// One input, parameter or output. Heap-allocated and never moved, so the
/// pointers inside `Info` stay valid for the artifact's lifetime.
struct ValueDesc {
  std::string Name;
  std::vector<int64_t> Dims;
  std::vector<std::string> DimNames; // empty, or one per dim
  std::vector<const char *> DimNamePtrs;
  std::vector<int64_t> DimMax; // empty, or one per dim
  encrt_value_info Info{};
};

} // namespace encrt

struct encrt_function {
  encrt_artifact *Artifact = nullptr;
  std::string Name;
  std::string Entry;
  encrt::EntryFn Fn = nullptr;
  std::vector<std::unique_ptr<encrt::ValueDesc>> Inputs;
  std::vector<std::unique_ptr<encrt::ValueDesc>> Params;
  std::vector<std::unique_ptr<encrt::ValueDesc>> Outputs;
};

struct encrt_artifact {
  std::atomic<int> RefCount{1};
  std::string Path;
  void *Handle = nullptr;
  std::string Metadata;
  std::string Target; // "cpu" or "cuda"
  std::vector<std::unique_ptr<encrt_function>> Functions;

  encrt_artifact() = default;
  encrt_artifact(const encrt_artifact &) = delete;
  encrt_artifact &operator=(const encrt_artifact &) = delete;
  ~encrt_artifact();
};

#endif // ENCODER_LIB_RUNTIME_ARTIFACT_H
