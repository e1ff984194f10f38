//===- NpyTest.cpp - Tests of the .npy reader and writer ------------------===//

#include "TestUtil.h"

using namespace encrt_test;

namespace {

encrt_buffer *readOk(const std::string &Path) {
  encrt_buffer *B = nullptr;
  requireOk(encrt_npy_read(Path.c_str(), &B));
  REQUIRE(B != nullptr);
  return B;
}

/// A .npy file with the given version, header dict and data; the header is
/// padded like NumPy does.
std::string makeNpy(int Major, const std::string &Dict,
                    const std::string &Data) {
  size_t LenBytes = Major == 1 ? 2 : 4;
  std::string Header = Dict;
  while ((6 + 2 + LenBytes + Header.size() + 1) % 64)
    Header += ' ';
  Header += '\n';
  std::string Out = "\x93NUMPY";
  Out += static_cast<char>(Major);
  Out += '\0';
  for (size_t I = 0; I < LenBytes; ++I)
    Out += static_cast<char>((Header.size() >> (8 * I)) & 0xFF);
  return Out + Header + Data;
}

void expectBadNpy(const std::string &Bytes, encrt_status_code Code,
                  const std::vector<std::string> &Needles) {
  TempDir Dir;
  std::string Path = Dir.path("bad.npy");
  writeFile(Path, Bytes);
  encrt_buffer *B = nullptr;
  std::vector<std::string> All = Needles;
  All.push_back(Path);
  requireError(encrt_npy_read(Path.c_str(), &B), Code, All);
  CHECK(B == nullptr);
}

} // namespace

TEST_CASE("npy: round trip of every dtype and rank", "[npy]") {
  struct Case {
    encrt_dtype DType;
    const char *Descr;
  };
  const Case Cases[] = {
      {ENCRT_F32, "<f4"}, {ENCRT_F64, "<f8"}, {ENCRT_F16, "<f2"},
      {ENCRT_I64, "<i8"}, {ENCRT_I32, "<i4"}, {ENCRT_I16, "<i2"},
      {ENCRT_I8, "|i1"},  {ENCRT_U8, "|u1"},  {ENCRT_BOOL, "|b1"}};
  const std::vector<std::vector<int64_t>> Shapes = {
      {2, 3}, {}, {4}, {0, 3}, {2, 1, 2}};
  TempDir Dir;
  for (const Case &C : Cases) {
    for (const std::vector<int64_t> &Dims : Shapes) {
      INFO("dtype " << encrt_dtype_name(C.DType) << ", rank " << Dims.size());
      int64_t N = 1;
      for (int64_t D : Dims)
        N *= D;
      size_t Bytes = static_cast<size_t>(N) * encrt_dtype_size(C.DType);
      std::vector<unsigned char> Data(Bytes + 1);
      for (size_t I = 0; I < Bytes; ++I)
        Data[I] = C.DType == ENCRT_BOOL
                      ? I % 2
                      : static_cast<unsigned char>(I * 37 + 1);
      encrt_tensor_view View = viewOf(C.DType, Dims, Data);
      std::string Path = Dir.path("t.npy");
      requireOk(encrt_npy_write(Path.c_str(), &View));

      std::string File = readFile(Path);
      REQUIRE(File.size() >= 10);
      CHECK(File.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
      size_t HeaderLen = static_cast<unsigned char>(File[8]) |
                         (static_cast<unsigned char>(File[9]) << 8);
      CHECK((10 + HeaderLen) % 64 == 0);
      CHECK(File[10 + HeaderLen - 1] == '\n');
      std::string Header = File.substr(10, HeaderLen);
      CHECK(Header.find(std::string("'descr': '") + C.Descr + "'") !=
            std::string::npos);
      CHECK(Header.find("'fortran_order': False") != std::string::npos);
      if (Dims.empty())
        CHECK(Header.find("'shape': ()") != std::string::npos);
      if (Dims.size() == 1)
        CHECK(Header.find("'shape': (4,)") != std::string::npos);
      if (Dims.size() == 2 && Dims[0] == 2)
        CHECK(Header.find("'shape': (2, 3)") != std::string::npos);
      CHECK(File.size() == 10 + HeaderLen + Bytes);

      encrt_buffer *B = readOk(Path);
      encrt_tensor_view Back = encrt_buffer_view(B);
      CHECK(Back.dtype == C.DType);
      REQUIRE(Back.rank == Dims.size());
      for (size_t I = 0; I < Dims.size(); ++I)
        CHECK(Back.dims[I] == Dims[I]);
      if (Bytes)
        CHECK(std::memcmp(Back.data, Data.data(), Bytes) == 0);
      encrt_buffer_release(B);
    }
  }
}

TEST_CASE("npy: bf16 has no NumPy dtype", "[npy]") {
  TempDir Dir;
  std::vector<uint16_t> Data = {0x3F80};
  std::vector<int64_t> Dims = {1};
  encrt_tensor_view View = viewOf(ENCRT_BF16, Dims, Data);
  requireError(encrt_npy_write(Dir.path("x.npy").c_str(), &View),
               ENCRT_INVALID_ARGUMENT, {"bf16 has no NumPy dtype", "x.npy"});
}

TEST_CASE("npy: format 2.0 and 3.0 headers", "[npy]") {
  TempDir Dir;
  std::vector<int32_t> Values = {1, -2, 3};
  for (int Major : {2, 3}) {
    INFO("version " << Major);
    std::string Path = Dir.path("v.npy");
    writeFile(Path, makeNpy(Major,
                            "{'descr': '<i4', 'fortran_order': False, "
                            "'shape': (3,), }",
                            bytesOf(Values)));
    encrt_buffer *B = readOk(Path);
    encrt_tensor_view V = encrt_buffer_view(B);
    CHECK(V.dtype == ENCRT_I32);
    REQUIRE(V.rank == 1);
    CHECK(V.dims[0] == 3);
    CHECK(std::memcmp(V.data, Values.data(), 12) == 0);
    encrt_buffer_release(B);
  }
}

TEST_CASE("npy: accepted header spellings", "[npy]") {
  TempDir Dir;
  std::string Path = Dir.path("s.npy");
  // Double quotes, no trailing comma, '<u1' for a one-byte type.
  writeFile(Path, makeNpy(1,
                          "{\"shape\": (2,), \"fortran_order\": False, "
                          "\"descr\": \"<u1\"}",
                          "ab"));
  encrt_buffer *B = readOk(Path);
  CHECK(encrt_buffer_view(B).dtype == ENCRT_U8);
  encrt_buffer_release(B);
}

TEST_CASE("npy: malformed files", "[npy]") {
  const std::string F32Dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string Data24(24, '\0');
  SECTION("bad magic") {
    expectBadNpy("PK\x03\x04 this is a zip file", ENCRT_DATA_ERROR,
                 {"is not a .npy file"});
    expectBadNpy("", ENCRT_DATA_ERROR, {"is not a .npy file"});
  }
  SECTION("unsupported version") {
    std::string Bytes = makeNpy(1, F32Dict, Data24);
    Bytes[6] = 4;
    expectBadNpy(Bytes, ENCRT_DATA_ERROR, {"format version 4.0"});
  }
  SECTION("truncated preamble and header") {
    expectBadNpy(std::string("\x93NUMPY\x02\x00\x10", 9), ENCRT_DATA_ERROR,
                 {"not a .npy file"});
    std::string Bytes = makeNpy(1, F32Dict, Data24);
    expectBadNpy(Bytes.substr(0, 40), ENCRT_DATA_ERROR,
                 {"is truncated: header says"});
  }
  SECTION("truncated data") {
    expectBadNpy(makeNpy(1, F32Dict, Data24.substr(0, 20)), ENCRT_DATA_ERROR,
                 {"is truncated", "2x3xf32 needs 24 bytes", "has 20"});
  }
  SECTION("trailing data") {
    expectBadNpy(makeNpy(1, F32Dict, Data24 + "xx"), ENCRT_DATA_ERROR,
                 {"trailing bytes", "has 26"});
  }
  SECTION("fortran order") {
    expectBadNpy(makeNpy(1,
                         "{'descr': '<f4', 'fortran_order': True, 'shape': "
                         "(2, 3), }",
                         Data24),
                 ENCRT_DATA_ERROR, {"Fortran order"});
  }
  SECTION("unsupported dtypes") {
    expectBadNpy(makeNpy(1,
                         "{'descr': '>f4', 'fortran_order': False, 'shape': "
                         "(2, 3), }",
                         Data24),
                 ENCRT_DATA_ERROR, {"big-endian dtype '>f4'"});
    expectBadNpy(makeNpy(1,
                         "{'descr': '<c8', 'fortran_order': False, 'shape': "
                         "(3,), }",
                         Data24),
                 ENCRT_DATA_ERROR, {"unsupported dtype '<c8'"});
    expectBadNpy(makeNpy(1,
                         "{'descr': [('a', '<f4')], 'fortran_order': False, "
                         "'shape': (6,), }",
                         Data24),
                 ENCRT_DATA_ERROR, {"malformed .npy header"});
  }
  SECTION("malformed headers") {
    const char *Dicts[] = {
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}",
        "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}",
        "{'descr': '<f4 'fortran_order': False, 'shape': (2, 3)}",
        "['descr', '<f4']",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} extra",
        ("{'descr': '<f4', 'fortran_order': False, 'shape': "
         "(99999999999999999999,)}"),
    };
    for (const char *Dict : Dicts) {
      INFO("header " << Dict);
      expectBadNpy(makeNpy(1, Dict, Data24), ENCRT_DATA_ERROR,
                   {"malformed .npy header"});
    }
  }
  SECTION("shape too large") {
    expectBadNpy(makeNpy(1,
                         "{'descr': '<f8', 'fortran_order': False, 'shape': "
                         "(4611686018427387904, 4), }",
                         Data24),
                 ENCRT_DATA_ERROR, {"too large"});
  }
}

TEST_CASE("npy: missing files", "[npy]") {
  TempDir Dir;
  encrt_buffer *B = nullptr;
  std::string Missing = Dir.path("missing.npy");
  requireError(encrt_npy_read(Missing.c_str(), &B), ENCRT_NOT_FOUND, {Missing});
  std::vector<float> Data = {1};
  std::vector<int64_t> Dims = {1};
  encrt_tensor_view View = viewOf(ENCRT_F32, Dims, Data);
  std::string Unwritable = Dir.path("no/such/dir/x.npy");
  requireError(encrt_npy_write(Unwritable.c_str(), &View), ENCRT_NOT_FOUND,
               {Unwritable});
}
