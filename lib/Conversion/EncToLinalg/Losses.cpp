//===- Losses.cpp - enc loss ops to linalg ----------------------------------===//
//
// Cross entropy as logsumexp(logits) - logits[label], per position, with
// the row maximum subtracted before exp so large logits do not overflow.
// Ignored positions contribute 0 to the sum and nothing to the count.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

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

struct CrossEntropyLowering : OpConversionPattern<CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = adaptor.getLogits();
    Value labels = adaptor.getLabels();
    auto logitsType = cast<RankedTensorType>(logits.getType());
    Type elementType = logitsType.getElementType();
    Type labelType = cast<RankedTensorType>(labels.getType()).getElementType();
    unsigned rank = logitsType.getRank();
    unsigned positions = rank - 1;

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, logits);
    ArrayRef<OpFoldResult> positionSizes = ArrayRef(sizes).drop_back();
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);
    Value one = floatConstant(rewriter, loc, elementType, 1.0);
    Value negInf = negativeInfinity(rewriter, loc, elementType);
    Value numClasses = tensor::DimOp::create(rewriter, loc, logits, rank - 1);
    Value ignoreIndex = arith::ConstantOp::create(
        rewriter, loc, labelType,
        rewriter.getIntegerAttr(labelType, op.getIgnoreIndex()));

    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap position = leadingDims(ctx, rank, positions);
    Value rowMax = buildGeneric(
        rewriter, loc, logits, filledTensor(rewriter, loc, positionSizes, negInf),
        {identity, position}, iterators(positions, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::MaximumFOp::create(b, l, args[0], args[1])};
        })[0];
    Value sumExp = buildGeneric(
        rewriter, loc, ValueRange{logits, rowMax},
        filledTensor(rewriter, loc, positionSizes, zero),
        {identity, position, position}, iterators(positions, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          Value e = math::ExpOp::create(b, l, shifted);
          return {arith::AddFOp::create(b, l, args[2], e)};
        })[0];

    // Per position: (loss, weight), weight 0 where the label is ignored.
    AffineMap positionIdentity =
        AffineMap::getMultiDimIdentityMap(positions, ctx);
    SmallVector<Value> perPosition = buildGeneric(
        rewriter, loc, ValueRange{labels, rowMax, sumExp},
        ValueRange{emptyTensor(rewriter, loc, positionSizes, elementType),
                   emptyTensor(rewriter, loc, positionSizes, elementType)},
        SmallVector<AffineMap>(5, positionIdentity), iterators(positions),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          SmallVector<Value> index;
          for (unsigned d = 0; d < positions; ++d)
            index.push_back(linalg::IndexOp::create(b, l, d));
          index.push_back(clampedIndex(b, l, args[0], numClasses));
          Value target = tensor::ExtractOp::create(b, l, logits, index);
          Value logSumExp = arith::AddFOp::create(
              b, l, math::LogOp::create(b, l, args[2]), args[1]);
          Value loss = arith::SubFOp::create(b, l, logSumExp, target);
          Value ignored = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                args[0], ignoreIndex);
          return {arith::SelectOp::create(b, l, ignored, zero, loss),
                  arith::SelectOp::create(b, l, ignored, zero, one)};
        });
    Value losses = perPosition[0], weights = perPosition[1];

    if (op.getReduction() == Reduction::none) {
      rewriter.replaceOp(op, losses);
      return success();
    }

    // Reduce every position into 0-d sums of loss and weight.
    AffineMap toScalar = AffineMap::get(positions, 0, {}, ctx);
    SmallVector<Value> totals = buildGeneric(
        rewriter, loc, ValueRange{losses, weights},
        ValueRange{filledTensor(rewriter, loc, {}, zero),
                   filledTensor(rewriter, loc, {}, zero)},
        {positionIdentity, positionIdentity, toScalar, toScalar},
        iterators(0, positions),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::AddFOp::create(b, l, args[2], args[0]),
                  arith::AddFOp::create(b, l, args[3], args[1])};
        });
    if (op.getReduction() == Reduction::sum) {
      rewriter.replaceOp(op, totals[0]);
      return success();
    }
    AffineMap scalar = AffineMap::get(0, 0, {}, ctx);
    Value mean = buildGeneric(
        rewriter, loc, ValueRange{totals[0], totals[1]},
        emptyTensor(rewriter, loc, {}, elementType), {scalar, scalar, scalar},
        {},
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::DivFOp::create(b, l, args[0], args[1])};
        })[0];
    rewriter.replaceOp(op, mean);
    return success();
  }
};

} // namespace

void mlir::enc::populateLossesToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CrossEntropyLowering>(patterns.getContext());
}
