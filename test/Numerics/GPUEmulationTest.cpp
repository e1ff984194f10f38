//===- GPUEmulationTest.cpp - the GPU lowering against PyTorch, on the CPU -===//
//
// `--target=cuda --gpu-emulation` compiles through the GPU pipeline (no
// weight packing, attention as plain linalg, one launch per parallel loop
// with its linearized thread mapping and bounds guards) and then runs every
// thread's work as host loops. The same PyTorch references as the CPU cases
// check it, so a mistake in the GPU lowering shows here without a GPU;
// NVVM, PTX and the driver are checked by lit (ptxas, a stand-in driver)
// and by bench/gpu on a device.
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

namespace {
const char *const kGPU = "--target=cuda --gpu-emulation";
} // namespace

TEST_CASE("GPU lowering: encoder block matches PyTorch", "[numerics][gpu]") {
  checkAgainstPyTorch("encoder_block", "", 1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: tiny_bert matches nn.TransformerEncoderLayer",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tiny_bert", ENCODER_EXAMPLES_DIR "/tiny_bert.mlir",
                      1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: attention with mask and causal cut matches "
          "softmax(QKᵀ·s + mask)V",
          "[numerics][gpu]") {
  checkAgainstPyTorch("attention", "", 1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: family_vit matches torchvision's VisionTransformer",
          "[numerics][gpu]") {
  checkAgainstPyTorch("family_vit", ENCODER_EXAMPLES_DIR "/vit/config.json",
                      1e-4, "main", kGPU);
}
TEST_CASE("GPU lowering: losses match torch.nn.functional",
          "[numerics][gpu]") {
  checkAgainstPyTorch("cross_entropy", "", 1e-5, "main", kGPU);
  checkAgainstPyTorch("loss_clip", "", 1e-5, "main", kGPU);
}
