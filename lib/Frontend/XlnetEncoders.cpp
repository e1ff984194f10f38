//===- XlnetEncoders.cpp - XLNet ------------------------------------------===//
//
// xlnet (XLNetModel, XLNetLMHeadModel): word embeddings, then post-LN layers
// of Transformer-XL relative attention (enc.relative_attention over
// enc.relative_sinusoid positions projected by each layer's `r`, with
// `r_w_bias`, `r_r_bias` and the segment term from `seg_embed`, `r_s_bias`)
// and a feed-forward block. The projections are einsum weights
// [d_model, n_head, d_head], applied as `x · W`.
//
// Three functions, as Hugging Face's forward takes its inputs:
// - `main(input_ids, attention_mask, token_type_ids)` -> the content stream,
//   `last_hidden_state` [batch, seq, d_model];
// - `query_stream(..., perm_mask, target_mapping)` -> the query stream of
//   two-stream attention, `last_hidden_state` [batch, num_predict, d_model]
//   (what XLNetModel returns when given a target mapping);
// - with an `lm_loss` head in the checkpoint, `pretraining(..., labels)` ->
//   the permutation-LM loss (cross entropy of the query stream's logits at
//   the targets, -100 ignored) and the logits.
//
// Masks follow Hugging Face: a key is hidden from query i when
// (1 - attention_mask[j]) + perm_mask[i, j] > 0; the content stream always
// sees its own position, the query stream does not. token_type_ids default
// to zeros: the segment term then compares equal ids, as Hugging Face does
// when given token_type_ids (its tokenizer always returns them; called
// without them, Hugging Face drops the term). Memory (`mems`), `attn_type`
// `uni` and `bi_data` are not supported.
//
//===----------------------------------------------------------------------===//

#include "Families.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::frontend;

namespace {

struct XlnetConfig {
  int64_t vocab, hidden, layers, heads, headDim, inner, clamp;
  double epsilon;
  ActivationKind activation;
};

XlnetConfig readConfig(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  XlnetConfig c;
  c.vocab = r.integer("vocab_size");
  c.hidden = r.integer("d_model");
  c.layers = r.integer("n_layer");
  c.heads = r.integer("n_head");
  c.inner = r.integer("d_inner");
  c.epsilon = r.number("layer_norm_eps", 1e-12);
  c.activation = activationFromConfig(r, "ff_activation", "gelu");
  // clamp_len <= 0 (the default -1) clamps nothing.
  c.clamp = r.optionalSize("clamp_len").value_or(0);
  checkHeads(r, c.hidden, c.heads, "d_model", "n_head");
  c.headDim = r.ok() ? c.hidden / c.heads : 0;
  if (std::optional<int64_t> headDim = r.optionalSize("d_head");
      r.ok() && headDim && *headDim != c.headDim)
    r.invalid("d_head", "(" + Twine(*headDim) + ") must be d_model / n_head (" +
                            Twine(c.headDim) + ")");
  std::string attnType = r.string("attn_type", "bi");
  if (r.ok() && attnType != "bi")
    r.invalid("attn_type", "'" + attnType +
                               "' is not supported: only 'bi' (bidirectional) "
                               "XLNet is an encoder");
  if (r.ok() && r.boolean("bi_data", false))
    r.invalid("bi_data", "must be false: bidirectional data pipelines "
                         "(pre-training input halves) are not supported");
  return c;
}

/// A projection [d_model, heads, head_dim] as the [heads · head_dim,
/// d_model] weight enc.linear takes (`x · W`).
Value projectionWeight(GraphBuilder &g, const std::string &name,
                       const XlnetConfig &c) {
  Value w = g.param(name, {c.hidden, c.heads, c.headDim});
  Value matrix = tensor::CollapseShapeOp::create(
      g.builder(), g.location(), w,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  return g.transpose(matrix, {1, 0});
}

/// x [batch, seq, d_model] through a projection, split into heads.
Value projectHeads(GraphBuilder &g, Value x, const std::string &name,
                   const XlnetConfig &c) {
  return g.splitHeads(g.linear(x, projectionWeight(g, name, c), Value()),
                      c.heads);
}

SmallVector<utils::IteratorType> iteratorList(int64_t parallel,
                                              int64_t reduction = 0) {
  SmallVector<utils::IteratorType> list(parallel,
                                        utils::IteratorType::parallel);
  list.append(reduction, utils::IteratorType::reduction);
  return list;
}

/// The [batch, 1, seq, seq] keep-mask of a stream: key j is hidden from
/// query i when (1 - attention_mask[j]) + perm_mask[i, j] > 0 (in f32, as
/// Hugging Face's float masks); `seeSelf` keeps i == j (the content stream).
Value streamMask(GraphBuilder &g, Value attentionMask, Value permMask,
                 bool seeSelf) {
  OpBuilder &b = g.builder();
  Location loc = g.location();
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> sizes = {
      g.size(attentionMask, 0), b.getIndexAttr(1), g.size(attentionMask, 1),
      g.size(attentionMask, 1)};
  Value empty = tensor::EmptyOp::create(b, loc, sizes, b.getI1Type());
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  SmallVector<Value> inputs = {attentionMask};
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {d0, d3}, ctx)};
  if (permMask) {
    inputs.push_back(permMask);
    maps.push_back(AffineMap::get(4, 0, {d0, d2, d3}, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(4, ctx));
  return linalg::GenericOp::create(
             b, loc, empty.getType(), inputs, empty, maps, iteratorList(4),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Type f32 = nb.getF32Type();
               Value one = arith::ConstantOp::create(nb, l, f32,
                                                     nb.getF32FloatAttr(1.0f));
               Value zero = arith::ConstantOp::create(nb, l, f32,
                                                      nb.getF32FloatAttr(0.0f));
               Value kept = arith::SIToFPOp::create(nb, l, f32, args[0]);
               Value hidden = arith::SubFOp::create(nb, l, one, kept);
               if (permMask)
                 hidden = arith::AddFOp::create(nb, l, hidden, args[1]);
               Value keep = arith::CmpFOp::create(
                   nb, l, arith::CmpFPredicate::ULE, hidden, zero);
               if (seeSelf) {
                 Value i = linalg::IndexOp::create(nb, l, 2);
                 Value j = linalg::IndexOp::create(nb, l, 3);
                 Value self = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::eq, i, j);
                 keep = arith::OrIOp::create(nb, l, keep, self);
               }
               linalg::YieldOp::create(nb, l, keep);
             })
      .getResult(0);
}

/// Moves heads between the prediction slots and the sequence through the
/// target mapping [batch, num_predict, seq]: `toSequence` gives
/// out[b, h, l] = Σ_m map[b, m, l] x[b, h, m], otherwise
/// out[b, h, m] = Σ_l map[b, m, l] x[b, h, l] (Hugging Face's two einsums).
Value throughTargetMapping(GraphBuilder &g, Value x, Value mapping,
                           bool toSequence) {
  OpBuilder &b = g.builder();
  Location loc = g.location();
  MLIRContext *ctx = b.getContext();
  ArrayRef<int64_t> xs = GraphBuilder::shape(x);
  OpFoldResult rows = g.size(mapping, toSequence ? 2 : 1);
  SmallVector<OpFoldResult> sizes = {g.size(x, 0), g.size(x, 1), rows,
                                     g.size(x, 3)};
  int64_t rowsStatic = GraphBuilder::shape(mapping)[toSequence ? 2 : 1];
  Value init = g.zeros(b.getF32Type(), sizes);
  // d0 batch, d1 head, d2 output row, d3 feature, d4 contracted row.
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  AffineMap mapAccess = toSequence ? AffineMap::get(5, 0, {d0, d4, d2}, ctx)
                                   : AffineMap::get(5, 0, {d0, d2, d4}, ctx);
  return linalg::GenericOp::create(
             b, loc, GraphBuilder::f32({xs[0], xs[1], rowsStatic, xs[3]}, ctx),
             ValueRange{mapping, x}, init,
             ArrayRef<AffineMap>{mapAccess,
                                 AffineMap::get(5, 0, {d0, d1, d4, d3}, ctx),
                                 AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
             iteratorList(4, 1),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, l,
                   ValueRange{arith::AddFOp::create(nb, l, args[2], product)});
             })
      .getResult(0);
}

/// `mask_emb` [1, 1, d_model] broadcast to [batch, num_predict, d_model].
Value maskEmbeddings(GraphBuilder &g, Value mapping, const XlnetConfig &c) {
  OpBuilder &b = g.builder();
  Location loc = g.location();
  MLIRContext *ctx = b.getContext();
  Value table = g.param("mask_emb", {1, 1, c.hidden});
  Value empty = tensor::EmptyOp::create(
      b, loc,
      ArrayRef<OpFoldResult>{g.size(mapping, 0), g.size(mapping, 1),
                             b.getIndexAttr(c.hidden)},
      b.getF32Type());
  AffineExpr d2 = getAffineDimExpr(2, ctx);
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  return linalg::GenericOp::create(
             b, loc, empty.getType(), ValueRange{table}, empty,
             ArrayRef<AffineMap>{AffineMap::get(3, 0, {zero, zero, d2}, ctx),
                                 AffineMap::getMultiDimIdentityMap(3, ctx)},
             iteratorList(3),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// What every layer's attention shares.
struct AttentionInputs {
  Value positions;              // [1, q_len + kv_len, d_model]
  Value segmentIds;             // [batch, seq]
  Value contentMask, queryMask; // [batch, 1, seq, seq]
  Value targetMapping;          // [batch, num_predict, seq], or null
};

class XlnetLayer {
public:
  XlnetLayer(GraphBuilder &g, const XlnetConfig &c, int64_t index)
      : g(g), c(c), base("layer." + std::to_string(index) + ".") {}

  /// One layer on the content stream `h` and, when given, the query
  /// stream `queries` [batch, num_predict, d_model] (updated in place).
  Value run(Value h, Value &queries, const AttentionInputs &in) {
    std::string attn = base + "rel_attn.";
    Value k = projectHeads(g, h, attn + "k", c);
    Value v = projectHeads(g, h, attn + "v", c);
    Value r = projectHeads(g, in.positions, attn + "r", c);
    Value q = projectHeads(g, h, attn + "q", c);
    Value content =
        relativeAttention(q, k, v, r, in.segmentIds, in.contentMask);
    Value out = feedForward(postAttention(h, content));
    if (queries) {
      Value qg = projectHeads(g, queries, attn + "q", c);
      Value spread = throughTargetMapping(g, qg, in.targetMapping, true);
      Value attended =
          relativeAttention(spread, k, v, r, in.segmentIds, in.queryMask);
      Value gathered =
          throughTargetMapping(g, attended, in.targetMapping, false);
      queries = feedForward(postAttention(queries, gathered));
    }
    return out;
  }

private:
  Value relativeAttention(Value q, Value k, Value v, Value r, Value segmentIds,
                          Value mask) {
    std::string attn = base + "rel_attn.";
    OpBuilder &b = g.builder();
    Value contentBias = g.param(attn + "r_w_bias", {c.heads, c.headDim});
    Value positionBias = g.param(attn + "r_r_bias", {c.heads, c.headDim});
    Value segmentEmbed = g.param(attn + "seg_embed", {2, c.heads, c.headDim});
    Value segmentBias = g.param(attn + "r_s_bias", {c.heads, c.headDim});
    ArrayRef<int64_t> qs = GraphBuilder::shape(q);
    double scale = 1.0 / std::sqrt(static_cast<double>(c.headDim));
    return RelativeAttentionOp::create(
        b, g.location(), g.f32({qs[0], qs[1], qs[2], c.headDim}), q, k, v, r,
        contentBias, positionBias, segmentIds, segmentEmbed, segmentBias, mask,
        b.getF64FloatAttr(scale));
  }

  /// LayerNorm(x + vec · oᵀ): `o` [d_model, heads, head_dim] is already
  /// the [out, in] layout once its head dimensions are merged.
  Value postAttention(Value x, Value heads) {
    std::string attn = base + "rel_attn.";
    Value o = g.param(attn + "o", {c.hidden, c.heads, c.headDim});
    Value weight = tensor::CollapseShapeOp::create(
        g.builder(), g.location(), o,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}});
    Value projected = g.linear(g.mergeHeads(heads), weight, Value());
    return g.layerNorm(g.add(projected, x), attn + "layer_norm", c.epsilon);
  }

  Value feedForward(Value x) {
    std::string ff = base + "ff.";
    Value m = g.mlp(x, ff + "layer_1", ff + "layer_2", c.inner, c.hidden,
                    c.activation);
    return g.layerNorm(g.add(m, x), ff + "layer_norm", c.epsilon);
  }

  GraphBuilder &g;
  const XlnetConfig &c;
  std::string base;
};

/// Embeddings and layers; returns the content stream and, with a target
/// mapping, sets `queries` to the query stream.
Value encode(GraphBuilder &g, const XlnetConfig &c, Value inputIds,
             Value attentionMask, Value tokenTypes, Value permMask,
             Value targetMapping, Value &queries) {
  OpBuilder &b = g.builder();
  Value h = g.embedding(inputIds,
                        g.param("word_embedding.weight", {c.vocab, c.hidden}));
  Value seq = g.dim(inputIds, 1);
  Value sinusoids = RelativeSinusoidOp::create(
      b, g.location(), g.f32({kDynamic, c.hidden}), seq, seq,
      b.getI64IntegerAttr(c.clamp), b.getF64FloatAttr(10000.0));
  AttentionInputs in;
  in.positions = g.prependUnitDims(sinusoids, 1);
  in.segmentIds = tokenTypes;
  in.contentMask = streamMask(g, attentionMask, permMask, true);
  if (targetMapping) {
    in.queryMask = streamMask(g, attentionMask, permMask, false);
    in.targetMapping = targetMapping;
    queries = maskEmbeddings(g, targetMapping, c);
  }
  for (int64_t i = 0; i < c.layers; ++i) {
    h = XlnetLayer(g, c, i).run(h, queries, in);
  }
  return h;
}

SmallVector<InputSpec> twoStreamInputs(MLIRContext *ctx) {
  SmallVector<InputSpec> inputs = textInputs(ctx, -1, true);
  auto f32 = Float32Type::get(ctx);
  inputs.push_back({"perm_mask",
                    RankedTensorType::get({kDynamic, kDynamic, kDynamic}, f32),
                    {"batch", "sequence", "sequence"},
                    {-1, -1, -1},
                    "zeros"});
  inputs.push_back({"target_mapping",
                    RankedTensorType::get({kDynamic, kDynamic, kDynamic}, f32),
                    {"batch", "num_predict", "sequence"},
                    {-1, -1, -1}});
  return inputs;
}

} // namespace

LogicalResult frontend::buildXlnetEncoder(FamilyContext &ctx) {
  XlnetConfig c = readConfig(ctx);
  if (!ctx.config.ok())
    return failure();
  std::string prefix = checkpointPrefix(ctx, "word_embedding.weight");
  MLIRContext *mlirCtx = ctx.module.getContext();
  Location loc = ctx.module.getLoc();

  {
    ModelFunction fn(ctx.module, "main", textInputs(mlirCtx, -1, true));
    GraphBuilder g(fn.builder(), loc, prefix);
    Value none;
    Value h = encode(g, c, fn.input(0), fn.input(1), fn.input(2), Value(),
                     Value(), none);
    if (!addSentencePooling(ctx, g, fn, h, fn.input(1)))
      fn.addOutput("last_hidden_state", h);
    fn.finish();
  }
  {
    ModelFunction fn(ctx.module, "query_stream", twoStreamInputs(mlirCtx));
    GraphBuilder g(fn.builder(), loc, prefix);
    Value queries;
    encode(g, c, fn.input(0), fn.input(1), fn.input(2), fn.input(3),
           fn.input(4), queries);
    fn.addOutput("last_hidden_state", queries);
    fn.finish();
  }
  if (!ctx.checkpoint.contains("lm_loss.bias"))
    return success();

  // XLNetLMHeadModel: logits of the query stream through `lm_loss`, tied to
  // the word embeddings unless the checkpoint stores its own weight.
  SmallVector<InputSpec> inputs = twoStreamInputs(mlirCtx);
  inputs.push_back({"labels",
                    RankedTensorType::get({kDynamic, kDynamic},
                                          IntegerType::get(mlirCtx, 64)),
                    {"batch", "num_predict"},
                    {-1, -1}});
  ModelFunction fn(ctx.module, "pretraining", inputs);
  GraphBuilder g(fn.builder(), loc, prefix);
  Value queries;
  encode(g, c, fn.input(0), fn.input(1), fn.input(2), fn.input(3), fn.input(4),
         queries);
  GraphBuilder head(fn.builder(), loc, "");
  Value decoder = ctx.checkpoint.contains("lm_loss.weight")
                      ? head.param("lm_loss.weight", {c.vocab, c.hidden})
                      : g.param("word_embedding.weight", {c.vocab, c.hidden});
  Value logits =
      head.linear(queries, decoder, head.param("lm_loss.bias", {c.vocab}));
  Value loss = CrossEntropyOp::create(
      fn.builder(), loc, RankedTensorType::get({}, Float32Type::get(mlirCtx)),
      logits, fn.input(5));
  fn.addOutput("loss", loss);
  fn.addOutput("logits", logits);
  fn.finish();
  return success();
}
