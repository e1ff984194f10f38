//===- Seq2SeqEncoders.cpp - the encoders of T5, mT5 and BART ------------===//
//
// The encoder halves of encoder-decoder models, as T5EncoderModel and
// BartModel.encoder run them; the decoders are left out.
//
// t5, mt5: token embeddings (unscaled, no positions), pre-norm blocks with
// RMS norm (T5LayerNorm: no mean, no bias) and bias-free projections.
// Positions enter as a bias on the attention scores: T5's bucketed
// relative positions, one table in the first block shared by all blocks.
// Scores are not scaled by 1/sqrt(d_kv) (T5 folds that into its weights'
// initialization). The feed-forward is `relu` or gated (`gated-gelu`:
// gelu_new(wi_0 x) * wi_1 x, T5 v1.1, mT5, Flan-T5).
//
// bart: scaled token embeddings (`scale_embedding`) plus learned positions
// at offset 2, `layernorm_embedding`, then post-LN layers as BERT's.
//
//===----------------------------------------------------------------------===//

#include "Families.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::frontend;

namespace {

/// The token embedding table: `shared.weight`, or the encoder's own copy
/// when a checkpoint keeps only that one (both are the same tied tensor).
Value sharedEmbedding(FamilyContext &ctx, GraphBuilder &g,
                      const std::string &prefix, int64_t vocab, int64_t dim) {
  bool encoderCopyOnly =
      !ctx.checkpoint.contains(prefix + "shared.weight") &&
      ctx.checkpoint.contains(prefix + "encoder.embed_tokens.weight");
  return g.param(encoderCopyOnly ? "encoder.embed_tokens.weight"
                                 : "shared.weight",
                 {vocab, dim});
}

//===----------------------------------------------------------------------===//
// T5 and mT5
//===----------------------------------------------------------------------===//

struct T5Config {
  int64_t vocab, dim, keyValueDim, ffn, layers, heads, buckets, maxDistance;
  double epsilon;
  ActivationKind activation;
  bool gated;
};

T5Config readT5Config(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  T5Config c;
  c.vocab = r.integer("vocab_size");
  c.dim = r.integer("d_model");
  c.keyValueDim = r.integer("d_kv");
  c.ffn = r.integer("d_ff");
  c.layers = r.integer("num_layers");
  c.heads = r.integer("num_heads");
  c.buckets = r.integer("relative_attention_num_buckets", 32);
  c.maxDistance = r.integer("relative_attention_max_distance", 128);
  c.epsilon = r.number("layer_norm_epsilon", 1e-6);
  // T5Config's parsing: "[gated-]ACT"; "gated-gelu" means gelu_new.
  std::string proj = r.string("feed_forward_proj",
                              ctx.modelType == "mt5" ? "gated-gelu" : "relu");
  StringRef act = proj;
  c.gated = act.consume_front("gated-");
  if (proj == "gated-gelu")
    act = "gelu_new";
  FailureOr<ActivationKind> kind = activationNamed(act);
  if (failed(kind) || act.contains('-'))
    r.invalid("feed_forward_proj",
              "'" + proj + "' is not 'ACT' or 'gated-ACT' with a known ACT");
  else
    c.activation = *kind;
  for (auto [key, value] : {std::pair<StringRef, int64_t>{"d_model", c.dim},
                            {"d_kv", c.keyValueDim},
                            {"d_ff", c.ffn},
                            {"num_heads", c.heads},
                            {"relative_attention_num_buckets", c.buckets},
                            {"relative_attention_max_distance", c.maxDistance}})
    if (r.ok() && value <= 0)
      r.invalid(key, "(" + Twine(value) + ") must be positive");
  // Bidirectional buckets split in two halves, each half again into exact
  // and logarithmic buckets.
  if (r.ok() && c.buckets < 4)
    r.invalid("relative_attention_num_buckets",
              "(" + Twine(c.buckets) + ") must be at least 4");
  // enc.relative_position_bias's bounds: offsets past the exact buckets, a
  // compile-time table of 2 max_distance + 1 entries.
  if (r.ok() && (c.maxDistance <= c.buckets / 4 ||
                 c.maxDistance > RelativePositionBiasOp::kMaxDistance))
    r.invalid("relative_attention_max_distance",
              "(" + Twine(c.maxDistance) + ") must exceed " +
                  Twine(c.buckets / 4) + " and be at most " +
                  Twine(RelativePositionBiasOp::kMaxDistance));
  return c;
}

/// One T5 self-attention: bias-free projections to heads x d_kv, unscaled
/// scores plus the position bias, masked, projection back.
Value t5Attention(GraphBuilder &g, Value x, const std::string &base,
                  const T5Config &c, Value positions, Value padding) {
  int64_t inner = c.heads * c.keyValueDim;
  auto project = [&](StringRef name) {
    return g.splitHeads(g.linear(x, base + name, inner, c.dim, false), c.heads);
  };
  Value q = project("q"), k = project("k"), v = project("v");
  Value context = g.mergeHeads(g.attention(q, k, v, padding, /*causal=*/false,
                                           /*scale=*/1.0, positions));
  return g.linear(context, base + "o", c.dim, inner, false);
}

Value t5FeedForward(GraphBuilder &g, Value x, const std::string &base,
                    const T5Config &c) {
  Value hidden;
  if (c.gated) {
    Value gate = g.activation(g.linear(x, base + "wi_0", c.ffn, c.dim, false),
                              c.activation);
    hidden = g.mul(gate, g.linear(x, base + "wi_1", c.ffn, c.dim, false));
  } else {
    hidden = g.activation(g.linear(x, base + "wi", c.ffn, c.dim, false),
                          c.activation);
  }
  return g.linear(hidden, base + "wo", c.dim, c.ffn, false);
}

LogicalResult buildT5Encoder(FamilyContext &ctx) {
  T5Config c = readT5Config(ctx);
  if (!ctx.config.ok())
    return failure();
  std::string prefix =
      checkpointPrefix(ctx, "encoder.block.0.layer.0.SelfAttention.q.weight");
  MLIRContext *mlirCtx = ctx.module.getContext();
  // Relative positions: no limit on the sequence.
  ModelFunction fn(ctx.module, "main", textInputs(mlirCtx, -1));
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
  OpBuilder &b = fn.builder();
  Location loc = ctx.module.getLoc();
  Value ids = fn.input(0), mask = fn.input(1);

  Value h = g.embedding(ids, sharedEmbedding(ctx, g, prefix, c.vocab, c.dim));

  // The first block's relative position bias, for every block, beside the
  // padding mask (Hugging Face adds finfo.min to the bias at padded keys;
  // enc.attention's integer mask gives the same scores in float32).
  Value length = g.dim(h, 1);
  Value table = g.param(
      "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
      {c.buckets, c.heads});
  Value positions = RelativePositionBiasOp::create(
      b, loc, g.f32({1, c.heads, kDynamic, kDynamic}), table, length, length,
      b.getI64IntegerAttr(c.buckets), b.getI64IntegerAttr(c.maxDistance),
      b.getUnitAttr());
  Value padding = g.attentionMask(mask);

  for (int64_t i = 0; i < c.layers; ++i) {
    std::string block = "encoder.block." + std::to_string(i) + ".layer.";
    Value normed = g.rmsNorm(h, block + "0.layer_norm", c.epsilon);
    h = g.add(h, t5Attention(g, normed, block + "0.SelfAttention.", c,
                             positions, padding));
    normed = g.rmsNorm(h, block + "1.layer_norm", c.epsilon);
    h = g.add(h, t5FeedForward(g, normed, block + "1.DenseReluDense.", c));
  }
  h = g.rmsNorm(h, "encoder.final_layer_norm", c.epsilon);

  if (!addSentencePooling(ctx, g, fn, h, mask))
    fn.addOutput("last_hidden_state", h);
  fn.finish();
  return success();
}

//===----------------------------------------------------------------------===//
// BART
//===----------------------------------------------------------------------===//

const AttentionNames kBartAttention = {"self_attn.q_proj", "self_attn.k_proj",
                                       "self_attn.v_proj",
                                       "self_attn.out_proj"};

/// BartLearnedPositionalEmbedding's offset: its table has two rows more
/// than max_position_embeddings, and position i reads row i + 2.
constexpr int64_t kBartPositionOffset = 2;
/// BART's layer norms are nn.LayerNorm with the default epsilon.
constexpr double kBartEpsilon = 1e-5;

LogicalResult buildBartEncoder(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  int64_t vocab = r.integer("vocab_size");
  int64_t dim = r.integer("d_model");
  int64_t layers = r.integer("encoder_layers");
  int64_t heads = r.integer("encoder_attention_heads");
  int64_t ffn = r.integer("encoder_ffn_dim");
  int64_t maxPositions = r.integer("max_position_embeddings");
  bool scaleEmbedding = r.boolean("scale_embedding", false);
  ActivationKind act = activationFromConfig(r, "activation_function", "gelu");
  checkHeads(r, dim, heads, "d_model", "encoder_attention_heads");
  if (r.ok() && maxPositions <= 0)
    r.invalid("max_position_embeddings",
              "(" + Twine(maxPositions) + ") must be positive");
  if (!r.ok())
    return failure();

  // BartModel's names, or BartForConditionalGeneration's under "model.".
  std::string prefix =
      checkpointPrefix(ctx, "encoder.layers.0.self_attn.q_proj.weight");
  ModelFunction fn(ctx.module, "main",
                   textInputs(ctx.module.getContext(), maxPositions));
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
  Value ids = fn.input(0), mask = fn.input(1);

  Value h = g.embedding(ids, sharedEmbedding(ctx, g, prefix, vocab, dim));
  if (scaleEmbedding)
    h = g.scale(h, std::sqrt(static_cast<double>(dim)));
  h = g.learnedPositions(h,
                         g.param("encoder.embed_positions.weight",
                                 {maxPositions + kBartPositionOffset, dim}),
                         kBartPositionOffset);
  h = g.layerNorm(h, "encoder.layernorm_embedding", kBartEpsilon);

  Value attentionMask = g.attentionMask(mask);
  for (int64_t i = 0; i < layers; ++i) {
    std::string layer = "encoder.layers." + std::to_string(i);
    Value a =
        g.selfAttention(h, layer, kBartAttention, heads, dim, attentionMask);
    h = g.layerNorm(g.add(a, h), layer + ".self_attn_layer_norm", kBartEpsilon);
    Value m = g.mlp(h, layer + ".fc1", layer + ".fc2", ffn, dim, act);
    h = g.layerNorm(g.add(m, h), layer + ".final_layer_norm", kBartEpsilon);
  }

  if (!addSentencePooling(ctx, g, fn, h, mask))
    fn.addOutput("last_hidden_state", h);
  fn.finish();
  return success();
}

} // namespace

LogicalResult frontend::buildSeq2SeqEncoder(FamilyContext &ctx) {
  return ctx.modelType == "bart" ? buildBartEncoder(ctx) : buildT5Encoder(ctx);
}
