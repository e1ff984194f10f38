//===- FileKind.h - What a file that is not safetensors is ------*- C++ -*-===//
//
// Header-only and dependency-free: shared by the runtime (which links no
// LLVM) and the compiler's frontend, so that both name a wrong file the
// same way instead of reporting a zip archive as "truncated: header says
// 8031924123371070824 bytes".
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_SUPPORT_FILEKIND_H
#define ENCODER_SUPPORT_FILEKIND_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace encoder {

/// When the first bytes of a file show it is not a safetensors file, what it
/// is ("a zip archive (PyTorch's torch.save format)", ...); "" when it may
/// be safetensors. A safetensors file starts with its header's 8-byte
/// little-endian length, then the header, a JSON object: "{".
inline std::string nonSafetensorsKind(const unsigned char *Bytes, size_t Size,
                                      uint64_t FileSize) {
  auto StartsWith = [&](const char *Magic, size_t N) {
    if (Size < N)
      return false;
    for (size_t I = 0; I < N; ++I)
      if (Bytes[I] != static_cast<unsigned char>(Magic[I]))
        return false;
    return true;
  };
  uint64_t HeaderLength = 0;
  for (int I = 7; Size >= 8 && I >= 0; --I)
    HeaderLength = (HeaderLength << 8) | Bytes[I];
  // A header length and a JSON object where they belong: safetensors,
  // perhaps truncated (the reader says so). Checked first: the length's
  // bytes can spell any magic number.
  if (Size >= 9 && Bytes[8] == '{' && HeaderLength >= 2)
    return "";
  if (StartsWith("PK\x03\x04", 4))
    return "a zip archive (the format of PyTorch's torch.save, e.g. "
           "pytorch_model.bin)";
  if (Size >= 2 && Bytes[0] == 0x80 && Bytes[1] >= 2 && Bytes[1] <= 5)
    return "a Python pickle (e.g. an old pytorch_model.bin)";
  if (StartsWith("\x93NUMPY", 6))
    return "a NumPy .npy file";
  if (StartsWith("\x89HDF", 4))
    return "an HDF5 file (e.g. Keras' tf_model.h5)";
  size_t First = 0;
  while (First < Size && (Bytes[First] == ' ' || Bytes[First] == '\n' ||
                          Bytes[First] == '\t' || Bytes[First] == '\r'))
    ++First;
  if (First < Size && (Bytes[First] == '{' || Bytes[First] == '['))
    return "JSON text";
  if (Size < 9)
    return ""; // too short to tell: the reader reports the truncation
  if (HeaderLength > FileSize)
    return "not a safetensors file (it does not start with a header length "
           "and a JSON header)";
  return "not a safetensors file (its header is not a JSON object)";
}

} // namespace encoder

#endif // ENCODER_SUPPORT_FILEKIND_H
