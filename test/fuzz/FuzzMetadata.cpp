//===- FuzzMetadata.cpp - artifact metadata JSON --------------------------===//
//
// The runtime's JSON parser and metadata reader on arbitrary text, as if it
// were an artifact's enc_artifact_metadata (entry points are not resolved:
// there is no artifact). Whatever it accepts is walked through the C API.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"
#include "Status.h"

#include <string>

namespace {

void walkValue(const encrt_value_info *V) {
  volatile size_t Sink = 0;
  Sink = Sink + std::string(V->name).size() + V->rank;
  for (size_t D = 0; D < V->rank; ++D) {
    Sink = Sink + static_cast<size_t>(V->dims[D]);
    if (V->dim_names)
      Sink = Sink + std::string(V->dim_names[D]).size();
    if (V->dim_max)
      Sink = Sink + static_cast<size_t>(V->dim_max[D]);
    if (V->dim_min)
      Sink = Sink + static_cast<size_t>(V->dim_min[D]);
  }
  (void)encrt_dtype_name(V->dtype);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  encrt_artifact A;
  A.Path = "fuzz.so";
  A.Metadata.assign(reinterpret_cast<const char *>(Data), Size);
  if (encrt_status *S = encrt::parseArtifactMetadata(A)) {
    encrt_status_free(S);
    return 0;
  }
  for (size_t F = 0; F < encrt_artifact_function_count(&A); ++F) {
    const encrt_function *Fn = encrt_artifact_function(&A, F);
    for (size_t I = 0; I < encrt_function_input_count(Fn); ++I)
      walkValue(encrt_function_input(Fn, I));
    for (size_t I = 0; I < encrt_function_param_count(Fn); ++I)
      walkValue(encrt_function_param(Fn, I));
    for (size_t I = 0; I < encrt_function_output_count(Fn); ++I)
      walkValue(encrt_function_output(Fn, I));
    const encrt_function *Found = nullptr;
    if (encrt_status *S =
            encrt_artifact_find_function(&A, encrt_function_name(Fn), &Found))
      encrt_status_free(S);
  }
  for (size_t K = 0; K < encrt_artifact_kernel_count(&A); ++K)
    (void)std::string(encrt_artifact_kernel(&A, K)->ops);
  return 0;
}
