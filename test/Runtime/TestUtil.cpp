//===- TestUtil.cpp - Helpers for the runtime unit tests ------------------===//

#include "TestUtil.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace encrt_test;

TempDir::TempDir() {
  const char *Base = std::getenv("TMPDIR");
  std::string Template =
      std::string(Base && *Base ? Base : "/tmp") + "/encrt-test-XXXXXX";
  std::vector<char> Buf(Template.begin(), Template.end());
  Buf.push_back('\0');
  REQUIRE(mkdtemp(Buf.data()) != nullptr);
  Dir = Buf.data();
}

TempDir::~TempDir() {
  std::error_code Ec;
  std::filesystem::remove_all(Dir, Ec);
}

void encrt_test::writeFile(const std::string &Path, const std::string &Bytes) {
  std::ofstream Out(Path, std::ios::binary | std::ios::trunc);
  REQUIRE(Out.good());
  Out.write(Bytes.data(), static_cast<std::streamsize>(Bytes.size()));
  REQUIRE(Out.good());
}

std::string encrt_test::readFile(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  REQUIRE(In.good());
  std::ostringstream Buf;
  Buf << In.rdbuf();
  return Buf.str();
}

static std::string le64(uint64_t V) {
  std::string Out(8, '\0');
  for (int I = 0; I < 8; ++I)
    Out[I] = static_cast<char>((V >> (8 * I)) & 0xFF);
  return Out;
}

std::string encrt_test::rawSafeTensors(const std::string &Header,
                                       const std::string &Data) {
  return le64(Header.size()) + Header + Data;
}

std::string encrt_test::makeSafeTensors(const std::vector<StTensor> &Tensors) {
  std::string Header = "{\"__metadata__\": {\"format\": \"pt\"}";
  std::string Data;
  for (const StTensor &T : Tensors) {
    Header +=
        ", \"" + T.Name + "\": {\"dtype\": \"" + T.DType + "\", \"shape\": [";
    for (size_t I = 0; I < T.Shape.size(); ++I)
      Header += (I ? ", " : "") + std::to_string(T.Shape[I]);
    Header += "], \"data_offsets\": [" + std::to_string(Data.size()) + ", " +
              std::to_string(Data.size() + T.Data.size()) + "]}";
    Data += T.Data;
  }
  Header += "}";
  while (Header.size() % 8)
    Header += ' ';
  return rawSafeTensors(Header, Data);
}

void encrt_test::requireOk(encrt_status *S) {
  bool Ok = !S;
  std::string Message = S ? encrt_status_message(S) : "";
  encrt_status_free(S);
  INFO("status: " << Message);
  REQUIRE(Ok);
}

std::string encrt_test::requireError(encrt_status *S, encrt_status_code Code,
                                     const std::vector<std::string> &Needles) {
  REQUIRE(S != nullptr);
  encrt_status_code Got = encrt_status_get_code(S);
  std::string Message = encrt_status_message(S);
  encrt_status_free(S);
  INFO("message: " << Message);
  CHECK(Got == Code);
  CHECK(Message.find('\n') == std::string::npos);
  for (const std::string &Needle : Needles) {
    INFO("expected to contain: " << Needle);
    CHECK(Message.find(Needle) != std::string::npos);
  }
  return Message;
}

encrt_test::LoadedModule::LoadedModule(const char *Path, int NumThreads) {
  requireOk(encrt_artifact_load(Path, &Artifact));
  encrt_module_options Options;
  encrt_module_options_init(&Options);
  Options.num_threads = NumThreads;
  requireOk(encrt_module_create(Artifact, &Options, &Module));
}

encrt_test::LoadedModule::~LoadedModule() {
  encrt_module_release(Module);
  encrt_artifact_release(Artifact);
}

const encrt_function *
encrt_test::LoadedModule::function(const char *Name) const {
  const encrt_function *F = nullptr;
  requireOk(encrt_artifact_find_function(Artifact, Name, &F));
  return F;
}
