//===- TestUtil.h - Helpers for the runtime unit tests ----------*- C++ -*-===//
//
// Temporary directories, files written byte by byte, safetensors files built
// in memory, checks on encrt_status results, and a loaded module.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_TEST_RUNTIME_TESTUTIL_H
#define ENCODER_TEST_RUNTIME_TESTUTIL_H

#include "encoder/Runtime/Runtime.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace encrt_test {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  std::string path(const std::string &Name) const { return Dir + "/" + Name; }

private:
  std::string Dir;
};

void writeFile(const std::string &Path, const std::string &Bytes);
std::string readFile(const std::string &Path);

template <typename T> std::string bytesOf(const std::vector<T> &Values) {
  std::string Out(Values.size() * sizeof(T), '\0');
  if (!Values.empty())
    std::memcpy(Out.data(), Values.data(), Out.size());
  return Out;
}

/// One tensor of a safetensors file built by makeSafeTensors.
struct StTensor {
  std::string Name;
  std::string DType; // "F32", ...
  std::vector<int64_t> Shape;
  std::string Data;
};

/// A valid safetensors file: tensors laid out back to back in order, the
/// header padded with spaces to a multiple of 8 bytes.
std::string makeSafeTensors(const std::vector<StTensor> &Tensors);

/// A safetensors file with the given raw header and data section.
std::string rawSafeTensors(const std::string &Header, const std::string &Data);

/// Takes ownership of `S`; fails the test (showing the message) unless it is
/// NULL.
void requireOk(encrt_status *S);

/// Takes ownership of `S`; fails the test unless it is an error with `Code`
/// whose message contains every string in `Needles`. Returns the message.
std::string requireError(encrt_status *S, encrt_status_code Code,
                         const std::vector<std::string> &Needles);

/// An artifact and a CPU module over it, released together; `NumThreads`
/// is the module's thread count (0: the runtime's default).
struct LoadedModule {
  encrt_artifact *Artifact = nullptr;
  encrt_module *Module = nullptr;

  explicit LoadedModule(const char *Path, int NumThreads = 0);
  ~LoadedModule();
  LoadedModule(const LoadedModule &) = delete;
  LoadedModule &operator=(const LoadedModule &) = delete;

  /// The artifact's function `Name`; fails the test if there is none.
  const encrt_function *function(const char *Name) const;
};

/// A tensor view over a vector the caller keeps alive.
template <typename T>
encrt_tensor_view viewOf(encrt_dtype DType, const std::vector<int64_t> &Dims,
                         const std::vector<T> &Values) {
  encrt_tensor_view View{};
  View.dtype = DType;
  View.rank = Dims.size();
  View.dims = Dims.data();
  View.data = Values.data();
  return View;
}

} // namespace encrt_test

#endif // ENCODER_TEST_RUNTIME_TESTUTIL_H
