//===- LayerNormToGPU.cpp - the enc-layer-norm-to-gpu pass
//-----------------===//
//
// enc.layer_norm as one GPU kernel: a warp per row reads the row (and its
// residual) once into registers, sums it with xor shuffles for the mean,
// then the squared deviations for the variance (two-pass, as the linalg
// lowering: E[x²] - E[x]² loses precision when the mean is large), and
// writes the result. The linalg lowering is three kernels reading the row
// three times. Rows must be static and at most kMaxRowInRegisters long;
// others keep the linalg lowering. Runs on tensors before enc-to-linalg, as
// enc-attention-to-gpu does. docs/rationale/cuda.md, 'Layer norm'.
//
//===----------------------------------------------------------------------===//

#include "GPUWarps.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "Enc/IR/EncOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLAYERNORMTOGPU
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr int64_t kWarpsPerBlock = 4;
constexpr int64_t kMaxRowInRegisters = 64 * kWarpSize;

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value f32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// One row's operands and indices.
struct Row {
  Value input, residual, scale, bias, out; // buffers; residual..bias optional
  SmallVector<Value> leading;              // the row's leading indices
  int64_t size;                            // the last dimension
  double epsilon;

  SmallVector<Value> at(Value element) const {
    SmallVector<Value> indices(leading);
    indices.push_back(element);
    return indices;
  }
  /// The normalized vector's element: input (+ residual).
  Value load(OpBuilder &b, Location loc, Value element) const {
    Value x = memref::LoadOp::create(b, loc, input, at(element));
    if (residual)
      x = arith::AddFOp::create(
          b, loc, x, memref::LoadOp::create(b, loc, residual, at(element)));
    return x;
  }
  /// (x - mean) * inverse, scaled and shifted, stored.
  void store(OpBuilder &b, Location loc, Value centered, Value inverse,
             Value element) const {
    Value y = arith::MulFOp::create(b, loc, centered, inverse);
    if (scale)
      y = arith::MulFOp::create(b, loc, y,
                                memref::LoadOp::create(b, loc, scale, element));
    if (bias)
      y = arith::AddFOp::create(b, loc, y,
                                memref::LoadOp::create(b, loc, bias, element));
    memref::StoreOp::create(b, loc, y, out, at(element));
  }
  /// 1 / sqrt(sumOfSquares / size + epsilon), as the linalg lowering
  /// computes it (not rsqrt, which is approximate on the GPU).
  Value inverseDeviation(OpBuilder &b, Location loc, Value sumOfSquares) const {
    Value variance =
        arith::DivFOp::create(b, loc, sumOfSquares, f32(b, loc, size));
    Value shifted =
        arith::AddFOp::create(b, loc, variance, f32(b, loc, epsilon));
    Value one = f32(b, loc, 1.0);
    Value deviation = math::SqrtOp::create(b, loc, shifted);
    return arith::DivFOp::create(b, loc, one, deviation);
  }
};

Value warpSum(OpBuilder &b, Location loc, Value value) {
  return warpAllReduce(b, loc, value, [&](Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, x, y);
  });
}

/// Lane `lane`'s share of its row, in ceil(size / 32) registers. Only the
/// last register can fall past the end of the row (when size % 32 != 0);
/// it holds 0 there and its store is skipped.
void emitRowWarp(OpBuilder &b, Location loc, const Row &r, Value lane) {
  int64_t regs = llvm::divideCeil(r.size, kWarpSize);
  bool ragged = r.size % kWarpSize != 0;
  Value zero = f32(b, loc, 0.0);
  SmallVector<Value> elements, inRow;
  for (int64_t i = 0; i < regs; ++i) {
    Value e = arith::AddIOp::create(b, loc, lane, idx(b, loc, i * kWarpSize));
    elements.push_back(e);
    inRow.push_back(ragged && i == regs - 1
                        ? arith::CmpIOp::create(b, loc,
                                                arith::CmpIPredicate::ult, e,
                                                idx(b, loc, r.size))
                        : Value());
  }
  SmallVector<Value> x;
  for (int64_t i = 0; i < regs; ++i) {
    if (!inRow[i]) {
      x.push_back(r.load(b, loc, elements[i]));
      continue;
    }
    auto branch = scf::IfOp::create(b, loc, TypeRange{b.getF32Type()}, inRow[i],
                                    /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    scf::YieldOp::create(b, loc, r.load(b, loc, elements[i]));
    b.setInsertionPointToStart(branch.elseBlock());
    scf::YieldOp::create(b, loc, zero);
    x.push_back(branch.getResult(0));
  }
  Value sum = zero;
  for (Value v : x)
    sum = arith::AddFOp::create(b, loc, sum, v);
  Value total = warpSum(b, loc, sum);
  Value count = f32(b, loc, r.size);
  Value mean = arith::DivFOp::create(b, loc, total, count);
  SmallVector<Value> centered;
  Value squares = zero;
  for (int64_t i = 0; i < regs; ++i) {
    Value c = arith::SubFOp::create(b, loc, x[i], mean);
    if (inRow[i]) // past the end: 0, not -mean
      c = arith::SelectOp::create(b, loc, inRow[i], c, zero);
    centered.push_back(c);
    squares = arith::AddFOp::create(b, loc, squares,
                                    arith::MulFOp::create(b, loc, c, c));
  }
  Value inverse = r.inverseDeviation(b, loc, warpSum(b, loc, squares));
  for (int64_t i = 0; i < regs; ++i) {
    if (!inRow[i]) {
      r.store(b, loc, centered[i], inverse, elements[i]);
      continue;
    }
    auto branch = scf::IfOp::create(b, loc, inRow[i], /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    r.store(b, loc, centered[i], inverse, elements[i]);
  }
}

/// A serial sum over the row of f(element).
Value sumOverRow(OpBuilder &b, Location loc, const Row &r,
                 function_ref<Value(Value)> f) {
  Value first = idx(b, loc, 0);
  Value end = idx(b, loc, r.size);
  Value one = idx(b, loc, 1);
  Value zero = f32(b, loc, 0.0);
  auto loop = scf::ForOp::create(b, loc, first, end, one, ValueRange{zero});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  scf::YieldOp::create(
      b, loc,
      ValueRange{arith::AddFOp::create(b, loc, loop.getRegionIterArgs()[0],
                                       f(loop.getInductionVar()))});
  return loop.getResult(0);
}

/// The same row serially (lane 0 of the emulated warp).
void emitRowSerial(OpBuilder &b, Location loc, const Row &r) {
  Value size = f32(b, loc, r.size);
  Value mean = arith::DivFOp::create(
      b, loc, sumOverRow(b, loc, r, [&](Value e) { return r.load(b, loc, e); }),
      size);
  auto centered = [&](Value e) -> Value {
    return arith::SubFOp::create(b, loc, r.load(b, loc, e), mean);
  };
  Value inverse = r.inverseDeviation(
      b, loc, sumOverRow(b, loc, r, [&](Value e) {
        Value c = centered(e);
        return arith::MulFOp::create(b, loc, c, c).getResult();
      }));
  Value first = idx(b, loc, 0);
  Value end = idx(b, loc, r.size);
  Value one = idx(b, loc, 1);
  auto loop = scf::ForOp::create(b, loc, first, end, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value e = loop.getInductionVar();
  r.store(b, loc, centered(e), inverse, e);
}

LogicalResult rewrite(LayerNormOp op, bool emulate) {
  auto type = cast<RankedTensorType>(op.getType());
  int64_t rank = type.getRank();
  int64_t size = type.getShape().back();
  if (!type.getElementType().isF32() || ShapedType::isDynamic(size) ||
      size == 0 || size > kMaxRowInRegisters)
    return failure(); // the linalg lowering takes it
  OpBuilder b(op);
  Location loc = op.getLoc();
  Row r;
  r.input = readOnlyBuffer(b, loc, op.getInput());
  if (op.getResidual())
    r.residual = readOnlyBuffer(b, loc, op.getResidual());
  if (op.getScale())
    r.scale = readOnlyBuffer(b, loc, op.getScale());
  if (op.getBias())
    r.bias = readOnlyBuffer(b, loc, op.getBias());
  r.size = size;
  r.epsilon = op.getEpsilon().convertToDouble();

  SmallVector<Value> leadingSizes, dynamicSizes;
  for (int64_t d = 0; d < rank - 1; ++d)
    leadingSizes.push_back(b.createOrFold<memref::DimOp>(loc, r.input, d));
  for (int64_t d = 0; d < rank - 1; ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(leadingSizes[d]);
  r.out = memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()),
      dynamicSizes);
  Value rows = idx(b, loc, 1);
  for (Value s : leadingSizes)
    rows = b.createOrFold<arith::MulIOp>(loc, rows, s);
  {
    OpBuilder::InsertionGuard guard(b);
    WarpRow warp = buildWarpPerRowLaunch(b, loc, rows, kWarpsPerBlock, emulate);
    r.leading = delinearize(b, loc, warp.row, leadingSizes);
    if (emulate)
      emitRowSerial(b, loc, r);
    else
      emitRowWarp(b, loc, r, warp.lane);
  }
  replaceWithKernelOutput(b, loc, op, r.out);
  return success();
}

struct EncLayerNormToGPUPass
    : enc::impl::EncLayerNormToGPUBase<EncLayerNormToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<LayerNormOp> ops;
    getOperation().walk([&](LayerNormOp op) { ops.push_back(op); });
    for (LayerNormOp op : ops)
      (void)rewrite(op, emulate);
  }
};

} // namespace
