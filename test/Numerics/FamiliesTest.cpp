//===- FamiliesTest.cpp - against PyTorch
//---------------------------------------===//
//
// Every model family of the config frontend, compiled from
// examples/<model_type>/config.json as a checkpoint directory with Hugging
// Face tensor names, against an independent PyTorch reference
// (cases/families.py): nn.TransformerEncoderLayer for the BERT family,
// torchvision's ViT, torchaudio's wav2vec 2.0, and compact implementations
// written from the papers and published model code for the others. The
// issue's target: relative error under 1e-4 for every output.
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

namespace {

constexpr double kTolerance = 1e-4;
// The families and objectives of issue 20 (T5, mT5, BART, HuBERT, the
// pre-training losses) are held to 1e-5.
constexpr double kTightTolerance = 1e-5;

void checkFamily(const std::string &name, const std::string &modelType,
                 const std::string &function = "main",
                 const std::string &flags = "", double tolerance = kTolerance) {
  checkAgainstPyTorch(name,
                      std::string(ENCODER_EXAMPLES_DIR) + "/" + modelType +
                          "/config.json",
                      tolerance, function, flags);
}

} // namespace

// BERT and its family: layers are nn.TransformerEncoderLayer (post-LN).

TEST_CASE("family_bert matches nn.TransformerEncoderLayer",
          "[numerics][family]") {
  checkFamily("family_bert", "bert");
}
TEST_CASE("family_bert_sentence (--pool=mean --normalize) matches "
          "F.normalize(masked mean)",
          "[numerics][family]") {
  checkFamily("family_bert_sentence", "bert", "main",
              "--pool=mean --normalize");
}
TEST_CASE("family_bert_pretraining (masked LM and next sentence) matches "
          "BertForPreTraining's loss",
          "[numerics][family]") {
  checkFamily("family_bert_pretraining", "bert", "pretraining", "",
              kTightTolerance);
}
TEST_CASE("family_electra_pretraining (replaced-token detection) matches "
          "ElectraForPreTraining's loss",
          "[numerics][family]") {
  checkFamily("family_electra_pretraining", "electra", "pretraining", "",
              kTightTolerance);
}
TEST_CASE("family_roberta matches nn.TransformerEncoderLayer",
          "[numerics][family]") {
  checkFamily("family_roberta", "roberta");
}
TEST_CASE("family_distilbert matches nn.TransformerEncoderLayer",
          "[numerics][family]") {
  checkFamily("family_distilbert", "distilbert");
}
TEST_CASE("family_electra (with the discriminator head) matches "
          "nn.TransformerEncoderLayer",
          "[numerics][family]") {
  checkFamily("family_electra", "electra");
}
TEST_CASE("family_albert (shared layers) matches nn.TransformerEncoderLayer",
          "[numerics][family]") {
  checkFamily("family_albert", "albert");
}

// Vision.

TEST_CASE("family_vit matches torchvision's VisionTransformer",
          "[numerics][family]") {
  checkFamily("family_vit", "vit");
}
TEST_CASE("family_dinov2 matches a pre-LN ViT with layer scale",
          "[numerics][family]") {
  checkFamily("family_dinov2", "dinov2");
}
TEST_CASE("family_vit_mae (masking, decoder, loss) matches MAE",
          "[numerics][family]") {
  checkFamily("family_vit_mae", "vit_mae");
}

// CLIP and SigLIP: all four functions.

TEST_CASE("family_clip main matches CLIP", "[numerics][family]") {
  checkFamily("family_clip", "clip");
}
TEST_CASE("family_clip_text_features matches CLIP's text tower",
          "[numerics][family]") {
  checkFamily("family_clip_text_features", "clip", "get_text_features");
}
TEST_CASE("family_clip_image_features matches CLIP's vision tower",
          "[numerics][family]") {
  checkFamily("family_clip_image_features", "clip", "get_image_features");
}
TEST_CASE("family_clip_loss matches CLIP's symmetric InfoNCE",
          "[numerics][family]") {
  checkFamily("family_clip_loss", "clip", "loss");
}
TEST_CASE("family_siglip main matches SigLIP", "[numerics][family]") {
  checkFamily("family_siglip", "siglip");
}
TEST_CASE("family_siglip_text_features matches SigLIP's text tower",
          "[numerics][family]") {
  checkFamily("family_siglip_text_features", "siglip", "get_text_features");
}
TEST_CASE("family_siglip_image_features matches SigLIP's vision tower and "
          "attention pooling",
          "[numerics][family]") {
  checkFamily("family_siglip_image_features", "siglip", "get_image_features");
}
TEST_CASE("family_siglip_loss matches SigLIP's sigmoid loss",
          "[numerics][family]") {
  checkFamily("family_siglip_loss", "siglip", "loss");
}

// Audio.

TEST_CASE("family_wav2vec2 matches torchaudio's wav2vec2_model",
          "[numerics][family]") {
  checkFamily("family_wav2vec2", "wav2vec2");
}
TEST_CASE("family_wav2vec2_weight_g (weight_g/weight_v names) matches "
          "torchaudio's wav2vec2_model",
          "[numerics][family]") {
  checkFamily("family_wav2vec2_weight_g", "wav2vec2");
}
TEST_CASE("family_whisper matches Whisper's encoder", "[numerics][family]") {
  checkFamily("family_whisper", "whisper");
}
TEST_CASE("family_whisper_audio (--audio-input) matches Whisper's log-mel "
          "and encoder",
          "[numerics][family]") {
  checkFamily("family_whisper_audio", "whisper", "main", "--audio-input");
}
TEST_CASE("family_hubert matches torchaudio's wav2vec2_model under "
          "HubertModel's names",
          "[numerics][family]") {
  checkFamily("family_hubert", "hubert", "main", "", kTightTolerance);
}

// The encoders of encoder-decoder models.

TEST_CASE("family_t5 (relu feed-forward) matches T5EncoderModel",
          "[numerics][family]") {
  checkFamily("family_t5", "t5", "main", "", kTightTolerance);
}
TEST_CASE("family_mt5 (gated-gelu, heads x d_kv != d_model) matches "
          "T5EncoderModel",
          "[numerics][family]") {
  checkFamily("family_mt5", "mt5", "main", "", kTightTolerance);
}
TEST_CASE("family_bart (scaled embeddings, positions at offset 2) matches "
          "nn.TransformerEncoderLayer",
          "[numerics][family]") {
  checkFamily("family_bart", "bart", "main", "", kTightTolerance);
}
TEST_CASE("family_deberta_v2 (disentangled attention, log buckets) matches "
          "DeBERTa written from the paper",
          "[numerics][family]") {
  checkFamily("family_deberta_v2", "deberta-v2", "main", "", kTightTolerance);
}
TEST_CASE("family_deberta_v2_variant (absolute positions, token types, no "
          "buckets, c2p alone through pos_key_proj) matches DeBERTa",
          "[numerics][family]") {
  checkAgainstPyTorch("family_deberta_v2_variant",
                      std::string(ENCODER_EXAMPLES_DIR) +
                          "/../test/Numerics/configs/deberta-v2-variant/"
                          "config.json",
                      kTightTolerance);
}
TEST_CASE("family_deberta_v2_p2c (position-to-content alone, shared key, log "
          "buckets) matches DeBERTa",
          "[numerics][family]") {
  checkAgainstPyTorch("family_deberta_v2_p2c",
                      std::string(ENCODER_EXAMPLES_DIR) +
                          "/../test/Numerics/configs/deberta-v2-p2c/"
                          "config.json",
                      kTightTolerance);
}
TEST_CASE("family_t5_gated_silu (gated-silu feed-forward) matches "
          "T5EncoderModel",
          "[numerics][family]") {
  checkAgainstPyTorch("family_t5_gated_silu",
                      std::string(ENCODER_EXAMPLES_DIR) +
                          "/../test/Numerics/configs/t5-gated-silu/"
                          "config.json",
                      kTightTolerance);
}
TEST_CASE("family_xlnet (relative attention, segments) matches XLNet written "
          "from Hugging Face's einsums",
          "[numerics][family]") {
  checkFamily("family_xlnet", "xlnet", "main", "", kTightTolerance);
}
TEST_CASE("family_xlnet_query_stream (two-stream attention, perm_mask, "
          "target_mapping) matches XLNet's query stream",
          "[numerics][family]") {
  checkFamily("family_xlnet_query_stream", "xlnet", "query_stream", "",
              kTightTolerance);
}
TEST_CASE("family_xlnet_pretraining (permutation LM) matches "
          "XLNetLMHeadModel's loss",
          "[numerics][family]") {
  checkFamily("family_xlnet_pretraining", "xlnet", "pretraining", "",
              kTightTolerance);
}
TEST_CASE("family_swin (shifted windows, patch merging) matches torchvision's "
          "SwinTransformer",
          "[numerics][family]") {
  checkFamily("family_swin", "swin", "main", "", kTightTolerance);
}
TEST_CASE("family_swin_variant (no qkv bias, windows of 2, the last stage one "
          "window) matches torchvision's SwinTransformer",
          "[numerics][family]") {
  checkAgainstPyTorch("family_swin_variant",
                      std::string(ENCODER_EXAMPLES_DIR) +
                          "/../test/Numerics/configs/swin-variant/config.json",
                      kTightTolerance);
}
