//===- Layers.cpp - enc.linear, enc.layer_norm, enc.activation to linalg ----===//
//
// Linear layers become a `linalg.matmul` with a transposed-B indexing map
// (the [out, in] checkpoint layout is used as it is, never transposed in
// memory), accumulating into the broadcast bias. Leading dimensions are
// collapsed into one so that batch and sequence may be dynamic.
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

/// Initial accumulator of a linear layer: the bias broadcast over the rows,
/// or zeros.
Value linearInit(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                 Type elementType, Value bias) {
  if (!bias)
    return filledTensor(b, loc, sizes,
                        floatConstant(b, loc, elementType, 0.0));
  Value empty = emptyTensor(b, loc, sizes, elementType);
  SmallVector<int64_t> broadcastDims;
  for (int64_t i = 0, e = sizes.size() - 1; i < e; ++i)
    broadcastDims.push_back(i);
  return linalg::BroadcastOp::create(b, loc, bias, empty, broadcastDims)
      .getResult()[0];
}

struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Value weight = adaptor.getWeight();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    int64_t rank = inputType.getRank();
    OpFoldResult outFeatures = sizesOf(rewriter, loc, weight)[0];

    if (rank == 1) {
      // [in] -> [out]: a matrix-vector product with W as stored.
      Value init = linearInit(rewriter, loc, {outFeatures}, elementType,
                              adaptor.getBias());
      Value result = linalg::MatvecOp::create(rewriter, loc,
                                              TypeRange{init.getType()},
                                              ValueRange{weight, input},
                                              ValueRange{init})
                         .getResult(0);
      rewriter.replaceOp(op, result);
      return success();
    }

    // Collapse [..., in] to [rows, in].
    SmallVector<OpFoldResult> inputSizes = sizesOf(rewriter, loc, input);
    Value rows2d = input;
    if (rank > 2) {
      ReassociationIndices leading;
      for (int64_t i = 0; i < rank - 1; ++i)
        leading.push_back(i);
      rows2d = tensor::CollapseShapeOp::create(
          rewriter, loc, input,
          ArrayRef<ReassociationIndices>{leading, {rank - 1}});
    }
    OpFoldResult rows = sizesOf(rewriter, loc, rows2d)[0];
    Value init = linearInit(rewriter, loc, {rows, outFeatures}, elementType,
                            adaptor.getBias());

    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto maps = rewriter.getAffineMapArrayAttr(
        {AffineMap::get(3, 0, {m, k}, ctx), AffineMap::get(3, 0, {n, k}, ctx),
         AffineMap::get(3, 0, {m, n}, ctx)});
    auto matmul = linalg::MatmulOp::create(rewriter, loc,
                                           TypeRange{init.getType()},
                                           ValueRange{rows2d, weight},
                                           ValueRange{init});
    matmul.setIndexingMapsAttr(maps);
    Value result = matmul.getResult(0);

    if (rank > 2) {
      ReassociationIndices leading;
      for (int64_t i = 0; i < rank - 1; ++i)
        leading.push_back(i);
      SmallVector<OpFoldResult> outSizes(inputSizes);
      outSizes.back() = outFeatures;
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, result,
          ArrayRef<ReassociationIndices>{leading, {rank - 1}}, outSizes);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    unsigned rank = type.getRank();

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    ArrayRef<OpFoldResult> rowSizes = ArrayRef(sizes).drop_back();
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);
    Value count = dimAsFloat(rewriter, loc, input, rank - 1, elementType);

    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap row = leadingDims(ctx, rank, rank - 1);
    AffineMap feature = projection(ctx, rank, {rank - 1});
    auto reduceIters = iterators(rank - 1, 1);

    // Two passes (sum, then the sum of squared deviations) rather than
    // E[x²] - E[x]², which loses precision when the mean is large.
    Value sums = buildGeneric(
        rewriter, loc, input, filledTensor(rewriter, loc, rowSizes, zero),
        {identity, row}, reduceIters,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::AddFOp::create(b, l, args[0], args[1])};
        })[0];
    Value squares = buildGeneric(
        rewriter, loc, ValueRange{input, sums},
        filledTensor(rewriter, loc, rowSizes, zero), {identity, row, row},
        reduceIters,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(b, l, args[1], count);
          Value centered = arith::SubFOp::create(b, l, args[0], mean);
          Value square = arith::MulFOp::create(b, l, centered, centered);
          return {arith::AddFOp::create(b, l, args[2], square)};
        })[0];

    SmallVector<Value> inputs = {input, sums, squares};
    SmallVector<AffineMap> maps = {identity, row, row};
    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    if (scale) {
      inputs.push_back(scale);
      maps.push_back(feature);
    }
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(feature);
    }
    maps.push_back(identity);
    Value epsilon = floatConstant(rewriter, loc, elementType,
                                  op.getEpsilon().convertToDouble());
    Value one = floatConstant(rewriter, loc, elementType, 1.0);
    Value result = buildGeneric(
        rewriter, loc, inputs, emptyTensor(rewriter, loc, sizes, elementType),
        maps, iterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value mean = arith::DivFOp::create(b, l, args[1], count);
          Value variance = arith::DivFOp::create(b, l, args[2], count);
          Value shifted = arith::AddFOp::create(b, l, variance, epsilon);
          Value inverse = arith::DivFOp::create(
              b, l, one, math::SqrtOp::create(b, l, shifted));
          Value y = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], mean), inverse);
          unsigned next = 3;
          if (scale)
            y = arith::MulFOp::create(b, l, y, args[next++]);
          if (bias)
            y = arith::AddFOp::create(b, l, y, args[next++]);
          return {y};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The scalar body of each activation.
Value activate(OpBuilder &b, Location loc, ActivationKind kind, Value x) {
  Type type = x.getType();
  auto constant = [&](double v) { return floatConstant(b, loc, type, v); };
  auto sigmoid = [&](Value v) {
    Value negated = arith::NegFOp::create(b, loc, v);
    Value denominator = arith::AddFOp::create(
        b, loc, constant(1.0), math::ExpOp::create(b, loc, negated));
    return arith::DivFOp::create(b, loc, constant(1.0), denominator);
  };
  switch (kind) {
  case ActivationKind::gelu: {
    Value scaled = arith::MulFOp::create(b, loc, x, constant(M_SQRT1_2));
    Value cdf = arith::AddFOp::create(b, loc, constant(1.0),
                                      math::ErfOp::create(b, loc, scaled));
    Value half = arith::MulFOp::create(b, loc, x, constant(0.5));
    return arith::MulFOp::create(b, loc, half, cdf);
  }
  case ActivationKind::gelu_tanh: {
    Value cube = arith::MulFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value inner = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, cube, constant(0.044715)));
    Value scaled = arith::MulFOp::create(
        b, loc, inner, constant(std::sqrt(2.0 / M_PI)));
    Value cdf = arith::AddFOp::create(b, loc, constant(1.0),
                                      math::TanhOp::create(b, loc, scaled));
    Value half = arith::MulFOp::create(b, loc, x, constant(0.5));
    return arith::MulFOp::create(b, loc, half, cdf);
  }
  case ActivationKind::quick_gelu:
    return arith::MulFOp::create(
        b, loc, x,
        sigmoid(arith::MulFOp::create(b, loc, x, constant(1.702))));
  case ActivationKind::relu:
    return arith::MaximumFOp::create(b, loc, x, constant(0.0));
  case ActivationKind::silu:
    return arith::MulFOp::create(b, loc, x, sigmoid(x));
  case ActivationKind::sigmoid:
    return sigmoid(x);
  case ActivationKind::tanh:
    return math::TanhOp::create(b, loc, x);
  }
  llvm_unreachable("unknown activation kind");
}

struct ActivationLowering : OpConversionPattern<ActivationOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ActivationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(type.getRank(), getContext());
    Value result = buildGeneric(
        rewriter, loc, input,
        emptyTensor(rewriter, loc, sizesOf(rewriter, loc, input),
                    type.getElementType()),
        {identity, identity}, iterators(type.getRank()),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {activate(b, l, op.getKind(), args[0])};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::enc::populateLayersToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearLowering, LayerNormLowering, ActivationLowering>(
      patterns.getContext());
}
