//===- Layers.cpp - enc layers, convolutions and normalizations to linalg -===//
//
// Linear layers become a `linalg.matmul` with a transposed-B indexing map
// (the [out, in] checkpoint layout is used as it is, never transposed in
// memory), accumulating into the broadcast bias. Leading dimensions are
// collapsed into one so that batch and sequence may be dynamic.
//
// conv1d zero-pads with tensor.pad, then uses `linalg.conv_1d_ncw_fcw`
// (groups == 1) or a generic over [batch, group, out_per_group, time,
// in_per_group, kernel] on views that split the channels into groups.
// group_norm splits the channels the same way and reduces like layer_norm;
// weight_norm is a sum of squares per slice and one elementwise pass.
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
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
    return filledTensor(b, loc, sizes, floatConstant(b, loc, elementType, 0.0));
  Value empty = emptyTensor(b, loc, sizes, elementType);
  SmallVector<int64_t> broadcastDims;
  for (int64_t i = 0, e = sizes.size() - 1; i < e; ++i)
    broadcastDims.push_back(i);
  return linalg::BroadcastOp::create(b, loc, bias, empty, broadcastDims)
      .getResult()[0];
}

/// The linear op's epilogue on its result: activation, then residual add,
/// as one elementwise generic (nothing when the op has neither).
Value linearEpilogue(OpBuilder &b, Location loc, LinearOp op, Value result,
                     Value residual) {
  std::optional<ActivationKind> kind = op.getActivation();
  if (!kind && !residual)
    return result;
  auto type = cast<RankedTensorType>(result.getType());
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  SmallVector<Value> inputs = {result};
  if (residual)
    inputs.push_back(residual);
  SmallVector<AffineMap> maps(inputs.size() + 1, identity);
  return buildGeneric(
      b, loc, inputs,
      emptyTensor(b, loc, sizesOf(b, loc, result), type.getElementType()), maps,
      iterators(type.getRank()),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Value y = args[0];
        if (kind)
          y = activation(nb, l, *kind, y);
        if (residual)
          y = arith::AddFOp::create(nb, l, y, args[1]);
        return {y};
      })[0];
}

/// The reference lowering, for [out, in] weights; packed weights go to the
/// CPU target's micro-kernel (lib/Codegen/CPU/Kernels/PackedMatmul.cpp).
struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.hasPackedWeight())
      return rewriter.notifyMatchFailure(op, "packed weight: a kernel's");
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
      Value result =
          linalg::MatvecOp::create(rewriter, loc, TypeRange{init.getType()},
                                   ValueRange{weight, input}, ValueRange{init})
              .getResult(0);
      rewriter.replaceOp(
          op, linearEpilogue(rewriter, loc, op, result, adaptor.getResidual()));
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
    auto matmul =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                                 ValueRange{rows2d, weight}, ValueRange{init});
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
    rewriter.replaceOp(
        op, linearEpilogue(rewriter, loc, op, result, adaptor.getResidual()));
    return success();
  }
};

/// (x - mean) / sqrt(variance + epsilon), times `scale` and plus `bias`
/// (either may be null; both reshaped by `reshapeParameter` after the
/// statistics, then read through `parameterMap`), where mean and
/// variance are over all dims of `input` after its first `statDims`, and
/// `count` is the number of elements each statistic covers (a float;
/// `zero`, 0 of the same type, is the caller's too, so that both keep the
/// place the norms' IR has always given them).
/// Two passes (the sum, then the sum of squared deviations) rather than
/// E[x²] - E[x]², which loses precision when the mean is large. Layer norm
/// and group norm share it.
Value normalizeTrailingDims(OpBuilder &rewriter, Location loc, Value input,
                            ArrayRef<OpFoldResult> sizes, unsigned statDims,
                            Value zero, Value count, Value scale, Value bias,
                            function_ref<Value(Value)> reshapeParameter,
                            AffineMap parameterMap, double epsilonValue) {
  MLIRContext *ctx = rewriter.getContext();
  Type elementType = cast<RankedTensorType>(input.getType()).getElementType();
  unsigned rank = sizes.size();
  ArrayRef<OpFoldResult> statSizes = sizes.take_front(statDims);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap stat = leadingDims(ctx, rank, statDims);
  auto reduceIters = iterators(statDims, rank - statDims);

  Value sums = buildGeneric(
      rewriter, loc, input, filledTensor(rewriter, loc, statSizes, zero),
      {identity, stat}, reduceIters,
      [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
        return {arith::AddFOp::create(b, l, args[0], args[1])};
      })[0];
  Value squares = buildGeneric(
      rewriter, loc, ValueRange{input, sums},
      filledTensor(rewriter, loc, statSizes, zero), {identity, stat, stat},
      reduceIters,
      [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
        Value mean = arith::DivFOp::create(b, l, args[1], count);
        Value centered = arith::SubFOp::create(b, l, args[0], mean);
        Value square = arith::MulFOp::create(b, l, centered, centered);
        return {arith::AddFOp::create(b, l, args[2], square)};
      })[0];

  SmallVector<Value> inputs = {input, sums, squares};
  SmallVector<AffineMap> maps = {identity, stat, stat};
  if (scale) {
    inputs.push_back(reshapeParameter(scale));
    maps.push_back(parameterMap);
  }
  if (bias) {
    inputs.push_back(reshapeParameter(bias));
    maps.push_back(parameterMap);
  }
  maps.push_back(identity);
  Value epsilon = floatConstant(rewriter, loc, elementType, epsilonValue);
  Value one = floatConstant(rewriter, loc, elementType, 1.0);
  return buildGeneric(
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
}

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
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);
    Value count = dimAsFloat(rewriter, loc, input, rank - 1, elementType);

    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    if (Value residual = adaptor.getResidual()) {
      // The sum feeds three generics; elementwise fusion folds it into each.
      input = buildGeneric(
          rewriter, loc, ValueRange{input, residual},
          emptyTensor(rewriter, loc, sizes, elementType),
          {identity, identity, identity}, iterators(rank),
          [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
            return {arith::AddFOp::create(b, l, args[0], args[1])};
          })[0];
    }
    Value result = normalizeTrailingDims(
        rewriter, loc, input, sizes, rank - 1, zero, count, adaptor.getScale(),
        adaptor.getBias(), [](Value feature) { return feature; },
        projection(ctx, rank, {rank - 1}), op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// One reduction (the sum of squares), then one elementwise pass.
struct RMSNormLowering : OpConversionPattern<RMSNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RMSNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    unsigned rank = type.getRank();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);
    Value count = dimAsFloat(rewriter, loc, input, rank - 1, elementType);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap stat = leadingDims(ctx, rank, rank - 1);

    Value squares = buildGeneric(
        rewriter, loc, input,
        filledTensor(rewriter, loc, ArrayRef(sizes).drop_back(), zero),
        {identity, stat}, iterators(rank - 1, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value square = arith::MulFOp::create(b, l, args[0], args[0]);
          return {arith::AddFOp::create(b, l, args[1], square)};
        })[0];

    SmallVector<Value> inputs = {input, squares};
    SmallVector<AffineMap> maps = {identity, stat};
    Value scale = adaptor.getScale();
    if (scale) {
      inputs.push_back(scale);
      maps.push_back(projection(ctx, rank, {rank - 1}));
    }
    maps.push_back(identity);
    Value epsilon = floatConstant(rewriter, loc, elementType,
                                  op.getEpsilon().convertToDouble());
    Value one = floatConstant(rewriter, loc, elementType, 1.0);
    Value result = buildGeneric(
        rewriter, loc, inputs, emptyTensor(rewriter, loc, sizes, elementType),
        maps, iterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value meanSquare = arith::DivFOp::create(b, l, args[1], count);
          Value shifted = arith::AddFOp::create(b, l, meanSquare, epsilon);
          Value inverse = arith::DivFOp::create(
              b, l, one, math::SqrtOp::create(b, l, shifted));
          Value y = arith::MulFOp::create(b, l, args[0], inverse);
          if (scale)
            y = arith::MulFOp::create(b, l, y, args[2]);
          return {y};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

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
          return {activation(b, l, op.getKind(), args[0])};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Splits dimension `dim` of `tensor` into [groups, size / groups].
Value splitGroups(OpBuilder &b, Location loc, Value tensor, int64_t dim,
                  int64_t groups) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, tensor);
  SmallVector<OpFoldResult> expanded;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    int64_t next = expanded.size();
    if (i != dim) {
      expanded.push_back(sizes[i]);
      reassociation.push_back({next});
      continue;
    }
    expanded.push_back(b.getIndexAttr(groups));
    expanded.push_back(divideSize(b, loc, sizes[i], groups));
    reassociation.push_back({next, next + 1});
  }
  SmallVector<int64_t> staticShape;
  SmallVector<Value> dynamic;
  dispatchIndexOpFoldResults(expanded, dynamic, staticShape);
  auto expandedType = RankedTensorType::get(staticShape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, expandedType, tensor,
                                       reassociation, expanded);
}

/// The reassociation that merges dims `dim` and `dim + 1` of a rank-`rank`
/// tensor (the inverse of splitGroups).
SmallVector<ReassociationIndices> mergeGroups(int64_t rank, int64_t dim) {
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == dim + 1)
      continue;
    if (i == dim)
      reassociation.push_back({i, i + 1});
    else
      reassociation.push_back({i});
  }
  return reassociation;
}

struct GroupNormLowering : OpConversionPattern<GroupNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GroupNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type elementType = op.getType().getElementType();
    int64_t groups = op.getNumGroups();

    // [batch, channels, rest...] -> [batch, groups, channels / groups,
    // rest...]: each group becomes the trailing dims of one (batch, group).
    Value grouped = splitGroups(rewriter, loc, adaptor.getInput(), 1, groups);
    unsigned rank = cast<RankedTensorType>(grouped.getType()).getRank();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, grouped);
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);
    Value count = dimAsFloat(rewriter, loc, grouped, 2, elementType);
    for (unsigned i = 3; i < rank; ++i)
      count = arith::MulFOp::create(
          rewriter, loc, count,
          dimAsFloat(rewriter, loc, grouped, i, elementType));

    Value normalized = normalizeTrailingDims(
        rewriter, loc, grouped, sizes, 2, zero, count, adaptor.getScale(),
        adaptor.getBias(),
        [&](Value channels) {
          return splitGroups(rewriter, loc, channels, 0, groups);
        },
        projection(ctx, rank, {1, 2}), op.getEpsilon().convertToDouble());
    Value result = tensor::CollapseShapeOp::create(rewriter, loc, normalized,
                                                   mergeGroups(rank, 1));
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct Conv1dLowering : OpConversionPattern<Conv1dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv1dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    int64_t stride = op.getStride(), padding = op.getPadding();
    int64_t groups = op.getGroups();
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);

    if (padding > 0) {
      OpFoldResult none = rewriter.getIndexAttr(0);
      OpFoldResult pad = rewriter.getIndexAttr(padding);
      input = tensor::PadOp::create(rewriter, loc, /*resultType=*/Type(), input,
                                    {none, none, pad}, {none, none, pad}, zero);
    }

    // out_time = (padded_time - kernel) / stride + 1
    SmallVector<OpFoldResult> inSizes = sizesOf(rewriter, loc, input);
    SmallVector<OpFoldResult> weightSizes = sizesOf(rewriter, loc, weight);
    Value inTime = indexValue(rewriter, loc, inSizes[2]);
    Value kernelSize = indexValue(rewriter, loc, weightSizes[2]);
    Value span = arith::SubIOp::create(rewriter, loc, inTime, kernelSize);
    Value steps = arith::DivUIOp::create(
        rewriter, loc, span,
        arith::ConstantIndexOp::create(rewriter, loc, stride));
    Value outTime = arith::AddIOp::create(
        rewriter, loc, steps, arith::ConstantIndexOp::create(rewriter, loc, 1));
    SmallVector<OpFoldResult> outSizes = staticWhereKnown(
        rewriter, resultType, {inSizes[0], weightSizes[0], outTime});

    Value bias = adaptor.getBias();
    auto initFor = [&](ArrayRef<OpFoldResult> sizes, Value biasView,
                       ArrayRef<int64_t> broadcastDims) -> Value {
      if (!biasView)
        return filledTensor(rewriter, loc, sizes, zero);
      return linalg::BroadcastOp::create(
                 rewriter, loc, biasView,
                 emptyTensor(rewriter, loc, sizes, elementType), broadcastDims)
          .getResult()[0];
    };

    if (groups == 1) {
      Value init = initFor(outSizes, bias, {0, 2});
      Value result = linalg::Conv1DNcwFcwOp::create(
                         rewriter, loc, TypeRange{init.getType()},
                         ValueRange{input, weight}, ValueRange{init},
                         rewriter.getI64TensorAttr({stride}),
                         rewriter.getI64TensorAttr({1}))
                         .getResult(0);
      rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
      return success();
    }

    // Grouped: input [n, g, c, t], weight [g, o, c, k], out [n, g, o, t].
    Value groupedInput = splitGroups(rewriter, loc, input, 1, groups);
    Value groupedWeight = splitGroups(rewriter, loc, weight, 0, groups);
    SmallVector<OpFoldResult> groupedOut = {
        outSizes[0], rewriter.getIndexAttr(groups),
        divideSize(rewriter, loc, outSizes[1], groups), outSizes[2]};
    Value init = initFor(
        groupedOut,
        bias ? splitGroups(rewriter, loc, bias, 0, groups) : Value(), {0, 3});
    // Loops (n, g, o, t, c, k).
    AffineExpr n, g, o, t, c, k;
    bindDims(ctx, n, g, o, t, c, k);
    SmallVector<AffineMap> maps = {
        AffineMap::get(6, 0, {n, g, c, t * stride + k}, ctx),
        AffineMap::get(6, 0, {g, o, c, k}, ctx),
        AffineMap::get(6, 0, {n, g, o, t}, ctx)};
    Value result = buildGeneric(
        rewriter, loc, ValueRange{groupedInput, groupedWeight}, init, maps,
        iterators(4, 2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          return {arith::AddFOp::create(b, l, args[2], product)};
        })[0];
    result = tensor::CollapseShapeOp::create(rewriter, loc, result,
                                             mergeGroups(4, 1));
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

struct WeightNormLowering : OpConversionPattern<WeightNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(WeightNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value g = adaptor.getG(), v = adaptor.getV();
    auto type = cast<RankedTensorType>(v.getType());
    Type elementType = type.getElementType();
    unsigned rank = type.getRank();
    unsigned dim = op.getDim();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, v);

    // ||v|| over every dimension but `dim`: one sum of squares per slice.
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap slice = projection(ctx, rank, {dim});
    SmallVector<utils::IteratorType> reduceIters(
        rank, utils::IteratorType::reduction);
    reduceIters[dim] = utils::IteratorType::parallel;
    Value squares = buildGeneric(
        rewriter, loc, v,
        filledTensor(rewriter, loc, {sizes[dim]},
                     floatConstant(rewriter, loc, elementType, 0.0)),
        {identity, slice}, reduceIters,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value square = arith::MulFOp::create(b, l, args[0], args[0]);
          return {arith::AddFOp::create(b, l, args[1], square)};
        })[0];

    // g is 1 everywhere but `dim`: read index 0 there.
    SmallVector<AffineExpr> gExprs(rank, getAffineConstantExpr(0, ctx));
    gExprs[dim] = getAffineDimExpr(dim, ctx);
    AffineMap gMap = AffineMap::get(rank, 0, gExprs, ctx);
    Value result = buildGeneric(
        rewriter, loc, ValueRange{v, g, squares},
        emptyTensor(rewriter, loc, sizes, elementType),
        {identity, gMap, slice, identity}, iterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value norm = math::SqrtOp::create(b, l, args[2]);
          Value factor = arith::DivFOp::create(b, l, args[1], norm);
          return {arith::MulFOp::create(b, l, args[0], factor)};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void mlir::enc::populateLayersToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearLowering, LayerNormLowering, RMSNormLowering,
               ActivationLowering, GroupNormLowering, Conv1dLowering,
               WeightNormLowering>(patterns.getContext());
}
