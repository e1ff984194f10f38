//===- Embeddings.cpp - enc embeddings and image front ends to linalg -----===//
//
// embedding, gather_visible and learned positions are gathers, ids clamped
// into the table (an id computed in the graph, which the runtime's range
// check did not see, reads a valid row). Sinusoidal positions are one
// elementwise pass with the angle reduced in f64, relative ones
// (Transformer-XL) a table over q_len + kv_len distances. patch_embed is one
// contraction read straight from the image (packed weights are the CPU
// kernels'); patchify one reordering generic. random_mask ranks patches by
// counting (a stable argsort in O(patches²) per sample): there is no sort
// to lower to. docs/rationale/enc-to-linalg.md has the table of all ops.
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncAttributeNames.h"
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

struct EmbeddingLowering : OpConversionPattern<EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value indices = adaptor.getIndices();
    Value table = adaptor.getTable();
    unsigned indexRank = cast<RankedTensorType>(indices.getType()).getRank();
    unsigned rank = indexRank + 1;

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, indices);
    sizes.push_back(sizesOf(rewriter, loc, table)[1]);
    Value numRows = tensor::DimOp::create(rewriter, loc, table, 0);
    Type elementType = op.getType().getElementType();

    Value result = buildGeneric(
        rewriter, loc, indices, emptyTensor(rewriter, loc, sizes, elementType),
        {leadingDims(ctx, rank, indexRank),
         AffineMap::getMultiDimIdentityMap(rank, ctx)},
        iterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value row = clampedIndex(b, l, args[0], numRows);
          Value column = linalg::IndexOp::create(b, l, indexRank);
          return {
              tensor::ExtractOp::create(b, l, table, ValueRange{row, column})};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `size` as an f64 scalar.
Value sizeAsF64(OpBuilder &b, Location loc, OpFoldResult size) {
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                           indexValue(b, loc, size));
  return arith::SIToFPOp::create(b, loc, b.getF64Type(), asInt);
}

struct PositionalEncodingLowering : OpConversionPattern<PositionalEncodingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PositionalEncodingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(3, ctx);
    int64_t offset = op.getOffset();

    if (op.getKind() == PositionKind::learned) {
      // Row offset + s, clamped like an embedding id.
      Value table = adaptor.getTable();
      Value rows = tensor::DimOp::create(rewriter, loc, table, 0);
      Value offsetIndex = arith::ConstantIndexOp::create(rewriter, loc, offset);
      Value result = buildGeneric(
          rewriter, loc, input, emptyTensor(rewriter, loc, sizes, elementType),
          {identity, identity}, iterators(3),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            Value s = linalg::IndexOp::create(b, l, 1);
            Value d = linalg::IndexOp::create(b, l, 2);
            Value position = arith::AddIOp::create(b, l, s, offsetIndex);
            Value row = arith::MinUIOp::create(
                b, l, position,
                arith::SubIOp::create(b, l, rows,
                                      arith::ConstantIndexOp::create(b, l, 1)));
            Value encoding =
                tensor::ExtractOp::create(b, l, table, ValueRange{row, d});
            return {arith::AddFOp::create(b, l, args[0], encoding)};
          })[0];
      rewriter.replaceOp(op, result);
      return success();
    }

    // encoding[s, d] = sin((offset + s) · frequency[d] + phase[d]), cos
    // being a phase of π/2:
    //   sinusoidal:        frequency base^(-2⌊d/2⌋/dim), cos on odd d;
    //   sinusoidal_concat: frequency base^(-(d mod half)/(half - 1)), cos
    //                      on the second half.
    bool concat = op.getKind() == PositionKind::sinusoidal_concat;
    double logBase = std::log(op.getBase().convertToDouble());
    Type f64 = rewriter.getF64Type();
    int64_t dim = type.getDimSize(2);
    SmallVector<Value> inputs = {input};
    SmallVector<AffineMap> maps = {identity};
    if (!ShapedType::isDynamic(dim)) {
      // Frequencies and phases folded at compile time, in double.
      SmallVector<double> frequency, phase;
      int64_t half = dim / 2;
      for (int64_t d = 0; d < dim; ++d) {
        double exponent =
            concat ? -logBase * static_cast<double>(d % half) / (half - 1)
                   : -logBase * static_cast<double>(d - d % 2) / dim;
        frequency.push_back(std::exp(exponent));
        bool cosine = concat ? d >= half : d % 2 == 1;
        phase.push_back(cosine ? M_PI_2 : 0.0);
      }
      inputs.push_back(
          floatTensorConstant(rewriter, loc, {dim}, frequency, f64));
      inputs.push_back(floatTensorConstant(rewriter, loc, {dim}, phase, f64));
      maps.append(2, projection(ctx, 3, {2}));
    }
    maps.push_back(identity);
    bool staticDim = !ShapedType::isDynamic(dim);
    Value dimSize = indexValue(rewriter, loc, sizes[2]);
    Value offsetF64 = floatConstant(rewriter, loc, f64, offset);
    Value result = buildGeneric(
        rewriter, loc, inputs, emptyTensor(rewriter, loc, sizes, elementType),
        maps, iterators(3),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Type i64 = b.getI64Type();
          auto asF64 = [&](Value index) -> Value {
            return arith::SIToFPOp::create(
                b, l, f64, arith::IndexCastOp::create(b, l, i64, index));
          };
          Value s = linalg::IndexOp::create(b, l, 1);
          Value position = arith::AddFOp::create(b, l, asF64(s), offsetF64);
          Value frequency, phase;
          if (staticDim) {
            frequency = args[1];
            phase = args[2];
          } else {
            // A dynamic dim: the frequency from an f32 exp (which the
            // polynomial approximation handles; f64 exp would need libm).
            Value d = linalg::IndexOp::create(b, l, 2);
            Value one = arith::ConstantIndexOp::create(b, l, 1);
            Value two = arith::ConstantIndexOp::create(b, l, 2);
            Value half = arith::DivUIOp::create(b, l, dimSize, two);
            Value step, cosine;
            Value exponent;
            if (concat) {
              cosine = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge, d,
                                             half);
              step = arith::RemUIOp::create(b, l, d, half);
              // One creation per statement: argument order is unspecified.
              Value stepF = asF64(step);
              Value logBaseC = floatConstant(b, l, f64, -logBase);
              Value numerator = arith::MulFOp::create(b, l, stepF, logBaseC);
              Value halfMinusOne = arith::SubIOp::create(b, l, half, one);
              exponent =
                  arith::DivFOp::create(b, l, numerator, asF64(halfMinusOne));
            } else {
              Value parity = arith::RemUIOp::create(b, l, d, two);
              cosine = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                             parity, one);
              step = arith::SubIOp::create(b, l, d, parity);
              Value stepF = asF64(step);
              Value logBaseC = floatConstant(b, l, f64, -logBase);
              Value numerator = arith::MulFOp::create(b, l, stepF, logBaseC);
              exponent = arith::DivFOp::create(b, l, numerator, asF64(dimSize));
            }
            Type f32 = b.getF32Type();
            Value narrow = math::ExpOp::create(
                b, l, arith::TruncFOp::create(b, l, f32, exponent));
            frequency = arith::ExtFOp::create(b, l, f64, narrow);
            Value quarter = floatConstant(b, l, f64, M_PI_2);
            Value none = floatConstant(b, l, f64, 0.0);
            phase = arith::SelectOp::create(b, l, cosine, quarter, none);
          }
          Value angle = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, position, frequency), phase);
          Value encoding =
              math::SinOp::create(b, l, reducedAngle(b, l, angle, elementType));
          return {arith::AddFOp::create(b, l, args[0], encoding)};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Transformer-XL's relative sinusoids: row r, feature f of
/// [q_len + kv_len, dim] is sin or cos of (kv_len - r, clamped) · freq[f mod
/// dim/2], the frequencies and the product rounded to f32 as the reference
/// computes them, then reduced in f64 like the absolute sinusoids.
struct RelativeSinusoidLowering : OpConversionPattern<RelativeSinusoidOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RelativeSinusoidOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Type f32 = rewriter.getF32Type(), f64 = rewriter.getF64Type();
    Type i64 = rewriter.getI64Type();
    int64_t dim = resultType.getDimSize(1), half = dim / 2;
    auto base = static_cast<float>(op.getBase().convertToDouble());
    SmallVector<double> frequencies;
    for (int64_t i = 0; i < half; ++i) {
      float exponent = static_cast<float>(2 * i) / static_cast<float>(dim);
      frequencies.push_back(1.0f / std::pow(base, exponent));
    }
    Value frequency =
        floatTensorConstant(rewriter, loc, {half}, frequencies, f32);

    Value keyLength = adaptor.getKeyLength();
    Value rows = arith::AddIOp::create(rewriter, loc, adaptor.getQueryLength(),
                                       keyLength);
    SmallVector<OpFoldResult> sizes = staticWhereKnown(
        rewriter, resultType, {rows, rewriter.getIndexAttr(dim)});
    int64_t clamp = op.getClamp();
    Value halfIndex = arith::ConstantIndexOp::create(rewriter, loc, half);
    Value result = buildGeneric(
        rewriter, loc, ValueRange{},
        emptyTensor(rewriter, loc, sizes, elementType),
        {AffineMap::getMultiDimIdentityMap(2, ctx)}, iterators(2),
        [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
          Value r = linalg::IndexOp::create(b, l, 0);
          Value f = linalg::IndexOp::create(b, l, 1);
          Value distance = arith::IndexCastOp::create(
              b, l, i64, arith::SubIOp::create(b, l, keyLength, r));
          if (clamp > 0) {
            Value high = arith::ConstantIntOp::create(b, l, i64, clamp);
            Value low = arith::ConstantIntOp::create(b, l, i64, -clamp);
            distance = arith::MinSIOp::create(
                b, l, arith::MaxSIOp::create(b, l, distance, low), high);
          }
          Value cosine = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                               f, halfIndex);
          Value i = arith::RemUIOp::create(b, l, f, halfIndex);
          Value distanceF32 = arith::SIToFPOp::create(b, l, f32, distance);
          Value frequencyF32 = tensor::ExtractOp::create(b, l, frequency, i);
          Value angle = arith::MulFOp::create(b, l, distanceF32, frequencyF32);
          Value quarterTurn = floatConstant(b, l, f64, M_PI_2);
          Value none = floatConstant(b, l, f64, 0.0);
          Value phase =
              arith::SelectOp::create(b, l, cosine, quarterTurn, none);
          Value shifted = arith::AddFOp::create(
              b, l, arith::ExtFOp::create(b, l, f64, angle), phase);
          return {math::SinOp::create(
              b, l, reducedAngle(b, l, shifted, elementType))};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

struct PatchEmbedLowering : OpConversionPattern<PatchEmbedOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PatchEmbedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value pixels = adaptor.getPixels(), weight = adaptor.getWeight();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    int64_t patchH = op.getPatchSize()[0], patchW = op.getPatchSize()[1];
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, pixels);
    OpFoldResult dim = sizesOf(rewriter, loc, weight)[0];
    OpFoldResult rowsOfPatches = divideSize(rewriter, loc, sizes[2], patchH);
    OpFoldResult columnsOfPatches = divideSize(rewriter, loc, sizes[3], patchW);

    if (op.hasPackedWeight())
      return rewriter.notifyMatchFailure(op, "packed weight: a kernel's");
    Value patches;
    // out[b, y, x, e] = bias[e] + Σ_{c,p,q} pixels[b, c, y·ph + p, x·pw + q]
    //                                      · weight[e, c, p, q]
    SmallVector<OpFoldResult> gridSizes = {sizes[0], rowsOfPatches,
                                           columnsOfPatches, dim};
    Value init =
        linalg::BroadcastOp::create(
            rewriter, loc, adaptor.getBias(),
            emptyTensor(rewriter, loc, gridSizes, elementType), {0, 1, 2})
            .getResult()[0];
    AffineExpr b, y, x, e, c, p, q;
    bindDims(ctx, b, y, x, e, c, p, q);
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0, {b, c, y * patchH + p, x * patchW + q}, ctx),
        AffineMap::get(7, 0, {e, c, p, q}, ctx),
        AffineMap::get(7, 0, {b, y, x, e}, ctx)};
    Value grid = buildGeneric(
        rewriter, loc, ValueRange{pixels, weight}, init, maps, iterators(4, 3),
        [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
          Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
          return {arith::AddFOp::create(nb, l, args[2], product)};
        })[0];
    // Patches row by row: [b, y, x, e] -> [b, y·x, e].
    patches = tensor::CollapseShapeOp::create(
        rewriter, loc, grid, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}});
    rewriter.replaceOp(op, prependClassToken(rewriter, loc, patches,
                                             adaptor.getClassToken(), sizes[0],
                                             dim, resultType));
    return success();
  }
};

struct PatchifyLowering : OpConversionPattern<PatchifyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PatchifyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value pixels = adaptor.getPixels();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    int64_t patchH = op.getPatchSize()[0], patchW = op.getPatchSize()[1];
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, pixels);

    // grid[b, y, x, p, q, c] = pixels[b, c, y·ph + p, x·pw + q], then
    // [b, y·x, p·q·c]: MAE's einsum nchpwq->nhwpqc and reshape.
    SmallVector<OpFoldResult> gridSizes = {
        sizes[0],
        divideSize(rewriter, loc, sizes[2], patchH),
        divideSize(rewriter, loc, sizes[3], patchW),
        rewriter.getIndexAttr(patchH),
        rewriter.getIndexAttr(patchW),
        sizes[1]};
    AffineExpr b, y, x, p, q, c;
    bindDims(ctx, b, y, x, p, q, c);
    Value grid = buildGeneric(
        rewriter, loc, pixels,
        emptyTensor(rewriter, loc, gridSizes, elementType),
        {AffineMap::get(6, 0, {b, c, y * patchH + p, x * patchW + q}, ctx),
         AffineMap::getMultiDimIdentityMap(6, ctx)},
        iterators(6),
        [&](OpBuilder &, Location, ValueRange args) -> SmallVector<Value> {
          return {args[0]};
        })[0];
    Value patches = tensor::CollapseShapeOp::create(
        rewriter, loc, grid,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3, 4, 5}});
    if (!op.getNormalize()) {
      rewriter.replaceOp(op, castTo(rewriter, loc, patches, resultType));
      return success();
    }

    // (x - mean) / sqrt(var + 1e-6) per patch, var unbiased (torch.var).
    SmallVector<OpFoldResult> outSizes = sizesOf(rewriter, loc, patches);
    SmallVector<OpFoldResult> rowSizes = {outSizes[0], outSizes[1]};
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);
    Value one = floatConstant(rewriter, loc, elementType, 1.0);
    Value count = dimAsFloat(rewriter, loc, patches, 2, elementType);
    Value degrees = arith::SubFOp::create(rewriter, loc, count, one);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(3, ctx);
    AffineMap row = leadingDims(ctx, 3, 2);
    Value sums = buildGeneric(
        rewriter, loc, patches, filledTensor(rewriter, loc, rowSizes, zero),
        {identity, row}, iterators(2, 1),
        [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::AddFOp::create(nb, l, args[0], args[1])};
        })[0];
    Value squares = buildGeneric(
        rewriter, loc, ValueRange{patches, sums},
        filledTensor(rewriter, loc, rowSizes, zero), {identity, row, row},
        iterators(2, 1),
        [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(nb, l, args[1], count);
          Value centered = arith::SubFOp::create(nb, l, args[0], mean);
          Value square = arith::MulFOp::create(nb, l, centered, centered);
          return {arith::AddFOp::create(nb, l, args[2], square)};
        })[0];
    Value epsilon = floatConstant(rewriter, loc, elementType, 1e-6);
    Value result = buildGeneric(
        rewriter, loc, ValueRange{patches, sums, squares},
        emptyTensor(rewriter, loc, outSizes, elementType),
        {identity, row, row, identity}, iterators(3),
        [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(nb, l, args[1], count);
          Value variance = arith::DivFOp::create(nb, l, args[2], degrees);
          Value deviation = math::SqrtOp::create(
              nb, l, arith::AddFOp::create(nb, l, variance, epsilon));
          return {arith::DivFOp::create(
              nb, l, arith::SubFOp::create(nb, l, args[0], mean), deviation)};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

struct RandomMaskLowering : OpConversionPattern<RandomMaskOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RandomMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto keepType = cast<RankedTensorType>(op.getIdsKeep().getType());
    auto maskType = cast<RankedTensorType>(op.getMask().getType());
    auto restoreType = cast<RankedTensorType>(op.getIdsRestore().getType());
    Type floatType = maskType.getElementType();
    SmallVector<OpFoldResult> tokenSizes =
        sizesOf(rewriter, loc, adaptor.getTokens());
    SmallVector<OpFoldResult> sizes = {tokenSizes[0], tokenSizes[1]};
    Value patches = indexValue(rewriter, loc, sizes[1]);

    // keep = floor(patches · (1 - mask_ratio)), in doubles as MAE does.
    double ratio = op.getMaskRatio().convertToDouble();
    Value keep;
    if (!keepType.isDynamicDim(1)) {
      keep =
          arith::ConstantIndexOp::create(rewriter, loc, keepType.getDimSize(1));
    } else {
      Value patchCount = sizeAsF64(rewriter, loc, sizes[1]);
      Value keptShare =
          floatConstant(rewriter, loc, rewriter.getF64Type(), 1.0 - ratio);
      Value scaled =
          arith::MulFOp::create(rewriter, loc, patchCount, keptShare);
      keep = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(),
          arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                  scaled));
    }

    Value noise = adaptor.getNoise();
    if (!noise) {
      uint64_t seed = static_cast<uint64_t>(op.getSeed());
      noise = buildGeneric(
          rewriter, loc, ValueRange{},
          emptyTensor(rewriter, loc, sizes, floatType),
          {AffineMap::getMultiDimIdentityMap(2, ctx)}, iterators(2),
          [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
            Value sample = linalg::IndexOp::create(b, l, 0);
            Value patch = linalg::IndexOp::create(b, l, 1);
            Value counter = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, sample, patches), patch);
            return {hashUniform(b, l, seed, counter, floatType)};
          })[0];
    }

    // rank[b, n] = #{m : noise[m] < noise[n] or (noise[m] == noise[n] and
    // m < n)}: the position of n in a stable ascending argsort. It is
    // ids_restore.
    Type restoreElement = restoreType.getElementType();
    Value rank = buildGeneric(
        rewriter, loc, ValueRange{noise, noise},
        filledTensor(rewriter, loc, sizes,
                     arith::ConstantOp::create(
                         rewriter, loc, restoreElement,
                         rewriter.getIntegerAttr(restoreElement, 0))),
        {projection(ctx, 3, {0, 1}), projection(ctx, 3, {0, 2}),
         projection(ctx, 3, {0, 1})},
        iterators(2, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value n = linalg::IndexOp::create(b, l, 1);
          Value m = linalg::IndexOp::create(b, l, 2);
          Value smaller = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                                args[1], args[0]);
          Value equal = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                              args[1], args[0]);
          Value earlier =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, m, n);
          Value tie = arith::AndIOp::create(b, l, equal, earlier);
          Value before = arith::OrIOp::create(b, l, smaller, tie);
          return {arith::AddIOp::create(
              b, l, args[2],
              arith::ExtUIOp::create(b, l, restoreElement, before))};
        })[0];

    // mask[b, n] = 0 for the `keep` lowest ranks, 1 for the others.
    Value keepAsRank =
        arith::IndexCastOp::create(rewriter, loc, restoreElement, keep);
    AffineMap identity2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    Value mask = buildGeneric(
        rewriter, loc, rank, emptyTensor(rewriter, loc, sizes, floatType),
        {identity2, identity2}, iterators(2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value kept = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                             args[0], keepAsRank);
          Value zero = floatConstant(b, l, floatType, 0.0);
          Value one = floatConstant(b, l, floatType, 1.0);
          return {arith::SelectOp::create(b, l, kept, zero, one)};
        })[0];

    // ids_keep[b, k] = the n whose rank is k (exactly one): a sum over n.
    Type keepElement = keepType.getElementType();
    SmallVector<OpFoldResult> keepSizes =
        staticWhereKnown(rewriter, keepType, {sizes[0], keep});
    Value keepZero = arith::ConstantOp::create(
        rewriter, loc, keepElement, rewriter.getIntegerAttr(keepElement, 0));
    Value idsKeep = buildGeneric(
        rewriter, loc, rank, filledTensor(rewriter, loc, keepSizes, keepZero),
        {projection(ctx, 3, {0, 2}), projection(ctx, 3, {0, 1})},
        iterators(2, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value k = arith::IndexCastOp::create(
              b, l, restoreElement, linalg::IndexOp::create(b, l, 1));
          Value n = arith::IndexCastOp::create(
              b, l, keepElement, linalg::IndexOp::create(b, l, 2));
          Value match =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[0], k);
          return {arith::AddIOp::create(
              b, l, args[1],
              arith::SelectOp::create(b, l, match, n, keepZero))};
        })[0];

    rewriter.replaceOp(op, {castTo(rewriter, loc, idsKeep, keepType),
                            castTo(rewriter, loc, mask, maskType),
                            castTo(rewriter, loc, rank, restoreType)});
    return success();
  }
};

struct GatherVisibleLowering : OpConversionPattern<GatherVisibleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherVisibleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value tokens = adaptor.getTokens(), indices = adaptor.getIndices();
    RankedTensorType resultType = op.getType();
    SmallVector<OpFoldResult> tokenSizes = sizesOf(rewriter, loc, tokens);
    SmallVector<OpFoldResult> sizes = staticWhereKnown(
        rewriter, resultType,
        {tokenSizes[0], sizesOf(rewriter, loc, indices)[1], tokenSizes[2]});
    Value count = tensor::DimOp::create(rewriter, loc, tokens, 1);
    Value result = buildGeneric(
        rewriter, loc, indices,
        emptyTensor(rewriter, loc, sizes, resultType.getElementType()),
        {leadingDims(ctx, 3, 2), AffineMap::getMultiDimIdentityMap(3, ctx)},
        iterators(3),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value sample = linalg::IndexOp::create(b, l, 0);
          Value row = clampedIndex(b, l, args[0], count);
          Value column = linalg::IndexOp::create(b, l, 2);
          return {tensor::ExtractOp::create(b, l, tokens,
                                            ValueRange{sample, row, column})};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void mlir::enc::populateEmbeddingsToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<EmbeddingLowering, PositionalEncodingLowering,
               RelativeSinusoidLowering, PatchifyLowering, RandomMaskLowering,
               GatherVisibleLowering>(patterns.getContext());
  patterns.add<PatchEmbedLowering>(patterns.getContext());
}
