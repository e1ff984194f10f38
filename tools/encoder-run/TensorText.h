//===- TensorText.h - encoder-run: tensors as text --------------*- C++ -*-===//
//
// Inputs from literals (2x3xf32=1,2,3,4,5,6) or .npy files, and results and
// signatures printed, NumPy style, summarized past 1024 elements.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_TOOLS_ENCODER_RUN_TENSORTEXT_H
#define ENCODER_TOOLS_ENCODER_RUN_TENSORTEXT_H

#include "ToolSupport.h"

#include <string>

namespace encoder_run {

/// "2x3xf32", "?x128xi64".
std::string formatType(encrt_dtype DType, const int64_t *Dims, size_t Rank);
/// An --input value: @file.npy or a literal; errors name `What`.
BufferPtr readInput(const std::string &Spec, const std::string &What);
/// The values of `V`, nested brackets, summarized when large.
std::string formatTensor(const encrt_tensor_view &V);

} // namespace encoder_run

#endif // ENCODER_TOOLS_ENCODER_RUN_TENSORTEXT_H
