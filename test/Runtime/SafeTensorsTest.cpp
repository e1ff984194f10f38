//===- SafeTensorsTest.cpp - Tests of the safetensors reader --------------===//

#include "TestUtil.h"

using namespace encrt_test;

namespace {

/// Opens `Path`, expecting success; the caller releases.
encrt_weights *openOk(const std::string &Path) {
  encrt_weights *W = nullptr;
  requireOk(encrt_weights_open(Path.c_str(), &W));
  REQUIRE(W != nullptr);
  return W;
}

/// Writes `Bytes` to a file and expects opening it to fail with DATA_ERROR
/// and a message containing the path and `Needles`.
void expectBadFile(const std::string &Bytes,
                   const std::vector<std::string> &Needles) {
  TempDir Dir;
  std::string Path = Dir.path("bad.safetensors");
  writeFile(Path, Bytes);
  encrt_weights *W = nullptr;
  std::vector<std::string> All = Needles;
  All.push_back(Path);
  requireError(encrt_weights_open(Path.c_str(), &W), ENCRT_DATA_ERROR, All);
  CHECK(W == nullptr);
}

} // namespace

TEST_CASE("safetensors: reads a valid file without copying", "[safetensors]") {
  TempDir Dir;
  std::string Path = Dir.path("w.safetensors");
  std::vector<float> A = {1, 2, 3, 4, 5, 6};
  std::vector<int64_t> B = {-7, 1LL << 40};
  std::vector<uint16_t> C = {0x3F80}; // bf16 1.0
  writeFile(Path, makeSafeTensors({{"layer.a", "F32", {2, 3}, bytesOf(A)},
                                   {"b", "I64", {2}, bytesOf(B)},
                                   {"scalar", "BF16", {}, bytesOf(C)},
                                   {"empty", "U8", {0, 5}, ""},
                                   {"flag", "BOOL", {1}, std::string(1, 1)}}));
  encrt_weights *W = openOk(Path);
  REQUIRE(encrt_weights_count(W) == 5);
  // File order, metadata excluded.
  CHECK(std::string(encrt_weights_name(W, 0)) == "layer.a");
  CHECK(std::string(encrt_weights_name(W, 1)) == "b");
  CHECK(std::string(encrt_weights_name(W, 2)) == "scalar");
  CHECK(std::string(encrt_weights_name(W, 3)) == "empty");
  CHECK(std::string(encrt_weights_name(W, 4)) == "flag");
  CHECK(encrt_weights_name(W, 5) == nullptr);

  encrt_tensor_view V = encrt_weights_view(W, 0);
  CHECK(V.dtype == ENCRT_F32);
  REQUIRE(V.rank == 2);
  CHECK(V.dims[0] == 2);
  CHECK(V.dims[1] == 3);
  CHECK(std::memcmp(V.data, A.data(), 24) == 0);

  encrt_tensor_view Found{};
  requireOk(encrt_weights_find(W, "b", &Found));
  CHECK(Found.dtype == ENCRT_I64);
  REQUIRE(Found.rank == 1);
  CHECK(Found.dims[0] == 2);
  CHECK(std::memcmp(Found.data, B.data(), 16) == 0);
  // Zero-copy: the view points just past the first tensor in the mapping.
  CHECK(static_cast<const char *>(Found.data) ==
        static_cast<const char *>(V.data) + 24);

  requireOk(encrt_weights_find(W, "scalar", &Found));
  CHECK(Found.dtype == ENCRT_BF16);
  CHECK(Found.rank == 0);
  requireOk(encrt_weights_find(W, "empty", &Found));
  CHECK(Found.dtype == ENCRT_U8);
  CHECK(Found.rank == 2);
  requireOk(encrt_weights_find(W, "flag", &Found));
  CHECK(Found.dtype == ENCRT_BOOL);

  requireError(encrt_weights_find(W, "nope", &Found), ENCRT_NOT_FOUND,
               {"has no tensor named 'nope'", Path});
  CHECK(encrt_weights_view(W, 99).data == nullptr);

  // Reference counting: the view stays valid while any reference is held.
  encrt_weights_retain(W);
  encrt_weights_release(W);
  CHECK(std::memcmp(encrt_weights_view(W, 0).data, A.data(), 24) == 0);
  encrt_weights_release(W);
}

TEST_CASE("safetensors: every dtype", "[safetensors]") {
  struct Case {
    const char *Name;
    encrt_dtype DType;
    size_t Size;
  };
  const Case Cases[] = {{"F32", ENCRT_F32, 4}, {"F64", ENCRT_F64, 8},
                        {"F16", ENCRT_F16, 2}, {"BF16", ENCRT_BF16, 2},
                        {"I64", ENCRT_I64, 8}, {"I32", ENCRT_I32, 4},
                        {"I16", ENCRT_I16, 2}, {"I8", ENCRT_I8, 1},
                        {"U8", ENCRT_U8, 1},   {"BOOL", ENCRT_BOOL, 1}};
  TempDir Dir;
  for (const Case &C : Cases) {
    INFO("dtype " << C.Name);
    std::string Path = Dir.path(std::string(C.Name) + ".safetensors");
    writeFile(Path, makeSafeTensors(
                        {{"t", C.Name, {3}, std::string(3 * C.Size, '\1')}}));
    encrt_weights *W = openOk(Path);
    CHECK(encrt_weights_view(W, 0).dtype == C.DType);
    CHECK(encrt_dtype_size(C.DType) == C.Size);
    encrt_weights_release(W);
  }
}

TEST_CASE("safetensors: header without metadata or tensors", "[safetensors]") {
  TempDir Dir;
  std::string Path = Dir.path("empty.safetensors");
  writeFile(Path, rawSafeTensors("{}", ""));
  encrt_weights *W = openOk(Path);
  CHECK(encrt_weights_count(W) == 0);
  encrt_weights_release(W);
}

TEST_CASE("safetensors: malformed files", "[safetensors]") {
  std::string F32x6(24, '\0');
  SECTION("empty file") { expectBadFile("", {"is empty"}); }
  SECTION("truncated header length") {
    expectBadFile(std::string(4, '\0'), {"is truncated", "4 bytes"});
  }
  SECTION("header length larger than the file") {
    std::string Bytes = rawSafeTensors("{" + std::string(999, ' '), "");
    Bytes[0] = static_cast<char>(1200 & 0xFF);
    Bytes[1] = static_cast<char>(1200 >> 8);
    expectBadFile(Bytes, {"is truncated: header says 1200 bytes, the file "
                          "has 1000"});
  }
  SECTION("absurd header length") {
    std::string Bytes = rawSafeTensors("{}", "");
    for (int I = 0; I < 8; ++I)
      Bytes[I] = '\xff';
    expectBadFile(Bytes, {"is truncated", "18446744073709551615"});
  }
  SECTION("header is not JSON") {
    expectBadFile(rawSafeTensors("{\"a\": ", ""), {"not valid JSON"});
  }
  SECTION("header is not an object") {
    expectBadFile(rawSafeTensors("[1, 2]", ""),
                  {"is not a safetensors file (its header is not a JSON "
                   "object)"});
  }
  SECTION("__metadata__ is not an object") {
    expectBadFile(rawSafeTensors("{\"__metadata__\": 3}", ""),
                  {"__metadata__"});
  }
  SECTION("tensor entry is not an object") {
    expectBadFile(rawSafeTensors("{\"w\": [1]}", ""), {"tensor 'w'"});
  }
  SECTION("unknown dtype") {
    expectBadFile(makeSafeTensors({{"w", "F8_E4M3", {2}, "ab"}}),
                  {"tensor 'w'", "unsupported dtype 'F8_E4M3'"});
    expectBadFile(makeSafeTensors({{"w", "f32", {1}, "abcd"}}),
                  {"unsupported dtype 'f32'"});
  }
  SECTION("missing fields") {
    expectBadFile(rawSafeTensors("{\"w\": {\"shape\": [1], "
                                 "\"data_offsets\": [0, 4]}}",
                                 "abcd"),
                  {"tensor 'w'", "dtype"});
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", "
                                 "\"data_offsets\": [0, 4]}}",
                                 "abcd"),
                  {"tensor 'w'", "shape"});
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", "
                                 "\"shape\": [1]}}",
                                 "abcd"),
                  {"tensor 'w'", "data_offsets"});
  }
  SECTION("bad shape") {
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                 "[-1], \"data_offsets\": [0, 4]}}",
                                 "abcd"),
                  {"tensor 'w'", "non-negative"});
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                 "[1.5], \"data_offsets\": [0, 4]}}",
                                 "abcd"),
                  {"tensor 'w'", "non-negative integer"});
    expectBadFile(
        rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                       "[4611686018427387904, 4], \"data_offsets\": [0, 4]}}",
                       "abcd"),
        {"tensor 'w'", "too large"});
  }
  SECTION("offsets out of range") {
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                 "[2, 3], \"data_offsets\": [0, 100]}}",
                                 F32x6),
                  {"tensor 'w'", "[0, 100]",
                   "past the end of the data "
                   "section (24 bytes)"});
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                 "[1], \"data_offsets\": [8, 4]}}",
                                 F32x6),
                  {"tensor 'w'", "end before they begin"});
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                 "[1], \"data_offsets\": [-4, 0]}}",
                                 F32x6),
                  {"tensor 'w'", "non-negative integers"});
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                 "[1], \"data_offsets\": [0]}}",
                                 F32x6),
                  {"tensor 'w'", "data_offsets"});
  }
  SECTION("offsets inconsistent with the shape") {
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                 "[2, 3], \"data_offsets\": [0, 20]}}",
                                 F32x6),
                  {"tensor 'w'", "(20 bytes)", "2x3xf32 needs 24 bytes"});
  }
  SECTION("data section truncated") {
    std::string Full = makeSafeTensors({{"w", "F32", {2, 3}, F32x6}});
    expectBadFile(Full.substr(0, Full.size() - 12),
                  {"tensor 'w'",
                   "past the end of the data section (12 "
                   "bytes)",
                   "truncated"});
  }
  SECTION("duplicate tensor names") {
    expectBadFile(rawSafeTensors("{\"w\": {\"dtype\": \"U8\", \"shape\": "
                                 "[1], \"data_offsets\": [0, 1]}, \"w\": "
                                 "{\"dtype\": \"U8\", \"shape\": [1], "
                                 "\"data_offsets\": [0, 1]}}",
                                 "a"),
                  {"duplicate object key \"w\""});
  }
}

TEST_CASE("safetensors: missing file and directories", "[safetensors]") {
  TempDir Dir;
  encrt_weights *W = nullptr;
  std::string Missing = Dir.path("missing.safetensors");
  requireError(encrt_weights_open(Missing.c_str(), &W), ENCRT_NOT_FOUND,
               {Missing, "No such file"});
  requireError(encrt_weights_open(Dir.path("").c_str(), &W), ENCRT_NOT_FOUND,
               {"checkpoint directory", "has neither model.safetensors nor "
                                        "model.safetensors.index.json"});
  requireError(encrt_weights_open(nullptr, &W), ENCRT_INVALID_ARGUMENT,
               {"path is NULL"});
}

TEST_CASE("safetensors: files that are something else are named",
          "[safetensors]") {
  expectBadFile(std::string("PK\x03\x04", 4) + std::string(60, '\0'),
                {"is a zip archive", "not safetensors",
                 "the runtime does not load pickles",
                 "safe_serialization=True"});
  expectBadFile(std::string("\x80\x02}q\x00.", 6) + std::string(10, 'x'),
                {"is a Python pickle"});
  expectBadFile("{\"weight_map\": {}}", {"is JSON text"});
  expectBadFile("hello, this is not a checkpoint",
                {"is not a safetensors file"});
  // A header length whose bytes spell a magic number is still safetensors.
  std::string Header = "{}" + std::string(0x0280 - 2, ' ');
  std::string Bytes = rawSafeTensors(Header, "");
  CHECK(static_cast<unsigned char>(Bytes[0]) == 0x80);
  TempDir Dir;
  writeFile(Dir.path("w.safetensors"), Bytes);
  encrt_weights *W = nullptr;
  requireOk(encrt_weights_open(Dir.path("w.safetensors").c_str(), &W));
  encrt_weights_release(W);
}

TEST_CASE("safetensors: sharded checkpoints and checkpoint directories",
          "[safetensors]") {
  TempDir Dir;
  std::vector<float> A = {1, 2}, B = {3, 4, 5};
  writeFile(Dir.path("model-00001-of-00002.safetensors"),
            makeSafeTensors({{"a", "F32", {2}, bytesOf(A)}}));
  writeFile(Dir.path("model-00002-of-00002.safetensors"),
            makeSafeTensors({{"b", "F32", {3}, bytesOf(B)}}));
  std::string Index = Dir.path("model.safetensors.index.json");
  writeFile(Index, "{\"metadata\": {\"total_size\": 20}, \"weight_map\": "
                   "{\"a\": \"model-00001-of-00002.safetensors\", "
                   "\"b\": \"model-00002-of-00002.safetensors\"}}");
  // The index itself, and its directory.
  for (const std::string &Path : {Index, Dir.path("")}) {
    INFO(Path);
    encrt_weights *W = nullptr;
    requireOk(encrt_weights_open(Path.c_str(), &W));
    REQUIRE(encrt_weights_count(W) == 2);
    encrt_tensor_view V;
    requireOk(encrt_weights_find(W, "b", &V));
    CHECK(V.dims[0] == 3);
    CHECK(static_cast<const float *>(V.data)[2] == 5.0f);
    encrt_weights_release(W);
  }

  encrt_weights *W = nullptr;
  writeFile(Index, "{\"weight_map\": {\"a\": \"model-00002-of-00002."
                   "safetensors\"}}");
  requireError(encrt_weights_open(Index.c_str(), &W), ENCRT_DATA_ERROR,
               {"puts tensor 'a' in 'model-00002-of-00002.safetensors', which "
                "has no tensor of that name"});
  writeFile(Index, "{\"weight_map\": {\"a\": \"missing.safetensors\"}}");
  requireError(encrt_weights_open(Index.c_str(), &W), ENCRT_NOT_FOUND,
               {"missing.safetensors"});
  writeFile(Index, "{\"weight_map\": {\"a\": \"../elsewhere.safetensors\"}}");
  requireError(encrt_weights_open(Index.c_str(), &W), ENCRT_DATA_ERROR,
               {"not a file name beside the index"});
  writeFile(Index, "{\"shards\": []}");
  requireError(encrt_weights_open(Index.c_str(), &W), ENCRT_DATA_ERROR,
               {"has no object \"weight_map\""});
  // A tensor in two shards is ambiguous.
  writeFile(Dir.path("model-00002-of-00002.safetensors"),
            makeSafeTensors({{"a", "F32", {2}, bytesOf(A)}}));
  writeFile(Index, "{\"weight_map\": {\"a\": \"model-00001-of-00002."
                   "safetensors\", \"b\": \"model-00002-of-00002."
                   "safetensors\"}}");
  requireError(encrt_weights_open(Index.c_str(), &W), ENCRT_DATA_ERROR,
               {"tensor 'a' is also in an earlier shard"});

  // A directory of a pickled checkpoint only.
  TempDir Pickled;
  writeFile(Pickled.path("pytorch_model.bin"), "PK\x03\x04");
  requireError(encrt_weights_open(Pickled.path("").c_str(), &W),
               ENCRT_NOT_FOUND,
               {"has pytorch_model.bin but no model.safetensors",
                "convert the checkpoint to safetensors"});
  CHECK(W == nullptr);
}
