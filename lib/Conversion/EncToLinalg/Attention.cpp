//===- Attention.cpp - enc attention and position ops to linalg -----------===//
//
// The reference lowering of attention: scores = Q Kᵀ · scale (+ mask,
// causal), a numerically stable softmax (subtract the row maximum), then
// P V. It materialises the [q_len, kv_len] score matrix per head; the
// tiled online-softmax (flash) form replaces it where performance matters.
//
// rotary builds cos/sin tables [seq, rotary_dim / 2] once (angles reduced in
// f64), then one elementwise pass reads each feature's partner through the
// affine map (d + half) mod rotary_dim and gathers its cos and sin.
// relative_position_bias looks up a bucket table computed at compile time,
// indexed by the clamped offset j - i.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

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

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    Value mask = adaptor.getMask();
    auto resultType = cast<RankedTensorType>(op.getType());
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

    // Scale, mask and causal cut, in one elementwise pass.
    AffineMap identity4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    SmallVector<Value> inputs = {scores};
    SmallVector<AffineMap> maps = {identity4};
    if (mask) {
      SmallVector<int64_t> fullShape = {
          resultType.getDimSize(0), resultType.getDimSize(1),
          resultType.getDimSize(2),
          cast<RankedTensorType>(k.getType()).getDimSize(2)};
      inputs.push_back(mask);
      maps.push_back(
          maskMap(ctx, cast<RankedTensorType>(mask.getType()), fullShape));
    }
    maps.push_back(identity4);
    bool causal = op.getCausal();
    Value masked = buildGeneric(
        rewriter, loc, inputs,
        emptyTensor(rewriter, loc, scoreSizes, elementType), maps,
        iterators(4),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value s = arith::MulFOp::create(b, l, args[0], scale);
          if (mask) {
            Value m = args[1];
            if (auto intType = dyn_cast<IntegerType>(m.getType())) {
              Value keep = m;
              if (intType.getWidth() > 1) {
                Value zero = arith::ConstantOp::create(
                    b, l, intType, b.getIntegerAttr(intType, 0));
                keep = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                             m, zero);
              }
              s = arith::SelectOp::create(b, l, keep, s, negInf);
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

void mlir::enc::populateAttentionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionLowering, RotaryLowering, RelativePositionBiasLowering>(
      patterns.getContext());
}
