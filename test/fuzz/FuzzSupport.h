//===- FuzzSupport.h - Files for fuzz targets whose API takes paths -*- C++
//-*-===//
//
// The runtime and the frontend read files by path. A fuzz input becomes a
// file in a per-process scratch directory (on tmpfs where there is one),
// rewritten for every input.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_TEST_FUZZ_FUZZSUPPORT_H
#define ENCODER_TEST_FUZZ_FUZZSUPPORT_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace encoder_fuzz {

/// A directory of this process, made once.
inline const std::string &scratchDirectory() {
  static const std::string Directory = [] {
    const char *Base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string Template = std::string(Base) + "/encoder-fuzz-XXXXXX";
    if (!mkdtemp(Template.data()))
      std::abort();
    return Template;
  }();
  return Directory;
}

/// Writes `Size` bytes to `Name` in the scratch directory; returns its path.
inline std::string writeScratch(const std::string &Name, const uint8_t *Data,
                                size_t Size) {
  std::string Path = scratchDirectory() + "/" + Name;
  FILE *F = std::fopen(Path.c_str(), "wb");
  if (!F || (Size && std::fwrite(Data, 1, Size, F) != Size))
    std::abort();
  std::fclose(F);
  return Path;
}

inline std::string writeScratch(const std::string &Name,
                                const std::string &Text) {
  return writeScratch(Name, reinterpret_cast<const uint8_t *>(Text.data()),
                      Text.size());
}

} // namespace encoder_fuzz

#endif // ENCODER_TEST_FUZZ_FUZZSUPPORT_H
