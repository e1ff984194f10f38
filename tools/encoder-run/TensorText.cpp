//===- TensorText.cpp - encoder-run: tensors as text ----------------------===//

#include "TensorText.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace encoder_run;

namespace {

constexpr int64_t SummarizeThreshold = 1024;
constexpr int64_t EdgeItems = 3;

//===----------------------------------------------------------------------===//
// Element conversions
//===----------------------------------------------------------------------===//

uint16_t floatToHalf(float F) {
  // Round to nearest even (F. Giesen's float_to_half_fast3_rtne).
  const uint32_t F32Infinity = 255u << 23;
  const uint32_t F16Overflow = (127u + 16) << 23;
  const uint32_t DenormMagic = ((127u - 15) + (23 - 10) + 1) << 23;
  uint32_t X;
  std::memcpy(&X, &F, 4);
  uint32_t Sign = X & 0x80000000u;
  X ^= Sign;
  uint16_t Out;
  if (X >= F16Overflow) {
    Out = X > F32Infinity ? 0x7E00 : 0x7C00;
  } else if (X < (113u << 23)) {
    float Fx, Magic;
    std::memcpy(&Fx, &X, 4);
    std::memcpy(&Magic, &DenormMagic, 4);
    Fx += Magic;
    uint32_t Y;
    std::memcpy(&Y, &Fx, 4);
    Out = static_cast<uint16_t>(Y - DenormMagic);
  } else {
    uint32_t MantissaOdd = (X >> 13) & 1;
    X += 0xC8000FFFu; // rebias the exponent (15 - 127) and round
    X += MantissaOdd;
    Out = static_cast<uint16_t>(X >> 13);
  }
  return static_cast<uint16_t>(Out | (Sign >> 16));
}

float halfToFloat(uint16_t H) {
  int Exp = (H >> 10) & 0x1F;
  int Mantissa = H & 0x3FF;
  float F;
  if (Exp == 0)
    F = std::ldexp(static_cast<float>(Mantissa), -24);
  else if (Exp == 31)
    F = Mantissa ? NAN : INFINITY;
  else
    F = std::ldexp(static_cast<float>(Mantissa + 1024), Exp - 25);
  return (H & 0x8000) ? -F : F;
}

uint16_t floatToBFloat(float F) {
  uint32_t X;
  std::memcpy(&X, &F, 4);
  if ((X & 0x7FFFFFFFu) > 0x7F800000u)
    return static_cast<uint16_t>((X >> 16) | 0x40); // quiet NaN
  X += 0x7FFFu + ((X >> 16) & 1);
  return static_cast<uint16_t>(X >> 16);
}

float bfloatToFloat(uint16_t H) {
  uint32_t X = static_cast<uint32_t>(H) << 16;
  float F;
  std::memcpy(&F, &X, 4);
  return F;
}

bool parseDType(const std::string &Name, encrt_dtype &Out) {
  static const struct {
    const char *Name;
    encrt_dtype DType;
  } Names[] = {{"f32", ENCRT_F32},   {"f64", ENCRT_F64}, {"f16", ENCRT_F16},
               {"bf16", ENCRT_BF16}, {"i64", ENCRT_I64}, {"i32", ENCRT_I32},
               {"i16", ENCRT_I16},   {"i8", ENCRT_I8},   {"u8", ENCRT_U8},
               {"u16", ENCRT_U16},   {"u32", ENCRT_U32}, {"u64", ENCRT_U64},
               {"i1", ENCRT_BOOL}};
  for (const auto &N : Names) {
    if (Name == N.Name) {
      Out = N.DType;
      return true;
    }
  }
  return false;
}

bool isFloat(encrt_dtype D) {
  return D == ENCRT_F32 || D == ENCRT_F64 || D == ENCRT_F16 || D == ENCRT_BF16;
}

/// "2x3xf32", "?x3xf32", "f32".
} // namespace

std::string encoder_run::formatType(encrt_dtype DType, const int64_t *Dims,
                                    size_t Rank) {
  std::string Out;
  for (size_t I = 0; I < Rank; ++I)
    Out += (Dims[I] == ENCRT_DYNAMIC_DIM ? std::string("?")
                                         : std::to_string(Dims[I])) +
           "x";
  return Out + encrt_dtype_name(DType);
}

namespace {

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// Parses one literal value into `Out` (encrt_dtype_size(DType) bytes).
/// Returns an error description, empty on success.
std::string parseElement(const std::string &Token, encrt_dtype DType,
                         unsigned char *Out) {
  const char *Begin = Token.c_str();
  char *End = nullptr;
  errno = 0;
  if (isFloat(DType)) {
    double V = std::strtod(Begin, &End);
    if (*End || End == Begin)
      return "is not a number";
    switch (DType) {
    case ENCRT_F64:
      std::memcpy(Out, &V, 8);
      break;
    case ENCRT_F32: {
      float F = static_cast<float>(V);
      std::memcpy(Out, &F, 4);
      break;
    }
    case ENCRT_F16: {
      uint16_t H = floatToHalf(static_cast<float>(V));
      std::memcpy(Out, &H, 2);
      break;
    }
    default: {
      uint16_t H = floatToBFloat(static_cast<float>(V));
      std::memcpy(Out, &H, 2);
      break;
    }
    }
    return "";
  }
  if (DType == ENCRT_BOOL) {
    if (Token == "1" || Token == "true")
      *Out = 1;
    else if (Token == "0" || Token == "false")
      *Out = 0;
    else
      return "is not 0, 1, true or false";
    return "";
  }
  long long V = std::strtoll(Begin, &End, 10);
  if (*End || End == Begin)
    return "is not an integer";
  long long Lo, Hi;
  switch (DType) {
  case ENCRT_I64:
    Lo = INT64_MIN, Hi = INT64_MAX;
    break;
  case ENCRT_I32:
    Lo = INT32_MIN, Hi = INT32_MAX;
    break;
  case ENCRT_I16:
    Lo = INT16_MIN, Hi = INT16_MAX;
    break;
  case ENCRT_I8:
    Lo = INT8_MIN, Hi = INT8_MAX;
    break;
  case ENCRT_U16:
    Lo = 0, Hi = UINT16_MAX;
    break;
  case ENCRT_U32:
    Lo = 0, Hi = UINT32_MAX;
    break;
  case ENCRT_U64: // literals up to INT64_MAX
    Lo = 0, Hi = INT64_MAX;
    break;
  default:
    Lo = 0, Hi = UINT8_MAX;
    break;
  }
  if (errno == ERANGE || V < Lo || V > Hi)
    return std::string("is out of range for ") + encrt_dtype_name(DType);
  int64_t W = V;
  // Little-endian: the low bytes come first.
  std::memcpy(Out, &W, encrt_dtype_size(DType));
  return "";
}

/// Parses "2x3xf32=1,2,3,4,5,6" (or "f32=1.5") into a buffer.
BufferPtr parseLiteral(const std::string &Spec, const std::string &What) {
  size_t Eq = Spec.find('=');
  if (Eq == std::string::npos)
    fail(What +
         ": expected @FILE.npy or TYPE=VALUES (e.g. 2x3xf32=1,2,3,4,5,"
         "6), got " +
         quote(Spec));
  std::string Type = Spec.substr(0, Eq);
  std::vector<std::string> Parts;
  size_t Start = 0;
  while (true) {
    size_t X = Type.find('x', Start);
    Parts.push_back(Type.substr(Start, X - Start));
    if (X == std::string::npos)
      break;
    Start = X + 1;
  }
  encrt_dtype DType;
  if (!parseDType(Parts.back(), DType))
    fail(What + ": unknown dtype " + quote(Parts.back()) + " in " +
         quote(Type) +
         " (expected f32, f64, f16, bf16, i64, i32, i16, i8, u8 "
         "or i1)");
  std::vector<int64_t> Dims;
  int64_t NumElements = 1;
  for (size_t I = 0; I + 1 < Parts.size(); ++I) {
    const std::string &P = Parts[I];
    char *End = nullptr;
    errno = 0;
    long long D = std::strtoll(P.c_str(), &End, 10);
    if (P.empty() || *End || errno || D < 0 ||
        !std::all_of(P.begin(), P.end(), ::isdigit) ||
        __builtin_mul_overflow(NumElements, D, &NumElements) ||
        NumElements > (int64_t(1) << 40))
      fail(What + ": bad dimension " + quote(P) + " in " + quote(Type));
    Dims.push_back(D);
  }

  std::vector<std::string> Tokens;
  std::string Current;
  for (char C : Spec.substr(Eq + 1)) {
    if (C == ',' || C == ' ' || C == '\t' || C == '\n') {
      if (!Current.empty())
        Tokens.push_back(Current);
      Current.clear();
    } else {
      Current.push_back(C);
    }
  }
  if (!Current.empty())
    Tokens.push_back(Current);
  if (static_cast<int64_t>(Tokens.size()) != NumElements)
    fail(What + ": " + Type + " needs " + std::to_string(NumElements) +
         " values, got " + std::to_string(Tokens.size()));

  size_t ElemSize = encrt_dtype_size(DType);
  std::vector<unsigned char> Bytes(Tokens.size() * ElemSize + 1);
  for (size_t I = 0; I < Tokens.size(); ++I) {
    std::string Why = parseElement(Tokens[I], DType, &Bytes[I * ElemSize]);
    if (!Why.empty())
      fail(What + ": value #" + std::to_string(I) + " " + quote(Tokens[I]) +
           " " + Why);
  }
  encrt_tensor_view View{};
  View.dtype = DType;
  View.rank = Dims.size();
  View.dims = Dims.data();
  View.data = Bytes.data();
  encrt_buffer *B = nullptr;
  check(encrt_buffer_create(&View, &B));
  return BufferPtr(B);
}

} // namespace

BufferPtr encoder_run::readInput(const std::string &Spec,
                                 const std::string &What) {
  if (!Spec.empty() && Spec[0] == '@') {
    if (Spec.size() == 1)
      fail(What + ": '@' needs a file name, as in @x.npy");
    encrt_buffer *B = nullptr;
    check(encrt_npy_read(Spec.c_str() + 1, &B));
    return BufferPtr(B);
  }
  return parseLiteral(Spec, What);
}

namespace {

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

std::string formatElement(const void *Data, encrt_dtype DType, int64_t I) {
  const unsigned char *P =
      static_cast<const unsigned char *>(Data) + I * encrt_dtype_size(DType);
  char Buf[64];
  auto Float = [&](double V) {
    std::snprintf(Buf, sizeof(Buf), "%.6g", V);
    return std::string(Buf);
  };
  switch (DType) {
  case ENCRT_F32: {
    float V;
    std::memcpy(&V, P, 4);
    return Float(V);
  }
  case ENCRT_F64: {
    double V;
    std::memcpy(&V, P, 8);
    return Float(V);
  }
  case ENCRT_F16:
  case ENCRT_BF16: {
    uint16_t H;
    std::memcpy(&H, P, 2);
    return Float(DType == ENCRT_F16 ? halfToFloat(H) : bfloatToFloat(H));
  }
  case ENCRT_I64: {
    int64_t V;
    std::memcpy(&V, P, 8);
    return std::to_string(V);
  }
  case ENCRT_I32: {
    int32_t V;
    std::memcpy(&V, P, 4);
    return std::to_string(V);
  }
  case ENCRT_I16: {
    int16_t V;
    std::memcpy(&V, P, 2);
    return std::to_string(V);
  }
  case ENCRT_I8:
    return std::to_string(static_cast<int8_t>(*P));
  case ENCRT_U16: {
    uint16_t V;
    std::memcpy(&V, P, 2);
    return std::to_string(V);
  }
  case ENCRT_U32: {
    uint32_t V;
    std::memcpy(&V, P, 4);
    return std::to_string(V);
  }
  case ENCRT_U64: {
    uint64_t V;
    std::memcpy(&V, P, 8);
    return std::to_string(V);
  }
  case ENCRT_U8:
  case ENCRT_BOOL:
    return std::to_string(*P);
  }
  return "?";
}

/// Appends dimension `Dim` of the tensor starting at element `Offset`,
/// numpy style; with `Summarize`, long dimensions show their first and last
/// EdgeItems entries around "...".
void formatNested(std::string &Out, const encrt_tensor_view &V, size_t Dim,
                  int64_t Offset, bool Summarize) {
  if (Dim == V.rank) {
    Out += formatElement(V.data, V.dtype, Offset);
    return;
  }
  int64_t Size = V.dims[Dim];
  int64_t Stride = 1;
  for (size_t I = Dim + 1; I < V.rank; ++I)
    Stride *= V.dims[I];
  Out += '[';
  for (int64_t I = 0; I < Size; ++I) {
    if (Summarize && Size > 2 * EdgeItems && I == EdgeItems) {
      Out += ", ...";
      I = Size - EdgeItems;
    }
    if (I)
      Out += ", ";
    formatNested(Out, V, Dim + 1, Offset + I * Stride, Summarize);
  }
  Out += ']';
}

} // namespace

std::string encoder_run::formatTensor(const encrt_tensor_view &V) {
  int64_t N = 1;
  for (size_t I = 0; I < V.rank; ++I)
    N *= V.dims[I];
  std::string Out = formatType(V.dtype, V.dims, V.rank) + "=";
  formatNested(Out, V, 0, 0, N > SummarizeThreshold);
  return Out;
}
