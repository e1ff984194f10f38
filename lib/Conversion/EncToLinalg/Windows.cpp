//===- Windows.cpp - Swin's window ops to linalg
//---------------------------===//
//
// window_partition and window_merge are one gather each: every element of
// the result reads its source through the roll and the window layout in
// index arithmetic (one pass, where slices, concatenations and a transpose
// took three). window_bias reads the relative position table at each
// pair's offset and adds the shift mask from the pair's regions, computed
// from the indices rather than stored.
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

/// Index arithmetic on constants, inside a generic's body.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value constant(int64_t v) const {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value div(Value x, int64_t d) const {
    return arith::DivUIOp::create(b, loc, x, constant(d));
  }
  Value rem(Value x, int64_t d) const {
    return arith::RemUIOp::create(b, loc, x, constant(d));
  }
  Value mul(Value x, int64_t m) const {
    return arith::MulIOp::create(b, loc, x, constant(m));
  }
  Value add(Value x, Value y) const {
    return arith::AddIOp::create(b, loc, x, y);
  }
  /// (x + offset) mod size, for 0 <= x < size and 0 <= offset < size.
  Value addModulo(Value x, int64_t offset, int64_t size) const {
    if (offset == 0)
      return x;
    return rem(add(x, constant(offset)), size);
  }
};

/// result[b, i, j, c] = input[b, s(i, j), c]: a gather whose source's two
/// middle indices `source` computes from the result's.
Value gatherMiddle(
    OpBuilder &builder, Location loc, Value input, RankedTensorType resultType,
    ArrayRef<OpFoldResult> sizes,
    function_ref<std::pair<Value, Value>(const IndexMath &, Value, Value)>
        source) {
  return buildGeneric(
      builder, loc, ValueRange{},
      emptyTensor(builder, loc, sizes, resultType.getElementType()),
      {AffineMap::getMultiDimIdentityMap(4, builder.getContext())},
      iterators(4),
      [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
        IndexMath m{b, l};
        Value batch = linalg::IndexOp::create(b, l, 0);
        Value i = linalg::IndexOp::create(b, l, 1);
        Value j = linalg::IndexOp::create(b, l, 2);
        Value channel = linalg::IndexOp::create(b, l, 3);
        auto [first, second] = source(m, i, j);
        return {tensor::ExtractOp::create(
            b, l, input, ValueRange{batch, first, second, channel})};
      })[0];
}

struct WindowPartitionLowering : OpConversionPattern<WindowPartitionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(WindowPartitionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType resultType = op.getType();
    // The grid is static (the verifier's).
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t height = inputType.getDimSize(1), width = inputType.getDimSize(2);
    int64_t window = op.getWindowSize(), shift = op.getShift();
    int64_t columns = width / window;
    SmallVector<OpFoldResult> inputSizes = sizesOf(rewriter, loc, input);
    SmallVector<OpFoldResult> sizes = staticWhereKnown(
        rewriter, resultType,
        {inputSizes[0], rewriter.getIndexAttr((height / window) * columns),
         rewriter.getIndexAttr(window * window), inputSizes[3]});
    // result[b, n, t, c] = input[b, (row(n) · w + t / w + shift) mod H,
    //                               (col(n) · w + t mod w + shift) mod W, c]
    Value result = gatherMiddle(
        rewriter, loc, input, resultType, sizes,
        [&](const IndexMath &m, Value n, Value t) {
          Value firstRow = m.mul(m.div(n, columns), window);
          Value row =
              m.addModulo(m.add(firstRow, m.div(t, window)), shift, height);
          Value firstColumn = m.mul(m.rem(n, columns), window);
          Value column =
              m.addModulo(m.add(firstColumn, m.rem(t, window)), shift, width);
          return std::pair(row, column);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

struct WindowMergeLowering : OpConversionPattern<WindowMergeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(WindowMergeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType resultType = op.getType();
    int64_t height = resultType.getDimSize(1);
    int64_t width = resultType.getDimSize(2);
    int64_t window = op.getWindowSize(), shift = op.getShift();
    int64_t columns = width / window;
    SmallVector<OpFoldResult> inputSizes = sizesOf(rewriter, loc, input);
    SmallVector<OpFoldResult> sizes =
        staticWhereKnown(rewriter, resultType,
                         {inputSizes[0], rewriter.getIndexAttr(height),
                          rewriter.getIndexAttr(width), inputSizes[3]});
    // result[b, r, c, ch] = input[b, window of (R, C), token of (R, C), ch]
    // with (R, C) = ((r - shift) mod H, (c - shift) mod W) on the rolled
    // grid.
    Value result = gatherMiddle(
        rewriter, loc, input, resultType, sizes,
        [&](const IndexMath &m, Value r, Value c) {
          Value rolledRow = m.addModulo(r, (height - shift) % height, height);
          Value rolledColumn = m.addModulo(c, (width - shift) % width, width);
          // One creation per statement: the IR must not depend on the
          // compiler's order of evaluating arguments.
          Value windowRow = m.mul(m.div(rolledRow, window), columns);
          Value windowColumn = m.div(rolledColumn, window);
          Value windowIndex = m.add(windowRow, windowColumn);
          Value tokenRow = m.mul(m.rem(rolledRow, window), window);
          Value tokenColumn = m.rem(rolledColumn, window);
          return std::pair(windowIndex, m.add(tokenRow, tokenColumn));
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

/// enc.window_bias as one generic:
///   bias[0, n · heads + h, i, j] = table[index(i, j), h]
///                                  (- 100 where i, j lie in different
///                                   regions of the rolled grid)
struct WindowBiasLowering : OpConversionPattern<WindowBiasOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(WindowBiasOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value table = adaptor.getTable();
    auto tableType = cast<RankedTensorType>(table.getType());
    Type elementType = op.getType().getElementType();
    int64_t heads = tableType.getDimSize(1);
    int64_t window = op.getWindowSize(), shift = op.getShift();
    int64_t height = op.getGrid()[0], width = op.getGrid()[1];
    int64_t columns = op.getWindowColumns();
    int64_t windows = op.getWindowRows() * columns;
    int64_t tokens = window * window, span = 2 * window - 1;

    Value bias = buildGeneric(
        rewriter, loc, ValueRange{},
        emptyTensor(
            rewriter, loc,
            {rewriter.getIndexAttr(1), rewriter.getIndexAttr(windows * heads),
             rewriter.getIndexAttr(tokens), rewriter.getIndexAttr(tokens)},
            elementType),
        {AffineMap::getMultiDimIdentityMap(4, ctx)}, iterators(4),
        [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
          IndexMath m{b, l};
          Value slot = linalg::IndexOp::create(b, l, 1);
          Value i = linalg::IndexOp::create(b, l, 2);
          Value j = linalg::IndexOp::create(b, l, 3);
          Value head = m.rem(slot, heads);
          // (Δrow + w - 1) · (2w - 1) + Δcol + w - 1.
          Value rowI = m.div(i, window), rowJ = m.div(j, window);
          Value colI = m.rem(i, window), colJ = m.rem(j, window);
          auto offset = [&](Value x, Value y) {
            Value difference = arith::SubIOp::create(b, l, x, y);
            return m.add(difference, m.constant(window - 1));
          };
          Value rowPart = m.mul(offset(rowI, rowJ), span);
          Value index = m.add(rowPart, offset(colI, colJ));
          Value value =
              tensor::ExtractOp::create(b, l, table, ValueRange{index, head});
          if (shift == 0)
            return {value};
          // Regions of the rolled grid along an axis of `size`: [0, size -
          // w), [size - w, size - shift), [size - shift, size).
          Value windowIndex = m.div(slot, heads);
          Value firstRow = m.mul(m.div(windowIndex, columns), window);
          Value firstColumn = m.mul(m.rem(windowIndex, columns), window);
          auto region = [&](Value position, int64_t size) -> Value {
            Value pastFull =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge, position,
                                      m.constant(size - window));
            Value pastShift =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge, position,
                                      m.constant(size - shift));
            Value first =
                arith::IndexCastUIOp::create(b, l, b.getIndexType(), pastFull);
            Value second =
                arith::IndexCastUIOp::create(b, l, b.getIndexType(), pastShift);
            return m.add(first, second);
          };
          auto regionOf = [&](Value rowInWindow, Value colInWindow) {
            Value rowRegion = region(m.add(firstRow, rowInWindow), height);
            Value colRegion = region(m.add(firstColumn, colInWindow), width);
            return m.add(m.mul(rowRegion, 3), colRegion);
          };
          Value regionI = regionOf(rowI, colI);
          Value regionJ = regionOf(rowJ, colJ);
          Value apart = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                              regionI, regionJ);
          Value masked = arith::AddFOp::create(
              b, l, value, floatConstant(b, l, elementType, -100.0));
          return {arith::SelectOp::create(b, l, apart, masked, value)};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, bias, op.getType()));
    return success();
  }
};

} // namespace

void mlir::enc::populateWindowsToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<WindowPartitionLowering, WindowMergeLowering, WindowBiasLowering>(
          patterns.getContext());
}
