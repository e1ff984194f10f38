//===- Convert.h - Element conversions between dtypes -----------*- C++ -*-===//
//
// Internal to libencrt. The conversions the runtime makes on behalf of
// callers: checkpoints published in f16, bf16 or f64 bound to f32
// parameters, and integer inputs (masks as bool or int32, ids as int32)
// given to i64 inputs. Integer conversions are exact or refused; float
// conversions round to nearest even, as torch's .to(torch.float32) does.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_CONVERT_H
#define ENCODER_LIB_RUNTIME_CONVERT_H

#include "encoder/Runtime/Runtime.h"

#include <cstddef>
#include <cstdint>

namespace encrt {

/// True for f32, f64, f16 and bf16.
bool isFloatDType(encrt_dtype DType);

/// True when the runtime converts values of `From` to `To`: any integer or
/// bool dtype to an integer dtype, any float dtype to f32 or f64.
bool isConvertible(encrt_dtype From, encrt_dtype To);

/// Converts `Count` elements of `Src` (dtype `From`) into `Dst` (dtype
/// `To`); the pair must be isConvertible. Returns false, with the flat index
/// of the first offender in `BadIndex`, when an integer does not fit `To`
/// (bool takes only 0 and 1).
bool convertElements(const void *Src, encrt_dtype From, void *Dst,
                     encrt_dtype To, size_t Count, size_t &BadIndex);

/// Element `Index` of float-typed `Data`, widened to double.
double loadFloat(const void *Data, encrt_dtype DType, size_t Index);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_CONVERT_H
