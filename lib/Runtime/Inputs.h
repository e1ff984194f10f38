//===- Inputs.h - A call's inputs as the compiled code takes them -*- C++
//-*-===//
//
// Internal to libencrt. Before a call is checked against the signature, its
// inputs are made what the entry point takes: an omitted input with a
// default (Hugging Face's optional attention_mask and token_type_ids) is
// filled in, its shape taken from the inputs given through dimension names,
// and an integer input of another integer dtype or bool is converted.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_INPUTS_H
#define ENCODER_LIB_RUNTIME_INPUTS_H

#include "Artifact.h"

#include <cstdlib>
#include <deque>
#include <memory>
#include <vector>

namespace encrt {

struct PreparedInputs {
  /// One per input: the caller's view, or one over the memory below.
  std::vector<encrt_tensor_view> Views;
  std::deque<std::vector<int64_t>> FilledDims;
  struct FreeDeleter {
    void operator()(void *P) const { std::free(P); }
  };
  std::vector<std::unique_ptr<void, FreeDeleter>> Storage;
};

/// True for the view that stands for an omitted input.
inline bool isOmitted(const encrt_tensor_view &View) {
  return !View.data && !View.dims;
}

/// Fills `Out` from the caller's `Inputs` (one per input of `F`); fails on
/// an omitted input without a default or whose size no input gives, and on
/// an integer that does not fit the input's dtype. Everything else is left
/// to the signature checks that follow.
encrt_status *prepareInputs(const encrt_function &F,
                            const encrt_tensor_view *Inputs,
                            PreparedInputs &Out);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_INPUTS_H
