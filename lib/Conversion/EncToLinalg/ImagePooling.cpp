//===- ImagePooling.cpp - NCHW pooling and resizing -----------------------===//
//
// Max, average and adaptive pooling are each one reduction over (batch,
// channel, oh, ow, kh, kw), the window's elements read with tensor.extract
// at clamped indices and replaced by the reduction's identity where they
// fall in the padding (or past an adaptive bin's end); averages then divide
// by a [oh, ow] table of divisors computed at compile time, as PyTorch
// counts them (the spatial sizes are static). upsample2d is one elementwise
// pass whose source positions are computed in f32 like PyTorch's.
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

/// Where window element `k` of output `o` reads along one axis.
struct AxisWindow {
  int64_t size = 0;
  // Fixed windows: o · stride - pad + k · dilation.
  int64_t stride = 1, pad = 0, dilation = 1;
  // Adaptive bins: floor(o · size / out) + k, valid before
  // ceil((o + 1) · size / out).
  int64_t out = 0;
  bool adaptive = false;
};

/// The position along `axis` and whether it lies inside the input.
std::pair<Value, Value> windowPosition(OpBuilder &b, Location loc,
                                       const AxisWindow &axis, Value o,
                                       Value k) {
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  if (axis.adaptive) {
    Value scaled = arith::MulIOp::create(b, loc, o, constant(axis.size));
    Value start = arith::DivUIOp::create(b, loc, scaled, constant(axis.out));
    Value position = arith::AddIOp::create(b, loc, start, k);
    Value next = arith::AddIOp::create(b, loc, scaled, constant(axis.size));
    Value rounded = arith::AddIOp::create(b, loc, next, constant(axis.out - 1));
    Value end = arith::DivUIOp::create(b, loc, rounded, constant(axis.out));
    Value inside =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, position, end);
    // Past the bin's end the element is not used, but is still read.
    Value clamped =
        arith::MinUIOp::create(b, loc, position, constant(axis.size - 1));
    return {clamped, inside};
  }
  Value first = arith::MulIOp::create(b, loc, o, constant(axis.stride));
  Value shifted = arith::SubIOp::create(b, loc, first, constant(axis.pad));
  Value offset = arith::MulIOp::create(b, loc, k, constant(axis.dilation));
  Value position = arith::AddIOp::create(b, loc, shifted, offset);
  Value low = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, position,
                                    constant(0));
  Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                     position, constant(axis.size));
  Value inside = arith::AndIOp::create(b, loc, low, high);
  Value clampedLow = arith::MaxSIOp::create(b, loc, position, constant(0));
  Value clamped =
      arith::MinSIOp::create(b, loc, clampedLow, constant(axis.size - 1));
  return {clamped, inside};
}

/// The reduction of `input` over windows `kernel` ([kh, kw]) of each output
/// position: `combine(acc, x)` from `init`, elements outside the input
/// skipped.
Value poolWindows(
    OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
    ArrayRef<int64_t> kernel, const AxisWindow (&axes)[2], Value init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> inputSizes = sizesOf(b, loc, input);
  SmallVector<OpFoldResult> sizes = staticWhereKnown(
      b, resultType,
      {inputSizes[0], inputSizes[1], b.getIndexAttr(resultType.getDimSize(2)),
       b.getIndexAttr(resultType.getDimSize(3))});
  // The kernel's loops are iteration space only: a [kh, kw] operand that
  // the body never reads gives them their sizes.
  Value window =
      tensor::EmptyOp::create(b, loc, kernel, resultType.getElementType());
  AffineExpr d0, d1, d2, d3, d4, d5;
  bindDims(ctx, d0, d1, d2, d3, d4, d5);
  return buildGeneric(
      b, loc, window, filledTensor(b, loc, sizes, init),
      {AffineMap::get(6, 0, {d4, d5}, ctx),
       AffineMap::get(6, 0, {d0, d1, d2, d3}, ctx)},
      iterators(4, 2),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Value n = linalg::IndexOp::create(nb, l, 0);
        Value c = linalg::IndexOp::create(nb, l, 1);
        SmallVector<Value> at = {n, c};
        Value inside;
        for (int axis = 0; axis < 2; ++axis) {
          Value o = linalg::IndexOp::create(nb, l, 2 + axis);
          Value k = linalg::IndexOp::create(nb, l, 4 + axis);
          auto [position, valid] = windowPosition(nb, l, axes[axis], o, k);
          at.push_back(position);
          inside = inside
                       ? arith::AndIOp::create(nb, l, inside, valid).getResult()
                       : valid;
        }
        Value element = tensor::ExtractOp::create(nb, l, input, at);
        Value combined = combine(nb, l, args[1], element);
        return {arith::SelectOp::create(nb, l, inside, combined, args[1])};
      })[0];
}

/// sum / divisor[oh, ow].
Value divideByTable(OpBuilder &b, Location loc, Value sum,
                    ArrayRef<int64_t> outSizes, ArrayRef<double> divisors) {
  MLIRContext *ctx = b.getContext();
  Type type = cast<RankedTensorType>(sum.getType()).getElementType();
  Value table = floatTensorConstant(b, loc, outSizes, divisors, type);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
  return buildGeneric(
      b, loc, ValueRange{sum, table},
      emptyTensor(b, loc, sizesOf(b, loc, sum), type),
      {identity, projection(ctx, 4, {2, 3}), identity}, iterators(4),
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        return {arith::DivFOp::create(nb, l, args[0], args[1])};
      })[0];
}

template <typename PoolOp>
std::array<AxisWindow, 2> fixedWindows(PoolOp op, ArrayRef<int64_t> dilation) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<int64_t> stride = op.getEffectiveStride();
  std::array<AxisWindow, 2> axes;
  for (int axis = 0; axis < 2; ++axis) {
    axes[axis].size = input.getDimSize(2 + axis);
    axes[axis].stride = stride[axis];
    axes[axis].pad = op.getPadding()[axis];
    axes[axis].dilation = dilation[axis];
  }
  return axes;
}

struct MaxPool2dLowering : OpConversionPattern<MaxPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    std::array<AxisWindow, 2> axes = fixedWindows(op, op.getDilation());
    Value init = negativeInfinity(rewriter, loc, op.getType().getElementType());
    Value result =
        poolWindows(rewriter, loc, adaptor.getInput(), op.getType(),
                    op.getKernelSize(), {axes[0], axes[1]}, init,
                    [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                      return arith::MaximumFOp::create(b, l, acc, x);
                    });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct AvgPool2dLowering : OpConversionPattern<AvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    int64_t one[] = {1, 1};
    std::array<AxisWindow, 2> axes = fixedWindows(op, one);
    ArrayRef<int64_t> kernel = op.getKernelSize();
    Value zero = floatConstant(rewriter, loc, resultType.getElementType(), 0.0);
    Value sum =
        poolWindows(rewriter, loc, adaptor.getInput(), resultType, kernel,
                    {axes[0], axes[1]}, zero,
                    [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                      return arith::AddFOp::create(b, l, acc, x);
                    });

    // PyTorch's divisor: the window clipped to the padded input, or with
    // count_include_pad false, to the input.
    int64_t outH = resultType.getDimSize(2), outW = resultType.getDimSize(3);
    auto extent = [&](const AxisWindow &axis, int64_t kernelSize, int64_t o,
                      bool withPad) {
      int64_t start = o * axis.stride - axis.pad;
      int64_t end = std::min(start + kernelSize, axis.size + axis.pad);
      if (!withPad) {
        start = std::max<int64_t>(start, 0);
        end = std::min(end, axis.size);
      }
      return end - start;
    };
    bool withPad = op.getCountIncludePad();
    SmallVector<double> divisors;
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow)
        divisors.push_back(
            static_cast<double>(extent(axes[0], kernel[0], oh, withPad) *
                                extent(axes[1], kernel[1], ow, withPad)));
    Value result = divideByTable(rewriter, loc, sum, {outH, outW}, divisors);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

struct AdaptiveAvgPool2dLowering : OpConversionPattern<AdaptiveAvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AdaptiveAvgPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    std::array<AxisWindow, 2> axes;
    SmallVector<int64_t> kernel;
    SmallVector<SmallVector<double>> lengths(2);
    for (int axis = 0; axis < 2; ++axis) {
      int64_t size = inputType.getDimSize(2 + axis);
      int64_t out = resultType.getDimSize(2 + axis);
      axes[axis].size = size;
      axes[axis].out = out;
      axes[axis].adaptive = true;
      int64_t longest = 0;
      for (int64_t o = 0; o < out; ++o) {
        int64_t start = o * size / out;
        int64_t end = ((o + 1) * size + out - 1) / out;
        lengths[axis].push_back(static_cast<double>(end - start));
        longest = std::max(longest, end - start);
      }
      kernel.push_back(longest);
    }
    Value zero = floatConstant(rewriter, loc, resultType.getElementType(), 0.0);
    Value sum =
        poolWindows(rewriter, loc, adaptor.getInput(), resultType, kernel,
                    {axes[0], axes[1]}, zero,
                    [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                      return arith::AddFOp::create(b, l, acc, x);
                    });
    SmallVector<double> divisors;
    for (double h : lengths[0])
      for (double w : lengths[1])
        divisors.push_back(h * w);
    Value result = divideByTable(
        rewriter, loc, sum,
        {resultType.getDimSize(2), resultType.getDimSize(3)}, divisors);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

/// Source position of output `o` along an axis of `in` -> `out` elements:
/// (index, next index, weight of the next) in PyTorch's f32 arithmetic.
struct SourcePosition {
  Value index, next, weight;
};

SourcePosition sourcePosition(OpBuilder &b, Location loc, Value o, int64_t in,
                              int64_t out, UpsampleMode mode,
                              bool alignCorners) {
  Type f32 = b.getF32Type();
  auto constant = [&](float v) { return floatConstant(b, loc, f32, v); };
  Value position = arith::UIToFPOp::create(
      b, loc, f32, arith::IndexCastUIOp::create(b, loc, b.getI64Type(), o));
  auto toIndex = [&](Value x) -> Value {
    Value integer = arith::FPToSIOp::create(b, loc, b.getI64Type(), x);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), integer);
  };
  Value last = arith::ConstantIndexOp::create(b, loc, in - 1);
  if (mode == UpsampleMode::nearest) {
    float scale = static_cast<float>(in) / static_cast<float>(out);
    Value scaled = arith::MulFOp::create(b, loc, position, constant(scale));
    Value floored = math::FloorOp::create(b, loc, scaled);
    Value index = arith::MinSIOp::create(b, loc, toIndex(floored), last);
    return {index, index, Value()};
  }
  Value source;
  if (alignCorners) {
    float scale = out > 1
                      ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                      : 0.0f;
    source = arith::MulFOp::create(b, loc, position, constant(scale));
  } else {
    float scale = static_cast<float>(in) / static_cast<float>(out);
    Value centre = arith::AddFOp::create(b, loc, position, constant(0.5f));
    Value scaled = arith::MulFOp::create(b, loc, centre, constant(scale));
    Value shifted = arith::SubFOp::create(b, loc, scaled, constant(0.5f));
    source = arith::MaximumFOp::create(b, loc, shifted, constant(0.0f));
  }
  Value index = toIndex(source); // source >= 0: truncation is floor
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value next = arith::MinSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, index, one), last);
  Value indexFloat = arith::SIToFPOp::create(
      b, loc, f32, arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
  Value weight = arith::SubFOp::create(b, loc, source, indexFloat);
  return {index, next, weight};
}

struct Upsample2dLowering : OpConversionPattern<Upsample2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Upsample2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType resultType = op.getType();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type type = resultType.getElementType();
    UpsampleMode mode = op.getMode();
    bool alignCorners = op.getAlignCorners();
    SmallVector<OpFoldResult> inputSizes = sizesOf(rewriter, loc, input);
    SmallVector<OpFoldResult> sizes =
        staticWhereKnown(rewriter, resultType,
                         {inputSizes[0], inputSizes[1],
                          rewriter.getIndexAttr(resultType.getDimSize(2)),
                          rewriter.getIndexAttr(resultType.getDimSize(3))});
    Value result = buildGeneric(
        rewriter, loc, ValueRange{}, emptyTensor(rewriter, loc, sizes, type),
        {AffineMap::getMultiDimIdentityMap(4, rewriter.getContext())},
        iterators(4),
        [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
          Value n = linalg::IndexOp::create(b, l, 0);
          Value c = linalg::IndexOp::create(b, l, 1);
          SourcePosition row = sourcePosition(
              b, l, linalg::IndexOp::create(b, l, 2), inputType.getDimSize(2),
              resultType.getDimSize(2), mode, alignCorners);
          SourcePosition column = sourcePosition(
              b, l, linalg::IndexOp::create(b, l, 3), inputType.getDimSize(3),
              resultType.getDimSize(3), mode, alignCorners);
          if (mode == UpsampleMode::nearest)
            return {tensor::ExtractOp::create(
                b, l, input, ValueRange{n, c, row.index, column.index})};
          // (1 - a) x0 + a x1 along each axis, in f32 (f64 for f64).
          Type compute =
              type.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : type;
          auto widen = [&](Value x) -> Value {
            if (x.getType() == compute)
              return x;
            return arith::ExtFOp::create(b, l, compute, x);
          };
          auto at = [&](Value r, Value col) -> Value {
            return widen(tensor::ExtractOp::create(b, l, input,
                                                   ValueRange{n, c, r, col}));
          };
          auto blend = [&](Value x0, Value x1, Value a) -> Value {
            Value difference = arith::SubFOp::create(b, l, x1, x0);
            Value step = arith::MulFOp::create(b, l, widen(a), difference);
            return arith::AddFOp::create(b, l, x0, step);
          };
          Value topLeft = at(row.index, column.index);
          Value topRight = at(row.index, column.next);
          Value top = blend(topLeft, topRight, column.weight);
          Value bottomLeft = at(row.next, column.index);
          Value bottomRight = at(row.next, column.next);
          Value bottom = blend(bottomLeft, bottomRight, column.weight);
          Value y = blend(top, bottom, row.weight);
          if (compute != type)
            y = arith::TruncFOp::create(b, l, type, y);
          return {y};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void mlir::enc::populateImagePoolingToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MaxPool2dLowering, AvgPool2dLowering, AdaptiveAvgPool2dLowering,
               Upsample2dLowering>(patterns.getContext());
}
