//===- ArtifactTest.cpp - Tests of artifact loading and metadata ----------===//
//
// Runs against hand-written fake artifacts (fake_artifact.c and
// fake_bad_artifact.c), whose paths CMake passes in as definitions.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

using namespace encrt_test;

namespace {

encrt_artifact *loadOk(const char *Path) {
  encrt_artifact *A = nullptr;
  requireOk(encrt_artifact_load(Path, &A));
  REQUIRE(A != nullptr);
  return A;
}

std::vector<int64_t> dimsOf(const encrt_value_info *Info) {
  return std::vector<int64_t>(Info->dims, Info->dims + Info->rank);
}

} // namespace

TEST_CASE("artifact: lists functions and signatures", "[artifact]") {
  encrt_artifact *A = loadOk(ENCRT_FAKE_ARTIFACT);
  CHECK(std::string(encrt_artifact_target(A)) == "cpu");
  CHECK(std::string(encrt_artifact_metadata(A)).find("encoder-artifact") !=
        std::string::npos);
  REQUIRE(encrt_artifact_function_count(A) == 5);
  const char *Names[] = {"add_bias", "lookup", "transpose", "aliasing",
                         "masked_sum"};
  for (size_t I = 0; I < 5; ++I)
    CHECK(std::string(encrt_function_name(encrt_artifact_function(A, I))) ==
          Names[I]);
  CHECK(encrt_artifact_function(A, 5) == nullptr);

  const encrt_function *F = nullptr;
  requireOk(encrt_artifact_find_function(A, "add_bias", &F));
  REQUIRE(F != nullptr);
  REQUIRE(encrt_function_input_count(F) == 1);
  REQUIRE(encrt_function_param_count(F) == 1);
  REQUIRE(encrt_function_output_count(F) == 1);
  const encrt_value_info *X = encrt_function_input(F, 0);
  CHECK(std::string(X->name) == "x");
  CHECK(X->dtype == ENCRT_F32);
  CHECK(dimsOf(X) == std::vector<int64_t>{ENCRT_DYNAMIC_DIM, 3});
  CHECK_FALSE(X->has_range);
  CHECK_FALSE(X->has_ignore_value);
  const encrt_value_info *Bias = encrt_function_param(F, 0);
  CHECK(std::string(Bias->name) == "bias");
  CHECK(dimsOf(Bias) == std::vector<int64_t>{3});
  const encrt_value_info *Y = encrt_function_output(F, 0);
  CHECK(std::string(Y->name) == "y");
  CHECK(dimsOf(Y) == std::vector<int64_t>{ENCRT_DYNAMIC_DIM, 3});
  CHECK(encrt_function_input(F, 1) == nullptr);
  CHECK(encrt_function_param(F, 1) == nullptr);
  CHECK(encrt_function_output(F, 1) == nullptr);

  requireOk(encrt_artifact_find_function(A, "lookup", &F));
  const encrt_value_info *Ids = encrt_function_input(F, 0);
  CHECK(std::string(Ids->name) == "ids");
  CHECK(Ids->dtype == ENCRT_I64);
  CHECK(Ids->has_range);
  CHECK(Ids->range_lo == 0);
  CHECK(Ids->range_hi == 4);
  CHECK(Ids->has_ignore_value);
  CHECK(Ids->ignore_value == -100);
  const encrt_value_info *Total = encrt_function_output(F, 0);
  CHECK(Total->rank == 0);

  // Retained references keep the artifact alive.
  encrt_artifact_retain(A);
  encrt_artifact_release(A);
  CHECK(std::string(encrt_function_name(F)) == "lookup");
  encrt_artifact_release(A);
}

TEST_CASE("artifact: unknown function lists the available ones", "[artifact]") {
  encrt_artifact *A = loadOk(ENCRT_FAKE_ARTIFACT);
  const encrt_function *F = nullptr;
  requireError(encrt_artifact_find_function(A, "forward", &F), ENCRT_NOT_FOUND,
               {"no function 'forward'",
                "it has: add_bias, lookup, transpose, aliasing, masked_sum"});
  CHECK(F == nullptr);
  encrt_artifact_release(A);
}

TEST_CASE("artifact: files that are not artifacts", "[artifact]") {
  TempDir Dir;
  encrt_artifact *A = nullptr;
  SECTION("missing file") {
    std::string Path = Dir.path("missing.so");
    requireError(encrt_artifact_load(Path.c_str(), &A), ENCRT_NOT_FOUND,
                 {Path});
  }
  SECTION("a text file") {
    std::string Path = Dir.path("model.so");
    writeFile(Path, "this is not an ELF file\n");
    requireError(encrt_artifact_load(Path.c_str(), &A), ENCRT_DATA_ERROR,
                 {"'" + Path + "' is not an encoder artifact", "dlopen"});
  }
  SECTION("a directory") {
    requireError(encrt_artifact_load(Dir.path("").c_str(), &A),
                 ENCRT_INVALID_ARGUMENT, {"not a regular file"});
  }
  SECTION("a shared object without metadata") {
    requireError(encrt_artifact_load(ENCRT_FAKE_NO_METADATA_ARTIFACT, &A),
                 ENCRT_DATA_ERROR,
                 {ENCRT_FAKE_NO_METADATA_ARTIFACT,
                  "is not an encoder artifact: it has no symbol "
                  "enc_artifact_metadata"});
  }
  CHECK(A == nullptr);
}

TEST_CASE("artifact: bad metadata", "[artifact]") {
  encrt_artifact *A = nullptr;
  requireError(encrt_artifact_load(ENCRT_FAKE_BAD_JSON_ARTIFACT, &A),
               ENCRT_DATA_ERROR,
               {ENCRT_FAKE_BAD_JSON_ARTIFACT, "invalid metadata",
                "not valid JSON", "at byte"});
  requireError(encrt_artifact_load(ENCRT_FAKE_BAD_ABI_ARTIFACT, &A),
               ENCRT_DATA_ERROR,
               {ENCRT_FAKE_BAD_ABI_ARTIFACT, "ABI version 99",
                "supports versions 1 to 2"});
  requireError(encrt_artifact_load(ENCRT_FAKE_OLD_CUDA_ABI_ARTIFACT, &A),
               ENCRT_DATA_ERROR,
               {ENCRT_FAKE_OLD_CUDA_ABI_ARTIFACT,
                "is a CUDA artifact of ABI version 1 (managed memory), which "
                "this runtime no longer runs; compile it again"});
  requireError(
      encrt_artifact_load(ENCRT_FAKE_NO_ENTRY_ARTIFACT, &A), ENCRT_DATA_ERROR,
      {"function 'main'", "entry 'not_exported'", "exports no such symbol"});
  CHECK(A == nullptr);
}

TEST_CASE("artifact: device selection", "[artifact]") {
  encrt_artifact *Cpu = loadOk(ENCRT_FAKE_ARTIFACT);
  encrt_artifact *Cuda = loadOk(ENCRT_FAKE_CUDA_ARTIFACT);
  CHECK(std::string(encrt_artifact_target(Cuda)) == "cuda");
  encrt_module_options Options;
  encrt_module_options_init(&Options);
  CHECK(Options.device == ENCRT_DEVICE_CPU);
  CHECK(Options.num_threads == 0);
  encrt_module *M = nullptr;

  SECTION("cpu artifact on the CPU") {
    Options.num_threads = 3;
    requireOk(encrt_module_create(Cpu, &Options, &M));
    encrt_module_release(M);
    requireOk(encrt_module_create(Cpu, nullptr, &M));
    encrt_module_release(M);
  }
  SECTION("cpu artifact on CUDA") {
    Options.device = ENCRT_DEVICE_CUDA;
    requireError(encrt_module_create(Cpu, &Options, &M), ENCRT_INVALID_ARGUMENT,
                 {ENCRT_FAKE_ARTIFACT, "compiled for cpu"});
    CHECK(M == nullptr);
  }
  SECTION("cuda artifact on the CPU") {
    requireError(encrt_module_create(Cuda, &Options, &M),
                 ENCRT_INVALID_ARGUMENT, {"compiled for cuda"});
  }
  SECTION("cuda artifact on CUDA") {
    // With a driver and a device the module opens; without, it says why.
    Options.device = ENCRT_DEVICE_CUDA;
    encrt_status *S = encrt_module_create(Cuda, &Options, &M);
    if (S) {
      std::string Message = encrt_status_message(S);
      CHECK(encrt_status_get_code(S) == ENCRT_UNAVAILABLE);
      CHECK((Message.find("no CUDA driver: libcuda.so.1 could not be "
                          "loaded") != std::string::npos ||
             Message.find("no device") != std::string::npos));
      encrt_status_free(S);
    } else {
      encrt_module_release(M);
    }
  }
  SECTION("bad options") {
    Options.num_threads = -1;
    requireError(encrt_module_create(Cpu, &Options, &M), ENCRT_INVALID_ARGUMENT,
                 {"num_threads"});
    Options.num_threads = 0;
    Options.device = static_cast<encrt_device_kind>(7);
    requireError(encrt_module_create(Cpu, &Options, &M), ENCRT_INVALID_ARGUMENT,
                 {"unknown device kind 7"});
  }
  encrt_artifact_release(Cuda);
  encrt_artifact_release(Cpu);
}

TEST_CASE("artifact: dtype names and sizes", "[artifact]") {
  CHECK(std::string(encrt_dtype_name(ENCRT_F32)) == "f32");
  CHECK(std::string(encrt_dtype_name(ENCRT_BF16)) == "bf16");
  CHECK(std::string(encrt_dtype_name(ENCRT_BOOL)) == "i1");
  CHECK(encrt_dtype_size(ENCRT_I64) == 8);
  CHECK(encrt_dtype_size(ENCRT_BOOL) == 1);
  CHECK(encrt_dtype_size(static_cast<encrt_dtype>(42)) == 0);
}
