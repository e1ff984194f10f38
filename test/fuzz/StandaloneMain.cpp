//===- StandaloneMain.cpp - a fuzz target without libFuzzer ---------------===//
//
// Runs a fuzz target's LLVMFuzzerTestOneInput on the files and directories
// given (the seed corpus, the regression inputs of crashes once found), so
// that every build, with any compiler, tests them; libFuzzer itself is only
// needed to search for new inputs (scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *, char ***);

namespace {

void collect(const std::string &Path, std::vector<std::string> &Files) {
  struct stat St;
  if (stat(Path.c_str(), &St) != 0)
    return;
  if (!S_ISDIR(St.st_mode)) {
    Files.push_back(Path);
    return;
  }
  if (DIR *D = opendir(Path.c_str())) {
    while (dirent *E = readdir(D))
      if (E->d_name[0] != '.')
        collect(Path + "/" + E->d_name, Files);
    closedir(D);
  }
}

} // namespace

int main(int Argc, char **Argv) {
  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize(&Argc, &Argv);
  std::vector<std::string> Files;
  for (int I = 1; I < Argc; ++I)
    collect(Argv[I], Files);
  for (const std::string &File : Files) {
    std::ifstream In(File, std::ios::binary);
    std::vector<char> Bytes((std::istreambuf_iterator<char>(In)),
                            std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(Bytes.data()),
                           Bytes.size());
  }
  std::printf("%zu inputs ran\n", Files.size());
  return Files.empty() ? 1 : 0;
}
