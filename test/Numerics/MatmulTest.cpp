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
TEST_CASE("packed linear with a 3-row, 48-column register block matches "
          "F.linear",
          "[numerics][matmul]") {
  checkAgainstPyTorch("packed_linear", "", 1e-5, "main",
                      "--op-config=enc.linear:tile=3x48 "
                      "--op-config=enc.patch_embed:tile=1x16");
}
TEST_CASE("packed linear blocked for AVX2 matches F.linear",
          "[numerics][matmul]") {
  checkAgainstPyTorch("packed_linear", "", 1e-5, "main", "--cpu=haswell");
}
