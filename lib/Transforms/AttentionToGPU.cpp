//===- AttentionToGPU.cpp - the enc-attention-to-gpu pass ------------------===//
//
// enc.attention as one fused kernel for the GPU: FlashAttention's online
// softmax, no [q_len, kv_len] score matrix in memory. The materialized
// lowering (MaterializedAttention.cpp) writes the scores, their
// exponentials and the probabilities: 3 x batch x heads x q_len x kv_len
// floats of traffic, 25 GiB at batch 8, 12 heads, 8192 tokens.
//
// Two kernels:
//   - precision tf32 or bf16, head size a multiple of 8 (16), value size
//     of 8: the tensor cores, FlashAttention-2's form. A warp owns a tile
//     of 16 queries of one (batch, head), keeps Q's fragments in
//     registers and walks the keys in blocks of 8 (16): S = QKᵀ and
//     O += P·V as mma.sync, the online softmax on the accumulator
//     registers (emitTileMma);
//   - otherwise (precision f32, other sizes) the CUDA cores: a warp owns
//     one (batch, head, query) row, lane l holds query and output elements
//     l, l + 32, ..., and for each key the lanes' partial dot products are
//     summed with butterfly shuffles (emitRowWarp).
// K/V tiles shared by a block's warps in shared memory are the next step.
//
// It runs on tensors, before enc-to-linalg: the operands become buffers
// (bufferization.to_buffer), the kernel writes a fresh buffer, and
// bufferization.to_tensor hands the result back, so bufferization and the
// deallocation pipeline see ordinary ops. The head sizes must be static
// (each lane keeps its share of a row in registers). `emulate` runs each
// row (each query of a tile, with the tile kernel's key blocks and
// rounding) on lane 0 with the same online softmax, serially over the head
// dimension and accumulating in the output buffer, for GPU emulation on the
// CPU: the algorithm, masks, scale and indexing are then checked
// numerically, the shuffles and fragment layouts are not.
//
//===----------------------------------------------------------------------===//

#include "GPUWarps.h"
#include "TensorCoreFragments.h"

#include "encoder/Transforms/Passes.h"

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
#include "encoder/Transforms/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr int64_t kWarpsPerBlock = 4;

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value f32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// What one row needs: the operands, the scale, the row's indices.
struct Row {
  Value q, k, v, mask, out;
  bool causal;
  double scale;
  Value batch, head, query; // indices
  Value keys;               // kv_len
  Value queries;            // q_len
  int64_t headSize, valueSize;
};

/// The score q[query]·k[key] (already summed) scaled, masked and cut.
Value maskedScore(OpBuilder &b, Location loc, const Row &r, Value dot,
                  Value query, Value key) {
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
      s = arith::SelectOp::create(b, loc, keep, s, negInf);
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

Value load4(OpBuilder &b, Location loc, Value buffer, const Row &r, Value third,
            Value last) {
  return memref::LoadOp::create(b, loc, buffer,
                                ValueRange{r.batch, r.head, third, last});
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
  auto loop = scf::ForOp::create(b, loc, idx(b, loc, 0), r.keys,
                                 idx(b, loc, 1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value key = loop.getInductionVar();
    Value dot = zero;
    for (int64_t i = 0; i < qRegs; ++i)
      dot = arith::AddFOp::create(
          b, loc, dot,
          arith::MulFOp::create(
              b, loc, qv[i],
              guardedLoad(r.k, key, element(i), r.headSize)));
    dot = warpAllReduce(b, loc, dot, [&](Value x, Value y) -> Value {
      return arith::AddFOp::create(b, loc, x, y);
    });
    ValueRange state = loop.getRegionIterArgs();
    auto [max, factor, weight] =
        onlineStep(b, loc, state[0], maskedScore(b, loc, r, dot, r.query, key));
    SmallVector<Value> next = {
        max, arith::AddFOp::create(
                 b, loc, arith::MulFOp::create(b, loc, state[1], factor),
                 weight)};
    for (int64_t i = 0; i < vRegs; ++i) {
      Value v = guardedLoad(r.v, key, element(i), r.valueSize);
      next.push_back(arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, state[2 + i], factor),
          arith::MulFOp::create(b, loc, weight, v)));
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
      Value product =
          arith::MulFOp::create(b, loc, load4(b, loc, r.q, r, r.query, d),
                                load4(b, loc, r.k, r, key, d));
      Value sum =
          arith::AddFOp::create(b, loc, dot.getRegionIterArgs()[0], product);
      scf::YieldOp::create(b, loc, sum);
    }
    ValueRange state = loop.getRegionIterArgs();
    auto [max, factor, weight] = onlineStep(
        b, loc, state[0],
        maskedScore(b, loc, r, dot.getResult(0), r.query, key));
    auto update = scf::ForOp::create(b, loc, c0, valueSize, c1);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(update.getBody());
      Value e = update.getInductionVar();
      SmallVector<Value, 4> at = {r.batch, r.head, r.query, e};
      Value old = memref::LoadOp::create(b, loc, r.out, at);
      Value v = load4(b, loc, r.v, r, key, e);
      memref::StoreOp::create(
          b, loc,
          arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, old, factor),
                                arith::MulFOp::create(b, loc, weight, v)),
          r.out, at);
    }
    scf::YieldOp::create(
        b, loc,
        ValueRange{max, arith::AddFOp::create(
                            b, loc,
                            arith::MulFOp::create(b, loc, state[1], factor),
                            weight)});
  }
  auto finish = scf::ForOp::create(b, loc, c0, valueSize, c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(finish.getBody());
  SmallVector<Value, 4> at = {r.batch, r.head, r.query,
                              finish.getInductionVar()};
  Value acc = memref::LoadOp::create(b, loc, r.out, at);
  memref::StoreOp::create(
      b, loc, arith::DivFOp::create(b, loc, acc, loop.getResult(1)), r.out,
      at);
}

//===----------------------------------------------------------------------===//
// Tensor cores: a warp per tile of 16 queries (FlashAttention-2's form)
//===----------------------------------------------------------------------===//

constexpr int64_t kQueryTile = 16; // rows of an mma.sync tile
/// The lanes holding one accumulator row (lanes 4g .. 4g + 3).
constexpr int64_t kQuad = 4;

/// min(i, size - 1): loads past the end of the queries or keys read the
/// last one instead (their scores are cut, their outputs not stored), so
/// that no lane branches around a load.
Value clampIndex(OpBuilder &b, Location loc, Value i, Value size) {
  return arith::MinUIOp::create(
      b, loc, i, arith::SubIOp::create(b, loc, size, idx(b, loc, 1)));
}

/// The keys a tile of queries from `query0` attends to: all, or with the
/// causal cut only those up to its last query.
Value keyBound(OpBuilder &b, Location loc, const Row &r, Value query0) {
  if (!r.causal)
    return r.keys;
  return arith::MinUIOp::create(
      b, loc, r.keys,
      arith::AddIOp::create(b, loc, query0, idx(b, loc, kQueryTile)));
}

/// The masked score, -inf for a key past the end.
Value blockScore(OpBuilder &b, Location loc, const Row &r, Value dot,
                 Value query, Value key) {
  Value s = maskedScore(b, loc, r, dot, query, clampIndex(b, loc, key, r.keys));
  Value inside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, key, r.keys);
  return arith::SelectOp::create(
      b, loc, inside, s,
      f32(b, loc, -std::numeric_limits<double>::infinity()));
}


/// The warp's tile: queries query0 .. query0 + 15 of (batch, head). Per
/// block of mmaStepK keys: S = Q·Kᵀ on the tensor cores (16 x 8 tiles), the
/// scale, mask and cut applied in registers, the online softmax per row
/// (maximum over a quad of lanes, partial sums kept per lane), then
/// O = O * factor + P·V on the tensor cores. With bf16 the two S tiles'
/// accumulator layout is P's operand layout (FlashAttention-2's trick);
/// with TF32 (k = 8) P's operand elements sit in other lanes of the same
/// quad and are fetched with index shuffles.
void emitTileMma(OpBuilder &b, Location loc, const Row &r, Value query0,
                 Value lane, MmaPrecision precision) {
  MmaLayout layout = mmaLayout(b, loc, lane, precision);
  int64_t stepK = mmaStepK(precision); // head elements a step, keys a block
  auto plus = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto operand = [&](Value buffer, Value row, Value col) {
    return toMmaOperand(b, loc, load4(b, loc, buffer, r, row, col), precision,
                        /*emulate=*/false);
  };
  Value negInf = f32(b, loc, -std::numeric_limits<double>::infinity());
  Value zero = f32(b, loc, 0.0);
  // Q's fragments, one per step of the head dimension, for the whole loop.
  SmallVector<SmallVector<Value>> qFragments;
  for (int64_t d = 0; d < r.headSize; d += stepK) {
    SmallVector<Value> elements;
    for (Coordinate e : layout.a)
      elements.push_back(operand(
          r.q, clampIndex(b, loc, plus(query0, e.row), r.queries),
          plus(e.col, idx(b, loc, d))));
    qFragments.push_back(elements);
  }
  // The lane's two rows: g and g + 8 (layout.c rows 0-1 and 2-3).
  SmallVector<Value> rows = {plus(query0, layout.c[0].row),
                             plus(query0, layout.c[2].row)};
  SmallVector<Value> clampedRows;
  for (Value row : rows)
    clampedRows.push_back(clampIndex(b, loc, row, r.queries));
  int64_t outTiles = r.valueSize / 8;
  // State: running maximum of each row, the lane's partial sums of each
  // row, the output accumulators.
  SmallVector<Value> init = {negInf, negInf, zero, zero};
  for (int64_t j = 0; j < outTiles; ++j)
    init.push_back(accumulatorFrom(b, loc, {zero, zero, zero, zero}));
  auto loop = scf::ForOp::create(b, loc, idx(b, loc, 0),
                                 keyBound(b, loc, r, query0),
                                 idx(b, loc, stepK), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value block = loop.getInductionVar();
    ValueRange state = loop.getRegionIterArgs();
    // Scores: stepK / 8 accumulator tiles of 16 x 8, as 4 values a lane.
    SmallVector<Value> scores; // tile-major, layout.c order within a tile
    for (int64_t t = 0; t < stepK / 8; ++t) {
      Value keyBase = plus(block, idx(b, loc, 8 * t));
      Value acc = accumulatorFrom(b, loc, {zero, zero, zero, zero});
      for (int64_t d = 0; d < r.headSize; d += stepK) {
        SmallVector<Value> kElements; // B (k: head element, n: key)
        for (Coordinate e : layout.b)
          kElements.push_back(operand(
              r.k, clampIndex(b, loc, plus(keyBase, e.col), r.keys),
              plus(e.row, idx(b, loc, d))));
        acc = mmaSync(b, loc, precision, qFragments[d / stepK], kElements,
                      acc);
      }
      SmallVector<Value> dots = accumulatorElements(b, loc, acc);
      for (int64_t e = 0; e < 4; ++e)
        scores.push_back(blockScore(b, loc, r, dots[e], clampedRows[e / 2],
                                    plus(keyBase, layout.c[e].col)));
    }
    // The online softmax, per row h (0: g, 1: g + 8).
    SmallVector<Value> next(4), factors(2), p(scores.size());
    for (int64_t h = 0; h < 2; ++h) {
      Value blockMax = negInf;
      for (size_t i = 0; i < scores.size(); ++i)
        if ((i % 4) / 2 == size_t(h))
          blockMax = arith::MaximumFOp::create(b, loc, blockMax, scores[i]);
      blockMax = warpAllReduce(
          b, loc, blockMax,
          [&](Value x, Value y) {
            return arith::MaximumFOp::create(b, loc, x, y).getResult();
          },
          kQuad);
      Value max = arith::MaximumFOp::create(b, loc, state[h], blockMax);
      Value empty =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, max, negInf);
      factors[h] = arith::SelectOp::create(
          b, loc, empty, f32(b, loc, 1.0),
          math::ExpOp::create(b, loc,
                              arith::SubFOp::create(b, loc, state[h], max)));
      Value sum = arith::MulFOp::create(b, loc, state[2 + h], factors[h]);
      for (size_t i = 0; i < scores.size(); ++i) {
        if ((i % 4) / 2 != size_t(h))
          continue;
        p[i] = arith::SelectOp::create(
            b, loc, empty, zero,
            math::ExpOp::create(b, loc,
                                arith::SubFOp::create(b, loc, scores[i], max)));
        sum = arith::AddFOp::create(b, loc, sum, p[i]);
      }
      next[h] = max;
      next[2 + h] = sum;
    }
    // P as the A operand of P·V (16 x stepK, k: key).
    SmallVector<Value> pElements;
    if (precision == MmaPrecision::bf16) {
      for (Value v : p) // the S tiles' layout is A's
        pElements.push_back(toMmaOperand(b, loc, v, precision, false));
    } else {
      // A (row h, key c) with c = q or q + 4 is held by lane 4g + c / 2 as
      // its element 2h + c % 2 (c % 2 == q % 2).
      Value q = arith::RemUIOp::create(b, loc, lane, idx(b, loc, 4));
      Value odd = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, loc, q, idx(b, loc, 2)), idx(b, loc, 1));
      Value groupStart = arith::SubIOp::create(b, loc, lane, q);
      for (int64_t i = 0; i < 4; ++i) { // layout.a: (g,q) (g+8,q) (g,q+4) (g+8,q+4)
        int64_t h = i % 2;
        Value key = layout.a[i].col;
        Value source = arith::IndexCastOp::create(
            b, loc, b.getI32Type(),
            plus(groupStart,
                 arith::DivUIOp::create(b, loc, key, idx(b, loc, 2))));
        auto fetch = [&](Value v) -> Value {
          return gpu::ShuffleOp::create(b, loc, v, source,
                                        arith::ConstantIntOp::create(
                                            b, loc, b.getI32Type(), kWarpSize),
                                        gpu::ShuffleMode::IDX)
              .getShuffleResult();
        };
        Value even = fetch(p[2 * h]), oddValue = fetch(p[2 * h + 1]);
        pElements.push_back(toMmaOperand(
            b, loc, arith::SelectOp::create(b, loc, odd, oddValue, even),
            precision, false));
      }
    }
    for (int64_t j = 0; j < outTiles; ++j) {
      SmallVector<Value> o =
          accumulatorElements(b, loc, state[4 + j]);
      for (int64_t e = 0; e < 4; ++e)
        o[e] = arith::MulFOp::create(b, loc, o[e], factors[e / 2]);
      SmallVector<Value> vElements; // B (k: key, n: value element)
      for (Coordinate e : layout.b)
        vElements.push_back(operand(
            r.v, clampIndex(b, loc, plus(block, e.row), r.keys),
            plus(e.col, idx(b, loc, 8 * j))));
      next.push_back(mmaSync(b, loc, precision, pElements, vElements,
                             accumulatorFrom(b, loc, o)));
    }
    scf::YieldOp::create(b, loc, next);
  }
  SmallVector<Value> sums;
  for (int64_t h = 0; h < 2; ++h)
    sums.push_back(warpAllReduce(
        b, loc, loop.getResult(2 + h),
        [&](Value x, Value y) {
          return arith::AddFOp::create(b, loc, x, y).getResult();
        },
        kQuad));
  for (int64_t h = 0; h < 2; ++h) {
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         rows[h], r.queries);
    auto store = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(store.thenBlock());
    for (int64_t j = 0; j < outTiles; ++j) {
      SmallVector<Value> o = accumulatorElements(b, loc, loop.getResult(4 + j));
      for (int64_t e = 2 * h; e < 2 * h + 2; ++e)
        memref::StoreOp::create(
            b, loc, arith::DivFOp::create(b, loc, o[e], sums[h]), r.out,
            ValueRange{r.batch, r.head, rows[h],
                       plus(layout.c[e].col, idx(b, loc, 8 * j))});
    }
  }
}

/// The same tile on lane 0 (GPU emulation): each query serially, with the
/// kernel's key blocks, operand rounding and online softmax by block; the
/// output buffer holds the running sums.
void emitTileSerial(OpBuilder &b, Location loc, Row r, Value query0,
                    MmaPrecision precision) {
  int64_t stepK = mmaStepK(precision);
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  Value zero = f32(b, loc, 0.0);
  Value negInf = f32(b, loc, -std::numeric_limits<double>::infinity());
  Value valueSize = idx(b, loc, r.valueSize);
  auto rounded = [&](Value buffer, Value third, Value last) {
    return toMmaOperand(b, loc, load4(b, loc, buffer, r, third, last),
                        precision, /*emulate=*/true);
  };
  Value bound = keyBound(b, loc, r, query0);
  auto rowLoop = scf::ForOp::create(b, loc, c0, idx(b, loc, kQueryTile), c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rowLoop.getBody());
  r.query = arith::AddIOp::create(b, loc, query0, rowLoop.getInductionVar());
  auto inside = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, r.query,
                            r.queries),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(inside.thenBlock());
  // Loops over the output elements and over a block's keys.
  auto forEach = [&](Value from, Value to, ValueRange init,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(b, loc, from, to, c1, init);
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> results =
        body(loop.getInductionVar(), loop.getRegionIterArgs());
    if (!init.empty()) // a loop without results has its yield already
      scf::YieldOp::create(b, loc, results);
    return loop;
  };
  auto element = [&](Value e) {
    return SmallVector<Value>{r.batch, r.head, r.query, e};
  };
  forEach(c0, valueSize, {}, [&](Value e, ValueRange) {
    memref::StoreOp::create(b, loc, zero, r.out, element(e));
    return SmallVector<Value>{};
  });
  auto score = [&](Value key) {
    Value clamped = clampIndex(b, loc, key, r.keys);
    auto dot = forEach(c0, idx(b, loc, r.headSize), {zero},
                       [&](Value d, ValueRange acc) {
                         Value product = arith::MulFOp::create(
                             b, loc, rounded(r.q, r.query, d),
                             rounded(r.k, clamped, d));
                         return SmallVector<Value>{
                             arith::AddFOp::create(b, loc, acc[0], product)};
                       });
    return blockScore(b, loc, r, dot.getResult(0), r.query, key);
  };
  auto blocks = scf::ForOp::create(b, loc, c0, bound, idx(b, loc, stepK),
                                   ValueRange{negInf, zero});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(blocks.getBody());
    Value block = blocks.getInductionVar();
    Value end = arith::AddIOp::create(b, loc, block, idx(b, loc, stepK));
    ValueRange state = blocks.getRegionIterArgs();
    auto blockMax = forEach(block, end, {negInf}, [&](Value key, ValueRange m) {
      return SmallVector<Value>{
          arith::MaximumFOp::create(b, loc, m[0], score(key))};
    });
    Value max =
        arith::MaximumFOp::create(b, loc, state[0], blockMax.getResult(0));
    Value empty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, max, negInf);
    Value factor = arith::SelectOp::create(
        b, loc, empty, f32(b, loc, 1.0),
        math::ExpOp::create(b, loc,
                            arith::SubFOp::create(b, loc, state[0], max)));
    forEach(c0, valueSize, {}, [&](Value e, ValueRange) {
      Value old = memref::LoadOp::create(b, loc, r.out, element(e));
      memref::StoreOp::create(b, loc, arith::MulFOp::create(b, loc, old, factor),
                              r.out, element(e));
      return SmallVector<Value>{};
    });
    auto sum = forEach(
        block, end, {arith::MulFOp::create(b, loc, state[1], factor)},
        [&](Value key, ValueRange acc) {
          Value p = arith::SelectOp::create(
              b, loc, empty, zero,
              math::ExpOp::create(
                  b, loc, arith::SubFOp::create(b, loc, score(key), max)));
          Value pOperand = toMmaOperand(b, loc, p, precision, true);
          Value clamped = clampIndex(b, loc, key, r.keys);
          forEach(c0, valueSize, {}, [&](Value e, ValueRange) {
            Value old = memref::LoadOp::create(b, loc, r.out, element(e));
            Value pv = arith::MulFOp::create(b, loc, pOperand,
                                             rounded(r.v, clamped, e));
            memref::StoreOp::create(b, loc,
                                    arith::AddFOp::create(b, loc, old, pv),
                                    r.out, element(e));
            return SmallVector<Value>{};
          });
          return SmallVector<Value>{arith::AddFOp::create(b, loc, acc[0], p)};
        });
    scf::YieldOp::create(b, loc, ValueRange{max, sum.getResult(0)});
  }
  forEach(c0, valueSize, {}, [&](Value e, ValueRange) {
    Value acc = memref::LoadOp::create(b, loc, r.out, element(e));
    memref::StoreOp::create(
        b, loc, arith::DivFOp::create(b, loc, acc, blocks.getResult(1)), r.out,
        element(e));
    return SmallVector<Value>{};
  });
}

LogicalResult rewrite(AttentionOp op, std::optional<MmaPrecision> precision,
                      bool emulate) {
  auto qType = cast<RankedTensorType>(op.getQuery().getType());
  auto vType = cast<RankedTensorType>(op.getValue().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  if (!qType.getElementType().isF32() || !resultType.getElementType().isF32() ||
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
  // The tensor cores need whole k-steps of the head and n-tiles of 8 of
  // the values; other sizes (and precision f32) take the row kernel.
  if (precision && (r.headSize % mmaStepK(*precision) != 0 ||
                    r.valueSize % 8 != 0))
    precision = std::nullopt;
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < 3; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(sizes[d]);
  auto outType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  r.out = memref::AllocOp::create(b, loc, outType, dynamicSizes);

  // A warp per query row, or per tile of 16 queries on the tensor cores.
  SmallVector<Value> units = sizes;
  if (precision)
    units[2] = arith::CeilDivUIOp::create(b, loc, sizes[2],
                                          idx(b, loc, kQueryTile));
  Value count = arith::MulIOp::create(
      b, loc, arith::MulIOp::create(b, loc, units[0], units[1]), units[2]);
  {
    OpBuilder::InsertionGuard guard(b);
    WarpRow warp =
        buildWarpPerRowLaunch(b, loc, count, kWarpsPerBlock, emulate);
    SmallVector<Value> index = delinearize(b, loc, warp.row, units);
    r.batch = index[0];
    r.head = index[1];
    if (precision) {
      Value query0 =
          arith::MulIOp::create(b, loc, index[2], idx(b, loc, kQueryTile));
      if (emulate)
        emitTileSerial(b, loc, r, query0, *precision);
      else
        emitTileMma(b, loc, r, query0, warp.lane, *precision);
    } else {
      r.query = index[2];
      if (emulate)
        emitRowSerial(b, loc, r);
      else
        emitRowWarp(b, loc, r, warp.lane);
    }
  }
  Value result = bufferization::ToTensorOp::create(
      b, loc, resultType, r.out, /*restrict=*/b.getUnitAttr(),
      /*writable=*/b.getUnitAttr());
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

struct EncAttentionToGPUPass
    : enc::impl::EncAttentionToGPUBase<EncAttentionToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<MmaPrecision> tensorCores = parseMmaPrecision(precision);
    if (!tensorCores && precision != "f32") {
      getOperation().emitError("enc-attention-to-gpu: unknown precision '")
          << precision << "' (expected tf32, bf16 or f32)";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    getOperation().walk([&](AttentionOp op) { ops.push_back(op); });
    for (AttentionOp op : ops)
      (void)rewrite(op, tensorCores, emulate);
  }
};

} // namespace
