//===- Types.h - Element types and shapes -----------------------*- C++ -*-===//
//
// Internal to libencrt: dtype names and sizes, overflow-checked element and
// byte counts, and the "2x3xf32" spelling that every error message uses.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_TYPES_H
#define ENCODER_LIB_RUNTIME_TYPES_H

#include "encoder/Runtime/Runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace encrt {

/// True for the values of the encrt_dtype enum (C callers can pass anything).
bool isValidDType(encrt_dtype DType);

/// Integer dtypes, including u8 and i1: the ones `range` applies to.
bool isIntegerDType(encrt_dtype DType);

/// Parses an artifact metadata dtype ("f32", "i1", ...).
bool parseDTypeName(std::string_view Name, encrt_dtype &Out);

/// Number of elements of `Dims`, or false when a dim is negative or the count
/// overflows int64.
bool checkedNumElements(const int64_t *Dims, size_t Rank, int64_t &Out);

/// Bytes of a dense tensor, or false on a negative dim or overflow.
bool checkedByteSize(encrt_dtype DType, const int64_t *Dims, size_t Rank,
                     size_t &Out);

/// "2x3", "?x3" for ENCRT_DYNAMIC_DIM, "" for rank 0.
std::string formatDims(const int64_t *Dims, size_t Rank);

/// "2x3xf32", or "f32" for a scalar.
std::string formatType(encrt_dtype DType, const int64_t *Dims, size_t Rank);

/// Element `Index` of integer-typed `Data`, widened to int64.
int64_t loadInteger(const void *Data, encrt_dtype DType, size_t Index);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_TYPES_H
