//===- Buffer.h - Runtime-owned tensors -------------------------*- C++ -*-===//
//
// Internal to libencrt. An encrt_buffer owns one allocation that is released
// with free(): either memory the runtime allocated, or a result's
// `allocated` pointer taken over from compiled code (docs/artifact-abi.md).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_BUFFER_H
#define ENCODER_LIB_RUNTIME_BUFFER_H

#include "encoder/Runtime/Runtime.h"

#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

struct encrt_buffer {
  encrt_dtype DType = ENCRT_F32;
  std::vector<int64_t> Dims;
  /// First byte of the data; null when the tensor has no elements.
  void *Data = nullptr;
  /// What to free(); may differ from Data for results of compiled code.
  void *Allocation = nullptr;

  encrt_buffer() = default;
  encrt_buffer(const encrt_buffer &) = delete;
  encrt_buffer &operator=(const encrt_buffer &) = delete;
  ~encrt_buffer() { std::free(Allocation); }
};

namespace encrt {

/// Alignment of every allocation the runtime makes for tensor data: enough
/// for any vector load compiled code may use.
constexpr size_t TensorAlignment = 64;

/// Allocates `Bytes` aligned to TensorAlignment (null for 0 bytes); throws
/// std::bad_alloc on failure. Release with free().
void *allocateTensorMemory(size_t Bytes);

/// A buffer with uninitialized data for a dense tensor of the given type.
/// `Dims` must be valid (non-negative, size checked by the caller).
std::unique_ptr<encrt_buffer> makeBuffer(encrt_dtype DType, const int64_t *Dims,
                                         size_t Rank, size_t Bytes);

/// Checks a caller-provided view: known dtype, dims present and
/// non-negative, size representable, data present when there are bytes.
/// `What` names the view in the message ("input 'x' (#0) of function ...").
encrt_status *checkView(const encrt_tensor_view *View, std::string_view What,
                        size_t &Bytes);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_BUFFER_H
