//===- MinimumInputSizes.cpp - Least input sizes the ops can run on -------===//

#include "MinimumInputSizes.h"

#include "Enc/IR/EncOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::enc;

namespace {

/// Least sizes required of values, per dimension.
class Requirements {
public:
  /// Requires dimension `dim` of `v` to be at least `size`. Static
  /// dimensions are the verifier's business.
  void require(Value v, int64_t dim, int64_t size) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (size <= 0 || !type || dim < 0 || dim >= type.getRank() ||
        !type.isDynamicDim(dim))
      return;
    SmallVector<int64_t> &sizes = need[v];
    sizes.resize(type.getRank(), 0);
    sizes[dim] = std::max(sizes[dim], size);
  }

  /// What is required of `v` (empty when nothing is).
  ArrayRef<int64_t> of(Value v) const {
    auto it = need.find(v);
    return it == need.end() ? ArrayRef<int64_t>() : ArrayRef(it->second);
  }

  /// Carries the result's requirements to `operand`: result dimension i to
  /// operand dimension map[i] (-1: none).
  void carry(Value result, Value operand, ArrayRef<int64_t> map) {
    ArrayRef<int64_t> sizes = of(result);
    for (auto [i, size] : llvm::enumerate(sizes))
      if (i < map.size() && map[i] >= 0)
        require(operand, map[i], size);
  }

  /// Carries them dimension for dimension (same shape).
  void carrySame(Value result, Value operand) {
    ArrayRef<int64_t> sizes = of(result);
    for (auto [i, size] : llvm::enumerate(sizes))
      require(operand, i, size);
  }

  /// Carries the leading `count` dimensions.
  void carryLeading(Value result, Value operand, int64_t count) {
    ArrayRef<int64_t> sizes = of(result);
    for (int64_t i = 0; i < count && i < (int64_t)sizes.size(); ++i)
      require(operand, i, sizes[i]);
  }

private:
  llvm::DenseMap<Value, SmallVector<int64_t>> need;
};

int64_t rankOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type ? type.getRank() : 0;
}

bool sameShape(Value a, Value b) {
  auto ta = dyn_cast<RankedTensorType>(a.getType());
  auto tb = dyn_cast<RankedTensorType>(b.getType());
  return ta && tb && ta.getShape() == tb.getShape();
}

/// Reshapes: a group's one dynamic dimension on either side, the others
/// static with product `staticProduct`.
std::optional<std::pair<int64_t, int64_t>>
dynamicDimOfGroup(RankedTensorType type, ArrayRef<int64_t> group) {
  std::optional<int64_t> dynamic;
  int64_t product = 1;
  for (int64_t d : group) {
    if (type.isDynamicDim(d)) {
      if (dynamic)
        return std::nullopt;
      dynamic = d;
    } else {
      product *= type.getDimSize(d);
    }
  }
  if (!dynamic || product == 0)
    return std::nullopt;
  return std::make_pair(*dynamic, product);
}

/// expand_shape and collapse_shape: `expanded` has the groups' dims.
void carryReshape(Requirements &req, Value result, Value source,
                  RankedTensorType expandedType, RankedTensorType collapsedType,
                  ArrayRef<ReassociationIndices> groups, bool resultExpanded) {
  ArrayRef<int64_t> sizes = req.of(result);
  if (sizes.empty())
    return;
  for (auto [collapsedDim, group] : llvm::enumerate(groups)) {
    auto dynamic = dynamicDimOfGroup(expandedType, group);
    if (!dynamic || !collapsedType.isDynamicDim(collapsedDim))
      continue;
    auto [expandedDim, product] = *dynamic;
    if (resultExpanded) // collapsed source holds expanded * product
      req.require(source, collapsedDim, sizes[expandedDim] * product);
    else // expanded source holds ceil(collapsed / product)
      req.require(source, expandedDim,
                  (sizes[collapsedDim] + product - 1) / product);
  }
}

/// What `op` needs of its operands, and what its results' requirements
/// ask of them.
void visit(Operation *op, Requirements &req) {
  TypeSwitch<Operation *>(op)
      .Case<PoolOp>([&](PoolOp pool) {
        // cls and last read a position; mean and max of nothing are
        // defined (0 with a mask, NaN and -inf without, as in PyTorch).
        if (pool.getKind() == PoolKind::cls || pool.getKind() == PoolKind::last)
          req.require(pool.getInput(), 1, 1);
        req.carryLeading(pool.getResult(), pool.getInput(), 1);
      })
      .Case<Conv1dOp>([&](Conv1dOp conv) {
        auto weight = cast<RankedTensorType>(conv.getWeight().getType());
        int64_t kernel = weight.getDimSize(2);
        if (ShapedType::isDynamic(kernel))
          return;
        int64_t stride = conv.getStride(), padding = conv.getPadding();
        ArrayRef<int64_t> out = req.of(conv.getResult());
        int64_t frames = out.size() == 3 ? std::max<int64_t>(out[2], 1) : 1;
        req.require(conv.getInput(), 2,
                    (frames - 1) * stride + kernel - 2 * padding);
        req.carryLeading(conv.getResult(), conv.getInput(), 1);
      })
      .Case<LogMelOp>([&](LogMelOp logMel) {
        // Reflect padding needs more than n_fft / 2 samples; each frame
        // takes a hop of them.
        ArrayRef<int64_t> out = req.of(logMel.getResult());
        int64_t frames = out.size() == 3 ? out[2] : 0;
        req.require(logMel.getAudio(), 1,
                    std::max<int64_t>(logMel.getNFft() / 2 + 1,
                                      frames * logMel.getHopLength()));
        req.carryLeading(logMel.getResult(), logMel.getAudio(), 1);
      })
      .Case<SpanCorruptionOp>([&](SpanCorruptionOp span) {
        // A row needs a noise token and a clean one.
        req.require(span.getIds(), 1, 2);
      })
      .Case<LinearOp>([&](LinearOp linear) {
        req.carryLeading(linear.getResult(), linear.getInput(),
                         rankOf(linear.getResult()) - 1);
        if (Value residual = linear.getResidual())
          req.carrySame(linear.getResult(), residual);
      })
      .Case<LayerNormOp>([&](LayerNormOp norm) {
        req.carrySame(norm.getResult(), norm.getInput());
        if (Value residual = norm.getResidual())
          req.carrySame(norm.getResult(), residual);
      })
      .Case<GroupNormOp, RMSNormOp, ActivationOp, L2NormalizeOp,
            PositionalEncodingOp>(
          [&](auto same) { req.carrySame(same.getResult(), same.getInput()); })
      .Case<AttentionOp>([&](AttentionOp attention) {
        // Queries give the result its rows: [batch, heads, queries, dim].
        req.carryLeading(attention.getResult(), attention.getQuery(), 3);
      })
      .Case<EmbeddingOp>([&](EmbeddingOp embedding) {
        req.carryLeading(embedding.getResult(), embedding.getIndices(),
                         rankOf(embedding.getIndices()));
      })
      .Case<linalg::TransposeOp>([&](linalg::TransposeOp transpose) {
        SmallVector<int64_t> map(transpose.getPermutation());
        req.carry(transpose.getResult()[0], transpose.getInput(), map);
      })
      .Case<tensor::ExpandShapeOp>([&](tensor::ExpandShapeOp expand) {
        carryReshape(req, expand.getResult(), expand.getSrc(),
                     expand.getResultType(), expand.getSrcType(),
                     expand.getReassociationIndices(), true);
      })
      .Case<tensor::CollapseShapeOp>([&](tensor::CollapseShapeOp collapse) {
        carryReshape(req, collapse.getResult(), collapse.getSrc(),
                     collapse.getSrcType(), collapse.getResultType(),
                     collapse.getReassociationIndices(), false);
      })
      .Case<tensor::ExtractSliceOp>([&](tensor::ExtractSliceOp slice) {
        // A slice is never longer than its source.
        if (slice.getSourceType().getRank() == slice.getType().getRank())
          req.carrySame(slice.getResult(), slice.getSource());
      })
      .Default([&](Operation *other) {
        // Elementwise ops (arith on tensors: residual adds, scales).
        if (!other->hasTrait<OpTrait::Elementwise>() ||
            other->getNumResults() != 1)
          return;
        for (Value operand : other->getOperands())
          if (sameShape(operand, other->getResult(0)))
            req.carrySame(other->getResult(0), operand);
      });
}

} // namespace

SmallVector<SmallVector<int64_t>>
mlir::enc::minimumInputSizes(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  Requirements req;
  for (Operation *op : llvm::reverse(ops))
    visit(op, req);
  SmallVector<SmallVector<int64_t>> result;
  for (BlockArgument arg : func.getArguments()) {
    SmallVector<int64_t> sizes(rankOf(arg), 0);
    for (auto [i, size] : llvm::enumerate(req.of(arg)))
      sizes[i] = size;
    result.push_back(std::move(sizes));
  }
  return result;
}
