//===- FoundationTest.cpp - the first op set and the example against PyTorch
//===//
//
// Cases in cases/foundation.py.
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

TEST_CASE("encoder block matches PyTorch", "[numerics]") {
  checkAgainstPyTorch("encoder_block");
}
TEST_CASE("the tiny_bert example matches nn.TransformerEncoderLayer",
          "[numerics]") {
  checkAgainstPyTorch("tiny_bert", ENCODER_EXAMPLES_DIR "/tiny_bert.mlir");
}
TEST_CASE("enc.linear matches F.linear", "[numerics]") {
  checkAgainstPyTorch("linear");
}
TEST_CASE("enc.layer_norm matches F.layer_norm", "[numerics]") {
  checkAgainstPyTorch("layer_norm");
}
TEST_CASE("enc.rms_norm matches T5LayerNorm", "[numerics]") {
  checkAgainstPyTorch("rms_norm");
}
TEST_CASE("enc.activation matches PyTorch activations", "[numerics]") {
  checkAgainstPyTorch("activations");
}
TEST_CASE("enc.attention matches softmax(QKᵀ·s + mask)V", "[numerics]") {
  checkAgainstPyTorch("attention");
}
TEST_CASE("enc.embedding matches F.embedding", "[numerics]") {
  checkAgainstPyTorch("embedding");
}
TEST_CASE("enc.pool matches masked reductions", "[numerics]") {
  checkAgainstPyTorch("pool");
}
TEST_CASE("enc.cross_entropy matches F.cross_entropy", "[numerics]") {
  checkAgainstPyTorch("cross_entropy");
}
