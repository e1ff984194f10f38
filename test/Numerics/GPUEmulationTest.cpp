//===- GPUEmulationTest.cpp - the GPU lowering against PyTorch, on the CPU
//-===//
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
// Exact f32 contractions (--gpu-matmul=f32) at the CPU's tolerances; the
// TF32 tensor-core path has its own cases below, at the bound.
const char *const kGPU = "--target=cuda --gpu-emulation --gpu-matmul=f32";
const char *const kGPUTF32 = "--target=cuda --gpu-emulation";
const char *const kGPUBF16 = "--target=cuda --gpu-emulation --gpu-matmul=bf16";

// One family of each kind: text, vision (with MAE's masking), dual
// encoder, audio (convolutions, group norm; log-mel from audio).
void checkFamilyOnGPU(const std::string &name, const std::string &modelType,
                      const std::string &function = "main",
                      const std::string &flags = "") {
  checkAgainstPyTorch(name,
                      std::string(ENCODER_EXAMPLES_DIR) + "/" + modelType +
                          "/config.json",
                      1e-4, function, std::string(kGPU) + " " + flags);
}

} // namespace

TEST_CASE("GPU lowering: encoder block matches PyTorch", "[numerics][gpu]") {
  checkAgainstPyTorch("encoder_block", "", 1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: tiny_bert matches nn.TransformerEncoderLayer",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tiny_bert", ENCODER_EXAMPLES_DIR "/tiny_bert.mlir", 1e-5,
                      "main", kGPU);
}
TEST_CASE("GPU lowering: attention with mask and causal cut matches "
          "softmax(QKᵀ·s + mask)V",
          "[numerics][gpu]") {
  checkAgainstPyTorch("attention", "", 1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: family_bert matches nn.TransformerEncoderLayer",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_bert", "bert");
}
TEST_CASE("GPU lowering: family_vit matches torchvision's VisionTransformer",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_vit", "vit");
}
TEST_CASE("GPU lowering: family_vit_mae matches MAE", "[numerics][gpu]") {
  checkFamilyOnGPU("family_vit_mae", "vit_mae");
}
TEST_CASE("GPU lowering: family_clip matches CLIP", "[numerics][gpu]") {
  checkFamilyOnGPU("family_clip", "clip");
}
TEST_CASE("GPU lowering: family_wav2vec2 matches torchaudio's wav2vec2_model",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_wav2vec2", "wav2vec2");
}
TEST_CASE("GPU lowering: family_mt5 (RMS norm, relative position bias, "
          "gated feed-forward) matches T5EncoderModel",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_mt5", "mt5");
}
TEST_CASE("GPU lowering: family_deberta_v2 (disentangled attention) matches "
          "DeBERTa",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_deberta_v2", "deberta-v2");
}
TEST_CASE("GPU lowering: family_swin (window attention with bias) matches "
          "torchvision's SwinTransformer",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_swin", "swin");
}
TEST_CASE("GPU lowering: family_xlnet_query_stream (relative attention, two "
          "streams) matches XLNet",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_xlnet_query_stream", "xlnet", "query_stream");
}
TEST_CASE("GPU lowering: family_whisper_audio (log-mel) matches Whisper",
          "[numerics][gpu]") {
  checkFamilyOnGPU("family_whisper_audio", "whisper", "main", "--audio-input");
}
// enc-layer-norm-to-gpu: one kernel per layer norm, with and without the
// affine transform (a row of 48: one full and one partial register a lane),
// and with the fused residual of a post-LN layer.
TEST_CASE("GPU lowering: one-kernel layer norm matches F.layer_norm",
          "[numerics][gpu]") {
  checkAgainstPyTorch("layer_norm", "", 1e-5, "main", kGPU);
  checkAgainstPyTorch("fusion_post_ln", "", 1e-5, "main", kGPU);
}
// enc.rms_norm has no kernel of its own: its reduction goes a warp per row
// (enc-warp-reductions), the scaling a thread per element.
TEST_CASE("GPU lowering: RMS norm matches T5LayerNorm", "[numerics][gpu]") {
  checkAgainstPyTorch("rms_norm", "", 1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: losses match torch.nn.functional", "[numerics][gpu]") {
  checkAgainstPyTorch("cross_entropy", "", 1e-5, "main", kGPU);
  checkAgainstPyTorch("loss_clip", "", 1e-5, "main", kGPU);
  checkAgainstPyTorch("loss_nt_xent", "", 1e-5, "main", kGPU);
  checkAgainstPyTorch("loss_autoencoder", "", 1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: image pooling and resizing match F.max_pool2d, "
          "F.avg_pool2d, F.adaptive_avg_pool2d and F.interpolate",
          "[numerics][gpu]") {
  checkAgainstPyTorch("fe_image_pooling", "", 1e-5, "main", kGPU);
  checkAgainstPyTorch("fe_upsample", "", 1e-5, "main", kGPU);
}
TEST_CASE("GPU lowering: additive attention matches a PyTorch Bahdanau "
          "attention",
          "[numerics][gpu]") {
  checkAgainstPyTorch("fe_additive_attention", "", 1e-5, "main", kGPU);
}

// The tensor cores read TF32 (10 mantissa bits, rounded to nearest in
// registers): products lose about 2^-11 relative, so these cases check the
// tensor-core tiling (warp tiles, staging, batch offsets, Bᵀ and B, the
// M % 32 fallback) at 1e-3, the GPU issue's bound for TF32. Measured here:
// 2-3e-4 for the contractions alone.
TEST_CASE("GPU lowering: tensor-core contractions (TF32) match F.linear and "
          "torch.bmm",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tensor_core_matmul", "", 1e-3, "main", kGPUTF32);
}
// The staged kernel's 128x128 blocks of 8 warps (64x32 warp tiles), chosen
// at run time beside 64x64 ones: the same rounding, so the same bounds.
TEST_CASE("GPU lowering: tensor-core contractions in 128x128 blocks match "
          "F.linear and torch.bmm",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tensor_core_large_blocks", "", 1e-3, "main", kGPUTF32);
  checkAgainstPyTorch("tensor_core_large_blocks", "", 1e-2, "main", kGPUBF16);
}
// Split-K: partial sums a slice of K-tiles, then their sum through the
// fused bias, GELU and residual.
TEST_CASE("GPU lowering: tensor-core contractions split along K match "
          "F.linear and torch.bmm",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tensor_core_split_k", "", 1e-3, "main", kGPUTF32);
  checkAgainstPyTorch("tensor_core_split_k", "", 1e-2, "main", kGPUBF16);
}
// End to end, every product of both layers (attention's too), the pooler
// and the classifier in TF32: measured median 6e-4, up to 1.3e-3 over 20
// draws of the inputs (the small logits vary most), so the whole model is
// held to 2e-3; the 1e-3 applies to the single ops (contractions
// above, attention below: 2-4e-4). The device check holds BERT-base and the
// families to 1e-3 and reports what it finds.
TEST_CASE("GPU lowering: tiny_bert on the tensor cores (TF32) matches "
          "nn.TransformerEncoderLayer",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tiny_bert", ENCODER_EXAMPLES_DIR "/tiny_bert.mlir", 2e-3,
                      "main", kGPUTF32);
}

// bf16 operands (7 mantissa bits, rounded to nearest even as the GPU's
// conversion does), f32 accumulation, at the bound for bf16.
TEST_CASE("GPU lowering: tensor-core contractions (bf16) match F.linear and "
          "torch.bmm",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tensor_core_matmul", "", 1e-2, "main", kGPUBF16);
}
// End to end, every product of both layers, the pooler and the classifier
// in bf16: measured 4e-3 to 1.1e-2 over 20 draws of the inputs (the small
// logits vary most), so the whole model is held to 2e-2 and the issue's
// 1e-2 applies to the single ops above and below (2-3.5e-3). The device
// check holds the families to 1e-2 and reports what it finds.
TEST_CASE("GPU lowering: tiny_bert on the tensor cores (bf16) matches "
          "nn.TransformerEncoderLayer",
          "[numerics][gpu]") {
  checkAgainstPyTorch("tiny_bert", ENCODER_EXAMPLES_DIR "/tiny_bert.mlir", 2e-2,
                      "main", kGPUBF16);
}

// Attention on the tensor cores (a block per 64 queries, K and V staged per
// block of 64 keys (TF32 at head size 64: 32)): 333 queries and 517 keys,
// so that the last query block and key block are partial, with every mask
// kind and the causal cut both ways.
TEST_CASE("GPU lowering: tensor-core attention (TF32) matches "
          "softmax(QKᵀ·s + mask)V",
          "[numerics][gpu]") {
  checkAgainstPyTorch("attention_long", "", 1e-3, "main", kGPUTF32);
}
TEST_CASE("GPU lowering: tensor-core attention (bf16) matches "
          "softmax(QKᵀ·s + mask)V",
          "[numerics][gpu]") {
  checkAgainstPyTorch("attention_long", "", 1e-2, "main", kGPUBF16);
}
// Wide heads: key blocks of 32 and 16, five value tiles of 16.
TEST_CASE("GPU lowering: tensor-core attention with heads of 128 and 256 "
          "matches softmax(QKᵀ·s + mask)V",
          "[numerics][gpu]") {
  checkAgainstPyTorch("attention_wide", "", 1e-3, "main", kGPUTF32);
  checkAgainstPyTorch("attention_wide", "", 1e-2, "main", kGPUBF16);
}
