//===- Types.cpp - Element types and shapes -------------------------------===//

#include "Types.h"

#include <cstring>
#include <limits>

using namespace encrt;

namespace {
struct DTypeInfo {
  encrt_dtype DType;
  const char *Name;
  size_t Size;
  bool IsInteger;
};
} // namespace

static const DTypeInfo DTypes[] = {
    {ENCRT_F32, "f32", 4, false}, {ENCRT_F64, "f64", 8, false},
    {ENCRT_F16, "f16", 2, false}, {ENCRT_BF16, "bf16", 2, false},
    {ENCRT_I64, "i64", 8, true},  {ENCRT_I32, "i32", 4, true},
    {ENCRT_I16, "i16", 2, true},  {ENCRT_I8, "i8", 1, true},
    {ENCRT_U8, "u8", 1, true},    {ENCRT_BOOL, "i1", 1, true},
    {ENCRT_U16, "u16", 2, true},  {ENCRT_U32, "u32", 4, true},
    {ENCRT_U64, "u64", 8, true},
};

static const DTypeInfo *lookup(encrt_dtype DType) {
  for (const DTypeInfo &Info : DTypes)
    if (Info.DType == DType)
      return &Info;
  return nullptr;
}

bool encrt::isValidDType(encrt_dtype DType) { return lookup(DType); }

bool encrt::isIntegerDType(encrt_dtype DType) {
  const DTypeInfo *Info = lookup(DType);
  return Info && Info->IsInteger;
}

bool encrt::parseDTypeName(std::string_view Name, encrt_dtype &Out) {
  for (const DTypeInfo &Info : DTypes) {
    if (Name == Info.Name) {
      Out = Info.DType;
      return true;
    }
  }
  return false;
}

bool encrt::checkedNumElements(const int64_t *Dims, size_t Rank, int64_t &Out) {
  int64_t N = 1;
  for (size_t I = 0; I < Rank; ++I) {
    if (Dims[I] < 0)
      return false;
    if (__builtin_mul_overflow(N, Dims[I], &N))
      return false;
  }
  Out = N;
  return true;
}

bool encrt::checkedByteSize(encrt_dtype DType, const int64_t *Dims, size_t Rank,
                            size_t &Out) {
  const DTypeInfo *Info = lookup(DType);
  int64_t N;
  if (!Info || !checkedNumElements(Dims, Rank, N))
    return false;
  int64_t Bytes;
  if (__builtin_mul_overflow(N, static_cast<int64_t>(Info->Size), &Bytes))
    return false;
  if (static_cast<uint64_t>(Bytes) > std::numeric_limits<size_t>::max())
    return false;
  Out = static_cast<size_t>(Bytes);
  return true;
}

std::string encrt::formatDims(const int64_t *Dims, size_t Rank) {
  std::string Out;
  for (size_t I = 0; I < Rank; ++I) {
    if (I)
      Out.push_back('x');
    if (Dims[I] == ENCRT_DYNAMIC_DIM)
      Out.push_back('?');
    else
      Out.append(std::to_string(Dims[I]));
  }
  return Out;
}

std::string encrt::formatType(encrt_dtype DType, const int64_t *Dims,
                              size_t Rank) {
  std::string Out = formatDims(Dims, Rank);
  if (Rank)
    Out.push_back('x');
  Out.append(encrt_dtype_name(DType));
  return Out;
}

template <typename T> static int64_t loadAs(const void *Data, size_t Index) {
  T V;
  std::memcpy(&V, static_cast<const char *>(Data) + Index * sizeof(T),
              sizeof(T));
  return static_cast<int64_t>(V);
}

int64_t encrt::loadInteger(const void *Data, encrt_dtype DType, size_t Index) {
  switch (DType) {
  case ENCRT_I64:
    return loadAs<int64_t>(Data, Index);
  case ENCRT_I32:
    return loadAs<int32_t>(Data, Index);
  case ENCRT_I16:
    return loadAs<int16_t>(Data, Index);
  case ENCRT_I8:
    return loadAs<int8_t>(Data, Index);
  case ENCRT_U8:
  case ENCRT_BOOL:
    return loadAs<uint8_t>(Data, Index);
  case ENCRT_U16:
    return loadAs<uint16_t>(Data, Index);
  case ENCRT_U32:
    return loadAs<uint32_t>(Data, Index);
  case ENCRT_U64:
    // Values past INT64_MAX come out negative; convertElements refuses them.
    return loadAs<uint64_t>(Data, Index);
  default:
    return 0;
  }
}

extern "C" {

const char *encrt_dtype_name(encrt_dtype DType) {
  const DTypeInfo *Info = lookup(DType);
  return Info ? Info->Name : "<invalid dtype>";
}

size_t encrt_dtype_size(encrt_dtype DType) {
  const DTypeInfo *Info = lookup(DType);
  return Info ? Info->Size : 0;
}

} // extern "C"
