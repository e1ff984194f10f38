//===- Buffer.cpp - Runtime-owned tensors ---------------------------------===//

#include "Buffer.h"
#include "Status.h"
#include "Types.h"

#include <cstring>
#include <new>

using namespace encrt;

void *encrt::allocateTensorMemory(size_t Bytes) {
  if (Bytes == 0)
    return nullptr;
  // aligned_alloc wants a multiple of the alignment.
  size_t Rounded = (Bytes + TensorAlignment - 1) / TensorAlignment;
  if (Rounded > SIZE_MAX / TensorAlignment)
    throw std::bad_alloc();
  void *P = std::aligned_alloc(TensorAlignment, Rounded * TensorAlignment);
  if (!P)
    throw std::bad_alloc();
  return P;
}

std::unique_ptr<encrt_buffer> encrt::makeBuffer(encrt_dtype DType,
                                                const int64_t *Dims,
                                                size_t Rank, size_t Bytes) {
  auto Buffer = std::make_unique<encrt_buffer>();
  Buffer->DType = DType;
  Buffer->Dims.assign(Dims, Dims + Rank);
  Buffer->Allocation = allocateTensorMemory(Bytes);
  Buffer->Data = Buffer->Allocation;
  return Buffer;
}

encrt_status *encrt::checkView(const encrt_tensor_view *View,
                               std::string_view What, size_t &Bytes) {
  if (!View)
    return error(ENCRT_INVALID_ARGUMENT, What, ": the tensor view is NULL");
  if (!isValidDType(View->dtype))
    return error(ENCRT_INVALID_ARGUMENT, What, ": invalid dtype value ",
                 static_cast<int>(View->dtype));
  if (View->rank && !View->dims)
    return error(ENCRT_INVALID_ARGUMENT, What, ": rank is ", View->rank,
                 " but dims is NULL");
  for (size_t I = 0; I < View->rank; ++I)
    if (View->dims[I] < 0)
      return error(ENCRT_INVALID_ARGUMENT, What, ": dimension ", I, " is ",
                   View->dims[I], "; dimensions must be non-negative");
  if (!checkedByteSize(View->dtype, View->dims, View->rank, Bytes))
    return error(ENCRT_INVALID_ARGUMENT, What, ": shape ",
                 formatType(View->dtype, View->dims, View->rank),
                 " is too large");
  if (Bytes && !View->data)
    return error(ENCRT_INVALID_ARGUMENT, What, ": data is NULL for ",
                 formatType(View->dtype, View->dims, View->rank));
  return nullptr;
}

extern "C" {

encrt_tensor_view encrt_buffer_view(const encrt_buffer *Buffer) {
  encrt_tensor_view View{};
  if (!Buffer)
    return View;
  View.dtype = Buffer->DType;
  View.rank = Buffer->Dims.size();
  View.dims = Buffer->Dims.data();
  View.data = Buffer->Data;
  return View;
}

void *encrt_buffer_data(encrt_buffer *Buffer) {
  return Buffer ? Buffer->Data : nullptr;
}

void encrt_buffer_release(encrt_buffer *Buffer) { delete Buffer; }

encrt_status *encrt_buffer_create(const encrt_tensor_view *View,
                                  encrt_buffer **Out) {
  return guard([&]() -> encrt_status * {
    if (!Out)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_buffer_create: the output pointer is NULL");
    *Out = nullptr;
    size_t Bytes;
    if (encrt_status *S = checkView(View, "encrt_buffer_create", Bytes))
      return S;
    auto Buffer = makeBuffer(View->dtype, View->dims, View->rank, Bytes);
    if (Bytes)
      std::memcpy(Buffer->Data, View->data, Bytes);
    *Out = Buffer.release();
    return nullptr;
  });
}

} // extern "C"
