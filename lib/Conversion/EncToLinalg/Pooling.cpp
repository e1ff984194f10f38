//===- Pooling.cpp - enc.pool to linalg -------------------------------------===//
//
// cls is a slice; mean and max are reductions over the sequence dimension,
// with the padding mask read as per-token weights (mean) or as a filter
// (max). Loops run as (batch, dim, seq) so the reduction is innermost.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

struct PoolLowering : OpConversionPattern<PoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    Value mask = adaptor.getMask();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    SmallVector<OpFoldResult> outSizes = {sizes[0], sizes[2]};

    if (op.getKind() == PoolKind::cls) {
      OpFoldResult zero = rewriter.getIndexAttr(0);
      OpFoldResult one = rewriter.getIndexAttr(1);
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, resultType, input, ArrayRef<OpFoldResult>{zero, zero, zero},
          ArrayRef<OpFoldResult>{sizes[0], one, sizes[2]},
          ArrayRef<OpFoldResult>{one, one, one});
      return success();
    }

    // Loops (b, d, s): input[b, s, d], mask[b, s], out[b, d].
    AffineMap inputMap = projection(ctx, 3, {0, 2, 1});
    AffineMap maskMap = projection(ctx, 3, {0, 2});
    AffineMap outMap = projection(ctx, 3, {0, 1});
    SmallVector<Value> inputs = {input};
    SmallVector<AffineMap> maps = {inputMap};
    if (mask) {
      inputs.push_back(mask);
      maps.push_back(maskMap);
    }
    maps.push_back(outMap);
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);

    if (op.getKind() == PoolKind::max) {
      Value negInf = negativeInfinity(rewriter, loc, elementType);
      Value result = buildGeneric(
          rewriter, loc, inputs, filledTensor(rewriter, loc, outSizes, negInf),
          maps, iterators(2, 1),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            Value x = args[0];
            if (mask) {
              Value weight = maskToWeight(b, l, args[1], elementType);
              Value keep = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::UNE, weight, zero);
              x = arith::SelectOp::create(b, l, keep, x, negInf);
            }
            return {arith::MaximumFOp::create(b, l, args.back(), x)};
          })[0];
      rewriter.replaceOp(op, result);
      return success();
    }

    // Mean: weighted sum over s, then divide by the (clamped) weight total.
    Value sums = buildGeneric(
        rewriter, loc, inputs, filledTensor(rewriter, loc, outSizes, zero),
        maps, iterators(2, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value x = args[0];
          if (mask)
            x = arith::MulFOp::create(
                b, l, x, maskToWeight(b, l, args[1], elementType));
          return {arith::AddFOp::create(b, l, args.back(), x)};
        })[0];

    AffineMap identity2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    Value result;
    if (!mask) {
      Value count = dimAsFloat(rewriter, loc, input, 1, elementType);
      result = buildGeneric(
          rewriter, loc, sums, emptyTensor(rewriter, loc, outSizes, elementType),
          {identity2, identity2}, iterators(2),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            return {arith::DivFOp::create(b, l, args[0], count)};
          })[0];
    } else {
      // Sentence-BERT clamps the token count at 1e-9.
      Value counts = buildGeneric(
          rewriter, loc, mask,
          filledTensor(rewriter, loc, {sizes[0]}, zero),
          {identity2, projection(ctx, 2, {0})}, iterators(1, 1),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            Value weight = maskToWeight(b, l, args[0], elementType);
            return {arith::AddFOp::create(b, l, args[1], weight)};
          })[0];
      Value tiny = floatConstant(rewriter, loc, elementType, 1e-9);
      result = buildGeneric(
          rewriter, loc, ValueRange{sums, counts},
          emptyTensor(rewriter, loc, outSizes, elementType),
          {identity2, projection(ctx, 2, {0}), identity2}, iterators(2),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            Value count = arith::MaximumFOp::create(b, l, args[1], tiny);
            return {arith::DivFOp::create(b, l, args[0], count)};
          })[0];
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::enc::populatePoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<PoolLowering>(patterns.getContext());
}
