//===- VisionEncoders.cpp - ViT, DINOv2 and MAE
//-----------------------------===//
//
// Patch embeddings with a class token and learned positions, pre-LN
// transformer layers (DINOv2 adds layer scale), a final LayerNorm. MAE's
// encoder masks patches before the layers (the noise is an input, as in
// Hugging Face's ViTMAEModel), and with a decoder in the checkpoint the
// artifact also reconstructs the pixels and returns MAE's loss.
//
//===----------------------------------------------------------------------===//

#include "Families.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::frontend;

namespace {

struct VisionConfig {
  int64_t hidden, layers, heads, intermediate, imageSize, patchSize, channels;
  double epsilon;
  ActivationKind activation;
  int64_t patches() const {
    return (imageSize / patchSize) * (imageSize / patchSize);
  }
};

/// Names of a pre-LN layer's parts, relative to its prefix.
struct PreNormLayerNames {
  std::string norm1, norm2, fc1, fc2;
  std::string scale1, scale2; // DINOv2's layer scale, "" when absent
};

const AttentionNames kVitAttention = {
    "attention.attention.query", "attention.attention.key",
    "attention.attention.value", "attention.output.dense"};
const PreNormLayerNames kVitLayer = {"layernorm_before",
                                     "layernorm_after",
                                     "intermediate.dense",
                                     "output.dense",
                                     "",
                                     ""};
const PreNormLayerNames kDinoLayer = {"norm1",
                                      "norm2",
                                      "mlp.fc1",
                                      "mlp.fc2",
                                      "layer_scale1.lambda1",
                                      "layer_scale2.lambda1"};

Value preNormLayer(GraphBuilder &g, Value h, const Twine &layer,
                   const PreNormLayerNames &names, const VisionConfig &c) {
  std::string base = layer.str() + ".";
  Value a = g.selfAttention(g.layerNorm(h, base + names.norm1, c.epsilon),
                            layer, kVitAttention, c.heads, c.hidden, Value());
  if (!names.scale1.empty())
    a = g.scaleLastDim(a, g.param(base + names.scale1, {c.hidden}));
  h = g.add(a, h);
  Value m =
      g.mlp(g.layerNorm(h, base + names.norm2, c.epsilon), base + names.fc1,
            base + names.fc2, c.intermediate, c.hidden, c.activation);
  if (!names.scale2.empty())
    m = g.scaleLastDim(m, g.param(base + names.scale2, {c.hidden}));
  return g.add(m, h);
}

VisionConfig readVisionConfig(ConfigReader &r, StringRef modelType) {
  VisionConfig c;
  c.hidden = r.integer("hidden_size");
  c.layers = r.integer("num_hidden_layers");
  c.heads = r.integer("num_attention_heads");
  c.intermediate =
      modelType == "dinov2"
          ? static_cast<int64_t>(c.hidden * r.number("mlp_ratio", 4.0))
          : r.integer("intermediate_size");
  c.imageSize = r.integer("image_size");
  c.patchSize = r.integer("patch_size");
  c.channels = r.integer("num_channels", 3);
  c.epsilon = r.number("layer_norm_eps", modelType == "dinov2" ? 1e-6 : 1e-12);
  c.activation = activationFromConfig(r, "hidden_act", "gelu");
  checkHeads(r, c.hidden, c.heads, "hidden_size", "num_attention_heads");
  if (c.patchSize <= 0 || c.imageSize % c.patchSize != 0)
    r.invalid("image_size", "must be a multiple of patch_size");
  if (modelType == "dinov2" && r.boolean("use_swiglu_ffn", false))
    r.invalid("use_swiglu_ffn", "(SwiGLU MLPs) is not supported yet");
  if (!r.boolean("qkv_bias", true))
    r.invalid("qkv_bias", "false is not supported");
  return c;
}

/// A [1, 1, d] parameter as [d].
Value vectorOf(GraphBuilder &g, Value param) {
  return tensor::CollapseShapeOp::create(
      g.builder(), g.location(), param,
      ArrayRef<ReassociationIndices>{{0, 1, 2}});
}

/// `vector` ([d]) repeated into [sizes..., d].
Value repeat(GraphBuilder &g, Value vector, ArrayRef<OpFoldResult> leading) {
  OpBuilder &b = g.builder();
  SmallVector<OpFoldResult> sizes(leading);
  sizes.push_back(b.getIndexAttr(GraphBuilder::shape(vector)[0]));
  Value empty = tensor::EmptyOp::create(b, g.location(), sizes, b.getF32Type());
  SmallVector<int64_t> added;
  for (size_t i = 0; i < leading.size(); ++i)
    added.push_back(i);
  return linalg::BroadcastOp::create(b, g.location(), vector, empty, added)
      .getResult()[0];
}

/// MAE's decoder and loss (ViTMAEForPreTraining), on the encoder output
/// `latent` ([batch, 1 + keep, hidden]).
void buildMaeDecoder(FamilyContext &ctx, GraphBuilder &g, ModelFunction &fn,
                     const VisionConfig &enc, Value latent, Value pixels,
                     Value mask, Value idsRestore) {
  ConfigReader &r = ctx.config;
  VisionConfig dec = enc;
  dec.hidden = r.integer("decoder_hidden_size");
  dec.layers = r.integer("decoder_num_hidden_layers");
  dec.heads = r.integer("decoder_num_attention_heads");
  dec.intermediate = r.integer("decoder_intermediate_size");
  checkHeads(r, dec.hidden, dec.heads, "decoder_hidden_size",
             "decoder_num_attention_heads");
  bool normPixLoss = r.boolean("norm_pix_loss", false);
  if (!r.ok())
    return;

  GraphBuilder d(g.builder(), g.location(), "decoder.");
  OpBuilder &b = g.builder();
  Location loc = g.location();
  int64_t patches = enc.patches();
  Value x = d.linear(latent, "decoder_embed", dec.hidden, enc.hidden);
  // Append mask tokens for the removed patches, then unshuffle.
  // One creation per statement: C++ leaves argument order unspecified.
  Value tokens = g.dim(x, 1);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value patchTokens = b.createOrFold<arith::SubIOp>(loc, tokens, one);
  Value visible = g.slice(x, 1, b.getIndexAttr(1), patchTokens);
  Value allPatches = arith::ConstantIndexOp::create(b, loc, patches);
  Value visibleCount = g.dim(visible, 1);
  Value removed = b.createOrFold<arith::SubIOp>(loc, allPatches, visibleCount);
  Value maskToken = vectorOf(d, d.param("mask_token", {1, 1, dec.hidden}));
  OpFoldResult batch = g.size(x, 0);
  Value maskTokens = repeat(d, maskToken, {batch, OpFoldResult(removed)});
  Value shuffled = g.concat(1, {visible, maskTokens});
  Value unshuffled = GatherVisibleOp::create(
      b, loc, g.f32({kDynamic, patches, dec.hidden}), shuffled, idsRestore);
  Value cls = g.slice(x, 1, b.getIndexAttr(0), b.getIndexAttr(1));
  x = g.concat(1, {cls, unshuffled});
  x = d.learnedPositions(
      x,
      d.collapseLeadingUnit(
          d.param("decoder_pos_embed", {1, patches + 1, dec.hidden})),
      0);
  for (int64_t i = 0; i < dec.layers; ++i)
    x = preNormLayer(d, x, "decoder_layers." + Twine(i), kVitLayer, dec);
  x = d.layerNorm(x, "decoder_norm", dec.epsilon);
  int64_t pixelsPerPatch = enc.patchSize * enc.patchSize * enc.channels;
  Value prediction = d.linear(x, "decoder_pred", pixelsPerPatch, dec.hidden);
  prediction = g.slice(prediction, 1, b.getIndexAttr(1),
                       b.getIndexAttr(patches)); // drop the class token

  Value target = PatchifyOp::create(
      b, loc, g.f32({kDynamic, patches, pixelsPerPatch}), pixels,
      b.getDenseI64ArrayAttr({enc.patchSize, enc.patchSize}),
      normPixLoss ? b.getUnitAttr() : UnitAttr());
  Value loss = MseOp::create(b, loc, g.f32({}), prediction, target, mask);
  fn.addOutput("loss", loss);
  fn.addOutput("logits", prediction);
}

} // namespace

LogicalResult frontend::buildVisionEncoder(FamilyContext &ctx) {
  StringRef type = ctx.modelType;
  VisionConfig c = readVisionConfig(ctx.config, type);
  double maskRatio = type == "vit_mae" ? ctx.config.number("mask_ratio") : 0;
  if (!ctx.config.ok())
    return failure();

  std::string prefix =
      checkpointPrefix(ctx, "embeddings.patch_embeddings.projection.weight");
  int64_t patches = c.patches();
  auto pixelsType =
      GraphBuilder::f32({kDynamic, c.channels, c.imageSize, c.imageSize},
                        ctx.module.getContext());
  SmallVector<InputSpec> inputs = {
      {"pixel_values", pixelsType, {"batch", "", "", ""}, {}}};
  if (type == "vit_mae")
    inputs.push_back(
        {"noise",
         GraphBuilder::f32({kDynamic, patches}, ctx.module.getContext()),
         {"batch", ""},
         {}});
  ModelFunction fn(ctx.module, "main", inputs);
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
  OpBuilder &b = fn.builder();
  Location loc = ctx.module.getLoc();
  Value pixels = fn.input(0);

  Value weight = g.param("embeddings.patch_embeddings.projection.weight",
                         {c.hidden, c.channels, c.patchSize, c.patchSize});
  Value bias =
      g.param("embeddings.patch_embeddings.projection.bias", {c.hidden});
  Value cls = g.param("embeddings.cls_token", {1, 1, c.hidden});
  Value positions = g.collapseLeadingUnit(
      g.param("embeddings.position_embeddings", {1, patches + 1, c.hidden}));
  auto patchSize = b.getDenseI64ArrayAttr({c.patchSize, c.patchSize});

  Value h, mask, idsRestore;
  if (type == "vit_mae") {
    Value tokens =
        PatchEmbedOp::create(b, loc, g.f32({kDynamic, patches, c.hidden}),
                             pixels, weight, bias, Value(), patchSize);
    tokens = g.learnedPositions(tokens, positions, /*offset=*/1);
    int64_t keep = RandomMaskOp::getKeepCount(patches, maskRatio);
    if (keep <= 0) {
      ctx.config.invalid("mask_ratio", "keeps no patch");
      return failure();
    }
    auto i64 = b.getI64Type();
    auto masking = RandomMaskOp::create(
        b, loc, RankedTensorType::get({kDynamic, keep}, i64),
        g.f32({kDynamic, patches}),
        RankedTensorType::get({kDynamic, patches}, i64), tokens, fn.input(1),
        b.getF64FloatAttr(maskRatio), b.getI64IntegerAttr(0));
    mask = masking.getMask();
    idsRestore = masking.getIdsRestore();
    Value visible =
        GatherVisibleOp::create(b, loc, g.f32({kDynamic, keep, c.hidden}),
                                tokens, masking.getIdsKeep());
    Value clsVector = vectorOf(g, cls);
    OpFoldResult batch = g.size(tokens, 0);
    Value clsTokens = g.learnedPositions(
        repeat(g, clsVector, {batch, b.getIndexAttr(1)}), positions,
        /*offset=*/0);
    h = g.concat(1, {clsTokens, visible});
  } else {
    h = PatchEmbedOp::create(b, loc, g.f32({kDynamic, patches + 1, c.hidden}),
                             pixels, weight, bias, cls, patchSize);
    h = g.learnedPositions(h, positions, 0);
  }

  const PreNormLayerNames &names = type == "dinov2" ? kDinoLayer : kVitLayer;
  for (int64_t i = 0; i < c.layers; ++i)
    h = preNormLayer(g, h, "encoder.layer." + Twine(i), names, c);
  h = g.layerNorm(h, "layernorm", c.epsilon);

  if (type == "vit_mae") {
    bool hasDecoder = ctx.checkpoint.contains("decoder.decoder_embed.weight");
    if (hasDecoder) {
      buildMaeDecoder(ctx, g, fn, c, h, pixels, mask, idsRestore);
      if (!ctx.config.ok())
        return failure();
    }
    fn.addOutput("last_hidden_state", h);
    fn.addOutput("mask", mask);
    fn.addOutput("ids_restore", idsRestore);
    fn.finish();
    return success();
  }

  fn.addOutput("last_hidden_state", h);
  Value first = g.pool(PoolKind::cls, h);
  if (type == "dinov2") {
    fn.addOutput("pooler_output", first);
  } else if (ctx.checkpoint.empty() ||
             ctx.checkpoint.contains(prefix + "pooler.dense.weight")) {
    fn.addOutput("pooler_output", g.activation(g.linear(first, "pooler.dense",
                                                        c.hidden, c.hidden),
                                               ActivationKind::tanh));
  }
  fn.finish();
  return success();
}
