//===- DebertaEncoders.cpp - DeBERTa-v2 and -v3 ---------------------------===//
//
// deberta-v2 (DeBERTa-v2 and v3, DebertaV2Model): word (+ optional absolute
// position, + token type) embeddings, LayerNorm, zeroed at padded tokens,
// then BERT's post-LN layers with disentangled attention
// (enc.disentangled_attention): relative position embeddings
// (`encoder.rel_embeddings`, layer-normed with `norm_rel_ebd`), projected by
// each layer's query and key projections (`share_att_key`) or its own
// position projections, log-bucketed relative positions
// (`position_buckets`, `max_relative_positions`), the terms `pos_att_type`
// names. Padding follows Hugging Face: a query-key pair counts when both are
// real tokens. The enhanced mask decoder (pre-training) is left out.
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

struct DebertaConfig {
  int64_t vocab, hidden, embedding, layers, heads, intermediate;
  int64_t maxPositions, typeVocab, positionBuckets, maxRelative;
  double epsilon;
  ActivationKind activation;
  bool positionBiasedInput, shareAttentionKey, normRelative;
  bool contentToPosition = false, positionToContent = false;
};

DebertaConfig readConfig(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  DebertaConfig c;
  c.vocab = r.integer("vocab_size");
  c.hidden = r.integer("hidden_size");
  c.layers = r.integer("num_hidden_layers");
  c.heads = r.integer("num_attention_heads");
  c.intermediate = r.integer("intermediate_size");
  c.maxPositions = r.integer("max_position_embeddings", 512);
  c.typeVocab = r.integer("type_vocab_size", 0);
  c.epsilon = r.number("layer_norm_eps", 1e-7);
  c.activation = activationFromConfig(r, "hidden_act", "gelu");
  c.embedding = r.integer("embedding_size", c.hidden);
  c.positionBiasedInput = r.boolean("position_biased_input", true);
  c.shareAttentionKey = r.boolean("share_att_key", false);
  c.positionBuckets = r.optionalSize("position_buckets").value_or(0);
  c.maxRelative =
      r.optionalSize("max_relative_positions").value_or(c.maxPositions);
  std::string norm = r.string("norm_rel_ebd", "none");
  c.normRelative = StringRef(norm).contains("layer_norm");
  checkHeads(r, c.hidden, c.heads, "hidden_size", "num_attention_heads");
  if (!r.boolean("relative_attention", false))
    r.invalid("relative_attention",
              "must be true: DeBERTa without relative attention is not "
              "supported");
  if (r.optionalSize("conv_kernel_size"))
    r.invalid("conv_kernel_size",
              "must be 0: DeBERTa-v2's convolution layer is not supported");
  // pos_att_type: a list (v2 and v3 configs) or "p2c|c2p" (older ones).
  for (const std::string &kind : r.stringList("pos_att_type", '|')) {
    if (kind == "c2p")
      c.contentToPosition = true;
    else if (kind == "p2c")
      c.positionToContent = true;
    else
      r.invalid("pos_att_type", "'" + kind + "' is not c2p or p2c");
  }
  for (auto [key, value] :
       {std::pair<StringRef, int64_t>{"position_buckets", c.positionBuckets},
        {"max_relative_positions", c.maxRelative}})
    if (r.ok() && value > DisentangledAttentionOp::kMaxPositions)
      r.invalid(key, "(" + Twine(value) + ") must be at most " +
                         Twine(DisentangledAttentionOp::kMaxPositions));
  if (r.ok() && c.positionBuckets > 0 &&
      (c.positionBuckets < 4 || c.maxRelative <= c.positionBuckets / 2 + 1))
    r.invalid("position_buckets",
              "(" + Twine(c.positionBuckets) +
                  ") must be at least 4 and leave max_relative_positions (" +
                  Twine(c.maxRelative) + ") above its half plus one");
  return c;
}

/// [batch, seq] -> [batch, 1, seq, seq]: a query-key pair counts when both
/// tokens are real (Hugging Face's get_attention_mask).
Value pairMask(GraphBuilder &g, Value mask) {
  OpBuilder &b = g.builder();
  Location loc = g.location();
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> sizes = {g.size(mask, 0), b.getIndexAttr(1),
                                     g.size(mask, 1), g.size(mask, 1)};
  Value empty = tensor::EmptyOp::create(b, loc, sizes, b.getI1Type());
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  SmallVector<utils::IteratorType> parallel(4, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, empty.getType(), ValueRange{mask, mask}, empty,
             ArrayRef<AffineMap>{AffineMap::get(4, 0, {d0, d2}, ctx),
                                 AffineMap::get(4, 0, {d0, d3}, ctx),
                                 AffineMap::getMultiDimIdentityMap(4, ctx)},
             parallel,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value none = arith::ConstantOp::create(
                   nb, l, nb.getIntegerAttr(args[0].getType(), 0));
               Value query = arith::CmpIOp::create(
                   nb, l, arith::CmpIPredicate::ne, args[0], none);
               Value key = arith::CmpIOp::create(
                   nb, l, arith::CmpIPredicate::ne, args[1], none);
               linalg::YieldOp::create(
                   nb, l, ValueRange{arith::AndIOp::create(nb, l, query, key)});
             })
      .getResult(0);
}

/// x[b, s, :] * mask[b, s], the mask converted to x's type (Hugging Face
/// multiplies the embeddings by it).
Value multiplyByMask(GraphBuilder &g, Value x, Value mask) {
  OpBuilder &b = g.builder();
  Location loc = g.location();
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> sizes = {g.size(x, 0), g.size(x, 1), g.size(x, 2)};
  Value empty = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  SmallVector<utils::IteratorType> parallel(3, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{x, mask}, empty,
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(3, ctx),
                                 AffineMap::get(3, 0, {d0, d1}, ctx),
                                 AffineMap::getMultiDimIdentityMap(3, ctx)},
             parallel,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value weight = arith::SIToFPOp::create(
                   nb, l, type.getElementType(), args[1]);
               linalg::YieldOp::create(
                   nb, l,
                   ValueRange{arith::MulFOp::create(nb, l, args[0], weight)});
             })
      .getResult(0);
}

/// One layer's disentangled self-attention, its output projection included.
Value disentangledAttention(GraphBuilder &g, Value x, Value relative,
                            const std::string &base, const DebertaConfig &c,
                            Value mask) {
  OpBuilder &b = g.builder();
  std::string self = base + "attention.self.";
  Value q = g.splitHeads(g.linear(x, self + "query_proj", c.hidden, c.hidden),
                         c.heads);
  Value k =
      g.splitHeads(g.linear(x, self + "key_proj", c.hidden, c.hidden), c.heads);
  Value v = g.splitHeads(g.linear(x, self + "value_proj", c.hidden, c.hidden),
                         c.heads);
  // The relative embeddings through the layer's own projections, those of
  // the terms `pos_att_type` names (without share_att_key a checkpoint has
  // pos_key_proj only for c2p and pos_query_proj only for p2c); an unused
  // operand of the op repeats the other.
  std::string positionQuery =
      c.shareAttentionKey ? "query_proj" : "pos_query_proj";
  std::string positionKey = c.shareAttentionKey ? "key_proj" : "pos_key_proj";
  Value pq, pk;
  if (c.positionToContent)
    pq = g.splitHeads(
        g.linear(relative, self + positionQuery, c.hidden, c.hidden), c.heads);
  if (c.contentToPosition)
    pk = g.splitHeads(
        g.linear(relative, self + positionKey, c.hidden, c.hidden), c.heads);
  if (!pq && !pk) // no position term: the operands are read by nothing
    pq = g.splitHeads(
        g.linear(relative, self + "query_proj", c.hidden, c.hidden), c.heads);
  if (!pq)
    pq = pk;
  if (!pk)
    pk = pq;
  int64_t terms =
      1 + (c.contentToPosition ? 1 : 0) + (c.positionToContent ? 1 : 0);
  int64_t headDim = c.hidden / c.heads;
  double scale = 1.0 / std::sqrt(static_cast<double>(headDim * terms));
  ArrayRef<int64_t> qs = GraphBuilder::shape(q);
  Value context = DisentangledAttentionOp::create(
      b, g.location(), g.f32({qs[0], qs[1], qs[2], headDim}), q, k, v, pq, pk,
      mask, b.getI64IntegerAttr(c.positionBuckets),
      b.getI64IntegerAttr(c.maxRelative),
      c.contentToPosition ? b.getUnitAttr() : UnitAttr(),
      c.positionToContent ? b.getUnitAttr() : UnitAttr(),
      b.getF64FloatAttr(scale));
  return g.linear(g.mergeHeads(context), base + "attention.output.dense",
                  c.hidden, c.hidden);
}

} // namespace

LogicalResult frontend::buildDebertaEncoder(FamilyContext &ctx) {
  DebertaConfig c = readConfig(ctx);
  if (!ctx.config.ok())
    return failure();
  std::string prefix =
      checkpointPrefix(ctx, "embeddings.word_embeddings.weight");
  // Relative positions alone bound no sequence; absolute ones do.
  int64_t maxSeq = c.positionBiasedInput ? c.maxPositions : -1;
  SmallVector<InputSpec> inputs =
      textInputs(ctx.module.getContext(), maxSeq, c.typeVocab > 0);
  ModelFunction fn(ctx.module, "main", inputs);
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
  Value inputIds = fn.input(0), mask = fn.input(1);

  // Embeddings.
  Value h = g.embedding(inputIds, g.param("embeddings.word_embeddings.weight",
                                          {c.vocab, c.embedding}));
  if (c.positionBiasedInput)
    h = g.learnedPositions(h,
                           g.param("embeddings.position_embeddings.weight",
                                   {c.maxPositions, c.embedding}),
                           0);
  if (c.typeVocab > 0)
    h = g.add(h, g.embedding(fn.input(2),
                             g.param("embeddings.token_type_embeddings.weight",
                                     {c.typeVocab, c.embedding})));
  if (c.embedding != c.hidden)
    h = g.linear(h, "embeddings.embed_proj", c.hidden, c.embedding, false);
  h = g.layerNorm(h, "embeddings.LayerNorm", c.epsilon);
  h = multiplyByMask(g, h, mask);

  // The relative position embeddings, [1, 2 span, hidden], shared by the
  // layers.
  int64_t span = c.positionBuckets > 0 ? c.positionBuckets : c.maxRelative;
  Value relative =
      g.param("encoder.rel_embeddings.weight", {2 * span, c.hidden});
  if (c.normRelative)
    relative = g.layerNorm(relative, "encoder.LayerNorm", c.epsilon);
  relative = g.prependUnitDims(relative, 1);

  Value pairs = pairMask(g, mask);
  for (int64_t i = 0; i < c.layers; ++i) {
    std::string base = "encoder.layer." + std::to_string(i) + ".";
    Value a = disentangledAttention(g, h, relative, base, c, pairs);
    h = g.layerNorm(g.add(a, h), base + "attention.output.LayerNorm",
                    c.epsilon);
    Value m = g.mlp(h, base + "intermediate.dense", base + "output.dense",
                    c.intermediate, c.hidden, c.activation);
    h = g.layerNorm(g.add(m, h), base + "output.LayerNorm", c.epsilon);
  }

  if (!addSentencePooling(ctx, g, fn, h, mask))
    fn.addOutput("last_hidden_state", h);
  fn.finish();
  return success();
}
