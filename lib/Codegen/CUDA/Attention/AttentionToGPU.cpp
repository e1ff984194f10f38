//===- AttentionToGPU.cpp - the enc-attention-to-gpu pass
//------------------===//
//
// enc.attention as one fused GPU kernel with FlashAttention's online
// softmax: no [q_len, kv_len] score matrix in memory, where the materialized
// lowering moves 3 x batch x heads x q_len x kv_len floats. With precision
// tf32 or bf16 and fitting head sizes the kernel is the tensor cores'
// (AttentionTensorCores.cpp); otherwise a warp per (batch, head, query) row
// on the CUDA cores, here (emitRowWarp). It runs on tensors, before
// enc-to-linalg, operands through bufferization.to_buffer and the result
// back through to_tensor, so bufferization sees ordinary ops; head sizes
// must be static. A module pass, since it creates workgroup globals.
// docs/rationale/cuda.md, 'Attention'.
//
//===----------------------------------------------------------------------===//

#include "AttentionKernels.h"
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
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

namespace mlir::enc {
#define GEN_PASS_DEF_ENCATTENTIONTOGPU
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::attention;

namespace {

constexpr int64_t kWarpsPerBlock = 4;

} // namespace

/// The score q[query]·k[key] (already summed) scaled, masked and cut.
Value attention::maskedScore(OpBuilder &b, Location loc, const Row &r,
                             Value dot, Value query, Value key) {
  Value s = arith::MulFOp::create(b, loc, dot, f32(b, loc, r.scale));
  Value negInf = f32(b, loc, -std::numeric_limits<double>::infinity());
  if (r.mask) {
    // A mask dimension of static size 1 broadcasts (MaterializedAttention).
    auto type = cast<MemRefType>(r.mask.getType());
    SmallVector<Value> full = {r.batch, r.head, query, key};
    SmallVector<Value> at;
    for (int64_t d = 0; d < 4; ++d)
      at.push_back(type.getDimSize(d) == 1 ? idx(b, loc, 0) : full[d]);
    Value m = memref::LoadOp::create(b, loc, r.mask, at);
    if (auto intType = dyn_cast<IntegerType>(m.getType())) {
      Value keep = m;
      if (intType.getWidth() > 1)
        keep = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ne, m,
            arith::ConstantOp::create(b, loc, b.getIntegerAttr(intType, 0)));
      // Hugging Face's finfo.min, not -inf: see maskedScore in
      // Conversion/EncToLinalg/LoweringUtils.h.
      s = arith::SelectOp::create(
          b, loc, keep, s,
          f32(b, loc, -double(std::numeric_limits<float>::max())));
    } else {
      s = arith::AddFOp::create(b, loc, s, m);
    }
  }
  if (r.causal) {
    Value future =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, key, query);
    s = arith::SelectOp::create(b, loc, future, negInf, s);
  }
  return s;
}

Value attention::clampIndex(OpBuilder &b, Location loc, Value i, Value size) {
  return arith::MinUIOp::create(
      b, loc, i, arith::SubIOp::create(b, loc, size, idx(b, loc, 1)));
}

Value attention::blockScore(OpBuilder &b, Location loc, const Row &r, Value dot,
                            Value query, Value key) {
  Value s = maskedScore(b, loc, r, dot, query, clampIndex(b, loc, key, r.keys));
  Value inside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, key, r.keys);
  return arith::SelectOp::create(
      b, loc, inside, s, f32(b, loc, -std::numeric_limits<double>::infinity()));
}

Value attention::load4(OpBuilder &b, Location loc, Value buffer, const Row &r,
                       Value third, Value last) {
  return memref::LoadOp::create(b, loc, buffer,
                                ValueRange{r.batch, r.head, third, last});
}

namespace {

/// The online softmax step for score s: (new max, factor for the old sums,
/// weight of this key). A row that has seen only -inf keeps max -inf and
/// weights 0 (exp(-inf - -inf) would be NaN).
std::tuple<Value, Value, Value> onlineStep(OpBuilder &b, Location loc,
                                           Value max, Value s) {
  Value next = arith::MaximumFOp::create(b, loc, max, s);
  Value negInf = f32(b, loc, -std::numeric_limits<double>::infinity());
  Value empty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, next, negInf);
  Value zero = f32(b, loc, 0.0), one = f32(b, loc, 1.0);
  Value factor = arith::SelectOp::create(
      b, loc, empty, one,
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, max, next)));
  Value weight = arith::SelectOp::create(
      b, loc, empty, zero,
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, s, next)));
  return {next, factor, weight};
}

/// Lane `lane`'s work on its row: registers for its ceil(d / 32) query
/// elements and output sums; shuffles for the dot products.
void emitRowWarp(OpBuilder &b, Location loc, const Row &r, Value lane) {
  int64_t qRegs = llvm::divideCeil(r.headSize, kWarpSize);
  int64_t vRegs = llvm::divideCeil(r.valueSize, kWarpSize);
  Value zero = f32(b, loc, 0.0);
  // Element i of lane l is l + 32 i; lanes past the end hold zeros.
  auto element = [&](int64_t i) {
    return arith::AddIOp::create(b, loc, lane, idx(b, loc, i * kWarpSize));
  };
  auto guardedLoad = [&](Value buffer, Value third, Value e, int64_t size) {
    Value in = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, e,
                                     idx(b, loc, size));
    auto branch = scf::IfOp::create(b, loc, TypeRange{b.getF32Type()}, in,
                                    /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    scf::YieldOp::create(b, loc, load4(b, loc, buffer, r, third, e));
    b.setInsertionPointToStart(branch.elseBlock());
    scf::YieldOp::create(b, loc, zero);
    return branch.getResult(0);
  };
  SmallVector<Value> qv;
  for (int64_t i = 0; i < qRegs; ++i)
    qv.push_back(guardedLoad(r.q, r.query, element(i), r.headSize));
  SmallVector<Value> init = {
      f32(b, loc, -std::numeric_limits<double>::infinity()), zero};
  for (int64_t i = 0; i < vRegs; ++i)
    init.push_back(zero);
  Value first = idx(b, loc, 0);
  Value one = idx(b, loc, 1);
  auto loop = scf::ForOp::create(b, loc, first, r.keys, one, init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value key = loop.getInductionVar();
    Value dot = zero;
    for (int64_t i = 0; i < qRegs; ++i)
      dot = arith::AddFOp::create(
          b, loc, dot,
          arith::MulFOp::create(b, loc, qv[i],
                                guardedLoad(r.k, key, element(i), r.headSize)));
    dot = warpAllReduce(b, loc, dot, [&](Value x, Value y) -> Value {
      return arith::AddFOp::create(b, loc, x, y);
    });
    ValueRange state = loop.getRegionIterArgs();
    auto [max, factor, weight] =
        onlineStep(b, loc, state[0], maskedScore(b, loc, r, dot, r.query, key));
    SmallVector<Value> next = {
        max,
        arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, state[1], factor), weight)};
    for (int64_t i = 0; i < vRegs; ++i) {
      Value v = guardedLoad(r.v, key, element(i), r.valueSize);
      Value rescaled = arith::MulFOp::create(b, loc, state[2 + i], factor);
      Value weighted = arith::MulFOp::create(b, loc, weight, v);
      next.push_back(arith::AddFOp::create(b, loc, rescaled, weighted));
    }
    scf::YieldOp::create(b, loc, next);
  }
  Value sum = loop.getResult(1);
  for (int64_t i = 0; i < vRegs; ++i) {
    Value e = element(i);
    Value in = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, e,
                                     idx(b, loc, r.valueSize));
    auto store = scf::IfOp::create(b, loc, in, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(store.thenBlock());
    memref::StoreOp::create(
        b, loc, arith::DivFOp::create(b, loc, loop.getResult(2 + i), sum),
        r.out, ValueRange{r.batch, r.head, r.query, e});
  }
}

/// The same row serially (lane 0 of the emulated warp): the output buffer
/// holds the running sums.
void emitRowSerial(OpBuilder &b, Location loc, const Row &r) {
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  Value zero = f32(b, loc, 0.0);
  Value valueSize = idx(b, loc, r.valueSize);
  auto clear = scf::ForOp::create(b, loc, c0, valueSize, c1);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(clear.getBody());
    memref::StoreOp::create(
        b, loc, zero, r.out,
        ValueRange{r.batch, r.head, r.query, clear.getInductionVar()});
  }
  SmallVector<Value> init = {
      f32(b, loc, -std::numeric_limits<double>::infinity()), zero};
  auto loop = scf::ForOp::create(b, loc, c0, r.keys, c1, init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value key = loop.getInductionVar();
    auto dot = scf::ForOp::create(b, loc, c0, idx(b, loc, r.headSize), c1,
                                  ValueRange{zero});
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(dot.getBody());
      Value d = dot.getInductionVar();
      Value q = load4(b, loc, r.q, r, r.query, d);
      Value k = load4(b, loc, r.k, r, key, d);
      Value product = arith::MulFOp::create(b, loc, q, k);
      Value sum =
          arith::AddFOp::create(b, loc, dot.getRegionIterArgs()[0], product);
      scf::YieldOp::create(b, loc, sum);
    }
    ValueRange state = loop.getRegionIterArgs();
    auto [max, factor, weight] =
        onlineStep(b, loc, state[0],
                   maskedScore(b, loc, r, dot.getResult(0), r.query, key));
    auto update = scf::ForOp::create(b, loc, c0, valueSize, c1);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(update.getBody());
      Value e = update.getInductionVar();
      SmallVector<Value, 4> at = {r.batch, r.head, r.query, e};
      Value old = memref::LoadOp::create(b, loc, r.out, at);
      Value v = load4(b, loc, r.v, r, key, e);
      Value rescaled = arith::MulFOp::create(b, loc, old, factor);
      Value weighted = arith::MulFOp::create(b, loc, weight, v);
      memref::StoreOp::create(
          b, loc, arith::AddFOp::create(b, loc, rescaled, weighted), r.out, at);
    }
    scf::YieldOp::create(
        b, loc,
        ValueRange{max,
                   arith::AddFOp::create(
                       b, loc, arith::MulFOp::create(b, loc, state[1], factor),
                       weight)});
  }
  auto finish = scf::ForOp::create(b, loc, c0, valueSize, c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(finish.getBody());
  SmallVector<Value, 4> at = {r.batch, r.head, r.query,
                              finish.getInductionVar()};
  Value acc = memref::LoadOp::create(b, loc, r.out, at);
  memref::StoreOp::create(
      b, loc, arith::DivFOp::create(b, loc, acc, loop.getResult(1)), r.out, at);
}

LogicalResult rewrite(AttentionOp op, std::optional<MmaPrecision> precision,
                      bool emulate) {
  auto qType = cast<RankedTensorType>(op.getQuery().getType());
  auto vType = cast<RankedTensorType>(op.getValue().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  // Sequence-major operands: the materialized lowering (between
  // transposes) takes it; enc-fold-head-transposes is a CPU pass.
  // A bias (T5, Swin): the materialized lowering too; the row and tensor
  // core kernels read one mask.
  if (op.getSequenceMajor() || op.getBias() ||
      !qType.getElementType().isF32() || !resultType.getElementType().isF32() ||
      ShapedType::isDynamic(qType.getDimSize(3)) ||
      ShapedType::isDynamic(vType.getDimSize(3)))
    return failure(); // the materialized lowering takes it
  OpBuilder b(op);
  Location loc = op.getLoc();
  Row r;
  r.q = readOnlyBuffer(b, loc, op.getQuery());
  r.k = readOnlyBuffer(b, loc, op.getKey());
  r.v = readOnlyBuffer(b, loc, op.getValue());
  r.mask = op.getMask() ? readOnlyBuffer(b, loc, op.getMask()) : Value();
  r.causal = op.getCausal();
  r.scale = op.getEffectiveScale();
  r.headSize = qType.getDimSize(3);
  r.valueSize = vType.getDimSize(3);
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < 3; ++d)
    sizes.push_back(b.createOrFold<memref::DimOp>(loc, r.q, d));
  r.keys = b.createOrFold<memref::DimOp>(loc, r.k, 2);
  r.queries = sizes[2];
  // The row kernel takes the sizes the tensor cores do not. (Plain values
  // rather than the optional from here: GCC 12 reads the optional's
  // payload as maybe-uninitialized below.)
  bool tensorCores = precision.has_value() &&
                     fitsTensorCores(r.headSize, r.valueSize, *precision);
  MmaPrecision mma = precision.value_or(MmaPrecision::tf32);
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < 3; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(sizes[d]);
  auto outType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  r.out = memref::AllocOp::create(b, loc, outType, dynamicSizes);

  if (tensorCores) {
    OpBuilder::InsertionGuard guard(b);
    emitTensorCoreAttention(b, loc, r, sizes, mma, emulate);
  } else { // a warp per query row
    OpBuilder::InsertionGuard guard(b);
    Value count = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, sizes[0], sizes[1]), sizes[2]);
    WarpRow warp =
        buildWarpPerRowLaunch(b, loc, count, kWarpsPerBlock, emulate);
    SmallVector<Value> index = delinearize(b, loc, warp.row, sizes);
    r.batch = index[0];
    r.head = index[1];
    r.query = index[2];
    if (emulate)
      emitRowSerial(b, loc, r);
    else
      emitRowWarp(b, loc, r, warp.lane);
  }
  replaceWithKernelOutput(b, loc, op, r.out);
  return success();
}

struct EncAttentionToGPUPass
    : enc::impl::EncAttentionToGPUBase<EncAttentionToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<MmaPrecision> tensorCores = tensorCorePrecision(precision);
    SmallVector<AttentionOp> ops;
    getOperation().walk([&](AttentionOp op) { ops.push_back(op); });
    for (AttentionOp op : ops)
      (void)rewrite(op, tensorCores, emulate);
  }
};

} // namespace
