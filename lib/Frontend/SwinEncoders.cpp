//===- SwinEncoders.cpp - the Swin Transformer ----------------------------===//
//
// swin (SwinModel): patch embedding and LayerNorm, then stages of pre-LN
// blocks whose attention runs within non-overlapping windows, every second
// block on windows shifted by half a window (a cyclic roll, and a mask of
// -100 between tokens that the roll brought together from different
// regions), each window's attention biased by a learned table indexed by
// the pair's relative position; patch merging (2x2 neighbours concatenated,
// LayerNorm, a linear reduction) between stages; a final LayerNorm and the
// mean of the tokens as `pooler_output`.
//
// The roll and the windows are enc.window_partition / enc.window_merge. The
// windows are laid out as attention's batch-of-heads: the tokens of a
// window are a sequence, and [windows x heads] one dimension, so that one
// enc.window_bias `[1, windows · heads, window², window²]` carries the
// relative position bias (per head) and the shift mask (per window), and
// the batch stays dynamic. The image size is the config's.
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

struct SwinConfig {
  int64_t imageSize, patchSize, channels, embedDim, window;
  SmallVector<int64_t> depths, heads;
  double mlpRatio, epsilon;
  bool qkvBias;
  ActivationKind activation;
};

SwinConfig readConfig(FamilyContext &ctx) {
  ConfigReader &r = ctx.config;
  SwinConfig c;
  c.imageSize = r.integer("image_size", 224);
  c.patchSize = r.integer("patch_size", 4);
  c.channels = r.integer("num_channels", 3);
  c.embedDim = r.integer("embed_dim", 96);
  c.window = r.integer("window_size", 7);
  c.depths = r.integers("depths");
  c.heads = r.integers("num_heads");
  c.mlpRatio = r.number("mlp_ratio", 4.0);
  c.epsilon = r.number("layer_norm_eps", 1e-5);
  c.qkvBias = r.boolean("qkv_bias", true);
  c.activation = activationFromConfig(r, "hidden_act", "gelu");
  if (r.boolean("use_absolute_embeddings", false))
    r.invalid("use_absolute_embeddings",
              "must be false: absolute position embeddings are not supported");
  if (!r.ok())
    return c;
  if (c.depths.size() != c.heads.size())
    r.invalid("num_heads", "must have one entry per stage (depths has " +
                               Twine(c.depths.size()) + ")");
  else if (c.imageSize % c.patchSize != 0)
    r.invalid("image_size", "(" + Twine(c.imageSize) +
                                ") must be divisible by patch_size (" +
                                Twine(c.patchSize) + ")");
  // Bounds that keep every size below overflow: 4096 patches a side, 16
  // stages, widths up to 2^20.
  int64_t grid = c.imageSize / c.patchSize, dim = c.embedDim;
  if (r.ok() && grid > 4096)
    r.invalid("image_size", "/ patch_size (" + Twine(grid) +
                                ") must be at most 4096 patches a side");
  if (r.ok() && c.depths.size() > 16)
    r.invalid("depths", "must have at most 16 stages");
  if (r.ok() && c.embedDim > ((int64_t(1) << 20) >> c.depths.size()))
    r.invalid("embed_dim", "(" + Twine(c.embedDim) +
                               ") doubled at every stage must stay below 2^20");
  if (r.ok() && !(c.mlpRatio * c.embedDim >= 1 && c.mlpRatio <= 64))
    r.invalid("mlp_ratio", "must give the MLP at least one feature and be at "
                           "most 64");
  // Each stage's grid: the window (or the whole grid, when smaller) must
  // tile it, and all but the last stage halve it.
  for (size_t s = 0; r.ok() && s < c.depths.size(); ++s) {
    int64_t window = std::min(c.window, grid);
    if (grid % window != 0)
      r.invalid("window_size",
                "(" + Twine(c.window) + ") must divide the stage-" + Twine(s) +
                    " grid of " + Twine(grid) + "x" + Twine(grid) +
                    " tokens (image_size " + Twine(c.imageSize) + ")");
    else if (dim % c.heads[s] != 0)
      r.invalid("num_heads", "(" + Twine(c.heads[s]) +
                                 ") must divide the stage-" + Twine(s) +
                                 " width " + Twine(dim));
    else if (s + 1 < c.depths.size() && grid % 2 != 0)
      r.invalid("image_size", "gives an odd stage-" + Twine(s) + " grid (" +
                                  Twine(grid) + ") to merge");
    grid /= 2;
    dim *= 2;
  }
  return c;
}

/// The sizes of `shape` as folded sizes: dimension 0 (the batch) read from
/// `like`, the others static.
SmallVector<OpFoldResult> withBatch(GraphBuilder &g, Value like,
                                    ArrayRef<int64_t> shape) {
  SmallVector<OpFoldResult> sizes = {g.size(like, 0)};
  for (int64_t d : shape.drop_front())
    sizes.push_back(g.builder().getIndexAttr(d));
  return sizes;
}

Value expand(GraphBuilder &g, Value x, ArrayRef<ReassociationIndices> groups,
             ArrayRef<int64_t> shape) {
  return tensor::ExpandShapeOp::create(g.builder(), g.location(), g.f32(shape),
                                       x, groups, withBatch(g, x, shape));
}

Value collapse(GraphBuilder &g, Value x,
               ArrayRef<ReassociationIndices> groups) {
  return tensor::CollapseShapeOp::create(g.builder(), g.location(), x, groups);
}

/// One Swin block on x [batch, grid², dim].
Value swinBlock(GraphBuilder &g, Value x, const std::string &base,
                const SwinConfig &c, int64_t grid, int64_t dim, int64_t heads,
                int64_t window, int64_t shift) {
  int64_t windows = (grid / window) * (grid / window);
  int64_t tokens = window * window, headDim = dim / heads;
  Value y = g.layerNorm(x, base + "layernorm_before", c.epsilon);
  y = expand(g, y, {{0}, {1, 2}, {3}}, {kDynamic, grid, grid, dim});
  OpBuilder &b = g.builder();
  IntegerAttr windowSize = b.getI64IntegerAttr(window);
  IntegerAttr shiftBy = b.getI64IntegerAttr(shift);
  y = WindowPartitionOp::create(b, g.location(),
                                g.f32({kDynamic, windows, tokens, dim}), y,
                                windowSize, shiftBy);

  // Heads of every window: [B, nW, w², C] -> [B, nW · heads, w², d].
  std::string self = base + "attention.self.";
  auto project = [&](StringRef name) {
    Value p = g.linear(y, self + name, dim, dim, c.qkvBias);
    p = expand(g, p, {{0}, {1}, {2}, {3, 4}},
               {kDynamic, windows, tokens, heads, headDim});
    return collapse(g, g.transpose(p, {0, 1, 3, 2, 4}),
                    {{0}, {1, 2}, {3}, {4}});
  };
  Value q = project("query"), k = project("key"), v = project("value");
  int64_t span = 2 * window - 1;
  Value table =
      g.param(self + "relative_position_bias_table", {span * span, heads});
  Value bias = WindowBiasOp::create(
      b, g.location(), g.f32({1, windows * heads, tokens, tokens}), table,
      windowSize, shiftBy, b.getDenseI64ArrayAttr({grid, grid}));
  Value context =
      g.attention(q, k, v, Value(), /*causal=*/false, std::nullopt, bias);
  context = expand(g, context, {{0}, {1, 2}, {3}, {4}},
                   {kDynamic, windows, heads, tokens, headDim});
  context = collapse(g, g.transpose(context, {0, 1, 3, 2, 4}),
                     {{0}, {1}, {2}, {3, 4}});
  Value out = g.linear(context, base + "attention.output.dense", dim, dim);

  // Back to the grid, rolled back, as tokens.
  out =
      WindowMergeOp::create(b, g.location(), g.f32({kDynamic, grid, grid, dim}),
                            out, windowSize, shiftBy);
  x = g.add(x, collapse(g, out, {{0}, {1, 2}, {3}}));

  int64_t inner = static_cast<int64_t>(c.mlpRatio * dim);
  Value m = g.mlp(g.layerNorm(x, base + "layernorm_after", c.epsilon),
                  base + "intermediate.dense", base + "output.dense", inner,
                  dim, c.activation);
  return g.add(x, m);
}

/// Patch merging: [B, grid², C] -> [B, (grid/2)², 2C] through the 2x2
/// neighbours (0,0), (1,0), (0,1), (1,1) concatenated, LayerNorm and a
/// linear reduction without bias.
Value mergePatches(GraphBuilder &g, Value x, const std::string &base,
                   const SwinConfig &c, int64_t grid, int64_t dim) {
  OpBuilder &b = g.builder();
  Value y = expand(g, x, {{0}, {1, 2}, {3}}, {kDynamic, grid, grid, dim});
  SmallVector<Value> quarters;
  for (auto [row, col] :
       {std::pair<int64_t, int64_t>{0, 0}, {1, 0}, {0, 1}, {1, 1}}) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(row),
                                         b.getIndexAttr(col),
                                         b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {g.size(y, 0), b.getIndexAttr(grid / 2),
                                       b.getIndexAttr(grid / 2),
                                       b.getIndexAttr(dim)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(2),
                                         b.getIndexAttr(2), b.getIndexAttr(1)};
    quarters.push_back(tensor::ExtractSliceOp::create(b, g.location(), y,
                                                      offsets, sizes, strides));
  }
  y = collapse(g, g.concat(3, quarters), {{0}, {1, 2}, {3}});
  y = g.layerNorm(y, base + "norm", c.epsilon);
  return g.linear(y, base + "reduction", 2 * dim, 4 * dim, /*bias=*/false);
}

} // namespace

LogicalResult frontend::buildSwinEncoder(FamilyContext &ctx) {
  SwinConfig c = readConfig(ctx);
  if (!ctx.config.ok())
    return failure();
  std::string prefix =
      checkpointPrefix(ctx, "embeddings.patch_embeddings.projection.weight");
  auto pixelsType =
      GraphBuilder::f32({kDynamic, c.channels, c.imageSize, c.imageSize},
                        ctx.module.getContext());
  ModelFunction fn(ctx.module, "main",
                   {{"pixel_values", pixelsType, {"batch", "", "", ""}, {}}});
  GraphBuilder g(fn.builder(), ctx.module.getLoc(), prefix);
  OpBuilder &b = fn.builder();

  int64_t grid = c.imageSize / c.patchSize, dim = c.embedDim;
  Value weight = g.param("embeddings.patch_embeddings.projection.weight",
                         {dim, c.channels, c.patchSize, c.patchSize});
  Value bias = g.param("embeddings.patch_embeddings.projection.bias", {dim});
  Value h = PatchEmbedOp::create(
      b, g.location(), g.f32({kDynamic, grid * grid, dim}), fn.input(0), weight,
      bias, Value(), b.getDenseI64ArrayAttr({c.patchSize, c.patchSize}));
  h = g.layerNorm(h, "embeddings.norm", c.epsilon);

  for (size_t s = 0; s < c.depths.size(); ++s) {
    // A grid no larger than the window is one unshifted window.
    int64_t window = std::min(c.window, grid);
    bool shifts = grid > c.window;
    std::string stage = "encoder.layers." + std::to_string(s) + ".";
    for (int64_t j = 0; j < c.depths[s]; ++j)
      h = swinBlock(g, h, stage + "blocks." + std::to_string(j) + ".", c, grid,
                    dim, c.heads[s], window,
                    shifts && j % 2 == 1 ? window / 2 : 0);
    if (s + 1 < c.depths.size()) {
      h = mergePatches(g, h, stage + "downsample.", c, grid, dim);
      grid /= 2;
      dim *= 2;
    }
  }
  h = g.layerNorm(h, "layernorm", c.epsilon);
  fn.addOutput("last_hidden_state", h);
  fn.addOutput("pooler_output", g.pool(PoolKind::mean, h));
  fn.finish();
  return success();
}
