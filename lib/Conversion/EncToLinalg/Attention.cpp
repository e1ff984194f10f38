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
// indexed by the clamped offset j - i. disentangled_attention and
// relative_attention become their position (and segment) terms, a bias
// generic that gathers them by index (which the CPU's flash kernel fuses
// instead of materializing), and enc.attention. additive_attention
// (Bahdanau) is its score reduction, a row softmax and a weighted sum.
//
//===----------------------------------------------------------------------===//

#include "MaterializedAttention.h"
#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>
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

/// x[b, h, s, d] · table[b or 0, h, r, d] -> [b, h, s, r], r < `positions`:
/// each query or key against every relative position.
Value positionScores(OpBuilder &b, Location loc, Value x, Value table,
                     OpFoldResult positions) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> xSizes = sizesOf(b, loc, x);
  bool shared = cast<RankedTensorType>(table.getType()).getDimSize(0) == 1 &&
                xType.getDimSize(0) != 1;
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  AffineExpr batch = shared ? getAffineConstantExpr(0, ctx) : d0;
  Value zero = floatConstant(b, loc, xType.getElementType(), 0.0);
  return buildGeneric(
      b, loc, ValueRange{x, table},
      filledTensor(b, loc, {xSizes[0], xSizes[1], xSizes[2], positions}, zero),
      {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
       AffineMap::get(5, 0, {batch, d1, d3, d4}, ctx),
       AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
      iterators(4, 1),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
        return {arith::AddFOp::create(nb, l, args[2], product)};
      })[0];
}

/// x[b, h, s, d] + bias[h, d].
Value addHeadBias(OpBuilder &b, Location loc, Value x, Value bias) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
  return buildGeneric(
      b, loc, ValueRange{x, bias},
      emptyTensor(b, loc, sizesOf(b, loc, x), xType.getElementType()),
      {identity, AffineMap::get(4, 0, {d1, d3}, ctx), identity}, iterators(4),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        return {arith::AddFOp::create(nb, l, args[0], args[1])};
      })[0];
}

/// Tags the generic that gathers an attention op's position terms into a
/// bias with that op's name (enc.origin): a CPU attention kernel that
/// computes the terms itself instead of reading the bias
/// (Kernels/FlashAttention.cpp) lists the op among those it fused.
void nameScoreTerm(OpBuilder &b, Value bias, Operation *op) {
  bias.getDefiningOp()->setAttr(kOriginAttrName,
                                b.getStringAttr(op->getName().getStringRef()));
}

/// DeBERTa-v2's bucket of relative position `r` (query minus key), as
/// Hugging Face's make_log_bucket_position computes it: exact within
/// `buckets / 2`, then ceil of a log ratio, all in float32 so that the
/// ceiling lands where the reference's does.
int64_t debertaBucket(int64_t r, int64_t buckets, int64_t maxPosition) {
  if (buckets <= 0)
    return r;
  int64_t mid = buckets / 2;
  int64_t magnitude = r < 0 ? -r : r;
  if (magnitude <= mid)
    return r;
  float ratio =
      std::log(static_cast<float>(magnitude) / static_cast<float>(mid)) /
      std::log(static_cast<float>(static_cast<double>(maxPosition - 1) /
                                  static_cast<double>(mid)));
  int64_t logPosition =
      static_cast<int64_t>(std::ceil(ratio * static_cast<float>(mid - 1))) +
      mid;
  return r < 0 ? -logPosition : logPosition;
}

/// enc.disentangled_attention as the two position terms, gathered into a
/// bias, and enc.attention (the target's attention kernel) with it:
///   C = Q · position_keyᵀ   [batch, heads, q_len, 2 span]
///   P = K · position_queryᵀ [batch, heads, kv_len, 2 span]
///   bias[i, j] = (C[i, δ(i, j)] + P[j, δ(i, j)]) · scale
/// C and P are linear in the sequence. The bias generic reads them by index
/// only: the CPU's flash kernel computes its elements inside the score tile
/// and no [batch, heads, q_len, kv_len] buffer exists; other targets
/// materialize it. δ comes from a table over the offsets i - j, computed at
/// compile time, clamped at the offsets beyond which every index saturates.
struct DisentangledAttentionLowering
    : OpConversionPattern<DisentangledAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DisentangledAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    auto qType = cast<RankedTensorType>(q.getType());
    Type elementType = qType.getElementType();
    int64_t span = op.getSpan(), buckets = op.getPositionBuckets();
    int64_t maxPosition = op.getMaxRelativePositions();
    double scale = op.getScale().convertToDouble();
    bool c2p = op.getContentToPosition(), p2c = op.getPositionToContent();

    // δ over offsets [-reach, reach]: past `reach` on either side the
    // clamped index no longer changes (bucket is monotone in the offset).
    auto index = [&](int64_t r) {
      return std::clamp<int64_t>(debertaBucket(r, buckets, maxPosition) + span,
                                 0, 2 * span - 1);
    };
    int64_t reach = 1;
    constexpr int64_t kMaxReach = int64_t(1) << 24;
    while (reach < kMaxReach &&
           (index(reach) != 2 * span - 1 || index(-reach) != 0))
      ++reach;
    if (reach == kMaxReach)
      return rewriter.notifyMatchFailure(op, "relative positions never "
                                             "saturate");
    SmallVector<int64_t> indexOf;
    for (int64_t r = -reach; r <= reach; ++r)
      indexOf.push_back(index(r));
    Value indexTable =
        intTensorConstant(rewriter, loc, {static_cast<int64_t>(indexOf.size())},
                          indexOf, rewriter.getI32Type());

    SmallVector<OpFoldResult> qSizes = sizesOf(rewriter, loc, q);
    SmallVector<OpFoldResult> kSizes = sizesOf(rewriter, loc, k);
    OpFoldResult positions = rewriter.getIndexAttr(2 * span);
    Value c2pScores = c2p ? positionScores(rewriter, loc, q,
                                           adaptor.getPositionKey(), positions)
                          : Value();
    Value p2cScores =
        p2c ? positionScores(rewriter, loc, k, adaptor.getPositionQuery(),
                             positions)
            : Value();

    Value bias;
    if (c2p || p2c) {
      Value reachValue = arith::ConstantIndexOp::create(rewriter, loc, reach);
      Value negativeReach =
          arith::ConstantIndexOp::create(rewriter, loc, -reach);
      Value scaleValue = floatConstant(rewriter, loc, elementType, scale);
      bias = buildGeneric(
          rewriter, loc, ValueRange{},
          emptyTensor(rewriter, loc,
                      {qSizes[0], qSizes[1], qSizes[2], kSizes[2]},
                      elementType),
          {AffineMap::getMultiDimIdentityMap(4, ctx)}, iterators(4),
          [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
            Value batch = linalg::IndexOp::create(b, l, 0);
            Value head = linalg::IndexOp::create(b, l, 1);
            Value i = linalg::IndexOp::create(b, l, 2);
            Value j = linalg::IndexOp::create(b, l, 3);
            Value offset = arith::SubIOp::create(b, l, i, j);
            offset = arith::MaxSIOp::create(b, l, offset, negativeReach);
            offset = arith::MinSIOp::create(b, l, offset, reachValue);
            Value slot = arith::AddIOp::create(b, l, offset, reachValue);
            Value delta = arith::IndexCastOp::create(
                b, l, b.getIndexType(),
                tensor::ExtractOp::create(b, l, indexTable, slot));
            Value sum;
            if (c2p)
              sum = tensor::ExtractOp::create(
                  b, l, c2pScores, ValueRange{batch, head, i, delta});
            if (p2c) {
              Value term = tensor::ExtractOp::create(
                  b, l, p2cScores, ValueRange{batch, head, j, delta});
              sum = sum ? arith::AddFOp::create(b, l, sum, term).getResult()
                        : term;
            }
            return {arith::MulFOp::create(b, l, sum, scaleValue)};
          })[0];
    }
    if (bias)
      nameScoreTerm(rewriter, bias, op);
    auto attention = AttentionOp::create(
        rewriter, loc, op.getType(), q, k, v, bias, adaptor.getMask(),
        rewriter.getF64FloatAttr(scale), UnitAttr(), UnitAttr());
    rewriter.replaceOp(op, attention.getResult());
    return success();
  }
};

/// enc.relative_attention as its position and segment terms, gathered into
/// a bias, and enc.attention on the content term:
///   C = (Q + position_bias) · position_keyᵀ       [batch, heads, q_len, P]
///   E = (Q + segment_bias) · segment_embedᵀ       [batch, heads, q_len, 2]
///   bias[i, j] = (C[i, q_len - i + j] + E[i, s_i != s_j]) · scale
///   enc.attention(Q + content_bias, K, V, bias, mask)
/// C is linear in the sequence (P = q_len + kv_len); the bias, computed by
/// index as disentangled attention's, is fused into the CPU's flash kernel.
struct RelativeAttentionLowering : OpConversionPattern<RelativeAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RelativeAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value q = adaptor.getQuery(), k = adaptor.getKey();
    Type elementType = cast<RankedTensorType>(q.getType()).getElementType();
    double scale = op.getScale().convertToDouble();

    Value positionKey = adaptor.getPositionKey();
    Value positionQuery =
        addHeadBias(rewriter, loc, q, adaptor.getPositionBias());
    Value positionTerm =
        positionScores(rewriter, loc, positionQuery, positionKey,
                       sizesOf(rewriter, loc, positionKey)[2]);
    Value segmentIds = adaptor.getSegmentIds(), segmentTerm;
    if (segmentIds) {
      Value segmentQuery =
          addHeadBias(rewriter, loc, q, adaptor.getSegmentBias());
      // The two rows of segment_embed as a [1, heads, 2, head_dim] table.
      AffineExpr d0, d1, d2;
      bindDims(ctx, d0, d1, d2);
      Value embed = adaptor.getSegmentEmbed();
      SmallVector<OpFoldResult> embedSizes = sizesOf(rewriter, loc, embed);
      Value table = buildGeneric(
          rewriter, loc, embed,
          emptyTensor(rewriter, loc,
                      {embedSizes[1], embedSizes[0], embedSizes[2]},
                      elementType),
          {AffineMap::get(3, 0, {d1, d0, d2}, ctx),
           AffineMap::getMultiDimIdentityMap(3, ctx)},
          iterators(3),
          [&](OpBuilder &, Location, ValueRange args) -> SmallVector<Value> {
            return {args[0]};
          })[0];
      table = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get(
              {1, cast<RankedTensorType>(table.getType()).getDimSize(0), 2,
               cast<RankedTensorType>(table.getType()).getDimSize(2)},
              elementType),
          table, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
      segmentTerm = positionScores(rewriter, loc, segmentQuery, table,
                                   rewriter.getIndexAttr(2));
    }

    SmallVector<OpFoldResult> qSizes = sizesOf(rewriter, loc, q);
    SmallVector<OpFoldResult> kSizes = sizesOf(rewriter, loc, k);
    Value qLen = indexValue(rewriter, loc, qSizes[2]);
    Value memory = arith::SubIOp::create(
        rewriter, loc, indexValue(rewriter, loc, kSizes[2]), qLen);
    Value scaleValue = floatConstant(rewriter, loc, elementType, scale);
    Value bias = buildGeneric(
        rewriter, loc, ValueRange{},
        emptyTensor(rewriter, loc, {qSizes[0], qSizes[1], qSizes[2], kSizes[2]},
                    elementType),
        {AffineMap::getMultiDimIdentityMap(4, ctx)}, iterators(4),
        [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
          Value batch = linalg::IndexOp::create(b, l, 0);
          Value head = linalg::IndexOp::create(b, l, 1);
          Value i = linalg::IndexOp::create(b, l, 2);
          Value j = linalg::IndexOp::create(b, l, 3);
          Value row = arith::AddIOp::create(
              b, l, arith::SubIOp::create(b, l, qLen, i), j);
          Value sum = tensor::ExtractOp::create(
              b, l, positionTerm, ValueRange{batch, head, i, row});
          if (segmentIds) {
            Value queryPosition = arith::AddIOp::create(b, l, i, memory);
            Value querySegment = tensor::ExtractOp::create(
                b, l, segmentIds, ValueRange{batch, queryPosition});
            Value keySegment = tensor::ExtractOp::create(b, l, segmentIds,
                                                         ValueRange{batch, j});
            Value differ = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                                 querySegment, keySegment);
            Value other = arith::ConstantIndexOp::create(b, l, 1);
            Value same = arith::ConstantIndexOp::create(b, l, 0);
            Value column = arith::SelectOp::create(b, l, differ, other, same);
            Value term = tensor::ExtractOp::create(
                b, l, segmentTerm, ValueRange{batch, head, i, column});
            sum = arith::AddFOp::create(b, l, sum, term);
          }
          return {arith::MulFOp::create(b, l, sum, scaleValue)};
        })[0];
    nameScoreTerm(rewriter, bias, op);
    Value contentQuery =
        addHeadBias(rewriter, loc, q, adaptor.getContentBias());
    auto attention = AttentionOp::create(
        rewriter, loc, op.getType(), contentQuery, k, adaptor.getValue(), bias,
        adaptor.getMask(), rewriter.getF64FloatAttr(scale), UnitAttr(),
        UnitAttr());
    rewriter.replaceOp(op, attention.getResult());
    return success();
  }
};

/// enc.additive_attention: the scores as one reduction over the units
/// (tanh of the summed projections, dotted with v), the mask, a row
/// softmax, and the weighted sum of the values.
struct AdditiveAttentionLowering : OpConversionPattern<AdditiveAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AdditiveAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value query = adaptor.getQuery(), keys = adaptor.getKeys();
    Value values = adaptor.getValues(), mask = adaptor.getMask();
    Type type = op.getContextVector().getType().getElementType();
    SmallVector<OpFoldResult> keySizes = sizesOf(rewriter, loc, keys);
    SmallVector<OpFoldResult> scoreSizes = {keySizes[0], keySizes[1]};
    SmallVector<OpFoldResult> contextSizes = {
        keySizes[0], sizesOf(rewriter, loc, values)[2]};
    Value zero = floatConstant(rewriter, loc, type, 0.0);
    AffineExpr d0, d1, d2;
    bindDims(ctx, d0, d1, d2);
    AffineMap rowCol = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = projection(ctx, 2, {0});

    // e[b, t] = sum_a tanh(query[b, a] + keys[b, t, a]) · v[a]
    Value scores = buildGeneric(
        rewriter, loc, ValueRange{query, keys, adaptor.getScore()},
        filledTensor(rewriter, loc, scoreSizes, zero),
        {AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::getMultiDimIdentityMap(3, ctx),
         AffineMap::get(3, 0, {d2}, ctx), AffineMap::get(3, 0, {d0, d1}, ctx)},
        iterators(2, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value sum = arith::AddFOp::create(b, l, args[0], args[1]);
          Value activated = math::TanhOp::create(b, l, sum);
          Value term = arith::MulFOp::create(b, l, activated, args[2]);
          return {arith::AddFOp::create(b, l, args[3], term)};
        })[0];
    if (mask) {
      Value maskedOut = maskedScore(rewriter, loc, type);
      scores = buildGeneric(
          rewriter, loc, ValueRange{scores, mask},
          emptyTensor(rewriter, loc, scoreSizes, type),
          {rowCol, rowCol, rowCol}, iterators(2),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            Value weight = maskToWeight(b, l, args[1], type);
            Value keep = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE,
                                               weight, zero);
            return {arith::SelectOp::create(b, l, keep, args[0], maskedOut)};
          })[0];
    }

    // Softmax over the sequence.
    Value max = buildGeneric(
        rewriter, loc, scores,
        filledTensor(rewriter, loc, {scoreSizes[0]},
                     negativeInfinity(rewriter, loc, type)),
        {rowCol, row}, iterators(1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::MaximumFOp::create(b, l, args[1], args[0])};
        })[0];
    Value sum = buildGeneric(
        rewriter, loc, ValueRange{scores, max},
        filledTensor(rewriter, loc, {scoreSizes[0]}, zero), {rowCol, row, row},
        iterators(1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          Value e = math::ExpOp::create(b, l, shifted);
          return {arith::AddFOp::create(b, l, args[2], e)};
        })[0];
    Value weights = buildGeneric(
        rewriter, loc, ValueRange{scores, max, sum},
        emptyTensor(rewriter, loc, scoreSizes, type),
        {rowCol, row, row, rowCol}, iterators(2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          Value e = math::ExpOp::create(b, l, shifted);
          return {arith::DivFOp::create(b, l, e, args[2])};
        })[0];

    // context[b, d] = sum_t weights[b, t] · values[b, t, d], d outermost of
    // the two so that the sum runs along t for each output element.
    Value context = buildGeneric(
        rewriter, loc, ValueRange{weights, values},
        filledTensor(rewriter, loc, contextSizes, zero),
        {AffineMap::get(3, 0, {d0, d2}, ctx),
         AffineMap::get(3, 0, {d0, d2, d1}, ctx),
         AffineMap::get(3, 0, {d0, d1}, ctx)},
        iterators(2, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          return {arith::AddFOp::create(b, l, args[2], product)};
        })[0];
    rewriter.replaceOp(
        op, {castTo(rewriter, loc, context, op.getContextVector().getType()),
             castTo(rewriter, loc, weights, op.getWeights().getType())});
    return success();
  }
};

} // namespace

void mlir::enc::populateAttentionToLinalgPatterns(RewritePatternSet &patterns) {
  populateMaterializedAttentionPattern(patterns);
  patterns.add<RotaryLowering, RelativePositionBiasLowering,
               DisentangledAttentionLowering, RelativeAttentionLowering,
               AdditiveAttentionLowering>(patterns.getContext());
}
