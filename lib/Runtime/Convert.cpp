//===- Convert.cpp - Element conversions between dtypes
//--------------------===//

#include "Convert.h"

#include "Types.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace encrt;

namespace {

float halfToFloat(uint16_t H) {
  uint32_t Sign = uint32_t(H & 0x8000) << 16;
  uint32_t Exponent = (H >> 10) & 0x1f;
  uint32_t Mantissa = H & 0x3ff;
  float Magnitude;
  if (Exponent == 0) // zero or subnormal: mantissa * 2^-24
    Magnitude = std::ldexp(static_cast<float>(Mantissa), -24);
  else if (Exponent == 0x1f)
    Magnitude = Mantissa ? std::numeric_limits<float>::quiet_NaN()
                         : std::numeric_limits<float>::infinity();
  else
    Magnitude = std::ldexp(static_cast<float>(Mantissa | 0x400),
                           static_cast<int>(Exponent) - 25);
  uint32_t Bits;
  std::memcpy(&Bits, &Magnitude, sizeof(Bits));
  Bits |= Sign;
  float Out;
  std::memcpy(&Out, &Bits, sizeof(Out));
  return Out;
}

float bfloat16ToFloat(uint16_t B) {
  uint32_t Bits = uint32_t(B) << 16;
  float Out;
  std::memcpy(&Out, &Bits, sizeof(Out));
  return Out;
}

template <typename T> T loadAs(const void *Data, size_t Index) {
  T V;
  std::memcpy(&V, static_cast<const char *>(Data) + Index * sizeof(T),
              sizeof(T));
  return V;
}

template <typename T> void storeAs(void *Data, size_t Index, T V) {
  std::memcpy(static_cast<char *>(Data) + Index * sizeof(T), &V, sizeof(T));
}

/// Stores `V` as integer dtype `To`; false when it does not fit.
bool storeInteger(void *Data, encrt_dtype To, size_t Index, int64_t V) {
  auto Fits = [&](int64_t Lo, int64_t Hi) { return V >= Lo && V <= Hi; };
  switch (To) {
  case ENCRT_I64:
    storeAs<int64_t>(Data, Index, V);
    return true;
  case ENCRT_I32:
    if (!Fits(INT32_MIN, INT32_MAX))
      return false;
    storeAs<int32_t>(Data, Index, static_cast<int32_t>(V));
    return true;
  case ENCRT_I16:
    if (!Fits(INT16_MIN, INT16_MAX))
      return false;
    storeAs<int16_t>(Data, Index, static_cast<int16_t>(V));
    return true;
  case ENCRT_I8:
    if (!Fits(INT8_MIN, INT8_MAX))
      return false;
    storeAs<int8_t>(Data, Index, static_cast<int8_t>(V));
    return true;
  case ENCRT_U8:
    if (!Fits(0, UINT8_MAX))
      return false;
    storeAs<uint8_t>(Data, Index, static_cast<uint8_t>(V));
    return true;
  case ENCRT_BOOL:
    if (!Fits(0, 1))
      return false;
    storeAs<uint8_t>(Data, Index, static_cast<uint8_t>(V));
    return true;
  case ENCRT_U16:
    if (!Fits(0, UINT16_MAX))
      return false;
    storeAs<uint16_t>(Data, Index, static_cast<uint16_t>(V));
    return true;
  case ENCRT_U32:
    if (!Fits(0, UINT32_MAX))
      return false;
    storeAs<uint32_t>(Data, Index, static_cast<uint32_t>(V));
    return true;
  case ENCRT_U64:
    if (V < 0)
      return false;
    storeAs<uint64_t>(Data, Index, static_cast<uint64_t>(V));
    return true;
  default:
    return false;
  }
}

} // namespace

bool encrt::isFloatDType(encrt_dtype DType) {
  return DType == ENCRT_F32 || DType == ENCRT_F64 || DType == ENCRT_F16 ||
         DType == ENCRT_BF16;
}

bool encrt::isConvertible(encrt_dtype From, encrt_dtype To) {
  if (isIntegerDType(From) && isIntegerDType(To))
    return true;
  return isFloatDType(From) && (To == ENCRT_F32 || To == ENCRT_F64);
}

double encrt::loadFloat(const void *Data, encrt_dtype DType, size_t Index) {
  switch (DType) {
  case ENCRT_F32:
    return loadAs<float>(Data, Index);
  case ENCRT_F64:
    return loadAs<double>(Data, Index);
  case ENCRT_F16:
    return halfToFloat(loadAs<uint16_t>(Data, Index));
  case ENCRT_BF16:
    return bfloat16ToFloat(loadAs<uint16_t>(Data, Index));
  default:
    return 0;
  }
}

bool encrt::convertElements(const void *Src, encrt_dtype From, void *Dst,
                            encrt_dtype To, size_t Count, size_t &BadIndex) {
  if (isIntegerDType(To)) {
    for (size_t I = 0; I < Count; ++I)
      if (int64_t V = loadInteger(Src, From, I);
          (From == ENCRT_U64 && V < 0) || !storeInteger(Dst, To, I, V)) {
        BadIndex = I;
        return false;
      }
    return true;
  }
  for (size_t I = 0; I < Count; ++I) {
    // f16 and bf16 are exact in f32; f64 rounds to nearest even.
    double V = loadFloat(Src, From, I);
    if (To == ENCRT_F32)
      storeAs<float>(Dst, I, static_cast<float>(V));
    else
      storeAs<double>(Dst, I, V);
  }
  return true;
}
