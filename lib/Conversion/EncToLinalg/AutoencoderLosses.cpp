//===- AutoencoderLosses.cpp - corruption and autoencoder penalties ------===//
//
// - mask_noise, gaussian_noise: one elementwise pass, the draw from the
//   noise operand or from the seed and the element's row-major index;
// - l1_penalty: one reduction of |h| over every dimension, over the batch;
// - kl_sparsity: the column means of h, then one reduction over the units;
// - contractive_penalty: the weight's squared row norms (one per unit), then
//   one reduction of g(h)² times them: the Jacobian diag(g(h)) W is never
//   formed.
//
//===----------------------------------------------------------------------===//

#include "Losses.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

/// `input` with each element replaced by `corrupt(element, draw)`, the draw
/// being the noise operand's element or the seeded one.
template <typename OpT>
Value corrupted(
    ConversionPatternRewriter &rewriter, OpT op, Value input, Value noise,
    bool normal,
    function_ref<Value(OpBuilder &, Location, Value, Value)> corrupt) {
  Location loc = op.getLoc();
  Type elementType = op.getType().getElementType();
  unsigned rank = cast<RankedTensorType>(input.getType()).getRank();
  SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext());
  SmallVector<Value> strides;
  if (!noise)
    strides = rowMajorStrides(rewriter, loc, sizes);
  uint64_t seed = static_cast<uint64_t>(op.getSeed());
  SmallVector<Value> inputs = {input};
  if (noise)
    inputs.push_back(noise);
  return buildGeneric(
      rewriter, loc, inputs, emptyTensor(rewriter, loc, sizes, elementType),
      SmallVector<AffineMap>(inputs.size() + 1, identity), iterators(rank),
      [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
        Value draw = noise
                         ? args[1]
                         : seededDraw(b, l, seed, strides, elementType, normal);
        return {corrupt(b, l, args[0], draw)};
      })[0];
}

struct MaskNoiseLowering : OpConversionPattern<MaskNoiseOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaskNoiseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type type = op.getType().getElementType();
    Value rate =
        floatConstant(rewriter, loc, type, op.getRate().convertToDouble());
    Value zero = floatConstant(rewriter, loc, type, 0.0);
    Value result = corrupted(
        rewriter, op, adaptor.getInput(), adaptor.getNoise(),
        /*normal=*/false, [&](OpBuilder &b, Location l, Value x, Value u) {
          Value dropped =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, u, rate);
          return arith::SelectOp::create(b, l, dropped, zero, x).getResult();
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct GaussianNoiseLowering : OpConversionPattern<GaussianNoiseOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GaussianNoiseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type type = op.getType().getElementType();
    Value std =
        floatConstant(rewriter, loc, type, op.getStd().convertToDouble());
    Value result = corrupted(
        rewriter, op, adaptor.getInput(), adaptor.getNoise(),
        /*normal=*/true, [&](OpBuilder &b, Location l, Value x, Value n) {
          Value scaled = arith::MulFOp::create(b, l, n, std);
          return arith::AddFOp::create(b, l, x, scaled).getResult();
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct L1PenaltyLowering : OpConversionPattern<L1PenaltyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(L1PenaltyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value hidden = adaptor.getHidden();
    Type type = op.getType().getElementType();
    unsigned rank = cast<RankedTensorType>(hidden.getType()).getRank();
    Value total = sumToScalars(
        rewriter, loc, hidden,
        AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext()), rank, 1,
        type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {math::AbsFOp::create(b, l, args[0])};
        })[0];
    Value result = meanOverBatch(rewriter, loc, total, hidden);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// Column sums of a 2-D `x`, each element through `term` first.
Value columnSums(OpBuilder &b, Location loc, Value x, Type type,
                 function_ref<Value(OpBuilder &, Location, Value)> term) {
  MLIRContext *ctx = b.getContext();
  Value zero = floatConstant(b, loc, type, 0.0);
  return buildGeneric(
      b, loc, x, filledTensor(b, loc, {sizesOf(b, loc, x)[1]}, zero),
      {AffineMap::getMultiDimIdentityMap(2, ctx), projection(ctx, 2, {1})},
      {utils::IteratorType::reduction, utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Value value = term(nb, l, args[0]);
        return {arith::AddFOp::create(nb, l, args[1], value)};
      })[0];
}

struct KlSparsityLowering : OpConversionPattern<KlSparsityOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KlSparsityOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value hidden = adaptor.getHidden();
    Type type = op.getType().getElementType();
    double rho = op.getTarget().convertToDouble();
    Value target = floatConstant(rewriter, loc, type, rho);
    Value complement = floatConstant(rewriter, loc, type, 1.0 - rho);
    Value one = floatConstant(rewriter, loc, type, 1.0);
    Value sums = columnSums(rewriter, loc, hidden, type,
                            [](OpBuilder &, Location, Value x) { return x; });
    Value batch = dimAsFloat(rewriter, loc, hidden, 0, type);
    // ρ log(ρ / ρ̂) + (1 - ρ) log((1 - ρ) / (1 - ρ̂)), ρ̂ = sum / batch.
    Value result = sumToScalars(
        rewriter, loc, sums,
        AffineMap::getMultiDimIdentityMap(1, rewriter.getContext()), 1, 1, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(b, l, args[0], batch);
          Value rest = arith::SubFOp::create(b, l, one, mean);
          Value ratio = arith::DivFOp::create(b, l, target, mean);
          Value restRatio = arith::DivFOp::create(b, l, complement, rest);
          Value logRatio = math::LogOp::create(b, l, ratio);
          Value logRestRatio = math::LogOp::create(b, l, restRatio);
          Value first = arith::MulFOp::create(b, l, target, logRatio);
          Value second = arith::MulFOp::create(b, l, complement, logRestRatio);
          return {arith::AddFOp::create(b, l, first, second)};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct ContractivePenaltyLowering : OpConversionPattern<ContractivePenaltyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ContractivePenaltyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value hidden = adaptor.getHidden(), weight = adaptor.getWeight();
    Type type = op.getType().getElementType();
    ActivationKind kind = op.getActivation();
    Value zero = floatConstant(rewriter, loc, type, 0.0);
    Value one = floatConstant(rewriter, loc, type, 1.0);

    // sum_k W_jk² per unit j.
    Value rowNorms = buildGeneric(
        rewriter, loc, weight,
        filledTensor(rewriter, loc, {sizesOf(rewriter, loc, weight)[0]}, zero),
        {AffineMap::getMultiDimIdentityMap(2, ctx), projection(ctx, 2, {0})},
        iterators(1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value square = arith::MulFOp::create(b, l, args[0], args[0]);
          return {arith::AddFOp::create(b, l, args[1], square)};
        })[0];
    // sum over the batch and units of g(h)² · rowNorms[j].
    Value total = sumToScalars(
        rewriter, loc, ValueRange{hidden, rowNorms},
        {AffineMap::getMultiDimIdentityMap(2, ctx), projection(ctx, 2, {1})}, 2,
        1, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value h = args[0], slope;
          switch (kind) {
          case ActivationKind::sigmoid: {
            Value rest = arith::SubFOp::create(b, l, one, h);
            slope = arith::MulFOp::create(b, l, h, rest);
            break;
          }
          case ActivationKind::tanh: {
            Value square = arith::MulFOp::create(b, l, h, h);
            slope = arith::SubFOp::create(b, l, one, square);
            break;
          }
          default: { // relu, as the verifier allows no other
            Value positive =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, h, zero);
            slope = arith::SelectOp::create(b, l, positive, one, zero);
            break;
          }
          }
          Value squared = arith::MulFOp::create(b, l, slope, slope);
          return {arith::MulFOp::create(b, l, squared, args[1])};
        })[0];
    Value result = meanOverBatch(rewriter, loc, total, hidden);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void mlir::enc::populateAutoencoderLossesToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MaskNoiseLowering, GaussianNoiseLowering, L1PenaltyLowering,
               KlSparsityLowering, ContractivePenaltyLowering>(
      patterns.getContext());
}
