//===- MaterializedAttention.cpp - enc.attention as plain linalg
//------------===//
//
// The neutral lowering of attention (the CUDA target's, whose attention
// kernel comes from enc-attention-to-gpu where it applies): scores = Q Kᵀ ·
// scale (+ bias, + mask, causal), a numerically stable softmax (subtract the
// row maximum), then P V, as linalg.generic ops that any backend can tile and
// map. It materialises the [q_len, kv_len] score matrix per head; the CPU
// target replaces it with its tiled online-softmax kernel
// (lib/Codegen/CPU/Kernels).
//
//===----------------------------------------------------------------------===//

#include "MaterializedAttention.h"
#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

/// The map reading a mask that broadcasts to [batch, heads, q, kv]: a
/// dimension of static size 1 reads index 0 whatever the loop index.
AffineMap maskMap(MLIRContext *ctx, RankedTensorType maskType,
                  ArrayRef<int64_t> fullShape) {
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(maskType.getShape())) {
    bool broadcast = size == 1 && fullShape[i] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(i, ctx));
  }
  return AffineMap::get(4, 0, exprs, ctx);
}

struct AttentionLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;
  // A sequence-major op becomes its head-major twin, which this pattern
  // rewrites once more: one level of recursion.
  void initialize() { setHasBoundedRewriteRecursion(); }

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    Value mask = adaptor.getMask();
    auto resultType = cast<RankedTensorType>(op.getType());
    if (op.getSequenceMajor()) {
      // Its head-major twin between transposes: the materialized form (or
      // a target kernel the conversion tries first) then lowers the twin.
      // Only a target without a sequence-major kernel gets here.
      auto twinType =
          RankedTensorType::get(swapHeadsAndSequence(resultType.getShape()),
                                resultType.getElementType());
      Value qTwin = swapHeadsAndSequence(rewriter, loc, q);
      Value kTwin = swapHeadsAndSequence(rewriter, loc, k);
      Value vTwin = swapHeadsAndSequence(rewriter, loc, v);
      auto twin = AttentionOp::create(
          rewriter, loc, twinType, qTwin, kTwin, vTwin, adaptor.getBias(), mask,
          op.getScaleAttr(), op.getCausalAttr(), UnitAttr());
      rewriter.replaceOp(op, swapHeadsAndSequence(rewriter, loc, twin));
      return success();
    }
    Type elementType = resultType.getElementType();

    SmallVector<OpFoldResult> qSizes = sizesOf(rewriter, loc, q);
    SmallVector<OpFoldResult> kSizes = sizesOf(rewriter, loc, k);
    SmallVector<OpFoldResult> vSizes = sizesOf(rewriter, loc, v);
    SmallVector<OpFoldResult> scoreSizes = {qSizes[0], qSizes[1], qSizes[2],
                                            kSizes[2]};
    SmallVector<OpFoldResult> rowSizes = {qSizes[0], qSizes[1], qSizes[2]};
    SmallVector<OpFoldResult> outSizes = {qSizes[0], qSizes[1], qSizes[2],
                                          vSizes[3]};
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);
    Value negInf = negativeInfinity(rewriter, loc, elementType);
    Value maskedOut = maskedScore(rewriter, loc, elementType);
    Value scale =
        floatConstant(rewriter, loc, elementType, op.getEffectiveScale());

    // scores[b, h, i, j] = sum_d q[b, h, i, d] * k[b, h, j, d]
    Value scores = buildGeneric(
        rewriter, loc, ValueRange{q, k},
        filledTensor(rewriter, loc, scoreSizes, zero),
        {projection(ctx, 5, {0, 1, 2, 4}), projection(ctx, 5, {0, 1, 3, 4}),
         projection(ctx, 5, {0, 1, 2, 3})},
        iterators(4, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          return {arith::AddFOp::create(b, l, args[2], product)};
        })[0];

    // Scale, bias, mask and causal cut, in one elementwise pass.
    AffineMap identity4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    SmallVector<Value> inputs = {scores};
    SmallVector<AffineMap> maps = {identity4};
    SmallVector<int64_t> fullShape = {
        resultType.getDimSize(0), resultType.getDimSize(1),
        resultType.getDimSize(2),
        cast<RankedTensorType>(k.getType()).getDimSize(2)};
    Value bias = adaptor.getBias();
    for (Value operand : {bias, mask}) {
      if (!operand)
        continue;
      inputs.push_back(operand);
      maps.push_back(
          maskMap(ctx, cast<RankedTensorType>(operand.getType()), fullShape));
    }
    maps.push_back(identity4);
    bool causal = op.getCausal();
    Value masked = buildGeneric(
        rewriter, loc, inputs,
        emptyTensor(rewriter, loc, scoreSizes, elementType), maps, iterators(4),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value s = arith::MulFOp::create(b, l, args[0], scale);
          if (bias)
            s = arith::AddFOp::create(b, l, s, args[1]);
          if (mask) {
            Value m = args[bias ? 2 : 1];
            if (auto intType = dyn_cast<IntegerType>(m.getType())) {
              Value keep = m;
              if (intType.getWidth() > 1) {
                Value zero = arith::ConstantOp::create(
                    b, l, intType, b.getIntegerAttr(intType, 0));
                keep = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, m,
                                             zero);
              }
              s = arith::SelectOp::create(b, l, keep, s, maskedOut);
            } else {
              s = arith::AddFOp::create(b, l, s, m);
            }
          }
          if (causal) {
            Value i = linalg::IndexOp::create(b, l, 2);
            Value j = linalg::IndexOp::create(b, l, 3);
            Value future =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::ugt, j, i);
            s = arith::SelectOp::create(b, l, future, negInf, s);
          }
          return {s};
        })[0];

    // Numerically stable softmax over j.
    AffineMap row = leadingDims(ctx, 4, 3);
    Value rowMax = buildGeneric(
        rewriter, loc, masked, filledTensor(rewriter, loc, rowSizes, negInf),
        {identity4, row}, iterators(3, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::MaximumFOp::create(b, l, args[0], args[1])};
        })[0];
    Value exps = buildGeneric(
        rewriter, loc, ValueRange{masked, rowMax},
        emptyTensor(rewriter, loc, scoreSizes, elementType),
        {identity4, row, identity4}, iterators(4),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          return {math::ExpOp::create(b, l, shifted)};
        })[0];
    Value rowSum = buildGeneric(
        rewriter, loc, exps, filledTensor(rewriter, loc, rowSizes, zero),
        {identity4, row}, iterators(3, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::AddFOp::create(b, l, args[0], args[1])};
        })[0];
    Value probs = buildGeneric(
        rewriter, loc, ValueRange{exps, rowSum},
        emptyTensor(rewriter, loc, scoreSizes, elementType),
        {identity4, row, identity4}, iterators(4),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::DivFOp::create(b, l, args[0], args[1])};
        })[0];

    // out[b, h, i, e] = sum_j p[b, h, i, j] * v[b, h, j, e]
    Value result = buildGeneric(
        rewriter, loc, ValueRange{probs, v},
        filledTensor(rewriter, loc, outSizes, zero),
        {projection(ctx, 5, {0, 1, 2, 4}), projection(ctx, 5, {0, 1, 4, 3}),
         projection(ctx, 5, {0, 1, 2, 3})},
        iterators(4, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          return {arith::AddFOp::create(b, l, args[2], product)};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::enc::lowering::populateMaterializedAttentionPattern(
    RewritePatternSet &patterns) {
  patterns.add<AttentionLowering>(patterns.getContext());
}
