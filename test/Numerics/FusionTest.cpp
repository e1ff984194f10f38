//===- FusionTest.cpp - graph-level fusions against PyTorch ---------------===//
//
// Cases in cases/fusion.py. Every compile runs the fusion passes; these
// models are written so that each pass has something to rewrite
// (test/Pipelines/fusion.mlir checks that it does).
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

TEST_CASE("hand-written attention, recognized, matches softmax(QKᵀ·s + m)V",
          "[numerics][fusion]") {
  checkAgainstPyTorch("fusion_attention");
}
// Without merging, the epilogue and residual-norm fusions do not depend on
// the runtime building packed parameters.
TEST_CASE("post-LN layer with epilogue and residual-norm fusion matches "
          "nn.TransformerEncoderLayer",
          "[numerics][fusion]") {
  checkAgainstPyTorch("fusion_post_ln", "", 1e-5, "main",
                      "--disable=projection-merging");
}
TEST_CASE("post-LN layer with every graph optimization matches "
          "nn.TransformerEncoderLayer",
          "[numerics][fusion]") {
  checkAgainstPyTorch("fusion_post_ln");
}
TEST_CASE("merged projections match F.linear per projection",
          "[numerics][fusion]") {
  checkAgainstPyTorch("fusion_projections");
}
