//===- RecognizeAttention.cpp - the enc-recognize-attention pass ----------===//
//
// Attention written with upstream ops materialises the score matrix and
// runs a separate softmax; as `enc.attention` it gets the attention kernel.
// This pass rewrites QKᵀ (a zero-init contraction, K optionally through
// linalg.transpose), an optional splat scale (mulf or divf), an optional
// mask (addf), linalg.softmax over the last dimension and PV (a zero-init
// contraction) into `enc.attention %q, %k, %v [mask %m] {scale}`, for
// tensors of rank 2 to 4, when each value from the scores to the
// probabilities has the chain's next op as its only user, in one block.
// What counts as a contraction, scale and mask, and what is refused:
// docs/rationale/graph-passes.md, 'enc-recognize-attention'.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::enc {
#define GEN_PASS_DEF_ENCRECOGNIZEATTENTION
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// A matched batched contraction: `lhs` is read as (b, m, k); `rhs` as
/// (b, k, n), or as (b, n, k) when `rhsTransposed`.
struct Contraction {
  linalg::LinalgOp op;
  Value lhs, rhs;
  bool rhsTransposed = false;
};

/// True for a zero splat: a linalg.fill of 0.0 or a zero constant.
bool isZeroTensor(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  return matchPattern(value, m_AnyZeroFloat());
}

/// True when `block` computes `out + a * b` of its arguments (a, b, out),
/// in either operand order, and nothing else.
bool isMulAddBody(Block &block) {
  if (block.getNumArguments() != 3 || block.getOperations().size() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(block.getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = block.getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  if (add.getLhs() != acc && add.getRhs() != acc)
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  Value a = block.getArgument(0), b = block.getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// `value` as the result of a (batch..., m, n, k) contraction with a zero
/// init (0 to 2 batch loops), or nothing.
std::optional<Contraction> matchContraction(Value value) {
  auto op = value.getDefiningOp<linalg::LinalgOp>();
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumResults() != 1)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() < 2 || type.getRank() > 4)
    return std::nullopt;
  int64_t rank = type.getRank();
  unsigned loops = rank + 1;
  if (op.getNumLoops() != loops)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < loops; ++i)
    if (iterators[i] != (i + 1 == loops ? utils::IteratorType::reduction
                                        : utils::IteratorType::parallel))
      return std::nullopt;

  MLIRContext *ctx = op->getContext();
  SmallVector<AffineExpr> batch;
  for (int64_t i = 0; i < rank - 2; ++i)
    batch.push_back(getAffineDimExpr(i, ctx));
  AffineExpr m = getAffineDimExpr(rank - 2, ctx);
  AffineExpr n = getAffineDimExpr(rank - 1, ctx);
  AffineExpr k = getAffineDimExpr(rank, ctx);
  auto map = [&](AffineExpr a, AffineExpr b) {
    SmallVector<AffineExpr> exprs(batch);
    exprs.append({a, b});
    return AffineMap::get(loops, 0, exprs, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != map(m, k) || maps[2] != map(m, n))
    return std::nullopt;
  bool rhsTransposed;
  if (maps[1] == map(k, n))
    rhsTransposed = false;
  else if (maps[1] == map(n, k))
    rhsTransposed = true;
  else
    return std::nullopt;

  Value lhs = op.getDpsInputOperand(0)->get();
  Value rhs = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  Type element = type.getElementType();
  if (!isa<FloatType>(element) ||
      getElementTypeOrSelf(lhs.getType()) != element ||
      getElementTypeOrSelf(rhs.getType()) != element ||
      !isMulAddBody(*op.getBlock()) || !isZeroTensor(init))
    return std::nullopt;
  return Contraction{op, lhs, rhs, rhsTransposed};
}

/// The tensor a `linalg.transpose` swapping the last two dimensions of its
/// input reads, or nothing.
Value untransposed(Value value) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  if (!transpose)
    return {};
  ArrayRef<int64_t> perm = transpose.getPermutation();
  int64_t rank = perm.size();
  if (rank < 2)
    return {};
  for (int64_t i = 0; i < rank - 2; ++i)
    if (perm[i] != i)
      return {};
  if (perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2)
    return {};
  return transpose.getInput();
}

/// The scores: q, k and the scale.
struct Scores {
  Value query, key;
  double scale = 1.0;
};

/// True when `value` has `user` as its only user, in `user`'s block.
bool onlyFeeds(Value value, Operation *user) {
  Operation *def = value.getDefiningOp();
  return def && value.hasOneUse() && *value.getUsers().begin() == user &&
         def->getBlock() == user->getBlock();
}

/// The value of a splat float constant (an arith.constant, or a
/// linalg.fill of one), or nothing.
std::optional<double> splatValue(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    value = fill.getInputs()[0];
  APFloat constant(0.0);
  if (!matchPattern(value, m_ConstantFloat(&constant)))
    return std::nullopt;
  bool lost;
  constant.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return constant.convertToDouble();
}

/// Q Kᵀ, optionally scaled, as consumed by `user`.
std::optional<Scores> matchScores(Value value, Operation *user) {
  if (!onlyFeeds(value, user))
    return std::nullopt;
  Scores scores;
  Value product = value;
  Operation *scaleOp = nullptr;
  if (auto mul = value.getDefiningOp<arith::MulFOp>()) {
    std::optional<double> c = splatValue(mul.getRhs());
    product = mul.getLhs();
    if (!c) {
      c = splatValue(mul.getLhs());
      product = mul.getRhs();
    }
    if (!c)
      return std::nullopt;
    scores.scale = *c;
    scaleOp = mul;
  } else if (auto div = value.getDefiningOp<arith::DivFOp>()) {
    std::optional<double> c = splatValue(div.getRhs());
    if (!c)
      return std::nullopt;
    scores.scale = 1.0 / *c;
    product = div.getLhs();
    scaleOp = div;
  }
  if (!std::isfinite(scores.scale) || scores.scale == 0.0)
    return std::nullopt;
  if (scaleOp && !onlyFeeds(product, scaleOp))
    return std::nullopt;
  std::optional<Contraction> qk = matchContraction(product);
  if (!qk)
    return std::nullopt;
  scores.query = qk->lhs;
  scores.key = qk->rhsTransposed ? qk->rhs : untransposed(qk->rhs);
  if (!scores.key)
    return std::nullopt;
  return scores;
}

/// `value` ([batch..., rows, cols]) as rank 4, with unit dimensions in
/// front.
Value toRank4(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  if (rank == 4)
    return value;
  SmallVector<int64_t> shape(4 - rank, 1);
  llvm::append_range(shape, type.getShape());
  SmallVector<OpFoldResult> sizes(4 - rank, b.getIndexAttr(1));
  llvm::append_range(sizes, tensor::getMixedSizes(b, loc, value));
  SmallVector<ReassociationIndices> groups(rank);
  for (int64_t i = 0; i < 4; ++i)
    groups[std::max<int64_t>(i - (4 - rank), 0)].push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      groups, sizes);
}

/// The mask as attention wants it: rank 4, and read before a
/// linalg.broadcast with unit dimensions where the broadcast added them.
Value rank4Mask(OpBuilder &b, Location loc, Value mask) {
  auto broadcast = mask.getDefiningOp<linalg::BroadcastOp>();
  auto maskType = cast<RankedTensorType>(mask.getType());
  int64_t rank = maskType.getRank();
  if (!broadcast ||
      cast<RankedTensorType>(broadcast.getInput().getType()).getRank() == 0)
    return toRank4(b, loc, mask);
  Value source = broadcast.getInput();
  auto sourceType = cast<RankedTensorType>(source.getType());
  ArrayRef<int64_t> added = broadcast.getDimensions();
  // Target dimension i of the rank-4 mask; source dimensions in order.
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  SmallVector<ReassociationIndices> groups(sourceType.getRank());
  int64_t next = 0;
  for (int64_t i = 0; i < 4; ++i) {
    int64_t dim = i - (4 - rank); // dimension of the broadcast result
    bool unit = dim < 0 || llvm::is_contained(added, dim);
    if (unit) {
      shape.push_back(1);
      sizes.push_back(b.getIndexAttr(1));
    } else {
      shape.push_back(sourceType.getDimSize(next));
      sizes.push_back(tensor::getMixedSize(b, loc, source, next));
      ++next;
    }
    // A unit dimension joins the group of the next source dimension, or of
    // the last one when none follows.
    groups[std::min<int64_t>(next - (unit ? 0 : 1), sourceType.getRank() - 1)]
        .push_back(i);
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, sourceType.getElementType()), source,
      groups, sizes);
}

struct RecognizeAttention : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1)
      return failure();
    std::optional<Contraction> pv = matchContraction(op->getResult(0));
    if (!pv || pv->rhsTransposed)
      return rewriter.notifyMatchFailure(op, "not a P V contraction");
    auto softmax = pv->lhs.getDefiningOp<linalg::SoftmaxOp>();
    int64_t rank = cast<RankedTensorType>(pv->lhs.getType()).getRank();
    if (!softmax || softmax.getDimension() != static_cast<uint64_t>(rank - 1) ||
        !onlyFeeds(pv->lhs, op))
      return rewriter.notifyMatchFailure(op, "P is not a single-use softmax");

    Value logits = softmax.getInput();
    std::optional<Scores> scores = matchScores(logits, softmax);
    Value mask;
    if (!scores) {
      auto add = logits.getDefiningOp<arith::AddFOp>();
      if (!add || !onlyFeeds(logits, softmax))
        return rewriter.notifyMatchFailure(op, "no Q Kᵀ before the softmax");
      scores = matchScores(add.getLhs(), add);
      mask = add.getRhs();
      if (!scores) {
        scores = matchScores(add.getRhs(), add);
        mask = add.getLhs();
      }
      if (!scores)
        return rewriter.notifyMatchFailure(op, "no Q Kᵀ before the mask");
    }

    Location loc = op.getLoc();
    Value query = toRank4(rewriter, loc, scores->query);
    Value key = toRank4(rewriter, loc, scores->key);
    Value value = toRank4(rewriter, loc, pv->rhs);
    if (mask)
      mask = rank4Mask(rewriter, loc, mask);
    auto queryType = cast<RankedTensorType>(query.getType());
    auto valueType = cast<RankedTensorType>(value.getType());
    auto resultType = RankedTensorType::get(
        {queryType.getDimSize(0), queryType.getDimSize(1),
         queryType.getDimSize(2), valueType.getDimSize(3)},
        queryType.getElementType());
    Value result = AttentionOp::create(
        rewriter, loc, resultType, query, key, value, /*bias=*/Value(), mask,
        rewriter.getF64FloatAttr(scores->scale), UnitAttr());
    if (rank < 4) {
      SmallVector<ReassociationIndices> groups(rank);
      for (int64_t i = 0; i < 4; ++i)
        groups[std::max<int64_t>(i - (4 - rank), 0)].push_back(i);
      result = tensor::CollapseShapeOp::create(rewriter, loc, result, groups);
    }
    Type originalType = op->getResult(0).getType();
    if (result.getType() != originalType)
      result = tensor::CastOp::create(rewriter, loc, originalType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct EncRecognizeAttentionPass
    : enc::impl::EncRecognizeAttentionBase<EncRecognizeAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RecognizeAttention>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
