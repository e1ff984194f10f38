//===- TensorCoreMatmulStaged.cpp - The staged tensor-core kernel ---------===//
//
// enc-matmul-to-tensor-cores' kernel for K % 32 == 0: K in tiles of 32, the
// block's A and B tiles copied once into shared memory by all its threads,
// the warps' fragments read from there; and its emulation on one thread.
// Written for any BlockShape whose tiles of A and B are four 16-byte
// vectors a thread (both shapes of TensorCoreKernels.h are).
//
//===----------------------------------------------------------------------===//

#include "TensorCoreKernels.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::enc;

namespace mlir::enc::tensor_cores {

WarpTile BlockTile::warp(OpBuilder &b, Location loc, Value warpRow,
                         Value warpCol) const {
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
  t.rows = shape.warpRows();
  Value row =
      add(b, loc, row0, mul(b, loc, warpRow, idx(b, loc, shape.warpRows())));
  Value col = add(b, loc, col0, mul(b, loc, warpCol, idx(b, loc, kWarpTile)));
  t.rowBase = add(b, loc, mul(b, loc, z, m), row);
  t.colBase = col;
  t.cOffset = add(b, loc, mul(b, loc, t.rowBase, idx(b, loc, n)), col);
  t.rowSizes = rowSizes;
  return t;
}

Value BlockTile::inside(OpBuilder &b, Location loc, const WarpTile &t) const {
  Value row = arith::SubIOp::create(b, loc, t.rowBase, mul(b, loc, z, m));
  Value rowInside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, m);
  Value columns = idx(b, loc, n);
  Value colInside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          t.colBase, columns);
  return arith::AndIOp::create(b, loc, rowInside, colInside);
}

MemRefType stageType(OpBuilder &b, const BlockShape &shape, Type element,
                     bool workgroup) {
  Attribute space =
      workgroup ? gpu::AddressSpaceAttr::get(b.getContext(),
                                             gpu::AddressSpace::Workgroup)
                : Attribute();
  int64_t stride = element.isF32() ? kStageStrideF32 : kStageStrideBF16;
  return MemRefType::get({shape.tile, stride}, element,
                         MemRefLayoutAttrInterface(), space);
}

/// Four loaded elements and where they go: a row piece of a stage, or
/// (B as K x N) a column piece.
struct StagePiece {
  Value stage, row, col;
  Value loaded; // vector<4xf32>, as read
  const ElementFn *fn;
  bool down = false;
};

/// Thread `thread`'s share of the K-tile at `kt`: 4 vectors of 4 of A and
/// 4 of B, read with 16-byte loads (emulation: unaligned ones). Rows and
/// columns past C's end read its last row or column instead (their results
/// are not stored). Nothing else uses the loaded values until storeShare,
/// so that the loads of the next tile stay in flight while the warps
/// compute.
SmallVector<StagePiece> loadShare(OpBuilder &b, Location loc,
                                  const BlockTile &t, Value thread, Value kt) {
  auto vectorType = VectorType::get({4}, b.getF32Type());
  llvm::MaybeAlign align =
      t.emulate ? llvm::MaybeAlign() : llvm::MaybeAlign(16);
  auto loadFour = [&](Value buffer, Value index) -> Value {
    return vector::LoadOp::create(b, loc, vectorType, buffer, ValueRange{index},
                                  false, align);
  };
  auto lastOf = [&](Value x, Value size) -> Value {
    return arith::MinUIOp::create(
        b, loc, x, arith::SubIOp::create(b, loc, size, idx(b, loc, 1)));
  };
  const Contraction &c = *t.contraction;
  Value n = idx(b, loc, t.n), k = idx(b, loc, t.k);
  Value bBase =
      c.bBatched ? mul(b, loc, t.z, mul(b, loc, n, k)) : idx(b, loc, 0);
  SmallVector<StagePiece> pieces;
  // tile x 32 floats an operand: tile x 8 vectors, 4 a thread.
  const BlockShape &shape = t.shape;
  static_assert(kSmallBlock.tile * kTileK / 4 == 4 * kSmallBlock.threads() &&
                    kLargeBlock.tile * kTileK / 4 == 4 * kLargeBlock.threads(),
                "each thread stages 4 vectors of A and 4 of B");
  for (int64_t part = 0; part < 4; ++part) {
    Value linear = add(b, loc, thread, idx(b, loc, part * shape.threads()));
    // One creation per statement: C++ leaves argument order unspecified,
    // and the IR must not depend on the compiler that built this one.
    Value quarterK = idx(b, loc, kTileK / 4);
    Value row = arith::DivUIOp::create(b, loc, linear, quarterK);
    Value colQuad = arith::RemUIOp::create(b, loc, linear, quarterK);
    Value col = mul(b, loc, colQuad, idx(b, loc, 4));
    // A: row of C, 4 consecutive k.
    Value batchRow = mul(b, loc, t.z, t.m);
    Value blockRow = lastOf(add(b, loc, t.row0, row), t.m);
    Value aRow = add(b, loc, batchRow, blockRow);
    Value aRowStart = mul(b, loc, aRow, k);
    Value aK = add(b, loc, kt, col);
    pieces.push_back(
        {t.as, row, col, loadFour(t.a, add(b, loc, aRowStart, aK)), &c.aFn});
    if (c.bTransposed) { // Bᵀ: column of C, 4 consecutive k
      Value bRow = lastOf(add(b, loc, t.col0, row), n);
      Value bRowStart = mul(b, loc, bRow, k);
      Value bK = add(b, loc, kt, col);
      Value bOffset = add(b, loc, bRowStart, bK);
      pieces.push_back(
          {t.bs, row, col, loadFour(t.b, add(b, loc, bBase, bOffset)), &c.bFn});
      continue;
    }
    // B (K x N): one k, 4 consecutive columns, stored down the stage.
    Value quarterTile = idx(b, loc, shape.tile / 4);
    Value kRow = arith::DivUIOp::create(b, loc, linear, quarterTile);
    Value nQuad = arith::RemUIOp::create(b, loc, linear, quarterTile);
    Value nCol = mul(b, loc, nQuad, idx(b, loc, 4));
    Value column = add(b, loc, t.col0, nCol);
    Value lastFour = idx(b, loc, t.n - 4);
    Value first = arith::MinUIOp::create(b, loc, column, lastFour);
    Value kIndex = add(b, loc, kt, kRow);
    Value kRowStart = mul(b, loc, kIndex, n);
    Value bOffset = add(b, loc, kRowStart, first);
    pieces.push_back({t.bs, nCol, kRow,
                      loadFour(t.b, add(b, loc, bBase, bOffset)), &c.bFn,
                      /*down=*/true});
  }
  return pieces;
}

/// Writes a share into the stages: each element through the body's
/// function, converted to the operand precision (once a block here rather
/// than once per warp that reads it): TF32 values in f32, or bf16
/// (emulation: rounded to bf16 in f32). One 16-byte (bf16: 8-byte) store a
/// row piece (rows are 16-byte aligned, pieces start at multiples of 4
/// elements, and enc-align-workgroup-buffers aligns the stages; emulation:
/// host buffers, unaligned stores), element stores down a column piece.
void storeShare(OpBuilder &b, Location loc, const BlockTile &t,
                ArrayRef<StagePiece> pieces) {
  for (const StagePiece &piece : pieces) {
    SmallVector<Value> elements;
    for (int64_t e = 0; e < 4; ++e)
      elements.push_back(toMmaOperand(
          b, loc,
          piece.fn->apply(b, vector::ExtractOp::create(b, loc, piece.loaded,
                                                       ArrayRef<int64_t>{e})),
          t.precision, t.emulate));
    Type element = elements.front().getType();
    auto vectorType = VectorType::get({4}, element);
    llvm::MaybeAlign align =
        t.emulate ? llvm::MaybeAlign()
                  : llvm::MaybeAlign(4 * element.getIntOrFloatBitWidth() / 8);
    if (!piece.down) {
      vector::StoreOp::create(
          b, loc, vector::FromElementsOp::create(b, loc, vectorType, elements),
          piece.stage, ValueRange{piece.row, piece.col},
          /*nontemporal=*/false, align);
      continue;
    }
    for (auto [e, element] : llvm::enumerate(elements))
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
  Value across = idx(b, loc, t.shape.warpsAcross);
  Value warpRow = arith::DivUIOp::create(b, loc, warp, across);
  Value warpCol = arith::RemUIOp::create(b, loc, warp, across);
  WarpTile w = t.warp(b, loc, warpRow, warpCol);
  int64_t mTiles = w.rows / 16;
  Value inside = t.inside(b, loc, w);
  MmaLayout layout = mmaLayout(b, loc, lane, t.precision);
  Coordinate aLane = ldmatrixLaneA(b, loc, lane, t.precision);
  Coordinate bLane = ldmatrixLaneB(b, loc, lane, t.precision);
  // The accumulators start from C (or the fused init) inside C, else 0.
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  SmallVector<Value> start(mTiles * 4,
                           accumulatorFrom(b, loc, {zero, zero, zero, zero}));
  if (!t.partials) {
    SmallVector<Type> accTypes(mTiles * 4,
                               VectorType::get({2, 2}, b.getF32Type()));
    auto init = scf::IfOp::create(b, loc, accTypes, inside,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(init.thenBlock());
    scf::YieldOp::create(b, loc, initialAccumulators(b, loc, w, layout));
    b.setInsertionPointToStart(init.elseBlock());
    scf::YieldOp::create(b, loc, start);
    start = init.getResults();
  }
  int64_t step = mmaStepK(t.precision);
  storeShare(b, loc, t, loadShare(b, loc, t, thread, t.kBegin));
  gpu::BarrierOp::create(b, loc);
  Value lastTile = arith::SubIOp::create(b, loc, t.kEnd, idx(b, loc, kTileK));
  auto loop =
      scf::ForOp::create(b, loc, t.kBegin, t.kEnd, idx(b, loc, kTileK), start);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value nextTile = arith::MinUIOp::create(
        b, loc, add(b, loc, loop.getInductionVar(), idx(b, loc, kTileK)),
        lastTile);
    SmallVector<StagePiece> nextShare = loadShare(b, loc, t, thread, nextTile);
    // The lane's ldmatrix rows: of A's m-tiles, of B's pairs of n-tiles.
    Value aRow0 =
        add(b, loc, mul(b, loc, warpRow, idx(b, loc, w.rows)), aLane.row);
    Value bRow0 =
        add(b, loc, mul(b, loc, warpCol, idx(b, loc, kWarpTile)), bLane.row);
    SmallVector<Value> next(loop.getRegionIterArgs());
    for (int64_t kk = 0; kk < kTileK; kk += step) {
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < mTiles; ++i) {
        Value aRow = add(b, loc, aRow0, idx(b, loc, 16 * i));
        Value aCol = add(b, loc, aLane.col, idx(b, loc, kk));
        as.push_back(loadMatrixX4(b, loc, t.as, aRow, aCol, t.precision));
      }
      for (int64_t j = 0; j < 4; j += 2) {
        Value bRow = add(b, loc, bRow0, idx(b, loc, 8 * j));
        Value bCol = add(b, loc, bLane.col, idx(b, loc, kk));
        auto [first, second] = splitBPair(
            b, loc, loadMatrixX4(b, loc, t.bs, bRow, bCol, t.precision));
        bs.push_back(first);
        bs.push_back(second);
      }
      for (int64_t i = 0; i < mTiles; ++i)
        for (int64_t j = 0; j < 4; ++j)
          next[i * 4 + j] = mmaSyncRegisters(b, loc, t.precision, as[i], bs[j],
                                             next[i * 4 + j]);
    }
    gpu::BarrierOp::create(b, loc);
    storeShare(b, loc, t, nextShare);
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, next);
  }
  auto store = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(store.thenBlock());
  if (t.partials)
    storePartialAccumulators(b, loc, w, layout, loop.getResults(), t.partials,
                             t.partialOffset);
  else
    storeAccumulators(b, loc, w, layout, loop.getResults());
}

/// The same block on one thread (GPU emulation, where threads run one
/// after another and a barrier cannot be kept): per K-tile, every thread's
/// share of the staging in turn, then every warp's tile as scalar loops
/// over the stages (accumulating in a buffer), with the same stage layout
/// and indices as the kernel.
void emitStagedBlockSerial(OpBuilder &b, Location loc, BlockTile t) {
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  Value across = idx(b, loc, t.shape.warpsAcross);
  const BlockShape &shape = t.shape;
  t.as = memref::AllocOp::create(b, loc,
                                 stageType(b, shape, b.getF32Type(), false));
  t.bs = memref::AllocOp::create(b, loc,
                                 stageType(b, shape, b.getF32Type(), false));
  Value acc = memref::AllocOp::create(
      b, loc,
      MemRefType::get({shape.warps(), shape.warpRows(), kWarpTile},
                      b.getF32Type()));
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
  auto forEachElement =
      [&](Value warp,
          function_ref<void(const WarpTile &, Value, Value, Value)> body) {
        Value warpRow = arith::DivUIOp::create(b, loc, warp, across);
        Value warpCol = arith::RemUIOp::create(b, loc, warp, across);
        WarpTile w = t.warp(b, loc, warpRow, warpCol);
        upTo(shape.warpRows(), [&](Value row) {
          upTo(kWarpTile, [&](Value col) {
            Value flat = at(b, loc, w.cOffset, row, col, t.n);
            body(w, row, col, flat);
          });
        });
      };
  upTo(shape.warps(), [&](Value warp) {
    forEachElement(warp, [&](const WarpTile &w, Value row, Value col,
                             Value flat) {
      // Warps outside C accumulate from 0 (their loads would be out of C).
      auto branch =
          scf::IfOp::create(b, loc, b.getF32Type(), t.inside(b, loc, w), true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(branch.thenBlock());
        scf::YieldOp::create(
            b, loc,
            t.partials ? ValueRange{arith::ConstantOp::create(
                             b, loc, b.getF32FloatAttr(0))}
                       : ValueRange{initAt(b, loc, w, row, col, flat)});
        b.setInsertionPointToStart(branch.elseBlock());
        scf::YieldOp::create(b, loc,
                             ValueRange{arith::ConstantOp::create(
                                 b, loc, b.getF32FloatAttr(0))});
      }
      memref::StoreOp::create(b, loc, branch.getResult(0), acc,
                              ValueRange{warp, row, col});
    });
  });
  forRange(t.kBegin, t.kEnd, idx(b, loc, kTileK), [&](Value kt) {
    upTo(shape.threads(), [&](Value thread) {
      storeShare(b, loc, t, loadShare(b, loc, t, thread, kt));
    });
    upTo(shape.warps(), [&](Value warp) {
      Value warpRow = arith::DivUIOp::create(b, loc, warp, across);
      Value aRow0 = mul(b, loc, warpRow, idx(b, loc, shape.warpRows()));
      Value warpCol = arith::RemUIOp::create(b, loc, warp, across);
      Value bRow0 = mul(b, loc, warpCol, idx(b, loc, kWarpTile));
      forEachElement(warp, [&](const WarpTile &, Value row, Value col, Value) {
        SmallVector<Value> at3 = {warp, row, col};
        Value depth = idx(b, loc, kTileK);
        Value initial = memref::LoadOp::create(b, loc, acc, at3);
        auto dot =
            scf::ForOp::create(b, loc, c0, depth, c1, ValueRange{initial});
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(dot.getBody());
          Value kk = dot.getInductionVar();
          auto operand = [&](Value stage, Value stageRow) -> Value {
            return memref::LoadOp::create(b, loc, stage,
                                          ValueRange{stageRow, kk});
          };
          Value aValue = operand(t.as, add(b, loc, aRow0, row));
          Value bValue = operand(t.bs, add(b, loc, bRow0, col));
          Value product = arith::MulFOp::create(b, loc, aValue, bValue);
          scf::YieldOp::create(
              b, loc,
              ValueRange{arith::AddFOp::create(
                  b, loc, dot.getRegionIterArgs()[0], product)});
        }
        memref::StoreOp::create(b, loc, dot.getResult(0), acc, at3);
      });
    });
  });
  upTo(shape.warps(), [&](Value warp) {
    forEachElement(warp, [&](const WarpTile &w, Value row, Value col,
                             Value flat) {
      auto store = scf::IfOp::create(b, loc, t.inside(b, loc, w), false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(store.thenBlock());
      Value sum =
          memref::LoadOp::create(b, loc, acc, ValueRange{warp, row, col});
      if (t.partials)
        memref::StoreOp::create(b, loc, sum, t.partials,
                                ValueRange{add(b, loc, t.partialOffset, flat)});
      else
        storeAt(b, loc, w, sum, row, col, flat);
    });
  });
  for (Value buffer : {t.as, t.bs, acc})
    memref::DeallocOp::create(b, loc, buffer);
}

} // namespace mlir::enc::tensor_cores
