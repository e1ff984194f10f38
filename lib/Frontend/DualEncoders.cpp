//===- DualEncoders.cpp - CLIP and SigLIP
//-----------------------------------===//
//
// A text tower and a vision tower (pre-LN transformers) projected into one
// embedding space, with Hugging Face's four entry points:
//
//   get_text_features(input_ids[, attention_mask]) -> text_embeds
//   get_image_features(pixel_values)               -> image_embeds
//   main(texts..., pixel_values) -> logits_per_image, logits_per_text, ...
//   loss(texts..., pixel_values) -> loss (CLIP: InfoNCE, SigLIP: sigmoid)
//
// `main`'s text and image batches are independent; `loss` needs pairs, so
// its two share the name `batch`. docs/rationale/frontend.md, 'Functions'.
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

struct TowerConfig {
  int64_t hidden, layers, heads, intermediate;
  double epsilon;
  ActivationKind activation;
  // Text
  int64_t vocab = 0, maxPositions = 0;
  // Vision
  int64_t imageSize = 0, patchSize = 0, channels = 3;
  int64_t patches() const {
    return (imageSize / patchSize) * (imageSize / patchSize);
  }
};

const AttentionNames kAttention = {"self_attn.q_proj", "self_attn.k_proj",
                                   "self_attn.v_proj", "self_attn.out_proj"};

TowerConfig readTower(ConfigReader &r, bool vision, StringRef defaultAct,
                      double defaultEps) {
  TowerConfig c;
  c.hidden = r.integer("hidden_size");
  c.layers = r.integer("num_hidden_layers");
  c.heads = r.integer("num_attention_heads");
  c.intermediate = r.integer("intermediate_size");
  c.epsilon = r.number("layer_norm_eps", defaultEps);
  c.activation = activationFromConfig(r, "hidden_act", defaultAct);
  checkHeads(r, c.hidden, c.heads, "hidden_size", "num_attention_heads");
  if (vision) {
    c.imageSize = r.integer("image_size");
    c.patchSize = r.integer("patch_size");
    c.channels = r.integer("num_channels", 3);
    if (c.patchSize <= 0 || c.imageSize % c.patchSize != 0)
      r.invalid("image_size", "must be a multiple of patch_size");
  } else {
    c.vocab = r.integer("vocab_size");
    c.maxPositions = r.integer("max_position_embeddings");
  }
  return c;
}

struct DualConfig {
  bool siglip;
  TowerConfig text, vision;
  int64_t projection = 0; // CLIP's projection_dim
};

class DualBuilder {
public:
  DualBuilder(FamilyContext &ctx, const DualConfig &c, std::string prefix)
      : ctx(ctx), c(c), prefix(std::move(prefix)) {}

  SmallVector<InputSpec> textInputs(StringRef batch) {
    auto ids = RankedTensorType::get({kDynamic, kDynamic},
                                     IntegerType::get(context(), 64));
    SmallVector<InputSpec> inputs = {{"input_ids",
                                      ids,
                                      {batch.str(), "sequence"},
                                      {-1, c.text.maxPositions}}};
    // SigLIP was trained on max-length padding without a mask.
    if (!c.siglip)
      inputs.push_back({"attention_mask",
                        ids,
                        {batch.str(), "sequence"},
                        {-1, c.text.maxPositions},
                        "ones"});
    return inputs;
  }

  InputSpec imageInput(StringRef batch) {
    const TowerConfig &v = c.vision;
    return {"pixel_values",
            GraphBuilder::f32({kDynamic, v.channels, v.imageSize, v.imageSize},
                              context()),
            {batch.str(), "", "", ""},
            {}};
  }

  /// The text tower's projected (unnormalized) embedding.
  Value textFeatures(ModelFunction &fn, unsigned firstInput) {
    const TowerConfig &t = c.text;
    GraphBuilder g(fn.builder(), loc(), prefix + "text_model.");
    Value ids = fn.input(firstInput);
    Value h = g.embedding(
        ids, g.param("embeddings.token_embedding.weight", {t.vocab, t.hidden}));
    h = g.learnedPositions(h,
                           g.param("embeddings.position_embedding.weight",
                                   {t.maxPositions, t.hidden}),
                           0);
    Value mask = c.siglip ? Value() : fn.input(firstInput + 1);
    Value attentionMask = mask ? g.attentionMask(mask) : Value();
    for (int64_t i = 0; i < t.layers; ++i)
      h = g.preNormLayer(h, "encoder.layers." + Twine(i), kAttention,
                         "layer_norm1", "layer_norm2", "mlp.fc1", "mlp.fc2",
                         t.heads, t.hidden, t.intermediate, t.activation,
                         t.epsilon, attentionMask, /*causal=*/!c.siglip);
    h = g.layerNorm(h, "final_layer_norm", t.epsilon);
    // CLIP pools the end-of-text token, the last real token of a
    // tokenizer's output; SigLIP the last position.
    Value pooled = g.pool(PoolKind::last, h, mask);
    if (c.siglip)
      return g.linear(pooled, "head", t.hidden, t.hidden);
    GraphBuilder top(fn.builder(), loc(), prefix);
    return top.linear(pooled, "text_projection", c.projection, t.hidden,
                      /*bias=*/false);
  }

  /// The vision tower's projected (unnormalized) embedding.
  Value imageFeatures(ModelFunction &fn, unsigned input) {
    const TowerConfig &v = c.vision;
    GraphBuilder g(fn.builder(), loc(), prefix + "vision_model.");
    OpBuilder &b = fn.builder();
    Value pixels = fn.input(input);
    int64_t patches = v.patches();
    auto patchSize = b.getDenseI64ArrayAttr({v.patchSize, v.patchSize});
    Value weight = g.param("embeddings.patch_embedding.weight",
                           {v.hidden, v.channels, v.patchSize, v.patchSize});
    Value h;
    if (c.siglip) {
      h = PatchEmbedOp::create(
          b, loc(), g.f32({kDynamic, patches, v.hidden}), pixels, weight,
          g.param("embeddings.patch_embedding.bias", {v.hidden}), Value(),
          patchSize);
      h = g.learnedPositions(
          h,
          g.param("embeddings.position_embedding.weight", {patches, v.hidden}),
          0);
    } else {
      // CLIP's patch convolution has no bias; its class embedding is [d].
      Value cls = g.prependUnitDims(
          g.param("embeddings.class_embedding", {v.hidden}), 2);
      h = PatchEmbedOp::create(
          b, loc(), g.f32({kDynamic, patches + 1, v.hidden}), pixels, weight,
          g.constantF32({v.hidden}, 0.0f), cls, patchSize);
      h = g.learnedPositions(h,
                             g.param("embeddings.position_embedding.weight",
                                     {patches + 1, v.hidden}),
                             0);
      h = g.layerNorm(h, "pre_layrnorm", v.epsilon); // sic, as HF names it
    }
    for (int64_t i = 0; i < v.layers; ++i)
      h = g.preNormLayer(h, "encoder.layers." + Twine(i), kAttention,
                         "layer_norm1", "layer_norm2", "mlp.fc1", "mlp.fc2",
                         v.heads, v.hidden, v.intermediate, v.activation,
                         v.epsilon, Value());
    if (!c.siglip) {
      Value pooled =
          g.layerNorm(g.pool(PoolKind::cls, h), "post_layernorm", v.epsilon);
      GraphBuilder top(fn.builder(), loc(), prefix);
      return top.linear(pooled, "visual_projection", c.projection, v.hidden,
                        /*bias=*/false);
    }
    h = g.layerNorm(h, "post_layernorm", v.epsilon);
    return attentionPoolingHead(g, h);
  }

  /// SigLIP's multihead attention pooling: a learned probe attends over
  /// the patches, then a residual MLP.
  Value attentionPoolingHead(GraphBuilder &g, Value h) {
    const TowerConfig &v = c.vision;
    OpBuilder &b = g.builder();
    int64_t d = v.hidden;
    Value probe = g.collapseLeadingUnit(g.param("head.probe", {1, 1, d}));
    Value queryEmpty = tensor::EmptyOp::create(
        b, loc(),
        ArrayRef<OpFoldResult>{g.size(h, 0), b.getIndexAttr(1),
                               b.getIndexAttr(d)},
        b.getF32Type());
    Value query = linalg::BroadcastOp::create(b, loc(), probe, queryEmpty,
                                              ArrayRef<int64_t>{0})
                      .getResult()[0];
    // nn.MultiheadAttention packs the projections: rows [q; k; v].
    Value inWeight = g.param("head.attention.in_proj_weight", {3 * d, d});
    Value inBias = g.param("head.attention.in_proj_bias", {3 * d});
    auto rows = [&](Value packed, int64_t part) {
      return g.slice(packed, 0, b.getIndexAttr(part * d), b.getIndexAttr(d));
    };
    // One creation per statement (argument order is unspecified in C++).
    auto project = [&](Value x, int64_t part) {
      Value weight = rows(inWeight, part);
      Value bias = rows(inBias, part);
      return g.splitHeads(g.linear(x, weight, bias), v.heads);
    };
    Value q = project(query, 0);
    Value k = project(h, 1);
    Value val = project(h, 2);
    Value attended =
        g.linear(g.mergeHeads(g.attention(q, k, val, Value(), false)),
                 "head.attention.out_proj", d, d);
    Value mlp =
        g.mlp(g.layerNorm(attended, "head.layernorm", v.epsilon),
              "head.mlp.fc1", "head.mlp.fc2", v.intermediate, d, v.activation);
    return g.pool(PoolKind::cls, g.add(attended, mlp));
  }

  /// exp(logit_scale) * text·imageᵀ (+ logit_bias) of normalized features.
  Value logits(GraphBuilder &top, Value lhs, Value rhs) {
    OpBuilder &b = top.builder();
    Value scale = top.param("logit_scale", c.siglip ? SmallVector<int64_t>{1}
                                                    : SmallVector<int64_t>{});
    Value bias = c.siglip ? top.param("logit_bias", {1}) : Value();
    int64_t n = GraphBuilder::shape(lhs)[0], m = GraphBuilder::shape(rhs)[0];
    return SimilarityOp::create(
        b, loc(), top.f32({n, m}),
        SimilarityKindAttr::get(context(), SimilarityKind::dot), lhs, rhs,
        scale, bias, b.getUnitAttr());
  }

  void build() {
    unsigned textInputs_ = c.siglip ? 1 : 2;
    {
      ModelFunction fn(ctx.module, "get_text_features", textInputs("batch"));
      fn.addOutput("text_embeds", textFeatures(fn, 0));
      fn.finish();
    }
    {
      ModelFunction fn(ctx.module, "get_image_features", {imageInput("batch")});
      fn.addOutput("image_embeds", imageFeatures(fn, 0));
      fn.finish();
    }
    for (bool loss : {false, true}) {
      SmallVector<InputSpec> inputs = textInputs(loss ? "batch" : "texts");
      inputs.push_back(imageInput(loss ? "batch" : "images"));
      ModelFunction fn(ctx.module, loss ? "loss" : "main", inputs);
      GraphBuilder top(fn.builder(), loc(), prefix);
      Value text = top.l2Normalize(textFeatures(fn, 0));
      Value image = top.l2Normalize(imageFeatures(fn, textInputs_));
      Value perText = logits(top, text, image);
      if (loss) {
        OpBuilder &b = fn.builder();
        Value value =
            c.siglip
                ? SigmoidContrastiveOp::create(b, loc(), top.f32({}), perText)
                      .getResult()
                : ContrastiveOp::create(b, loc(), top.f32({}), perText,
                                        b.getUnitAttr())
                      .getResult();
        fn.addOutput("loss", value);
      } else {
        fn.addOutput("logits_per_image", logits(top, image, text));
        fn.addOutput("logits_per_text", perText);
        fn.addOutput("text_embeds", text);
        fn.addOutput("image_embeds", image);
      }
      fn.finish();
    }
  }

private:
  MLIRContext *context() { return ctx.module.getContext(); }
  Location loc() { return ctx.module.getLoc(); }

  FamilyContext &ctx;
  const DualConfig &c;
  std::string prefix;
};

} // namespace

LogicalResult frontend::buildDualEncoder(FamilyContext &ctx) {
  DualConfig c;
  c.siglip = ctx.modelType == "siglip";
  std::optional<ConfigReader> text = ctx.config.nested("text_config");
  std::optional<ConfigReader> vision = ctx.config.nested("vision_config");
  if (!text || !vision)
    return failure();
  StringRef act = c.siglip ? "gelu_pytorch_tanh" : "quick_gelu";
  double eps = c.siglip ? 1e-6 : 1e-5;
  c.text = readTower(*text, /*vision=*/false, act, eps);
  c.vision = readTower(*vision, /*vision=*/true, act, eps);
  if (!c.siglip)
    c.projection = ctx.config.integer("projection_dim", 512);
  if (c.siglip && c.text.hidden != c.vision.hidden)
    ctx.config.invalid("text_config", "and vision_config must have one "
                                      "hidden_size (SigLIP compares them)");
  if (!ctx.config.ok())
    return failure();
  DualBuilder(ctx, c,
              checkpointPrefix(ctx, "text_model.embeddings.token_embedding."
                                    "weight"))
      .build();
  return success();
}
