//===- Pooling.cpp - enc.pool, l2_normalize and similarity to linalg ------===//
//
// cls is a slice; mean and max are reductions over the sequence dimension,
// with the padding mask read as per-token weights (mean) or as a filter
// (max). Loops run as (batch, dim, seq) so the reduction is innermost.
//
// l2_normalize is a sum of squares over the last dimension and one
// elementwise divide. similarity is a `linalg.matmul` whose B operand is
// read through a transposed indexing map (both sides are [rows, dim], as in
// enc.linear), followed by one elementwise pass for scale and bias.
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

/// The last position, or the last real token under a right-padding mask:
/// position sum(mask != 0) - 1, clamped to 0 for a row with no token.
struct LastPoolLowering : OpConversionPattern<PoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getKind() != PoolKind::last)
      return rewriter.notifyMatchFailure(op, "not last-token pooling");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    Value mask = adaptor.getMask();
    RankedTensorType resultType = op.getType();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value seq = getValueOrCreateConstantIndexOp(rewriter, loc, sizes[1]);

    if (!mask) {
      Value lastIndex = arith::SubIOp::create(rewriter, loc, seq, one);
      OpFoldResult unit = rewriter.getIndexAttr(1);
      OpFoldResult zero = rewriter.getIndexAttr(0);
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, resultType, input,
          ArrayRef<OpFoldResult>{zero, OpFoldResult(lastIndex), zero},
          ArrayRef<OpFoldResult>{sizes[0], unit, sizes[2]},
          ArrayRef<OpFoldResult>{unit, unit, unit});
      return success();
    }

    // Real tokens per row.
    Type i64 = rewriter.getI64Type();
    Value zero64 = arith::ConstantOp::create(rewriter, loc, i64,
                                             rewriter.getI64IntegerAttr(0));
    AffineMap identity2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    Value counts = buildGeneric(
        rewriter, loc, mask, filledTensor(rewriter, loc, {sizes[0]}, zero64),
        {identity2, projection(ctx, 2, {0})}, iterators(1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value weight = maskToWeight(b, l, args[0], b.getF32Type());
          Value counted =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, weight,
                                    floatConstant(b, l, b.getF32Type(), 0.0));
          Value add = arith::ExtUIOp::create(b, l, i64, counted);
          return {arith::AddIOp::create(b, l, args[1], add)};
        })[0];
    Value result = buildGeneric(
        rewriter, loc, counts,
        emptyTensor(rewriter, loc, {sizes[0], sizes[2]},
                    resultType.getElementType()),
        {projection(ctx, 2, {0}), identity2}, iterators(2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value count =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value last = arith::SubIOp::create(b, l, count, one);
          Value position = clampedIndex(
              b, l, arith::IndexCastOp::create(b, l, i64, last), seq);
          Value batch = linalg::IndexOp::create(b, l, 0);
          Value feature = linalg::IndexOp::create(b, l, 1);
          return {tensor::ExtractOp::create(
              b, l, input, ValueRange{batch, position, feature})};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

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

    if (op.getKind() == PoolKind::last)
      return rewriter.notifyMatchFailure(op, "LastPoolLowering handles it");
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
            x = arith::MulFOp::create(b, l, x,
                                      maskToWeight(b, l, args[1], elementType));
          return {arith::AddFOp::create(b, l, args.back(), x)};
        })[0];

    AffineMap identity2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    Value result;
    if (!mask) {
      Value count = dimAsFloat(rewriter, loc, input, 1, elementType);
      result = buildGeneric(
          rewriter, loc, sums,
          emptyTensor(rewriter, loc, outSizes, elementType),
          {identity2, identity2}, iterators(2),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            return {arith::DivFOp::create(b, l, args[0], count)};
          })[0];
    } else {
      // Sentence-BERT clamps the token count at 1e-9.
      Value counts = buildGeneric(
          rewriter, loc, mask, filledTensor(rewriter, loc, {sizes[0]}, zero),
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

/// `x / max(||x||, epsilon)` along the last dimension of `input`, as
/// torch.nn.functional.normalize.
Value l2Normalize(OpBuilder &b, Location loc, Value input, double epsilon) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(input.getType());
  Type elementType = type.getElementType();
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, input);
  ArrayRef<OpFoldResult> rowSizes = ArrayRef(sizes).drop_back();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  // getSliceMap rather than leadingDims: a vector's row map has no results.
  AffineMap row =
      AffineMap::getMultiDimIdentityMap(rank, ctx).getSliceMap(0, rank - 1);

  Value squares = buildGeneric(
      b, loc, input,
      filledTensor(b, loc, rowSizes, floatConstant(b, loc, elementType, 0.0)),
      {identity, row}, iterators(rank - 1, 1),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Value square = arith::MulFOp::create(nb, l, args[0], args[0]);
        return {arith::AddFOp::create(nb, l, args[1], square)};
      })[0];
  Value eps = floatConstant(b, loc, elementType, epsilon);
  return buildGeneric(
      b, loc, ValueRange{input, squares},
      emptyTensor(b, loc, sizes, elementType), {identity, row, identity},
      iterators(rank),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Value norm = math::SqrtOp::create(nb, l, args[1]);
        Value clamped = arith::MaximumFOp::create(nb, l, norm, eps);
        return {arith::DivFOp::create(nb, l, args[0], clamped)};
      })[0];
}

/// The one element of a `[]` or `[1]` tensor, as a scalar.
Value scalarOf(OpBuilder &b, Location loc, Value oneElement) {
  SmallVector<Value> index(
      cast<RankedTensorType>(oneElement.getType()).getRank(),
      arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, oneElement, index);
}

struct L2NormalizeLowering : OpConversionPattern<L2NormalizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(L2NormalizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = l2Normalize(rewriter, op.getLoc(), adaptor.getInput(),
                               op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), result, op.getType()));
    return success();
  }
};

struct SimilarityLowering : OpConversionPattern<SimilarityOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SimilarityOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    Type elementType = op.getType().getElementType();

    // Cosine normalizes both sides first, with F.normalize's default
    // epsilon (1e-12) rather than F.cosine_similarity's product clamp
    // (1e-8): CLIP and Sentence-BERT normalize embeddings this way, and an
    // [n, m] matrix then costs n + m norms instead of n * m.
    if (op.getKind() == SimilarityKind::cosine) {
      lhs = l2Normalize(rewriter, loc, lhs, 1e-12);
      rhs = l2Normalize(rewriter, loc, rhs, 1e-12);
    }

    SmallVector<OpFoldResult> sizes = {sizesOf(rewriter, loc, lhs)[0],
                                       sizesOf(rewriter, loc, rhs)[0]};
    Value init = filledTensor(rewriter, loc, sizes,
                              floatConstant(rewriter, loc, elementType, 0.0));
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto matmul =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                                 ValueRange{lhs, rhs}, ValueRange{init});
    matmul.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
        {AffineMap::get(3, 0, {m, k}, ctx), AffineMap::get(3, 0, {n, k}, ctx),
         AffineMap::get(3, 0, {m, n}, ctx)}));
    Value result = matmul.getResult(0);

    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    if (scale || bias) {
      // The scale is read (and exponentiated) once, outside the loops.
      if (scale) {
        scale = scalarOf(rewriter, loc, scale);
        if (op.getExpScale())
          scale = math::ExpOp::create(rewriter, loc, scale);
      }
      if (bias)
        bias = scalarOf(rewriter, loc, bias);
      AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
      result = buildGeneric(
          rewriter, loc, result, emptyTensor(rewriter, loc, sizes, elementType),
          {identity, identity}, iterators(2),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            Value y = args[0];
            if (scale)
              y = arith::MulFOp::create(b, l, y, scale);
            if (bias)
              y = arith::AddFOp::create(b, l, y, bias);
            return {y};
          })[0];
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void mlir::enc::populatePoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LastPoolLowering, PoolLowering, L2NormalizeLowering,
               SimilarityLowering>(patterns.getContext());
}
