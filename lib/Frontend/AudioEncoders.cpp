//===- AudioEncoders.cpp - wav2vec 2.0 and the Whisper encoder
//--------------===//
//
// wav2vec 2.0: a 1-D convolutional feature encoder over raw 16 kHz audio
// (group or layer norm, GELU), a feature projection, a grouped positional
// convolution with weight norm, then post-LN (base) or pre-LN ("stable
// layer norm", large) transformer layers. HuBERT is the same network under
// the same tensor names; its feature projection's layer norm is optional
// (`feat_proj_layer_norm`) and HubertModel returns no `extract_features`.
//
// Whisper's encoder: two convolutions over the log-mel features, sinusoidal
// positions, pre-LN layers. With FrontendOptions::audioInput the artifact
// takes the audio and computes the features itself (enc.log_mel).
//
//===----------------------------------------------------------------------===//

#include "Families.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::frontend;

namespace {

Value conv1d(GraphBuilder &g, Value x, Value weight, Value bias, int64_t stride,
             int64_t padding, int64_t groups) {
  OpBuilder &b = g.builder();
  ArrayRef<int64_t> xs = GraphBuilder::shape(x),
                    ws = GraphBuilder::shape(weight);
  int64_t time = xs[2];
  if (!ShapedType::isDynamic(time))
    time = (time + 2 * padding - ws[2]) / stride + 1;
  return Conv1dOp::create(b, g.location(), g.f32({xs[0], ws[0], time}), x,
                          weight, bias, b.getI64IntegerAttr(stride),
                          b.getI64IntegerAttr(padding),
                          b.getI64IntegerAttr(groups));
}

/// [batch, channels, time] <-> [batch, time, channels].
Value swapLastDims(GraphBuilder &g, Value x) {
  return g.transpose(x, {0, 2, 1});
}

const AttentionNames kWav2Vec2Attention = {
    "attention.q_proj", "attention.k_proj", "attention.v_proj",
    "attention.out_proj"};

LogicalResult buildWav2Vec2(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  SmallVector<int64_t> convDim = r.integers("conv_dim");
  SmallVector<int64_t> convKernel = r.integers("conv_kernel");
  SmallVector<int64_t> convStride = r.integers("conv_stride");
  bool convBias = r.boolean("conv_bias", false);
  std::string featNorm = r.string("feat_extract_norm", "group");
  ActivationKind featAct =
      activationFromConfig(r, "feat_extract_activation", "gelu");
  int64_t hidden = r.integer("hidden_size");
  int64_t layers = r.integer("num_hidden_layers");
  int64_t heads = r.integer("num_attention_heads");
  int64_t intermediate = r.integer("intermediate_size");
  ActivationKind act = activationFromConfig(r, "hidden_act", "gelu");
  double eps = r.number("layer_norm_eps", 1e-5);
  int64_t posKernel = r.integer("num_conv_pos_embeddings", 128);
  int64_t posGroups = r.integer("num_conv_pos_embedding_groups", 16);
  bool stable = r.boolean("do_stable_layer_norm", false);
  bool hubert = ctx.modelType == "hubert";
  bool projectionNorm = !hubert || r.boolean("feat_proj_layer_norm", true);
  checkHeads(r, hidden, heads, "hidden_size", "num_attention_heads");
  if (convDim.size() != convKernel.size() ||
      convDim.size() != convStride.size() || convDim.empty())
    r.invalid("conv_dim", "conv_kernel and conv_stride must have one equal, "
                          "non-zero length");
  if (featNorm != "group" && featNorm != "layer")
    r.invalid("feat_extract_norm", "must be \"group\" or \"layer\"");
  if (posGroups <= 0 || hidden % posGroups != 0)
    r.invalid("num_conv_pos_embedding_groups", "must divide hidden_size");
  if (!r.ok())
    return failure();

  std::string prefix =
      checkpointPrefix(ctx, "feature_extractor.conv_layers.0.conv.weight");
  MLIRContext *mlirCtx = ctx.module.getContext();
  ModelFunction fn(ctx.module, "main",
                   {{"input_values",
                     GraphBuilder::f32({kDynamic, kDynamic}, mlirCtx),
                     {"batch", "samples"},
                     {}}});
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
  OpBuilder &b = fn.builder();
  Location loc = ctx.module.getLoc();

  // Feature encoder: [batch, samples] -> [batch, 1, samples] -> convs.
  Value audio = fn.input(0);
  Value x = tensor::ExpandShapeOp::create(
      b, loc, g.f32({kDynamic, 1, kDynamic}), audio,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}},
      ArrayRef<OpFoldResult>{g.size(audio, 0), b.getIndexAttr(1),
                             g.size(audio, 1)});
  int64_t channels = 1;
  for (size_t i = 0; i < convDim.size(); ++i) {
    std::string layer = "feature_extractor.conv_layers." + std::to_string(i);
    Value weight =
        g.param(layer + ".conv.weight", {convDim[i], channels, convKernel[i]});
    Value bias =
        convBias ? g.param(layer + ".conv.bias", {convDim[i]}) : Value();
    x = conv1d(g, x, weight, bias, convStride[i], 0, 1);
    if (featNorm == "group" && i == 0) {
      // One group per channel: each channel normalized over time.
      Value scale = g.param(layer + ".layer_norm.weight", {convDim[i]});
      Value shift = g.param(layer + ".layer_norm.bias", {convDim[i]});
      x = GroupNormOp::create(b, loc, x.getType(), x, scale, shift,
                              b.getI64IntegerAttr(convDim[i]),
                              b.getF64FloatAttr(1e-5));
    } else if (featNorm == "layer") {
      x = swapLastDims(
          g, g.layerNorm(swapLastDims(g, x), layer + ".layer_norm", 1e-5));
    }
    x = g.activation(x, featAct);
    channels = convDim[i];
  }

  // Feature projection.
  // Feature projection; Hugging Face returns its normalized input as
  // `extract_features`.
  Value features = swapLastDims(g, x);
  if (projectionNorm)
    features = g.layerNorm(features, "feature_projection.layer_norm", eps);
  Value h =
      g.linear(features, "feature_projection.projection", hidden, channels);

  // Positional convolution, weight-normalized over the kernel dimension.
  std::string conv = "encoder.pos_conv_embed.conv.";
  bool legacyNames = ctx.checkpoint.contains(prefix + conv + "weight_g");
  std::string gName =
      legacyNames ? "weight_g" : "parametrizations.weight.original0";
  std::string vName =
      legacyNames ? "weight_v" : "parametrizations.weight.original1";
  Value v = g.param(conv + vName, {hidden, hidden / posGroups, posKernel});
  Value weight = WeightNormOp::create(b, loc, v.getType(),
                                      g.param(conv + gName, {1, 1, posKernel}),
                                      v, b.getI64IntegerAttr(2));
  Value channelsFirst = swapLastDims(g, h);
  Value bias = g.param(conv + "bias", {hidden});
  Value pos =
      conv1d(g, channelsFirst, weight, bias, 1, posKernel / 2, posGroups);
  if (posKernel % 2 == 0) // SamePad: an even kernel makes one extra frame
    pos = g.slice(pos, 2, b.getIndexAttr(0), g.size(h, 1));
  pos = swapLastDims(g, g.activation(pos, ActivationKind::gelu));
  h = g.add(h, pos);

  if (!stable)
    h = g.layerNorm(h, "encoder.layer_norm", eps);
  for (int64_t i = 0; i < layers; ++i) {
    std::string layer = "encoder.layers." + std::to_string(i);
    if (stable) {
      h = g.preNormLayer(h, layer, kWav2Vec2Attention, "layer_norm",
                         "final_layer_norm", "feed_forward.intermediate_dense",
                         "feed_forward.output_dense", heads, hidden,
                         intermediate, act, eps, Value());
      continue;
    }
    Value a =
        g.selfAttention(h, layer, kWav2Vec2Attention, heads, hidden, Value());
    h = g.layerNorm(g.add(a, h), layer + ".layer_norm", eps);
    Value m =
        g.mlp(h, layer + ".feed_forward.intermediate_dense",
              layer + ".feed_forward.output_dense", intermediate, hidden, act);
    h = g.layerNorm(g.add(m, h), layer + ".final_layer_norm", eps);
  }
  if (stable)
    h = g.layerNorm(h, "encoder.layer_norm", eps);

  fn.addOutput("last_hidden_state", h);
  if (!hubert)
    fn.addOutput("extract_features", features);
  fn.finish();
  return success();
}

const AttentionNames kWhisperAttention = {
    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
    "self_attn.out_proj",
    /*keyBias=*/false};

LogicalResult buildWhisperEncoder(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  int64_t mels = r.integer("num_mel_bins");
  int64_t dim = r.integer("d_model");
  int64_t layers = r.integer("encoder_layers");
  int64_t heads = r.integer("encoder_attention_heads");
  int64_t ffn = r.integer("encoder_ffn_dim");
  int64_t positions = r.integer("max_source_positions");
  ActivationKind act = activationFromConfig(r, "activation_function", "gelu");
  checkHeads(r, dim, heads, "d_model", "encoder_attention_heads");
  // The positions pair a sine and a cosine per frequency (Hugging Face's
  // sinusoids() asserts an even size too).
  if (r.ok() && dim % 2 != 0)
    r.invalid("d_model",
              "(" + Twine(dim) + ") must be even for the sinusoidal positions");
  // WhisperFeatureExtractor's 400-point FFT: 201 frequency bins to pool.
  constexpr int64_t kFftSize = 400, kHopLength = 160;
  if (r.ok() && ctx.options.audioInput && mels > kFftSize / 2 + 1)
    r.invalid("num_mel_bins", "(" + Twine(mels) + ") must be at most " +
                                  Twine(kFftSize / 2 + 1) +
                                  " with --audio-input (the frequency bins "
                                  "of its " +
                                  Twine(kFftSize) + "-point FFT)");
  if (!r.ok())
    return failure();

  std::string prefix = checkpointPrefix(ctx, "encoder.conv1.weight");
  MLIRContext *mlirCtx = ctx.module.getContext();
  // The encoder takes exactly 2 * max_source_positions frames (30 s), as
  // Hugging Face's WhisperEncoder insists. Audio may be shorter: like
  // WhisperFeatureExtractor, the artifact pads it with zeros to 30 s;
  // longer audio is refused (the extractor would cut it silently).
  int64_t frames = 2 * positions;
  int64_t samples = frames * kHopLength;
  InputSpec input =
      ctx.options.audioInput
          ? InputSpec{"audio",
                      GraphBuilder::f32({kDynamic, kDynamic}, mlirCtx),
                      {"batch", "samples"},
                      {-1, samples}}
          : InputSpec{"input_features",
                      GraphBuilder::f32({kDynamic, mels, frames}, mlirCtx),
                      {"batch", "", ""},
                      {}};
  ModelFunction fn(ctx.module, "main", {input});
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix + "encoder.");
  OpBuilder &b = fn.builder();
  Location loc = ctx.module.getLoc();

  Value features = fn.input(0);
  if (ctx.options.audioInput) {
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value full = arith::ConstantIndexOp::create(b, loc, samples);
    Value given = tensor::DimOp::create(b, loc, features, 1);
    Value missing = arith::SubIOp::create(b, loc, full, given);
    features = tensor::PadOp::create(
        b, loc, g.f32({kDynamic, samples}), features,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), OpFoldResult(missing)}, zero);
    features = LogMelOp::create(
        b, loc, g.f32({kDynamic, mels, frames}), features,
        b.getI64IntegerAttr(kFftSize), b.getI64IntegerAttr(kHopLength),
        b.getI64IntegerAttr(mels), b.getI64IntegerAttr(16000));
  }
  Value conv1Weight = g.param("conv1.weight", {dim, mels, 3});
  Value conv1Bias = g.param("conv1.bias", {dim});
  Value x = conv1d(g, features, conv1Weight, conv1Bias, 1, 1, 1);
  x = g.activation(x, ActivationKind::gelu);
  Value conv2Weight = g.param("conv2.weight", {dim, dim, 3});
  Value conv2Bias = g.param("conv2.bias", {dim});
  x = conv1d(g, x, conv2Weight, conv2Bias, 2, 1, 1);
  x = g.activation(x, ActivationKind::gelu);
  Value h = swapLastDims(g, x); // [batch, positions, dim]
  h = PositionalEncodingOp::create(
      b, loc, h.getType(),
      PositionKindAttr::get(mlirCtx, PositionKind::sinusoidal_concat), h,
      Value(), b.getI64IntegerAttr(0), b.getF64FloatAttr(10000.0));
  for (int64_t i = 0; i < layers; ++i)
    h = g.preNormLayer(h, "layers." + Twine(i), kWhisperAttention,
                       "self_attn_layer_norm", "final_layer_norm", "fc1", "fc2",
                       heads, dim, ffn, act, 1e-5, Value());
  h = g.layerNorm(h, "layer_norm", 1e-5);
  fn.addOutput("last_hidden_state", h);
  fn.finish();
  return success();
}

} // namespace

LogicalResult frontend::buildAudioEncoder(FamilyContext &ctx) {
  return ctx.modelType == "whisper" ? buildWhisperEncoder(ctx)
                                    : buildWav2Vec2(ctx);
}
