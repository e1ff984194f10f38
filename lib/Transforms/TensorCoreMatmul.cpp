//===- TensorCoreMatmul.cpp - Contractions as tensor-core kernels ---------===//
//
// The kernels of enc-matmul-to-tensor-cores (the pass's description is in
// MatmulToTensorCores.cpp): a 64x64 tile of C a block of 128 threads, a
// 32x32 tile a warp; staged through shared memory when K % 32 == 0,
// fragments loaded from global memory otherwise; and their emulations.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreMatmul.h"

#include "GPUWarps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr int64_t kBlockTile = 64; // 2x2 warps per block

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

/// The product of C's dimensions [from, to) (the batch, then the rows).
Value sizeOf(OpBuilder &b, Location loc, Value c, int64_t from, int64_t to) {
  Value size = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = from; d < to; ++d)
    size = arith::MulIOp::create(b, loc, size,
                                 b.createOrFold<memref::DimOp>(loc, c, d));
  return size;
}

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}

/// What one warp computes: C[row0 .. row0+32)[col0 .. col0+32) of one
/// batch; the operand offsets are those of that tile's first element.
struct WarpTile {
  const Contraction *contraction;
  Value a, b, c;                   // flat buffers
  Value aOffset, bOffset, cOffset; // of rows row0 (A, C) and column col0 (B)
  int64_t n, k;
  bool bTransposed;
  MmaPrecision precision;
  bool emulate; // scalar loops: operands stay f32, rounded in place
  /// The tile's first row of C as a flat row (batch folded in) and first
  /// column, and the sizes of C's dimensions before the last: the
  /// multi-dimensional index of an element, for the fused init and
  /// epilogue, which address their own buffers.
  Value rowBase, colBase;
  SmallVector<Value> rowSizes;
};

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

/// Element (row, col) of a tile whose first element is at `base` in a
/// row-major buffer with `stride` elements a row.
Value at(OpBuilder &b, Location loc, Value base, Value row, Value col,
         int64_t stride) {
  return add(b, loc, base,
             add(b, loc, mul(b, loc, row, idx(b, loc, stride)), col));
}

/// One mma.sync step's operand elements at k = kk, each loaded by itself
/// from global memory.
void loadStepElementwise(OpBuilder &b, Location loc, const WarpTile &t,
                         const MmaLayout &layout, Value kk,
                         SmallVector<SmallVector<Value>> &as,
                         SmallVector<SmallVector<Value>> &bs) {
  for (int64_t i = 0; i < 2; ++i) {
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
SmallVector<std::array<Value, 3>> accumulatorPositions(OpBuilder &b,
                                                       Location loc,
                                                       const WarpTile &t,
                                                       const MmaLayout &layout,
                                                       int64_t i, int64_t j) {
  SmallVector<std::array<Value, 3>> elements;
  for (Coordinate e : layout.c) {
    Value row = add(b, loc, e.row, idx(b, loc, 16 * i));
    Value col = add(b, loc, e.col, idx(b, loc, 8 * j));
    elements.push_back({row, col, at(b, loc, t.cOffset, row, col, t.n)});
  }
  return elements;
}

/// The 2x4 accumulators' starting values: C's or the fused init's.
SmallVector<Value> initialAccumulators(OpBuilder &b, Location loc,
                                       const WarpTile &t,
                                       const MmaLayout &layout) {
  SmallVector<Value> acc;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<Value> elements;
      for (auto [row, col, flat] : accumulatorPositions(b, loc, t, layout, i, j))
        elements.push_back(initAt(b, loc, t, row, col, flat));
      acc.push_back(accumulatorFrom(b, loc, elements));
    }
  return acc;
}

/// Stores the 2x4 accumulators, through the fused epilogue.
void storeAccumulators(OpBuilder &b, Location loc, const WarpTile &t,
                       const MmaLayout &layout, ValueRange acc) {
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<Value> values = accumulatorElements(b, loc, acc[i * 4 + j]);
      for (auto [value, element] :
           llvm::zip(values, accumulatorPositions(b, loc, t, layout, i, j))) {
        auto [row, col, flat] = element;
        storeAt(b, loc, t, value, row, col, flat);
      }
    }
}

/// The tensor cores: a 32x32 warp tile as 2x4 accumulators of 16x8, K in
/// steps of mmaStepK; each lane loads its own fragment elements
/// (TensorCoreFragments.h) straight from global memory.
void emitWarpTileMma(OpBuilder &b, Location loc, const WarpTile &t,
                     Value lane) {
  MmaLayout layout = mmaLayout(b, loc, lane, t.precision);
  SmallVector<Value> acc = initialAccumulators(b, loc, t, layout);
  int64_t step = mmaStepK(t.precision);
  auto loop = scf::ForOp::create(b, loc, idx(b, loc, 0), idx(b, loc, t.k),
                                 idx(b, loc, step), acc);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<SmallVector<Value>> as, bs;
    loadStepElementwise(b, loc, t, layout, loop.getInductionVar(), as, bs);
    SmallVector<Value> next;
    for (int64_t i = 0; i < 2; ++i)
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
    Value aAt = add(b, loc, t.aOffset, add(b, loc, mul(b, loc, i, kStride), kk));
    Value bAt = t.bTransposed
                    ? add(b, loc, t.bOffset,
                          add(b, loc, mul(b, loc, j, kStride), kk))
                    : add(b, loc, t.bOffset,
                          add(b, loc, mul(b, loc, kk, nStride), j));
    Value x = loadOperand(b, loc, t, t.a, aAt, t.contraction->aFn);
    Value y = loadOperand(b, loc, t, t.b, bAt, t.contraction->bFn);
    Value sum = arith::AddFOp::create(b, loc, dot.getRegionIterArgs()[0],
                                      arith::MulFOp::create(b, loc, x, y));
    scf::YieldOp::create(b, loc, sum);
  }
  storeAt(b, loc, t, dot.getResult(0), i, j, cAt);
}

//===----------------------------------------------------------------------===//
// Shared-memory staging: K in tiles of 32, the block's A and B tiles copied
// once into shared memory by all 128 threads, the warps' fragments read
// from there.
//===----------------------------------------------------------------------===//

constexpr int64_t kTileK = 32;
/// Row stride of a staged tile: 36 floats put the fragment reads of a warp
/// (rows g, columns q: word 36 g + q, bank 4 g + q) in 32 distinct banks
/// and keep rows 16-byte aligned (144 bytes) for the staging stores.
constexpr int64_t kStageStride = kTileK + 4;
constexpr int64_t kBlockThreads = 4 * kWarpSize;

MemRefType stageType(OpBuilder &b, bool workgroup) {
  Attribute space = workgroup ? gpu::AddressSpaceAttr::get(
                                    b.getContext(), gpu::AddressSpace::Workgroup)
                              : Attribute();
  return MemRefType::get({kBlockTile, kStageStride}, b.getF32Type(),
                         MemRefLayoutAttrInterface(), space);
}

/// What a block computes: C[blockRow0 .. + 64)[blockCol0 .. + 64) of batch
/// z, staged through `as` (A rows x k) and `bs` (B columns x k).
struct BlockTile {
  const Contraction *contraction;
  Value a, b, c;      // flat buffers
  Value as, bs;       // the stages
  Value m, z;         // rows of C a batch, the batch
  Value row0, col0;   // the block's first row and column
  int64_t n, k;
  MmaPrecision precision;
  bool emulate;
  SmallVector<Value> rowSizes;

  /// The warp tile (init, stores) of warp (warpRow, warpCol).
  WarpTile warp(OpBuilder &b, Location loc, Value warpRow, Value warpCol) const {
    WarpTile t;
    t.contraction = contraction;
    t.a = a;
    t.b = this->b;
    t.c = c;
    t.n = n;
    t.k = k;
    t.bTransposed = contraction->bTransposed;
    t.precision = precision;
    t.emulate = emulate;
    Value row = add(b, loc, row0, mul(b, loc, warpRow, idx(b, loc, kWarpTile)));
    Value col = add(b, loc, col0, mul(b, loc, warpCol, idx(b, loc, kWarpTile)));
    t.rowBase = add(b, loc, mul(b, loc, z, m), row);
    t.colBase = col;
    t.cOffset = add(b, loc, mul(b, loc, t.rowBase, idx(b, loc, n)), col);
    t.rowSizes = rowSizes;
    return t;
  }
  /// True when the warp's 32x32 tile lies in C (whole warps do: M and N
  /// are multiples of 32).
  Value inside(OpBuilder &b, Location loc, const WarpTile &t) const {
    Value row = arith::SubIOp::create(b, loc, t.rowBase, mul(b, loc, z, m));
    return arith::AndIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, m),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, t.colBase,
                              idx(b, loc, n)));
  }
};

/// Four staged elements and where they go: a row piece of a stage, or
/// (B as K x N) a column piece.
struct StagePiece {
  Value stage, row, col;
  SmallVector<Value> elements;
  bool down = false;
};

/// Thread `thread`'s share of the K-tile at `kt`: 4 vectors of 4 of A and
/// 4 of B, read with 16-byte loads (emulation: unaligned ones), through the
/// body's functions, rounded to the operand precision (in f32: once a
/// block here rather than once per warp that reads them). Rows and columns
/// past C's end read its last row or column instead (their results are not
/// stored).
SmallVector<StagePiece> loadShare(OpBuilder &b, Location loc,
                                  const BlockTile &t, Value thread, Value kt) {
  auto vectorType = VectorType::get({4}, b.getF32Type());
  llvm::MaybeAlign align =
      t.emulate ? llvm::MaybeAlign() : llvm::MaybeAlign(16);
  auto loadFour = [&](Value buffer, Value index, const ElementFn &fn) {
    Value v = vector::LoadOp::create(b, loc, vectorType, buffer,
                                     ValueRange{index}, false, align);
    SmallVector<Value> elements;
    for (int64_t e = 0; e < 4; ++e)
      elements.push_back(toMmaOperand(
          b, loc,
          fn.apply(b, vector::ExtractOp::create(b, loc, v,
                                                ArrayRef<int64_t>{e})),
          t.precision, /*emulate=*/true));
    return elements;
  };
  auto lastOf = [&](Value x, Value size) -> Value {
    return arith::MinUIOp::create(
        b, loc, x, arith::SubIOp::create(b, loc, size, idx(b, loc, 1)));
  };
  const Contraction &c = *t.contraction;
  Value n = idx(b, loc, t.n), k = idx(b, loc, t.k);
  Value bBase = c.bBatched ? mul(b, loc, t.z, mul(b, loc, n, k))
                           : idx(b, loc, 0);
  SmallVector<StagePiece> pieces;
  // 64 x 32 floats a tile: 512 vectors, 4 a thread.
  for (int64_t part = 0; part < 4; ++part) {
    Value linear = add(b, loc, thread, idx(b, loc, part * kBlockThreads));
    Value row = arith::DivUIOp::create(b, loc, linear, idx(b, loc, kTileK / 4));
    Value col = mul(b, loc, arith::RemUIOp::create(b, loc, linear,
                                                   idx(b, loc, kTileK / 4)),
                    idx(b, loc, 4));
    // A: row of C, 4 consecutive k.
    Value aRow = add(b, loc, mul(b, loc, t.z, t.m),
                     lastOf(add(b, loc, t.row0, row), t.m));
    pieces.push_back(
        {t.as, row, col,
         loadFour(t.a, add(b, loc, mul(b, loc, aRow, k), add(b, loc, kt, col)),
                  c.aFn)});
    if (c.bTransposed) { // Bᵀ: column of C, 4 consecutive k
      Value bRow = lastOf(add(b, loc, t.col0, row), n);
      pieces.push_back(
          {t.bs, row, col,
           loadFour(t.b,
                    add(b, loc, bBase,
                        add(b, loc, mul(b, loc, bRow, k), add(b, loc, kt, col))),
                    c.bFn)});
      continue;
    }
    // B (K x N): one k, 4 consecutive columns, stored down the stage.
    Value kRow = arith::DivUIOp::create(b, loc, linear,
                                        idx(b, loc, kBlockTile / 4));
    Value nCol = mul(b, loc,
                     arith::RemUIOp::create(b, loc, linear,
                                            idx(b, loc, kBlockTile / 4)),
                     idx(b, loc, 4));
    Value first = arith::MinUIOp::create(b, loc, add(b, loc, t.col0, nCol),
                                         idx(b, loc, t.n - 4));
    pieces.push_back(
        {t.bs, nCol, kRow,
         loadFour(t.b,
                  add(b, loc, bBase,
                      add(b, loc, mul(b, loc, add(b, loc, kt, kRow), n),
                          first)),
                  c.bFn),
         /*down=*/true});
  }
  return pieces;
}

/// Writes a share into the stages: one 16-byte store a row piece (rows are
/// 144 bytes apart, pieces start at multiples of 4 floats, and
/// enc-align-workgroup-buffers aligns the stages; emulation: host buffers,
/// unaligned stores), element stores down a column piece.
void storeShare(OpBuilder &b, Location loc, const BlockTile &t,
                ArrayRef<StagePiece> pieces) {
  auto vectorType = VectorType::get({4}, b.getF32Type());
  llvm::MaybeAlign align =
      t.emulate ? llvm::MaybeAlign() : llvm::MaybeAlign(16);
  for (const StagePiece &piece : pieces) {
    if (!piece.down) {
      vector::StoreOp::create(
          b, loc,
          vector::FromElementsOp::create(b, loc, vectorType, piece.elements),
          piece.stage, ValueRange{piece.row, piece.col},
          /*nontemporal=*/false, align);
      continue;
    }
    for (auto [e, element] : llvm::enumerate(piece.elements))
      memref::StoreOp::create(
          b, loc, element, piece.stage,
          ValueRange{add(b, loc, piece.row, idx(b, loc, int64_t(e))),
                     piece.col});
  }
}

/// The staged kernel on the tensor cores: every thread stages its share of
/// the first K-tile, a barrier; then per K-tile each thread loads its share
/// of the next tile into registers (so that the loads are in flight while
/// the tensor cores work), each warp runs its 2x4 accumulators over the
/// tile's k-steps from shared memory, a barrier, the next tile is stored,
/// a barrier. The last tile reloads itself (its stores change nothing).
/// Warps outside C take part in staging and barriers but store nothing.
void emitStagedBlockMma(OpBuilder &b, Location loc, const BlockTile &t,
                        Value thread) {
  Value warp = arith::DivUIOp::create(b, loc, thread, idx(b, loc, kWarpSize));
  Value lane = arith::RemUIOp::create(b, loc, thread, idx(b, loc, kWarpSize));
  Value warpRow = arith::DivUIOp::create(b, loc, warp, idx(b, loc, 2));
  Value warpCol = arith::RemUIOp::create(b, loc, warp, idx(b, loc, 2));
  WarpTile w = t.warp(b, loc, warpRow, warpCol);
  Value inside = t.inside(b, loc, w);
  MmaLayout layout = mmaLayout(b, loc, lane, t.precision);
  // The accumulators start from C (or the fused init) inside C, else 0.
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  SmallVector<Type> accTypes(8, VectorType::get({2, 2}, b.getF32Type()));
  auto start = scf::IfOp::create(b, loc, accTypes, inside,
                                 /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(start.thenBlock());
    scf::YieldOp::create(b, loc, initialAccumulators(b, loc, w, layout));
    b.setInsertionPointToStart(start.elseBlock());
    scf::YieldOp::create(
        b, loc,
        SmallVector<Value>(8, accumulatorFrom(b, loc, {zero, zero, zero, zero})));
  }
  int64_t step = mmaStepK(t.precision);
  storeShare(b, loc, t, loadShare(b, loc, t, thread, idx(b, loc, 0)));
  gpu::BarrierOp::create(b, loc);
  auto loop = scf::ForOp::create(b, loc, idx(b, loc, 0), idx(b, loc, t.k),
                                 idx(b, loc, kTileK), start.getResults());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value nextTile = arith::MinUIOp::create(
        b, loc, add(b, loc, loop.getInductionVar(), idx(b, loc, kTileK)),
        idx(b, loc, t.k - kTileK));
    SmallVector<StagePiece> nextShare = loadShare(b, loc, t, thread, nextTile);
    Value aRow0 = mul(b, loc, warpRow, idx(b, loc, kWarpTile));
    Value bRow0 = mul(b, loc, warpCol, idx(b, loc, kWarpTile));
    // Staged values are rounded already: TF32 takes them as they are, bf16
    // converts them (exactly).
    auto operand = [&](Value stage, Value row, Value col) -> Value {
      Value element =
          memref::LoadOp::create(b, loc, stage, ValueRange{row, col});
      if (t.precision == MmaPrecision::tf32)
        return element;
      return arith::TruncFOp::create(b, loc, b.getBF16Type(), element);
    };
    SmallVector<Value> next(loop.getRegionIterArgs());
    for (int64_t kk = 0; kk < kTileK; kk += step) {
      SmallVector<SmallVector<Value>> as, bs;
      for (int64_t i = 0; i < 2; ++i) {
        SmallVector<Value> elements;
        for (Coordinate e : layout.a)
          elements.push_back(operand(
              t.as, add(b, loc, aRow0, add(b, loc, e.row, idx(b, loc, 16 * i))),
              add(b, loc, e.col, idx(b, loc, kk))));
        as.push_back(elements);
      }
      for (int64_t j = 0; j < 4; ++j) {
        SmallVector<Value> elements;
        for (Coordinate e : layout.b)
          elements.push_back(operand(
              t.bs, add(b, loc, bRow0, add(b, loc, e.col, idx(b, loc, 8 * j))),
              add(b, loc, e.row, idx(b, loc, kk))));
        bs.push_back(elements);
      }
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 4; ++j)
          next[i * 4 + j] =
              mmaSync(b, loc, t.precision, as[i], bs[j], next[i * 4 + j]);
    }
    gpu::BarrierOp::create(b, loc);
    storeShare(b, loc, t, nextShare);
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, next);
  }
  auto store = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(store.thenBlock());
  storeAccumulators(b, loc, w, layout, loop.getResults());
}

/// The same block on one thread (GPU emulation, where threads run one
/// after another and a barrier cannot be kept): per K-tile, every thread's
/// share of the staging in turn, then every warp's tile as scalar loops
/// over the stages (accumulating in a buffer), with the same stage layout
/// and indices as the kernel.
void emitStagedBlockSerial(OpBuilder &b, Location loc, BlockTile t) {
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  t.as = memref::AllocOp::create(b, loc, stageType(b, false));
  t.bs = memref::AllocOp::create(b, loc, stageType(b, false));
  Value acc = memref::AllocOp::create(
      b, loc,
      MemRefType::get({4, kWarpTile, kWarpTile}, b.getF32Type()));
  auto forRange = [&](Value from, Value to, Value stepValue,
                      function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, loc, from, to, stepValue);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(loop.getInductionVar());
  };
  auto upTo = [&](int64_t n, function_ref<void(Value)> body) {
    forRange(c0, idx(b, loc, n), c1, body);
  };
  // Each warp's tile: its init, its accumulation, its stores.
  auto forEachElement = [&](Value warp,
                            function_ref<void(const WarpTile &, Value, Value,
                                              Value)> body) {
    WarpTile w =
        t.warp(b, loc, arith::DivUIOp::create(b, loc, warp, idx(b, loc, 2)),
               arith::RemUIOp::create(b, loc, warp, idx(b, loc, 2)));
    upTo(kWarpTile, [&](Value row) {
      upTo(kWarpTile, [&](Value col) {
        Value flat = at(b, loc, w.cOffset, row, col, t.n);
        body(w, row, col, flat);
      });
    });
  };
  upTo(4, [&](Value warp) {
    forEachElement(warp, [&](const WarpTile &w, Value row, Value col,
                             Value flat) {
      // Warps outside C accumulate from 0 (their loads would be out of C).
      auto branch = scf::IfOp::create(b, loc, b.getF32Type(),
                                      t.inside(b, loc, w), true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(branch.thenBlock());
        scf::YieldOp::create(b, loc, initAt(b, loc, w, row, col, flat));
        b.setInsertionPointToStart(branch.elseBlock());
        scf::YieldOp::create(b, loc, ValueRange{arith::ConstantOp::create(
                                         b, loc, b.getF32FloatAttr(0))});
      }
      memref::StoreOp::create(b, loc, branch.getResult(0), acc,
                              ValueRange{warp, row, col});
    });
  });
  forRange(c0, idx(b, loc, t.k), idx(b, loc, kTileK), [&](Value kt) {
    upTo(kBlockThreads, [&](Value thread) {
      storeShare(b, loc, t, loadShare(b, loc, t, thread, kt));
    });
    upTo(4, [&](Value warp) {
      Value aRow0 = mul(b, loc, arith::DivUIOp::create(b, loc, warp, idx(b, loc, 2)),
                        idx(b, loc, kWarpTile));
      Value bRow0 = mul(b, loc, arith::RemUIOp::create(b, loc, warp, idx(b, loc, 2)),
                        idx(b, loc, kWarpTile));
      forEachElement(warp, [&](const WarpTile &, Value row, Value col, Value) {
        SmallVector<Value> at3 = {warp, row, col};
        auto dot = scf::ForOp::create(
            b, loc, c0, idx(b, loc, kTileK), c1,
            ValueRange{memref::LoadOp::create(b, loc, acc, at3)});
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(dot.getBody());
          Value kk = dot.getInductionVar();
          auto operand = [&](Value stage, Value stageRow) -> Value {
            return memref::LoadOp::create(b, loc, stage,
                                          ValueRange{stageRow, kk});
          };
          Value product = arith::MulFOp::create(
              b, loc, operand(t.as, add(b, loc, aRow0, row)),
              operand(t.bs, add(b, loc, bRow0, col)));
          scf::YieldOp::create(
              b, loc,
              ValueRange{arith::AddFOp::create(
                  b, loc, dot.getRegionIterArgs()[0], product)});
        }
        memref::StoreOp::create(b, loc, dot.getResult(0), acc, at3);
      });
    });
  });
  upTo(4, [&](Value warp) {
    forEachElement(warp, [&](const WarpTile &w, Value row, Value col,
                             Value flat) {
      auto store = scf::IfOp::create(b, loc, t.inside(b, loc, w), false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(store.thenBlock());
      storeAt(b, loc, w,
              memref::LoadOp::create(b, loc, acc, ValueRange{warp, row, col}),
              row, col, flat);
    });
  });
  for (Value buffer : {t.as, t.bs, acc})
    memref::DeallocOp::create(b, loc, buffer);
}

} // namespace

void mlir::enc::replaceWithTensorCoreKernel(const Contraction &c,
                                            MmaPrecision precision,
                                            bool emulate) {
  linalg::LinalgOp op = c.op;
  OpBuilder b(c.init ? c.init : op.getOperation());
  Location loc = op.getLoc();
  int64_t numBatch = c.batchDims.size(), numRows = c.mDims.size();
  Value batch = sizeOf(b, loc, c.c, 0, numBatch);
  Value m = sizeOf(b, loc, c.c, numBatch, numBatch + numRows);
  Value zero = idx(b, loc, 0);
  Value fits = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::RemUIOp::create(b, loc, m, idx(b, loc, kWarpTile)), zero);
  // The staged kernel's 16-byte loads of A and B need 16-byte aligned
  // buffers (K % 32 == 0 keeps every row aligned), which the runtime's
  // allocations are; an unaligned one (a view into a larger buffer) takes
  // the fallback too. Emulation reads host memory, unaligned or not.
  bool staged = c.k % kTileK == 0;
  if (staged && !emulate) {
    for (Value buffer : {c.a, c.b}) {
      Value address =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
      fits = arith::AndIOp::create(
          b, loc, fits,
          arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq,
              arith::RemUIOp::create(b, loc, address, idx(b, loc, 16)), zero));
    }
  }
  auto branch = scf::IfOp::create(b, loc, fits, /*withElseRegion=*/true);
  b.setInsertionPointToStart(branch.elseBlock());
  linalg::GenericOp epilogueOp = c.epilogue;
  Operation *epilogue = epilogueOp ? epilogueOp.getOperation() : nullptr;
  for (Operation *part : {c.init, op.getOperation(), epilogue})
    if (part)
      b.clone(*part);
  b.setInsertionPointToStart(branch.thenBlock());
  // C's dimensions but the last, for the fused ops' indices.
  SmallVector<Value> rowSizes;
  for (int64_t d = 0; d + 1 < cast<MemRefType>(c.c.getType()).getRank(); ++d)
    rowSizes.push_back(b.createOrFold<memref::DimOp>(loc, c.c, d));

  Value a = flatten(b, loc, c.a), bb = flatten(b, loc, c.b),
        cc = flatten(b, loc, c.c);
  Value one = idx(b, loc, 1);
  Value blockTile = idx(b, loc, kBlockTile);
  // Skip empty problems: a grid of zero blocks is an error to CUDA.
  Value any = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::sgt, mul(b, loc, m, batch), zero);
  auto nonEmpty = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(nonEmpty.thenBlock());
  Value gridX = idx(b, loc, llvm::divideCeil(c.n, kBlockTile));
  Value gridY = arith::CeilDivUIOp::create(b, loc, m, blockTile);
  SmallVector<Type> stages;
  if (staged && !emulate)
    stages.assign(2, stageType(b, /*workgroup=*/true));
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, batch, idx(b, loc, kBlockThreads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, stages);
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::KernelDim3 block = launch.getBlockIds();
  Value tid = launch.getThreadIds().x;
  Value n = idx(b, loc, c.n), k = idx(b, loc, c.k);
  if (staged) {
    BlockTile t;
    t.contraction = &c;
    t.a = a;
    t.b = bb;
    t.c = cc;
    t.m = m;
    t.z = block.z;
    t.row0 = mul(b, loc, block.y, blockTile);
    t.col0 = mul(b, loc, block.x, blockTile);
    t.n = c.n;
    t.k = c.k;
    t.precision = precision;
    t.emulate = emulate;
    t.rowSizes = rowSizes;
    if (emulate) { // thread 0 runs the block
      auto first = scf::IfOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, zero),
          /*withElseRegion=*/false);
      gpu::TerminatorOp::create(b, loc);
      b.setInsertionPointToStart(first.thenBlock());
      emitStagedBlockSerial(b, loc, t);
    } else {
      t.as = launch.getWorkgroupAttributions()[0];
      t.bs = launch.getWorkgroupAttributions()[1];
      emitStagedBlockMma(b, loc, t, tid);
      gpu::TerminatorOp::create(b, loc);
    }
    if (epilogue)
      epilogue->erase();
    op->erase();
    if (c.init)
      c.init->erase();
    return;
  }
  Value warp = arith::DivUIOp::create(b, loc, tid, idx(b, loc, kWarpSize));
  Value warpRow = arith::DivUIOp::create(b, loc, warp, idx(b, loc, 2));
  Value warpCol = arith::RemUIOp::create(b, loc, warp, idx(b, loc, 2));
  Value row0 = add(b, loc, mul(b, loc, block.y, blockTile),
                   mul(b, loc, warpRow, idx(b, loc, kWarpTile)));
  Value col0 = add(b, loc, mul(b, loc, block.x, blockTile),
                   mul(b, loc, warpCol, idx(b, loc, kWarpTile)));
  // Whole warps fall inside or outside C (M and N are multiples of 32).
  Value inside = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row0, m),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, col0,
                            idx(b, loc, c.n)));
  if (emulate) // lane 0 does the warp's work
    inside = arith::AndIOp::create(
        b, loc, inside,
        arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq,
            arith::RemUIOp::create(b, loc, tid, idx(b, loc, kWarpSize)), zero));
  auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(guard.thenBlock());

  WarpTile t;
  t.contraction = &c;
  t.a = a;
  t.b = bb;
  t.c = cc;
  t.n = c.n;
  t.k = c.k;
  t.bTransposed = c.bTransposed;
  t.precision = precision;
  t.emulate = emulate;
  Value z = block.z;
  t.aOffset = mul(b, loc, add(b, loc, mul(b, loc, z, m), row0), k);
  t.cOffset = add(b, loc, mul(b, loc, add(b, loc, mul(b, loc, z, m), row0), n),
                  col0);
  Value bBase = c.bBatched ? mul(b, loc, z, mul(b, loc, n, k)) : zero;
  t.bOffset = add(b, loc, bBase,
                  c.bTransposed ? mul(b, loc, col0, k) : col0);
  t.rowBase = add(b, loc, mul(b, loc, z, m), row0);
  t.colBase = col0;
  t.rowSizes = rowSizes;
  if (emulate)
    emitWarpTileScalar(b, loc, t);
  else
    emitWarpTileMma(b, loc, t,
                    arith::RemUIOp::create(b, loc, tid, idx(b, loc, kWarpSize)));
  if (epilogue)
    epilogue->erase();
  op->erase();
  if (c.init)
    c.init->erase();
}
