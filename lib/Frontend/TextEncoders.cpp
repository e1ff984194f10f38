//===- TextEncoders.cpp - BERT and its family -----------------------------===//
//
// bert, roberta, distilbert, electra and albert: token (+ position, +
// token type) embeddings, LayerNorm, post-LN transformer layers, and the
// pooler or discriminator head when the checkpoint has one. The families
// differ in names, in where the embedding width changes (ELECTRA, ALBERT),
// in position offsets (RoBERTa) and in layer sharing (ALBERT); the layer
// itself is one function. A checkpoint with pre-training heads
// (BertForPreTraining, BertForMaskedLM, ElectraForPreTraining) also gets a
// `pretraining` function: its objective's loss from labels, on the
// enc.cross_entropy and enc.binary_cross_entropy loss ops.
//
//===----------------------------------------------------------------------===//

#include "Families.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::frontend;

namespace {

/// Names of one post-LN layer's parts, relative to its prefix.
struct PostNormLayerNames {
  AttentionNames attention;
  std::string attentionNorm, intermediate, output, outputNorm;
};

const PostNormLayerNames kBertLayer = {
    {"attention.self.query", "attention.self.key", "attention.self.value",
     "attention.output.dense"},
    "attention.output.LayerNorm",
    "intermediate.dense",
    "output.dense",
    "output.LayerNorm"};

const PostNormLayerNames kDistilBertLayer = {
    {"attention.q_lin", "attention.k_lin", "attention.v_lin",
     "attention.out_lin"},
    "sa_layer_norm",
    "ffn.lin1",
    "ffn.lin2",
    "output_layer_norm"};

const PostNormLayerNames kAlbertLayer = {
    {"attention.query", "attention.key", "attention.value", "attention.dense"},
    "attention.LayerNorm",
    "ffn",
    "ffn_output",
    "full_layer_layer_norm"};

struct TextConfig {
  int64_t vocab, hidden, layers, heads, intermediate, maxPositions;
  int64_t embedding; // the embedding width (ELECTRA, ALBERT)
  int64_t typeVocab; // 0: no token type embeddings
  int64_t positionOffset;
  double epsilon;
  ActivationKind activation;
  int64_t groups = 1, innerGroups = 1; // ALBERT's layer sharing
};

Value postNormLayer(GraphBuilder &g, Value h, const Twine &layer,
                    const PostNormLayerNames &names, const TextConfig &c,
                    Value mask) {
  std::string base = layer.str() + ".";
  Value attention =
      g.selfAttention(h, layer, names.attention, c.heads, c.hidden, mask);
  h = g.layerNorm(g.add(attention, h), base + names.attentionNorm, c.epsilon);
  Value ffn = g.mlp(h, base + names.intermediate, base + names.output,
                    c.intermediate, c.hidden, c.activation);
  return g.layerNorm(g.add(ffn, h), base + names.outputNorm, c.epsilon);
}

TextConfig readConfig(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  TextConfig c;
  StringRef type = ctx.modelType;
  if (type == "distilbert") {
    c.vocab = r.integer("vocab_size");
    c.hidden = r.integer("dim");
    c.layers = r.integer("n_layers");
    c.heads = r.integer("n_heads");
    c.intermediate = r.integer("hidden_dim");
    c.maxPositions = r.integer("max_position_embeddings");
    c.activation = activationFromConfig(r, "activation", "gelu");
    c.epsilon = 1e-12; // fixed in DistilBERT's code
    c.typeVocab = 0;
    c.embedding = c.hidden;
    c.positionOffset = 0;
    checkHeads(r, c.hidden, c.heads, "dim", "n_heads");
    return c;
  }
  c.vocab = r.integer("vocab_size");
  c.hidden = r.integer("hidden_size");
  c.layers = r.integer("num_hidden_layers");
  c.heads = r.integer("num_attention_heads");
  c.intermediate = r.integer("intermediate_size");
  c.maxPositions = r.integer("max_position_embeddings");
  c.typeVocab = r.integer("type_vocab_size", 2);
  c.epsilon = r.number("layer_norm_eps", 1e-12);
  c.activation = activationFromConfig(r, "hidden_act",
                                      type == "albert" ? "gelu_new" : "gelu");
  c.embedding = (type == "electra" || type == "albert")
                    ? r.integer("embedding_size")
                    : c.hidden;
  // RoBERTa counts positions from padding_idx + 1.
  c.positionOffset = type == "roberta" ? r.integer("pad_token_id", 1) + 1 : 0;
  if (type == "albert") {
    c.groups = r.integer("num_hidden_groups", 1);
    c.innerGroups = r.integer("inner_group_num", 1);
    if (c.groups < 1 || c.layers % c.groups != 0)
      r.invalid("num_hidden_groups", "must divide num_hidden_layers");
  }
  checkHeads(r, c.hidden, c.heads, "hidden_size", "num_attention_heads");
  if (c.maxPositions <= c.positionOffset)
    r.invalid("max_position_embeddings", "leaves no position for tokens");
  return c;
}

/// Embeddings and layers on the first inputs of `fn` (input_ids,
/// attention_mask[, token_type_ids]): the last hidden state.
Value encodeText(FamilyContext &ctx, const TextConfig &c, GraphBuilder &g,
                 ModelFunction &fn, bool tokenTypesInput) {
  StringRef type = ctx.modelType;
  MLIRContext *mlirCtx = ctx.module.getContext();
  Value inputIds = fn.input(0), mask = fn.input(1);

  // Embeddings.
  Value h = g.embedding(inputIds, g.param("embeddings.word_embeddings.weight",
                                          {c.vocab, c.embedding}));
  h = g.learnedPositions(h,
                         g.param("embeddings.position_embeddings.weight",
                                 {c.maxPositions, c.embedding}),
                         c.positionOffset);
  if (c.typeVocab > 0) {
    // A single-type vocabulary (RoBERTa) adds its one row everywhere.
    Value types = tokenTypesInput
                      ? fn.input(2)
                      : g.zeros(IntegerType::get(mlirCtx, 64),
                                {g.size(inputIds, 0), g.size(inputIds, 1)});
    h = g.add(
        h, g.embedding(types, g.param("embeddings.token_type_embeddings.weight",
                                      {c.typeVocab, c.embedding})));
  }
  h = g.layerNorm(h, "embeddings.LayerNorm", c.epsilon);
  if (type == "electra" && c.embedding != c.hidden)
    h = g.linear(h, "embeddings_project", c.hidden, c.embedding);
  if (type == "albert")
    h = g.linear(h, "encoder.embedding_hidden_mapping_in", c.hidden,
                 c.embedding);

  // Layers.
  Value attentionMask = g.attentionMask(mask);
  for (int64_t i = 0; i < c.layers; ++i) {
    if (type == "albert") {
      // Layers share weights: layer i runs group i / (layers / groups).
      int64_t group = i / (c.layers / c.groups);
      for (int64_t j = 0; j < c.innerGroups; ++j)
        h = postNormLayer(g, h,
                          "encoder.albert_layer_groups." + Twine(group) +
                              ".albert_layers." + Twine(j),
                          kAlbertLayer, c, attentionMask);
    } else if (type == "distilbert") {
      h = postNormLayer(g, h, "transformer.layer." + Twine(i), kDistilBertLayer,
                        c, attentionMask);
    } else {
      h = postNormLayer(g, h, "encoder.layer." + Twine(i), kBertLayer, c,
                        attentionMask);
    }
  }
  return h;
}

/// Pooler: tanh(dense([CLS])).
Value pooled(GraphBuilder &g, Value h, StringRef pooler, const TextConfig &c) {
  Value cls = g.pool(PoolKind::cls, h);
  return g.activation(g.linear(cls, pooler, c.hidden, c.hidden),
                      ActivationKind::tanh);
}

/// ELECTRA's replaced-token detection head: one logit per token.
Value discriminatorLogits(FamilyContext &ctx, ModelFunction &fn, Value h,
                          const TextConfig &c) {
  GraphBuilder head(fn.builder(), ctx.module.getLoc(), "");
  Value d = head.activation(
      head.linear(h, "discriminator_predictions.dense", c.hidden, c.hidden),
      c.activation);
  Value logits =
      head.linear(d, "discriminator_predictions.dense_prediction", 1, c.hidden);
  return tensor::CollapseShapeOp::create(
      fn.builder(), ctx.module.getLoc(), logits,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}});
}

/// The type of a reduced loss: a 0-d f32 tensor.
RankedTensorType scalarType(MLIRContext *ctx) {
  return RankedTensorType::get({}, Float32Type::get(ctx));
}

/// BertForPreTraining (`cls.predictions` and `cls.seq_relationship`) or
/// BertForMaskedLM (`cls.predictions` alone): `pretraining(inputs...,
/// labels[, next_sentence_label])` -> the summed losses and the logits, as
/// Hugging Face's forward returns them. The decoder is tied to the word
/// embeddings unless the checkpoint stores its own.
void buildBertPreTraining(FamilyContext &ctx, const TextConfig &c,
                          const std::string &prefix,
                          SmallVector<InputSpec> inputs, bool tokenTypesInput) {
  MLIRContext *mlirCtx = ctx.module.getContext();
  Location loc = ctx.module.getLoc();
  bool nextSentence = ctx.checkpoint.contains("cls.seq_relationship.weight");
  auto i64 = IntegerType::get(mlirCtx, 64);
  InputSpec labels = inputs[0];
  labels.name = "labels";
  inputs.push_back(labels);
  if (nextSentence)
    inputs.push_back({"next_sentence_label",
                      RankedTensorType::get({kDynamic}, i64),
                      {"batch"},
                      {-1}});
  ModelFunction fn(ctx.module, "pretraining", inputs);
  GraphBuilder g(fn.builder(), loc, prefix);
  Value h = encodeText(ctx, c, g, fn, tokenTypesInput);
  unsigned labelsInput = tokenTypesInput ? 3 : 2;

  GraphBuilder head(fn.builder(), loc, "");
  Value t = head.activation(
      head.linear(h, "cls.predictions.transform.dense", c.hidden, c.hidden),
      c.activation);
  t = head.layerNorm(t, "cls.predictions.transform.LayerNorm", c.epsilon);
  Value decoder =
      ctx.checkpoint.contains("cls.predictions.decoder.weight")
          ? head.param("cls.predictions.decoder.weight", {c.vocab, c.hidden})
          : g.param("embeddings.word_embeddings.weight", {c.vocab, c.hidden});
  Value bias = head.param(ctx.checkpoint.contains("cls.predictions.bias")
                              ? "cls.predictions.bias"
                              : "cls.predictions.decoder.bias",
                          {c.vocab});
  Value logits = head.linear(t, decoder, bias);
  OpBuilder &b = fn.builder();
  Value loss = CrossEntropyOp::create(b, loc, scalarType(mlirCtx), logits,
                                      fn.input(labelsInput));
  if (!nextSentence) {
    fn.addOutput("loss", loss);
    fn.addOutput("logits", logits);
    fn.finish();
    return;
  }
  Value relationship = head.linear(pooled(g, h, "pooler.dense", c),
                                   "cls.seq_relationship", 2, c.hidden);
  Value nextSentenceLoss = CrossEntropyOp::create(
      b, loc, scalarType(mlirCtx), relationship, fn.input(labelsInput + 1));
  fn.addOutput("loss", g.add(loss, nextSentenceLoss));
  fn.addOutput("prediction_logits", logits);
  fn.addOutput("seq_relationship_logits", relationship);
  fn.finish();
}

/// ElectraForPreTraining: `pretraining(inputs..., labels)` -> the replaced-
/// token detection loss (binary cross entropy over the tokens the attention
/// mask keeps, averaged) and the logits.
void buildElectraPreTraining(FamilyContext &ctx, const TextConfig &c,
                             const std::string &prefix,
                             SmallVector<InputSpec> inputs,
                             bool tokenTypesInput) {
  InputSpec labels = inputs[0];
  labels.name = "labels";
  inputs.push_back(labels);
  ModelFunction fn(ctx.module, "pretraining", inputs);
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
  Value h = encodeText(ctx, c, g, fn, tokenTypesInput);
  Value logits = discriminatorLogits(ctx, fn, h, c);
  Value loss = BinaryCrossEntropyOp::create(
      fn.builder(), ctx.module.getLoc(), scalarType(ctx.module.getContext()),
      logits, fn.input(tokenTypesInput ? 3 : 2), fn.input(1));
  fn.addOutput("loss", loss);
  fn.addOutput("logits", logits);
  fn.finish();
}

} // namespace

LogicalResult frontend::buildTextEncoder(FamilyContext &ctx) {
  StringRef type = ctx.modelType;
  TextConfig c = readConfig(ctx);
  if (!ctx.config.ok())
    return failure();

  // The base model's names, after whatever prefix the checkpoint uses
  // (`bert.`, `roberta.`, `electra.`, `distilbert.`, `albert.`).
  std::string prefix =
      checkpointPrefix(ctx, "embeddings.word_embeddings.weight");
  int64_t maxSeq = c.maxPositions - c.positionOffset;
  bool tokenTypesInput = c.typeVocab > 1;
  SmallVector<InputSpec> inputs =
      textInputs(ctx.module.getContext(), maxSeq, tokenTypesInput);

  {
    ModelFunction fn(ctx.module, "main", inputs);
    GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
    Value h = encodeText(ctx, c, g, fn, tokenTypesInput);
    if (addSentencePooling(ctx, g, fn, h, fn.input(1))) {
      fn.finish();
      return success();
    }
    fn.addOutput("last_hidden_state", h);
    // Present in the base models by default.
    std::string pooler = type == "albert" ? "pooler" : "pooler.dense";
    bool hasPooler = type != "distilbert" && type != "electra" &&
                     (ctx.checkpoint.empty() ||
                      ctx.checkpoint.contains(prefix + pooler + ".weight"));
    if (hasPooler)
      fn.addOutput("pooler_output", pooled(g, h, pooler, c));
    // ELECTRA's replaced-token detection head, when the checkpoint has it.
    if (type == "electra" &&
        ctx.checkpoint.contains("discriminator_predictions.dense.weight"))
      fn.addOutput("logits", discriminatorLogits(ctx, fn, h, c));
    fn.finish();
  }

  // The pre-training objectives, when the checkpoint has their heads.
  if (type == "bert" &&
      ctx.checkpoint.contains("cls.predictions.transform.dense.weight"))
    buildBertPreTraining(ctx, c, prefix, inputs, tokenTypesInput);
  if (type == "electra" &&
      ctx.checkpoint.contains("discriminator_predictions.dense.weight"))
    buildElectraPreTraining(ctx, c, prefix, inputs, tokenTypesInput);
  return success();
}
