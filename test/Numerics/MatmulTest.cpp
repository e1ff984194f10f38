//===- MatmulTest.cpp - the packed matmul micro-kernel against PyTorch ----===//
//
// Cases in cases/matmul.py: the register-blocked kernel for the host's
// vectors, with the blocks a user can choose (--op-config), and for AVX2
// (--cpu=haswell: 16 registers of 8 lanes, panels of 16), which this
// machine can also run.
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

TEST_CASE("packed linear and patch embedding match F.linear and F.conv2d",
          "[numerics][matmul]") {
  checkAgainstPyTorch("packed_linear");
}
// An odd register block (3 rows x 3 vectors), for AVX2 so that the case is
// the same on every x86-64 host this runs on (a 48-column panel is three
// AVX-512 vectors but six AVX2 ones, which do not fit 16 registers).
TEST_CASE("packed linear with a 3-row, 3-vector register block matches "
          "F.linear",
          "[numerics][matmul]") {
  checkAgainstPyTorch("packed_linear", "", 1e-5, "main",
                      "--cpu=haswell --op-config=enc.linear:tile=3x24 "
                      "--op-config=enc.patch_embed:tile=1x8");
}
TEST_CASE("packed linear blocked for AVX2 matches F.linear",
          "[numerics][matmul]") {
  checkAgainstPyTorch("packed_linear", "", 1e-5, "main", "--cpu=haswell");
}
