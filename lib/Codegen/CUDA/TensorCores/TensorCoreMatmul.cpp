//===- TensorCoreMatmul.cpp - Contractions as tensor-core kernels ---------===//
//
// The kernels of enc-matmul-to-tensor-cores (the pass's description is in
// MatmulToTensorCores.cpp): a 64x64 tile of C a block of 128 threads, a
// 32x32 tile a warp; with K % 32 == 0 on large problems 128x128 a block of
// 256 threads, 64x32 a warp. This file writes the warp tile's shared parts
// (fused init and epilogue, accumulators), the warp tile whose lanes load
// their fragments from global memory (K % 32 != 0) and split-K's sum;
// TensorCoreMatmulStaged.cpp the shared-memory block,
// TensorCoreLaunches.cpp the launches.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreKernels.h"

#include "GPUWarps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::enc;

using namespace mlir::enc::tensor_cores;

namespace mlir::enc::tensor_cores {

/// The buffer as one dimension (it is dense).
Value flatten(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.getRank() == 1)
    return memref;
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return memref::CollapseShapeOp::create(b, loc, memref,
                                         ArrayRef<ReassociationIndices>{all});
}

/// The product of C's dimensions [from, to) (the batch, then the rows), a
/// constant when they are static.
Value sizeOf(OpBuilder &b, Location loc, Value c, int64_t from, int64_t to) {
  Value size = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = from; d < to; ++d)
    size = b.createOrFold<arith::MulIOp>(
        loc, size, b.createOrFold<memref::DimOp>(loc, c, d));
  return size;
}

/// C's index of the tile's element (row, col).
SmallVector<Value> cIndex(OpBuilder &b, Location loc, const WarpTile &t,
                          Value row, Value col) {
  SmallVector<Value> index =
      delinearize(b, loc, add(b, loc, t.rowBase, row), t.rowSizes);
  index.push_back(add(b, loc, t.colBase, col));
  return index;
}

/// The body of elementwise `op` at C's `index`: each input loaded through
/// its map, except those `given` (block argument -> value).
Value evaluateAt(OpBuilder &b, Location loc, linalg::GenericOp op,
                 ArrayRef<Value> index, const IRMapping &given) {
  IRMapping mapping = cloneBodyAt(b, loc, op, index, given);
  return mapping.lookupOrDefault(op.getBlock()->getTerminator()->getOperand(0));
}

/// The accumulator's starting value at (row, col): the fused init's, or C's.
Value initAt(OpBuilder &b, Location loc, const WarpTile &t, Value row,
             Value col, Value flat) {
  Operation *init = t.contraction->init;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(init))
    return fill.getInputs()[0];
  if (auto generic = dyn_cast_or_null<linalg::GenericOp>(init))
    return evaluateAt(b, loc, generic, cIndex(b, loc, t, row, col), {});
  return memref::LoadOp::create(b, loc, t.c, ValueRange{flat});
}

/// Stores the final `value` at (row, col): into C, and through the fused
/// epilogue into its buffer.
void storeAt(OpBuilder &b, Location loc, const WarpTile &t, Value value,
             Value row, Value col, Value flat) {
  linalg::GenericOp epilogue = t.contraction->epilogue;
  Value c = t.contraction->c;
  if (!epilogue) {
    memref::StoreOp::create(b, loc, value, t.c, ValueRange{flat});
    return;
  }
  SmallVector<Value> index = cIndex(b, loc, t, row, col);
  IRMapping given;
  for (OpOperand &operand : epilogue->getOpOperands())
    if (operand.get() == c)
      given.map(epilogue.getMatchingBlockArgument(&operand), value);
  Value result = evaluateAt(b, loc, epilogue, index, given);
  Value out = epilogue.getDpsInitOperand(0)->get();
  // C keeps its value for later readers unless the epilogue overwrites it.
  if (out != c)
    memref::StoreOp::create(b, loc, value, t.c, ValueRange{flat});
  memref::StoreOp::create(b, loc, result, out, index);
}

/// An operand element as the tensor cores get it: loaded, through the
/// body's function of it, rounded to TF32 (f32) or converted to bf16 (in
/// emulation: rounded to bf16 precision, kept in f32).
Value loadOperand(OpBuilder &b, Location loc, const WarpTile &t, Value buffer,
                  Value index, const ElementFn &fn) {
  Value element =
      fn.apply(b, memref::LoadOp::create(b, loc, buffer, ValueRange{index}));
  return toMmaOperand(b, loc, element, t.precision, t.emulate);
}

/// One mma.sync step's operand elements at k = kk, each loaded by itself
/// from global memory.
void loadStepElementwise(OpBuilder &b, Location loc, const WarpTile &t,
                         const MmaLayout &layout, Value kk,
                         SmallVector<SmallVector<Value>> &as,
                         SmallVector<SmallVector<Value>> &bs) {
  for (int64_t i = 0; i < t.rows / 16; ++i) {
    SmallVector<Value> elements;
    for (Coordinate e : layout.a) {
      Value row = add(b, loc, e.row, idx(b, loc, 16 * i));
      Value col = add(b, loc, kk, e.col);
      elements.push_back(loadOperand(b, loc, t, t.a,
                                     at(b, loc, t.aOffset, row, col, t.k),
                                     t.contraction->aFn));
    }
    as.push_back(elements);
  }
  for (int64_t j = 0; j < 4; ++j) {
    SmallVector<Value> elements;
    for (Coordinate e : layout.b) {
      Value k = add(b, loc, kk, e.row);
      Value n = add(b, loc, e.col, idx(b, loc, 8 * j));
      // Bᵀ (N x K, x·Wᵀ) or B (K x N), from the warp's first column.
      Value index = t.bTransposed ? at(b, loc, t.bOffset, n, k, t.k)
                                  : at(b, loc, t.bOffset, k, n, t.n);
      elements.push_back(
          loadOperand(b, loc, t, t.b, index, t.contraction->bFn));
    }
    bs.push_back(elements);
  }
}

/// The lane's C elements of accumulator (i, j) of warp tile `t`, as (row,
/// column, flat index) in the tile: rows 16i + the fragment's, columns
/// 8j + the fragment's, in layout.c's order.
SmallVector<std::array<Value, 3>>
accumulatorPositions(OpBuilder &b, Location loc, const WarpTile &t,
                     const MmaLayout &layout, int64_t i, int64_t j) {
  SmallVector<std::array<Value, 3>> elements;
  for (Coordinate e : layout.c) {
    Value row = add(b, loc, e.row, idx(b, loc, 16 * i));
    Value col = add(b, loc, e.col, idx(b, loc, 8 * j));
    elements.push_back({row, col, at(b, loc, t.cOffset, row, col, t.n)});
  }
  return elements;
}

/// The rows/16 x 4 accumulators' starting values: C's or the fused init's.
SmallVector<Value> initialAccumulators(OpBuilder &b, Location loc,
                                       const WarpTile &t,
                                       const MmaLayout &layout) {
  SmallVector<Value> acc;
  for (int64_t i = 0; i < t.rows / 16; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<Value> elements;
      for (auto [row, col, flat] :
           accumulatorPositions(b, loc, t, layout, i, j))
        elements.push_back(initAt(b, loc, t, row, col, flat));
      acc.push_back(accumulatorFrom(b, loc, elements));
    }
  return acc;
}

/// Stores the rows/16 x 4 accumulators, through the fused epilogue.
void storeAccumulators(OpBuilder &b, Location loc, const WarpTile &t,
                       const MmaLayout &layout, ValueRange acc) {
  for (int64_t i = 0; i < t.rows / 16; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<Value> values = accumulatorElements(b, loc, acc[i * 4 + j]);
      for (auto [value, element] :
           llvm::zip(values, accumulatorPositions(b, loc, t, layout, i, j))) {
        auto [row, col, flat] = element;
        storeAt(b, loc, t, value, row, col, flat);
      }
    }
}

void storePartialAccumulators(OpBuilder &b, Location loc, const WarpTile &t,
                              const MmaLayout &layout, ValueRange acc,
                              Value partials, Value offset) {
  for (int64_t i = 0; i < t.rows / 16; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<Value> values = accumulatorElements(b, loc, acc[i * 4 + j]);
      for (auto [value, element] :
           llvm::zip(values, accumulatorPositions(b, loc, t, layout, i, j)))
        memref::StoreOp::create(b, loc, value, partials,
                                ValueRange{add(b, loc, offset, element[2])});
    }
}

void emitSplitKSum(OpBuilder &b, Location loc, const Contraction &c, Value cc,
                   Value partials, Value slices, Value rows,
                   ArrayRef<Value> rowSizes) {
  constexpr int64_t kThreads = 256;
  Value zero = idx(b, loc, 0), one = idx(b, loc, 1);
  Value n = idx(b, loc, c.n);
  Value elements = mul(b, loc, rows, n);
  Value threads = idx(b, loc, kThreads);
  Value blocks = arith::CeilDivUIOp::create(b, loc, elements, threads);
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value flat =
      add(b, loc, mul(b, loc, launch.getBlockIds().x, idx(b, loc, kThreads)),
          launch.getThreadIds().x);
  auto inside = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, flat, elements),
      /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(inside.thenBlock());
  // The element's "tile": C[row][col] alone, for the fused ops' indices.
  WarpTile t;
  t.contraction = &c;
  t.c = cc;
  t.n = c.n;
  t.k = c.k;
  t.rowBase = arith::DivUIOp::create(b, loc, flat, n);
  t.colBase = arith::RemUIOp::create(b, loc, flat, n);
  t.rowSizes.assign(rowSizes.begin(), rowSizes.end());
  auto sum =
      scf::ForOp::create(b, loc, zero, slices, one,
                         ValueRange{initAt(b, loc, t, zero, zero, flat)});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(sum.getBody());
    Value partial = memref::LoadOp::create(
        b, loc, partials,
        ValueRange{
            add(b, loc, mul(b, loc, sum.getInductionVar(), elements), flat)});
    scf::YieldOp::create(b, loc,
                         ValueRange{arith::AddFOp::create(
                             b, loc, sum.getRegionIterArgs()[0], partial)});
  }
  storeAt(b, loc, t, sum.getResult(0), zero, zero, flat);
}

/// The tensor cores: a 32x32 warp tile as 2x4 accumulators of 16x8, K in
/// steps of mmaStepK; each lane loads its own fragment elements
/// (TensorCoreFragments.h) straight from global memory.
void emitWarpTileMma(OpBuilder &b, Location loc, const WarpTile &t,
                     Value lane) {
  MmaLayout layout = mmaLayout(b, loc, lane, t.precision);
  SmallVector<Value> acc = initialAccumulators(b, loc, t, layout);
  int64_t step = mmaStepK(t.precision);
  Value first = idx(b, loc, 0);
  Value depth = idx(b, loc, t.k);
  Value stride = idx(b, loc, step);
  auto loop = scf::ForOp::create(b, loc, first, depth, stride, acc);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<SmallVector<Value>> as, bs;
    loadStepElementwise(b, loc, t, layout, loop.getInductionVar(), as, bs);
    SmallVector<Value> next;
    for (int64_t i = 0; i < t.rows / 16; ++i)
      for (int64_t j = 0; j < 4; ++j)
        next.push_back(mmaSync(b, loc, t.precision, as[i], bs[j],
                               loop.getRegionIterArgs()[i * 4 + j]));
    scf::YieldOp::create(b, loc, next);
  }
  storeAccumulators(b, loc, t, layout, loop.getResults());
}

/// The same tile as scalar loops, products of rounded operands, f32 sums.
void emitWarpTileScalar(OpBuilder &b, Location loc, const WarpTile &t) {
  Value zero = idx(b, loc, 0), one = idx(b, loc, 1);
  Value tile = idx(b, loc, kWarpTile);
  Value nStride = idx(b, loc, t.n), kStride = idx(b, loc, t.k);
  auto rows = scf::ForOp::create(b, loc, zero, tile, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rows.getBody());
  Value i = rows.getInductionVar();
  auto cols = scf::ForOp::create(b, loc, zero, tile, one);
  b.setInsertionPointToStart(cols.getBody());
  Value j = cols.getInductionVar();
  Value cAt = add(b, loc, t.cOffset, add(b, loc, mul(b, loc, i, nStride), j));
  Value init = initAt(b, loc, t, i, j, cAt);
  auto dot = scf::ForOp::create(b, loc, zero, kStride, one, ValueRange{init});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(dot.getBody());
    Value kk = dot.getInductionVar();
    Value aAt =
        add(b, loc, t.aOffset, add(b, loc, mul(b, loc, i, kStride), kk));
    Value bAt =
        t.bTransposed
            ? add(b, loc, t.bOffset, add(b, loc, mul(b, loc, j, kStride), kk))
            : add(b, loc, t.bOffset, add(b, loc, mul(b, loc, kk, nStride), j));
    Value x = loadOperand(b, loc, t, t.a, aAt, t.contraction->aFn);
    Value y = loadOperand(b, loc, t, t.b, bAt, t.contraction->bFn);
    Value sum = arith::AddFOp::create(b, loc, dot.getRegionIterArgs()[0],
                                      arith::MulFOp::create(b, loc, x, y));
    scf::YieldOp::create(b, loc, sum);
  }
  storeAt(b, loc, t, dot.getResult(0), i, j, cAt);
}

} // namespace mlir::enc::tensor_cores
