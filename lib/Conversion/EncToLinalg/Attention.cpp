//===- Attention.cpp - enc attention and position ops to linalg -----------===//
//
// attention lowers to the plain linalg form of MaterializedAttention.cpp;
// the CPU target replaces it with its flash-attention kernel
// (lib/Codegen/CPU/Kernels/FlashAttention.cpp).
//
// rotary builds cos/sin tables [seq, rotary_dim / 2] once (angles reduced in
// f64), then one elementwise pass reads each feature's partner through the
// affine map (d + half) mod rotary_dim and gathers its cos and sin.
// relative_position_bias looks up a bucket table computed at compile time,
// indexed by the clamped offset j - i.
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

#include <cmath>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

struct RotaryLowering : OpConversionPattern<RotaryOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RotaryOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    Type f64 = rewriter.getF64Type();
    int64_t headDim = type.getDimSize(3);
    int64_t rotaryDim = op.getRotaryDim().value_or(headDim);
    int64_t half = rotaryDim / 2;
    double base = op.getBase().convertToDouble();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);

    // θ[s, i] = (offset + s) · base^(-2i / rotary_dim), frequencies folded
    // at compile time in double.
    SmallVector<double> frequencies;
    for (int64_t i = 0; i < half; ++i)
      frequencies.push_back(
          std::pow(base, -2.0 * static_cast<double>(i) / rotaryDim));
    Value frequency =
        floatTensorConstant(rewriter, loc, {half}, frequencies, f64);
    Value offset =
        floatConstant(rewriter, loc, f64, static_cast<double>(op.getOffset()));
    SmallVector<OpFoldResult> tableSizes = {sizes[2],
                                            rewriter.getIndexAttr(half)};
    SmallVector<Value> tables = buildGeneric(
        rewriter, loc, frequency,
        ValueRange{emptyTensor(rewriter, loc, tableSizes, elementType),
                   emptyTensor(rewriter, loc, tableSizes, elementType)},
        {projection(ctx, 2, {1}), leadingDims(ctx, 2, 2),
         leadingDims(ctx, 2, 2)},
        iterators(2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value s = linalg::IndexOp::create(b, l, 0);
          Value position = arith::AddFOp::create(
              b, l,
              arith::UIToFPOp::create(
                  b, l, f64,
                  arith::IndexCastUIOp::create(b, l, b.getI64Type(), s)),
              offset);
          Value angle =
              reducedAngle(b, l, arith::MulFOp::create(b, l, position, args[0]),
                           elementType);
          return {math::CosOp::create(b, l, angle),
                  math::SinOp::create(b, l, angle)};
        });

    // out[d] = x[d] cos θ + sign · x[partner] sin θ on the rotated features,
    // partner = (d + half) mod rotary_dim, sign = -1 on the first half. The
    // tables are read with tensor.extract rather than as operands, so that
    // elementwise fusion does not recompute the trigonometry for every
    // batch and head.
    AffineExpr bd, hd, sd, dd;
    bindDims(ctx, bd, hd, sd, dd);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap partner =
        AffineMap::get(4, 0, {bd, hd, sd, (dd + half) % rotaryDim}, ctx);
    Value halfIndex = arith::ConstantIndexOp::create(rewriter, loc, half);
    Value rotaryIndex =
        arith::ConstantIndexOp::create(rewriter, loc, rotaryDim);
    bool partial = rotaryDim != headDim;
    Value result = buildGeneric(
        rewriter, loc, ValueRange{input, input},
        emptyTensor(rewriter, loc, sizes, elementType),
        {identity, partner, identity}, iterators(4),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value s = linalg::IndexOp::create(b, l, 2);
          Value d = linalg::IndexOp::create(b, l, 3);
          Value i = arith::RemUIOp::create(b, l, d, halfIndex);
          Value cos =
              tensor::ExtractOp::create(b, l, tables[0], ValueRange{s, i});
          Value sin =
              tensor::ExtractOp::create(b, l, tables[1], ValueRange{s, i});
          Value firstHalf = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::ult, d, halfIndex);
          Value rotated = arith::MulFOp::create(b, l, args[1], sin);
          rotated = arith::SelectOp::create(
              b, l, firstHalf, arith::NegFOp::create(b, l, rotated), rotated);
          Value y = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, args[0], cos), rotated);
          if (partial) {
            Value inside = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::ult, d, rotaryIndex);
            y = arith::SelectOp::create(b, l, inside, y, args[0]);
          }
          return {y};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// T5's bucket of relative position `r` (key minus query), as Hugging
/// Face's T5Attention._relative_position_bucket computes it. The log-spaced
/// part is evaluated in float32 like the reference, so that its truncation
/// to an integer lands on the same side.
int64_t t5Bucket(int64_t r, bool bidirectional, int64_t buckets,
                 int64_t maxDistance) {
  int64_t bucket = 0, distance;
  if (bidirectional) {
    buckets /= 2;
    if (r > 0)
      bucket += buckets;
    distance = r < 0 ? -r : r;
  } else {
    distance = r < 0 ? -r : 0;
  }
  int64_t maxExact = buckets / 2;
  if (distance < maxExact)
    return bucket + distance;
  float scaled =
      std::log(static_cast<float>(distance) / static_cast<float>(maxExact)) /
      static_cast<float>(std::log(static_cast<double>(maxDistance) /
                                  static_cast<double>(maxExact))) *
      static_cast<float>(buckets - maxExact);
  int64_t large = maxExact + static_cast<int64_t>(scaled);
  return bucket + std::min(large, buckets - 1);
}

struct RelativePositionBiasLowering
    : OpConversionPattern<RelativePositionBiasOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RelativePositionBiasOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value table = adaptor.getTable();
    RankedTensorType resultType = op.getType();
    int64_t buckets = op.getNumBuckets();
    int64_t maxDistance = op.getMaxDistance();
    bool bidirectional = op.getBidirectional();

    // Every offset at or beyond ±max_distance falls into the last bucket of
    // its side, so a table over [-max_distance, max_distance] is exact once
    // the offset is clamped into it.
    SmallVector<int64_t> bucketOf;
    for (int64_t r = -maxDistance; r <= maxDistance; ++r)
      bucketOf.push_back(t5Bucket(r, bidirectional, buckets, maxDistance));
    Value bucketTable = intTensorConstant(
        rewriter, loc, {static_cast<int64_t>(bucketOf.size())}, bucketOf,
        rewriter.getI64Type());

    SmallVector<OpFoldResult> sizes = staticWhereKnown(
        rewriter, resultType,
        {rewriter.getIndexAttr(1), sizesOf(rewriter, loc, table)[1],
         adaptor.getQueryLength(), adaptor.getKeyLength()});
    Value limit = arith::ConstantIndexOp::create(rewriter, loc, maxDistance);
    Value negativeLimit =
        arith::ConstantIndexOp::create(rewriter, loc, -maxDistance);
    Value rows = tensor::DimOp::create(rewriter, loc, table, 0);
    Value result = buildGeneric(
        rewriter, loc, ValueRange{},
        emptyTensor(rewriter, loc, sizes, resultType.getElementType()),
        {AffineMap::getMultiDimIdentityMap(4, ctx)}, iterators(4),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value head = linalg::IndexOp::create(b, l, 1);
          Value i = linalg::IndexOp::create(b, l, 2);
          Value j = linalg::IndexOp::create(b, l, 3);
          Value offset = arith::SubIOp::create(b, l, j, i);
          offset = arith::MaxSIOp::create(b, l, offset, negativeLimit);
          offset = arith::MinSIOp::create(b, l, offset, limit);
          Value slot = arith::AddIOp::create(b, l, offset, limit);
          Value bucket = tensor::ExtractOp::create(b, l, bucketTable, slot);
          Value row = clampedIndex(b, l, bucket, rows);
          return {
              tensor::ExtractOp::create(b, l, table, ValueRange{row, head})};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void mlir::enc::populateAttentionToLinalgPatterns(RewritePatternSet &patterns) {
  populateMaterializedAttentionPattern(patterns);
  patterns.add<RotaryLowering, RelativePositionBiasLowering>(
      patterns.getContext());
}
