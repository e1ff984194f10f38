//===- ContrastiveLosses.cpp - pairwise and self-distillation losses -----===//
//
// The losses of contrastive and self-supervised training, all ending in a
// 0-d result:
//
// - contrastive (InfoNCE / CLIP): row (and column) logsumexp with the max
//   subtracted, minus the diagonal, read through a (i) -> (i, i) map;
// - sigmoid_contrastive (SigLIP): one reduction of -log_sigmoid(±logits);
// - triplet: two squared distances per row in one loop nest, then the hinge;
// - dino_loss: per-row max, then one pass for both softmax denominators and
//   the cross term, and a column mean of the teacher for the new center;
// - nt_xent (SimCLR): rows normalized, the [2n, 2n] similarities with the
//   diagonal at -inf, row logsumexp minus the other view's entry;
// - queue_info_nce (MoCo): the positive dot product per row and the row's
//   products with the queue, whose max and exp-sum take the positive in at
//   the end (no [n, 1 + k] concatenation).
//
// Column reductions run with the reduction loop outermost, so the inner loop
// still walks a row contiguously.
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

using utils::IteratorType;

/// Reduces a 2-D `input` along dimension `dim` (1: per row, 0: per column)
/// with `combine(accumulator, element)` from `init`. Extra `inputs` are read
/// per output position, `body` maps all elements to the combined value.
Value reduceAlong(OpBuilder &b, Location loc, Value input, unsigned dim,
                  ValueRange perOutput, Value init,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned kept = 1 - dim;
  AffineMap out = projection(ctx, 2, {kept});
  SmallVector<Value> inputs = {input};
  inputs.append(perOutput.begin(), perOutput.end());
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(2, ctx)};
  maps.append(perOutput.size() + 1, out);
  SmallVector<IteratorType> iters(2, IteratorType::parallel);
  iters[dim] = IteratorType::reduction;
  return buildGeneric(
      b, loc, inputs, filledTensor(b, loc, sizesOf(b, loc, input)[kept], init),
      maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        return {body(nb, l, args)};
      })[0];
}

/// Per row (`dim` 1) or column (`dim` 0) of `logits`: (max, sum(exp(x - max))).
std::pair<Value, Value> logSumExpParts(OpBuilder &b, Location loc, Value logits,
                                       unsigned dim) {
  Type type = cast<RankedTensorType>(logits.getType()).getElementType();
  Value max =
      reduceAlong(b, loc, logits, dim, {}, negativeInfinity(b, loc, type),
                  [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                    return arith::MaximumFOp::create(nb, l, args[1], args[0]);
                  });
  Value sum =
      reduceAlong(b, loc, logits, dim, max, floatConstant(b, loc, type, 0.0),
                  [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                    Value e = math::ExpOp::create(
                        nb, l, arith::SubFOp::create(nb, l, args[0], args[1]));
                    return arith::AddFOp::create(nb, l, args[2], e);
                  });
  return {max, sum};
}

struct ContrastiveLowering : OpConversionPattern<ContrastiveOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ContrastiveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = adaptor.getLogits();
    Type type = op.getType().getElementType();
    bool symmetric = op.getSymmetric();

    // Cross entropy of row i (and column i) against class i:
    // max + log(sum(exp(x - max))) - x[i, i].
    auto [rowMax, rowSum] = logSumExpParts(rewriter, loc, logits, 1);
    SmallVector<Value> inputs = {logits, rowMax, rowSum};
    if (symmetric) {
      auto [colMax, colSum] = logSumExpParts(rewriter, loc, logits, 0);
      inputs.append({colMax, colSum});
    }
    AffineExpr i = getAffineDimExpr(0, ctx);
    SmallVector<AffineMap> maps(inputs.size(), AffineMap::get(1, 0, {i}, ctx));
    maps[0] = AffineMap::get(1, 0, {i, i}, ctx);
    Value total = sumToScalars(
        rewriter, loc, inputs, maps, 1, 1, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          auto crossEntropy = [&](Value max, Value sum) {
            Value logSumExp = arith::AddFOp::create(
                b, l, math::LogOp::create(b, l, sum), max);
            return arith::SubFOp::create(b, l, logSumExp, args[0]);
          };
          Value loss = crossEntropy(args[1], args[2]);
          if (symmetric)
            loss = arith::AddFOp::create(b, l, loss,
                                         crossEntropy(args[3], args[4]));
          return {loss};
        })[0];

    // Mean over rows, and with symmetric the average of both directions.
    Value result =
        meanOverBatch(rewriter, loc, total, logits, symmetric ? 2.0 : 1.0);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct SigmoidContrastiveLowering : OpConversionPattern<SigmoidContrastiveOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SigmoidContrastiveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    Type type = op.getType().getElementType();

    // -log_sigmoid(z * x) with z = +1 on the diagonal and -1 elsewhere.
    Value total = sumToScalars(
        rewriter, loc, logits,
        AffineMap::getMultiDimIdentityMap(2, rewriter.getContext()), 2, 1, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value row = linalg::IndexOp::create(b, l, 0);
          Value column = linalg::IndexOp::create(b, l, 1);
          Value diagonal = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                 row, column);
          Value signedLogit = arith::SelectOp::create(
              b, l, diagonal, args[0], arith::NegFOp::create(b, l, args[0]));
          return {arith::NegFOp::create(b, l, logSigmoid(b, l, signedLogit))};
        })[0];
    Value result = meanOverBatch(rewriter, loc, total, logits);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct TripletLowering : OpConversionPattern<TripletOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TripletOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value anchor = adaptor.getAnchor();
    Type type = op.getType().getElementType();
    Value zero = floatConstant(rewriter, loc, type, 0.0);
    // pairwise_distance adds its epsilon to the difference, not the norm.
    Value eps = floatConstant(rewriter, loc, type, 1e-6);
    Value margin =
        floatConstant(rewriter, loc, type, op.getMargin().convertToDouble());

    SmallVector<OpFoldResult> rows = {sizesOf(rewriter, loc, anchor)[0]};
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = projection(ctx, 2, {0});
    SmallVector<Value> squares = buildGeneric(
        rewriter, loc,
        ValueRange{anchor, adaptor.getPositive(), adaptor.getNegative()},
        ValueRange{filledTensor(rewriter, loc, rows, zero),
                   filledTensor(rewriter, loc, rows, zero)},
        {identity, identity, identity, row, row}, iterators(1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          auto accumulate = [&](Value other, Value acc) {
            Value diff = arith::AddFOp::create(
                b, l, arith::SubFOp::create(b, l, args[0], other), eps);
            return arith::AddFOp::create(
                b, l, acc, arith::MulFOp::create(b, l, diff, diff));
          };
          return {accumulate(args[1], args[3]), accumulate(args[2], args[4])};
        });

    AffineMap rowOnly = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value total = sumToScalars(
        rewriter, loc, squares, {rowOnly, rowOnly}, 1, 1, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value positive = math::SqrtOp::create(b, l, args[0]);
          Value negative = math::SqrtOp::create(b, l, args[1]);
          Value gap = arith::SubFOp::create(b, l, positive, negative);
          Value hinge = arith::AddFOp::create(b, l, gap, margin);
          return {arith::MaximumFOp::create(b, l, hinge, zero)};
        })[0];
    Value result = meanOverBatch(rewriter, loc, total, anchor);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct DinoLossLowering : OpConversionPattern<DinoLossOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DinoLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value student = adaptor.getStudent(), teacher = adaptor.getTeacher();
    Value center = adaptor.getCenter();
    Type type = op.getLoss().getType().getElementType();
    auto constant = [&](double v) {
      return floatConstant(rewriter, loc, type, v);
    };
    Value studentScale =
        constant(1.0 / op.getStudentTemperature().convertToDouble());
    Value teacherScale =
        constant(1.0 / op.getTeacherTemperature().convertToDouble());
    double momentum = op.getCenterMomentum().convertToDouble();

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, student);
    SmallVector<OpFoldResult> rows = {sizes[0]};
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = projection(ctx, 2, {0});
    AffineMap column = projection(ctx, 2, {1});
    // u = (teacher - center) / Tt, v = student / Ts.
    auto scaled = [&](OpBuilder &b, Location l, ValueRange args) {
      Value u = arith::MulFOp::create(
          b, l, arith::SubFOp::create(b, l, args[1], args[2]), teacherScale);
      Value v = arith::MulFOp::create(b, l, args[0], studentScale);
      return std::pair(u, v);
    };

    Value negInf = negativeInfinity(rewriter, loc, type);
    SmallVector<Value> maxes = buildGeneric(
        rewriter, loc, ValueRange{student, teacher, center},
        ValueRange{filledTensor(rewriter, loc, rows, negInf),
                   filledTensor(rewriter, loc, rows, negInf)},
        {identity, identity, column, row, row}, iterators(1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          auto [u, v] = scaled(b, l, args);
          return {arith::MaximumFOp::create(b, l, args[3], u),
                  arith::MaximumFOp::create(b, l, args[4], v)};
        });

    // With e = exp(u - max u) and w = max v - v >= 0, the row's loss
    // -sum(p_t * log p_s) is log(sum exp(-w)) + sum(e * w) / sum(e): a sum
    // of non-negative terms, so nothing cancels when the loss is small.
    Value zero = constant(0.0);
    SmallVector<Value> sums = buildGeneric(
        rewriter, loc, ValueRange{student, teacher, center, maxes[0], maxes[1]},
        ValueRange{filledTensor(rewriter, loc, rows, zero),
                   filledTensor(rewriter, loc, rows, zero),
                   filledTensor(rewriter, loc, rows, zero)},
        {identity, identity, column, row, row, row, row, row}, iterators(1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          auto [u, v] = scaled(b, l, args);
          Value e = math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, u, args[3]));
          Value w = arith::SubFOp::create(b, l, args[4], v);
          Value studentExp =
              math::ExpOp::create(b, l, arith::NegFOp::create(b, l, w));
          return {arith::AddFOp::create(b, l, args[5], e),
                  arith::AddFOp::create(b, l, args[6], studentExp),
                  arith::AddFOp::create(b, l, args[7],
                                        arith::MulFOp::create(b, l, e, w))};
        });
    AffineMap rowOnly = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value total = sumToScalars(
        rewriter, loc, sums, {rowOnly, rowOnly, rowOnly}, 1, 1, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value logSum = math::LogOp::create(b, l, args[1]);
          Value cross = arith::DivFOp::create(b, l, args[2], args[0]);
          return {arith::AddFOp::create(b, l, logSum, cross)};
        })[0];
    Value batch = dimAsFloat(rewriter, loc, student, 0, type);
    Value loss = divideScalar(rewriter, loc, total, batch);

    // center * m + mean_b(teacher) * (1 - m).
    SmallVector<OpFoldResult> columns = {sizes[1]};
    Value teacherSum = buildGeneric(
        rewriter, loc, teacher, filledTensor(rewriter, loc, columns, zero),
        {identity, column}, {IteratorType::reduction, IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::AddFOp::create(b, l, args[1], args[0])};
        })[0];
    Value keep = constant(momentum), update = constant(1.0 - momentum);
    Value newCenter = buildGeneric(
        rewriter, loc, ValueRange{center, teacherSum},
        emptyTensor(rewriter, loc, columns, type), {rowOnly, rowOnly, rowOnly},
        iterators(1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(b, l, args[1], batch);
          Value kept = arith::MulFOp::create(b, l, args[0], keep);
          Value updated = arith::MulFOp::create(b, l, mean, update);
          return {arith::AddFOp::create(b, l, kept, updated)};
        })[0];

    rewriter.replaceOp(
        op, {castTo(rewriter, loc, loss, op.getLoss().getType()),
             castTo(rewriter, loc, newCenter, op.getNewCenter().getType())});
    return success();
  }
};

struct NtXentLowering : OpConversionPattern<NtXentOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(NtXentOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value z = adaptor.getEmbeddings();
    Type type = op.getType().getElementType();
    Value zero = floatConstant(rewriter, loc, type, 0.0);
    Value floor = floatConstant(rewriter, loc, type, 1e-12);
    Value inverseTemperature = floatConstant(
        rewriter, loc, type, 1.0 / op.getTemperature().convertToDouble());
    Value negInf = negativeInfinity(rewriter, loc, type);
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, z);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = projection(ctx, 2, {0});

    // z / max(||z||, 1e-12) per row (F.normalize).
    Value squares =
        reduceAlong(rewriter, loc, z, 1, {}, zero,
                    [](OpBuilder &b, Location l, ValueRange args) -> Value {
                      Value square =
                          arith::MulFOp::create(b, l, args[0], args[0]);
                      return arith::AddFOp::create(b, l, args[1], square);
                    });
    Value normalized = buildGeneric(
        rewriter, loc, ValueRange{z, squares},
        emptyTensor(rewriter, loc, sizes, type), {identity, row, identity},
        iterators(2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value norm = math::SqrtOp::create(b, l, args[1]);
          Value floored = arith::MaximumFOp::create(b, l, norm, floor);
          return {arith::DivFOp::create(b, l, args[0], floored)};
        })[0];

    // s[a, b] = z_a · z_b over the feature dimension, innermost.
    AffineExpr a, c, d;
    bindDims(ctx, a, c, d);
    Value products = buildGeneric(
        rewriter, loc, ValueRange{normalized, normalized},
        filledTensor(rewriter, loc, {sizes[0], sizes[0]}, zero),
        {AffineMap::get(3, 0, {a, d}, ctx), AffineMap::get(3, 0, {c, d}, ctx),
         AffineMap::get(3, 0, {a, c}, ctx)},
        iterators(2, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          return {arith::AddFOp::create(b, l, args[2], product)};
        })[0];
    // Scaled by 1 / temperature, a sample against itself left out.
    Value logits = buildGeneric(
        rewriter, loc, products,
        emptyTensor(rewriter, loc, {sizes[0], sizes[0]}, type),
        {identity, identity}, iterators(2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value i = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, 1);
          Value self =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i, j);
          Value scaled =
              arith::MulFOp::create(b, l, args[0], inverseTemperature);
          return {arith::SelectOp::create(b, l, self, negInf, scaled)};
        })[0];

    // Row a's cross entropy against its other view, a + n or a - n.
    auto [rowMax, rowSum] = logSumExpParts(rewriter, loc, logits, 1);
    Value rows = tensor::DimOp::create(rewriter, loc, z, 0);
    Value half = arith::DivUIOp::create(
        rewriter, loc, rows, arith::ConstantIndexOp::create(rewriter, loc, 2));
    AffineMap rowOnly = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value total = sumToScalars(
        rewriter, loc, ValueRange{rowMax, rowSum}, {rowOnly, rowOnly}, 1, 1,
        type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value i = linalg::IndexOp::create(b, l, 0);
          Value first =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, i, half);
          Value up = arith::AddIOp::create(b, l, i, half);
          Value down = arith::SubIOp::create(b, l, i, half);
          Value other = arith::SelectOp::create(b, l, first, up, down);
          Value positive =
              tensor::ExtractOp::create(b, l, logits, ValueRange{i, other});
          Value logSumExp = arith::AddFOp::create(
              b, l, math::LogOp::create(b, l, args[1]), args[0]);
          return {arith::SubFOp::create(b, l, logSumExp, positive)};
        })[0];
    Value result = meanOverBatch(rewriter, loc, total, z);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct QueueInfoNceLowering : OpConversionPattern<QueueInfoNceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QueueInfoNceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value query = adaptor.getQuery(), queue = adaptor.getQueue();
    Type type = op.getType().getElementType();
    Value zero = floatConstant(rewriter, loc, type, 0.0);
    Value inverseTemperature = floatConstant(
        rewriter, loc, type, 1.0 / op.getTemperature().convertToDouble());
    SmallVector<OpFoldResult> rows = {sizesOf(rewriter, loc, query)[0]};
    SmallVector<OpFoldResult> negatives = {rows[0],
                                           sizesOf(rewriter, loc, queue)[1]};
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = projection(ctx, 2, {0});
    auto multiplyAdd = [](OpBuilder &b, Location l,
                          ValueRange args) -> SmallVector<Value> {
      Value product = arith::MulFOp::create(b, l, args[0], args[1]);
      return {arith::AddFOp::create(b, l, args[2], product)};
    };

    // q · key per row, and q · queue[:, j] (the queue's dim outermost of
    // its two, so the reduction reads a queue row per step).
    Value positive = buildGeneric(
        rewriter, loc, ValueRange{query, adaptor.getKey()},
        filledTensor(rewriter, loc, rows, zero), {identity, identity, row},
        iterators(1, 1), multiplyAdd)[0];
    AffineExpr n, j, d;
    bindDims(ctx, n, j, d);
    Value negative = buildGeneric(rewriter, loc, ValueRange{query, queue},
                                  filledTensor(rewriter, loc, negatives, zero),
                                  {AffineMap::get(3, 0, {n, d}, ctx),
                                   AffineMap::get(3, 0, {d, j}, ctx),
                                   AffineMap::get(3, 0, {n, j}, ctx)},
                                  iterators(2, 1), multiplyAdd)[0];

    // With m = max(positive, max_j negative) (temperature > 0 keeps the
    // order), row n's loss is log(exp((p - m)/T) + sum_j exp((q_j - m)/T))
    // + (m - p)/T.
    Value negativeMax = reduceAlong(
        rewriter, loc, negative, 1, {}, negativeInfinity(rewriter, loc, type),
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::MaximumFOp::create(b, l, args[1], args[0]);
        });
    auto scaledExp = [&](OpBuilder &b, Location l, Value x, Value max) {
      Value shifted = arith::SubFOp::create(b, l, x, max);
      Value scaled = arith::MulFOp::create(b, l, shifted, inverseTemperature);
      return math::ExpOp::create(b, l, scaled);
    };
    Value negativeSum =
        reduceAlong(rewriter, loc, negative, 1, {positive, negativeMax}, zero,
                    [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                      Value max =
                          arith::MaximumFOp::create(b, l, args[1], args[2]);
                      Value term = scaledExp(b, l, args[0], max);
                      return arith::AddFOp::create(b, l, args[3], term);
                    });
    AffineMap rowOnly = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value total = sumToScalars(
        rewriter, loc, ValueRange{positive, negativeMax, negativeSum},
        {rowOnly, rowOnly, rowOnly}, 1, 1, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value max = arith::MaximumFOp::create(b, l, args[0], args[1]);
          Value positiveTerm = scaledExp(b, l, args[0], max);
          Value sum = arith::AddFOp::create(b, l, args[2], positiveTerm);
          Value gap = arith::SubFOp::create(b, l, max, args[0]);
          Value scaledGap =
              arith::MulFOp::create(b, l, gap, inverseTemperature);
          Value logSum = math::LogOp::create(b, l, sum);
          return {arith::AddFOp::create(b, l, logSum, scaledGap)};
        })[0];
    Value result = meanOverBatch(rewriter, loc, total, query);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void mlir::enc::populateContrastiveLossesToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ContrastiveLowering, SigmoidContrastiveLowering, TripletLowering,
               DinoLossLowering, NtXentLowering, QueueInfoNceLowering>(
      patterns.getContext());
}
