//===- Losses.cpp - enc loss ops to linalg --------------------------------===//
//
// Cross entropy as logsumexp(logits) - logits[label], per position, with
// the row maximum subtracted before exp so large logits do not overflow.
// Ignored positions contribute 0 to the sum and nothing to the count.
//
// mse, kl_divergence and binary_cross_entropy are one reduction each
// (weighted terms and, for masked means, the weight total in the same
// loop nest) and a 0-d division; reparameterize is one elementwise pass.
// The pairwise and self-distillation losses are in ContrastiveLosses.cpp.
//
//===----------------------------------------------------------------------===//

#include "Losses.h"

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

SmallVector<Value>
mlir::enc::lowering::rowMajorStrides(OpBuilder &b, Location loc,
                                     ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> strides(sizes.size());
  Value stride = arith::ConstantIndexOp::create(b, loc, 1);
  for (int d = static_cast<int>(sizes.size()) - 1; d >= 0; --d) {
    strides[d] = stride;
    Value size = getValueOrCreateConstantIndexOp(b, loc, sizes[d]);
    stride = arith::MulIOp::create(b, loc, stride, size);
  }
  return strides;
}

Value mlir::enc::lowering::seededDraw(OpBuilder &b, Location loc, uint64_t seed,
                                      ArrayRef<Value> strides, Type elementType,
                                      bool normal) {
  Value counter = arith::ConstantIndexOp::create(b, loc, 0);
  for (auto [d, stride] : llvm::enumerate(strides)) {
    Value index = linalg::IndexOp::create(b, loc, d);
    Value offset = arith::MulIOp::create(b, loc, index, stride);
    counter = arith::AddIOp::create(b, loc, counter, offset);
  }
  // f16 cannot hold the 24-bit integers hashUniform starts from (nor bf16
  // exactly): draw in f32 and round once.
  Type drawType =
      elementType.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : elementType;
  Value draw = normal ? hashNormal(b, loc, seed, counter, drawType)
                      : hashUniform(b, loc, seed, counter, drawType);
  if (drawType != elementType)
    draw = arith::TruncFOp::create(b, loc, elementType, draw);
  return draw;
}

SmallVector<Value> lowering::sumToScalars(OpBuilder &b, Location loc,
                                          ValueRange inputs,
                                          ArrayRef<AffineMap> inputMaps,
                                          unsigned numLoops,
                                          unsigned numResults, Type elementType,
                                          GenericBody terms) {
  Value zero = floatConstant(b, loc, elementType, 0.0);
  SmallVector<Value> inits;
  for (unsigned i = 0; i < numResults; ++i)
    inits.push_back(filledTensor(b, loc, {}, zero));
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(numResults, AffineMap::get(numLoops, 0, {}, b.getContext()));
  unsigned numInputs = inputs.size();
  return buildGeneric(
      b, loc, inputs, inits, maps, iterators(0, numLoops),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        SmallVector<Value> sums;
        for (auto [i, term] : llvm::enumerate(terms(nb, l, args)))
          sums.push_back(
              arith::AddFOp::create(nb, l, args[numInputs + i], term));
        return sums;
      });
}

Value lowering::mapScalars(OpBuilder &b, Location loc, ValueRange scalars,
                           Type elementType, GenericBody body) {
  SmallVector<AffineMap> maps(scalars.size() + 1,
                              AffineMap::get(0, 0, {}, b.getContext()));
  return buildGeneric(b, loc, scalars, emptyTensor(b, loc, {}, elementType),
                      maps, {}, body)[0];
}

AffineMap lowering::firstDims(MLIRContext *ctx, unsigned numDims,
                              unsigned count) {
  return AffineMap::getMultiDimIdentityMap(numDims, ctx).getSliceMap(0, count);
}

Value lowering::logSigmoid(OpBuilder &b, Location loc, Value x) {
  Value zero = floatConstant(b, loc, x.getType(), 0.0);
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value softplus =
      math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
  return arith::SubFOp::create(
      b, loc, arith::MinimumFOp::create(b, loc, x, zero), softplus);
}

Value lowering::divideScalar(OpBuilder &b, Location loc, Value numerator,
                             Value denominator) {
  Type type = denominator.getType();
  return mapScalars(
      b, loc, numerator, type,
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        return {arith::DivFOp::create(nb, l, args[0], denominator)};
      });
}

Value lowering::meanOverBatch(OpBuilder &b, Location loc, Value total,
                              Value batched, double extraFactor) {
  Type type = cast<ShapedType>(total.getType()).getElementType();
  Value count = dimAsFloat(b, loc, batched, 0, type);
  if (extraFactor != 1.0)
    count = arith::MulFOp::create(b, loc, count,
                                  floatConstant(b, loc, type, extraFactor));
  return divideScalar(b, loc, total, count);
}

namespace {

/// The number of elements of `tensor`, as a float of type `type`.
Value elementCount(OpBuilder &b, Location loc, Value tensor, Type type) {
  Value count = floatConstant(b, loc, type, 1.0);
  for (int64_t d = 0, e = cast<RankedTensorType>(tensor.getType()).getRank();
       d < e; ++d)
    count = arith::MulFOp::create(b, loc, count,
                                  dimAsFloat(b, loc, tensor, d, type));
  return count;
}

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
    AffineMap position = firstDims(ctx, rank, positions);
    Value rowMax = buildGeneric(
        rewriter, loc, logits,
        filledTensor(rewriter, loc, positionSizes, negInf),
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

struct MseLowering : OpConversionPattern<MseOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value prediction = adaptor.getPrediction();
    Value mask = adaptor.getMask();
    Type elementType = op.getType().getElementType();
    unsigned rank = cast<RankedTensorType>(prediction.getType()).getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);

    SmallVector<Value> inputs = {prediction, adaptor.getTarget()};
    SmallVector<AffineMap> maps = {identity, identity};
    if (mask) {
      inputs.push_back(mask);
      maps.push_back(firstDims(ctx, rank, rank - 1));
    }
    // With a mask, sum(m * mean_last((p - t)^2)) / sum(m) over positions is
    // sum(m * (p - t)^2) over every element / (sum(m) * last): one pass over
    // the data, the weight total from the (much smaller) mask alone.
    Value squares = sumToScalars(
        rewriter, loc, inputs, maps, rank, 1, elementType,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value diff = arith::SubFOp::create(b, l, args[0], args[1]);
          Value square = arith::MulFOp::create(b, l, diff, diff);
          if (!mask)
            return {square};
          return {arith::MulFOp::create(
              b, l, square, maskToWeight(b, l, args[2], elementType))};
        })[0];
    Value result;
    if (mask) {
      unsigned positions = rank - 1;
      Value weights = sumToScalars(
          rewriter, loc, mask,
          AffineMap::getMultiDimIdentityMap(positions, ctx), positions, 1,
          elementType,
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            return {maskToWeight(b, l, args[0], elementType)};
          })[0];
      Value last = dimAsFloat(rewriter, loc, prediction, rank - 1, elementType);
      result = mapScalars(
          rewriter, loc, ValueRange{squares, weights}, elementType,
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            return {arith::DivFOp::create(
                b, l, args[0], arith::MulFOp::create(b, l, args[1], last))};
          });
    } else {
      result =
          divideScalar(rewriter, loc, squares,
                       elementCount(rewriter, loc, prediction, elementType));
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct KlDivergenceLowering : OpConversionPattern<KlDivergenceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KlDivergenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value mu = adaptor.getMu(), logvar = adaptor.getLogvar();
    Type elementType = op.getType().getElementType();
    unsigned rank = cast<RankedTensorType>(mu.getType()).getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value one = floatConstant(rewriter, loc, elementType, 1.0);
    Value minusHalf = floatConstant(rewriter, loc, elementType, -0.5);

    // Each element's -0.5 * (1 + logvar - mu^2 - exp(logvar)); scaling
    // each term by -0.5 is exact, so it is done before summing.
    auto term = [&](OpBuilder &b, Location l,
                    ValueRange args) -> SmallVector<Value> {
      Value t = arith::AddFOp::create(b, l, one, args[1]);
      t = arith::SubFOp::create(b, l, t,
                                arith::MulFOp::create(b, l, args[0], args[0]));
      t = arith::SubFOp::create(b, l, t, math::ExpOp::create(b, l, args[1]));
      return {arith::MulFOp::create(b, l, t, minusHalf)};
    };

    Value result;
    if (op.getReduction() == Reduction::none) {
      Value zero = floatConstant(rewriter, loc, elementType, 0.0);
      result = buildGeneric(
          rewriter, loc, ValueRange{mu, logvar},
          filledTensor(rewriter, loc, sizesOf(rewriter, loc, mu)[0], zero),
          {identity, identity, firstDims(ctx, rank, 1)}, iterators(1, rank - 1),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            return {arith::AddFOp::create(b, l, args[2], term(b, l, args)[0])};
          })[0];
    } else {
      result =
          sumToScalars(rewriter, loc, ValueRange{mu, logvar},
                       {identity, identity}, rank, 1, elementType, term)[0];
      if (op.getReduction() == Reduction::mean)
        result = meanOverBatch(rewriter, loc, result, mu);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct ReparameterizeLowering : OpConversionPattern<ReparameterizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReparameterizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value mu = adaptor.getMu(), noise = adaptor.getNoise();
    Type elementType = op.getType().getElementType();
    unsigned rank = cast<RankedTensorType>(mu.getType()).getRank();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, mu);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);

    // Without noise, element i (row-major) draws hashNormal(seed, i): the
    // same sample for the same seed, shape and position on every call.
    SmallVector<Value> strides;
    if (!noise)
      strides = rowMajorStrides(rewriter, loc, sizes);
    uint64_t seed = static_cast<uint64_t>(op.getSeed());

    SmallVector<Value> inputs = {mu, adaptor.getLogvar()};
    if (noise)
      inputs.push_back(noise);
    Value half = floatConstant(rewriter, loc, elementType, 0.5);
    Value result = buildGeneric(
        rewriter, loc, inputs, emptyTensor(rewriter, loc, sizes, elementType),
        SmallVector<AffineMap>(inputs.size() + 1, identity), iterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value eps = noise ? args[2]
                            : seededDraw(b, l, seed, strides, elementType,
                                         /*normal=*/true);
          Value sigma = math::ExpOp::create(
              b, l, arith::MulFOp::create(b, l, args[1], half));
          return {arith::AddFOp::create(
              b, l, args[0], arith::MulFOp::create(b, l, eps, sigma))};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// A 0/1 target (integer or float) as a float of type `type`.
Value targetToFloat(OpBuilder &b, Location loc, Value target, Type type) {
  Type targetType = target.getType();
  if (isa<FloatType>(targetType) || targetType.isInteger(1))
    return maskToWeight(b, loc, target, type);
  return arith::SIToFPOp::create(b, loc, type, target);
}

struct BinaryCrossEntropyLowering : OpConversionPattern<BinaryCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BinaryCrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = adaptor.getLogits();
    Value mask = adaptor.getMask();
    Type elementType = op.getType().getElementType();
    unsigned rank = cast<RankedTensorType>(logits.getType()).getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);

    SmallVector<Value> inputs = {logits, adaptor.getTargets()};
    if (mask)
      inputs.push_back(mask);
    SmallVector<AffineMap> maps(inputs.size(), identity);

    // max(x, 0) - x t + log1p(exp(-|x|)), as PyTorch: exp never overflows
    // and log1p keeps small losses exact. Returns (weighted loss, weight);
    // masked elements are 0 even where the loss is not finite.
    auto term = [&](OpBuilder &b, Location l,
                    ValueRange args) -> SmallVector<Value> {
      Value x = args[0];
      Value t = targetToFloat(b, l, args[1], elementType);
      Value negAbs = arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
      Value positivePart = arith::MaximumFOp::create(b, l, x, zero);
      Value product = arith::MulFOp::create(b, l, x, t);
      Value linear = arith::SubFOp::create(b, l, positivePart, product);
      Value softplus =
          math::Log1pOp::create(b, l, math::ExpOp::create(b, l, negAbs));
      Value loss = arith::AddFOp::create(b, l, linear, softplus);
      if (!mask)
        return {loss};
      Value weight = maskToWeight(b, l, args[2], elementType);
      Value counts =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, weight, zero);
      Value weighted = arith::SelectOp::create(
          b, l, counts, arith::MulFOp::create(b, l, loss, weight), zero);
      return {weighted, weight};
    };

    Value result;
    if (op.getReduction() == Reduction::none) {
      maps.push_back(identity);
      result = buildGeneric(
          rewriter, loc, inputs,
          emptyTensor(rewriter, loc, sizesOf(rewriter, loc, logits),
                      elementType),
          maps, iterators(rank),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            return {term(b, l, args)[0]};
          })[0];
    } else {
      SmallVector<Value> totals = sumToScalars(
          rewriter, loc, inputs, maps, rank, mask ? 2 : 1, elementType, term);
      result = totals[0];
      if (op.getReduction() == Reduction::mean && mask)
        result =
            mapScalars(rewriter, loc, totals, elementType,
                       [&](OpBuilder &b, Location l,
                           ValueRange args) -> SmallVector<Value> {
                         return {arith::DivFOp::create(b, l, args[0], args[1])};
                       });
      else if (op.getReduction() == Reduction::mean)
        result = divideScalar(rewriter, loc, result,
                              elementCount(rewriter, loc, logits, elementType));
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void mlir::enc::populateLossesToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CrossEntropyLowering, MseLowering, KlDivergenceLowering,
               ReparameterizeLowering, BinaryCrossEntropyLowering>(
      patterns.getContext());
  populateContrastiveLossesToLinalgPatterns(patterns);
  populateAutoencoderLossesToLinalgPatterns(patterns);
}
