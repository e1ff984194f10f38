//===- AttentionTest.cpp - flash attention at long dynamic lengths -------===//
//
// Cases in cases/attention.py.
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

TEST_CASE("enc.attention matches the reference at uneven dynamic lengths",
          "[numerics][attention]") {
  checkAgainstPyTorch("attention_long");
}
