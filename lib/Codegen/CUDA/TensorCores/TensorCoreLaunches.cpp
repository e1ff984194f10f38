//===- TensorCoreLaunches.cpp - The launches of a tensor-core contraction -===//
//
// What replaces a contraction matched by enc-matmul-to-tensor-cores: the
// run-time check that the tensor cores can take it (else the original ops),
// and the launches: with K % 32 == 0 the staged block, in 128x128 blocks on
// large problems, split along K on small ones with a long K, else in 64x64
// blocks; otherwise the direct-load warp tiles. Choices that depend on M
// are made here when M and the batch are static, else at run time.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::tensor_cores;

namespace {

/// Split-K: `slices` slices of `tilesPerSlice` K-tiles (the last maybe
/// fewer), partial sums in `partials`; the grid's z is then the batch
/// times the slices.
struct SplitK {
  Value slices, tilesPerSlice, partials;
};

/// The launches over one contraction's flat operands, written at the
/// builder's insertion point.
class Launches {
public:
  Launches(OpBuilder &b, Location loc, const Contraction &c,
           MmaPrecision precision, bool emulate, Value m, Value batch,
           ArrayRef<Value> rowSizes)
      : b(b), loc(loc), c(c), precision(precision), emulate(emulate), m(m),
        batch(batch), rowSizes(rowSizes) {
    a = flatten(b, loc, c.a);
    bFlat = flatten(b, loc, c.b);
    cFlat = flatten(b, loc, c.c);
    staticM = getConstantIntValue(m);
    staticBatch = getConstantIntValue(batch);
  }

  /// K % 32 == 0: 128x128 blocks when they fit and are many enough, else
  /// the small blocks (split or not).
  void staged();
  /// K % 32 != 0: 64x64 blocks of direct-load warp tiles.
  void direct();

private:
  Value idx(int64_t v) { return tensor_cores::idx(b, loc, v); }
  bool isStatic() const { return staticM && staticBatch; }
  /// A grid of `shape`'s blocks over C, `depth` deep, with the stages as
  /// workgroup buffers when `staged` (and not emulated); the insertion
  /// point is left in its body.
  gpu::LaunchOp launchBlocks(const BlockShape &shape, Value depth, bool staged);
  void stagedKernel(const BlockShape &shape,
                    std::optional<SplitK> split = std::nullopt);
  /// Partial sums, their sum, the buffer freed.
  void splitKernels(Value slices, Value tilesPerSlice);
  void smallKernels();
  /// The grid's blocks over C in `shape` (batch included), at run time or,
  /// with M and the batch static, here.
  Value blocksOf(const BlockShape &shape) {
    Value rows = arith::CeilDivUIOp::create(b, loc, m, idx(shape.tile));
    Value columns = idx(llvm::divideCeil(c.n, shape.tile));
    return mul(b, loc, mul(b, loc, rows, columns), batch);
  }
  int64_t staticBlocksOf(const BlockShape &shape) const {
    return llvm::divideCeil(*staticM, shape.tile) *
           llvm::divideCeil(c.n, shape.tile) * *staticBatch;
  }

  OpBuilder &b;
  Location loc;
  const Contraction &c;
  MmaPrecision precision;
  bool emulate;
  Value m, batch;
  ArrayRef<Value> rowSizes;
  Value a, bFlat, cFlat;
  std::optional<int64_t> staticM, staticBatch;
};

gpu::LaunchOp Launches::launchBlocks(const BlockShape &shape, Value depth,
                                     bool staged) {
  SmallVector<Type> stages;
  if (staged && !emulate)
    stages.assign(2, stageType(b, shape, stagedElementType(b, precision),
                               /*workgroup=*/true));
  Value one = idx(1);
  Value columns = idx(llvm::divideCeil(c.n, shape.tile));
  Value rows = arith::CeilDivUIOp::create(b, loc, m, idx(shape.tile));
  Value threads = idx(shape.threads());
  auto launch = gpu::LaunchOp::create(
      b, loc, columns, rows, depth, threads, one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, stages);
  b.setInsertionPointToStart(&launch.getBody().front());
  return launch;
}

void Launches::stagedKernel(const BlockShape &shape,
                            std::optional<SplitK> split) {
  OpBuilder::InsertionGuard guard(b);
  gpu::LaunchOp launch =
      launchBlocks(shape, split ? mul(b, loc, batch, split->slices) : batch,
                   /*staged=*/true);
  gpu::KernelDim3 block = launch.getBlockIds();
  Value tid = launch.getThreadIds().x;
  Value tile = idx(shape.tile);
  Value k = idx(c.k);
  BlockTile t;
  t.shape = shape;
  t.contraction = &c;
  t.a = a;
  t.b = bFlat;
  t.c = cFlat;
  t.m = m;
  t.z = block.z;
  t.kBegin = idx(0);
  t.kEnd = k;
  if (split) {
    t.z = arith::DivUIOp::create(b, loc, block.z, split->slices);
    Value slice = arith::RemUIOp::create(b, loc, block.z, split->slices);
    Value sliceK = mul(b, loc, split->tilesPerSlice, idx(kTileK));
    t.kBegin = mul(b, loc, slice, sliceK);
    t.kEnd = arith::MinUIOp::create(b, loc, add(b, loc, t.kBegin, sliceK), k);
    t.partials = split->partials;
    Value rowsInAll = mul(b, loc, batch, m);
    Value n = idx(c.n);
    t.partialOffset = mul(b, loc, slice, mul(b, loc, rowsInAll, n));
  }
  t.row0 = mul(b, loc, block.y, tile);
  t.col0 = mul(b, loc, block.x, tile);
  t.n = c.n;
  t.k = c.k;
  t.precision = precision;
  t.emulate = emulate;
  t.rowSizes.assign(rowSizes.begin(), rowSizes.end());
  if (emulate) { // thread 0 runs the block
    auto first = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
        /*withElseRegion=*/false);
    gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(first.thenBlock());
    emitStagedBlockSerial(b, loc, t);
    return;
  }
  t.as = launch.getWorkgroupAttributions()[0];
  t.bs = launch.getWorkgroupAttributions()[1];
  emitStagedBlockMma(b, loc, t, tid);
  gpu::TerminatorOp::create(b, loc);
}

void Launches::splitKernels(Value slices, Value tilesPerSlice) {
  Value rows = mul(b, loc, batch, m);
  Value partials = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getF32Type()),
      ValueRange{mul(b, loc, slices, mul(b, loc, rows, idx(c.n)))});
  stagedKernel(kSmallBlock, SplitK{slices, tilesPerSlice, partials});
  emitSplitKSum(b, loc, c, cFlat, partials, slices, rows, rowSizes);
  memref::DeallocOp::create(b, loc, partials);
}

/// The small block, split along K when it gives few blocks and K is long
/// (see kSplitKTargetBlocks).
void Launches::smallKernels() {
  int64_t kTiles = c.k / kTileK;
  if (kTiles < 2 * kSplitKMinSliceTiles) {
    stagedKernel(kSmallBlock);
    return;
  }
  int64_t maxSlices = std::min(kTiles / kSplitKMinSliceTiles, kSplitKMaxSlices);
  if (isStatic()) {
    int64_t wanted =
        std::min(int64_t(llvm::divideCeil(kSplitKTargetBlocks,
                                          staticBlocksOf(kSmallBlock))),
                 maxSlices);
    int64_t tilesPerSlice = llvm::divideCeil(kTiles, wanted);
    int64_t slices = llvm::divideCeil(kTiles, tilesPerSlice);
    if (slices < 2)
      stagedKernel(kSmallBlock);
    else {
      Value slicesValue = idx(slices);
      splitKernels(slicesValue, idx(tilesPerSlice));
    }
    return;
  }
  Value blocks = blocksOf(kSmallBlock);
  Value wantedForBlocks =
      arith::CeilDivUIOp::create(b, loc, idx(kSplitKTargetBlocks), blocks);
  Value wanted =
      arith::MinUIOp::create(b, loc, wantedForBlocks, idx(maxSlices));
  // Whole slices: no slice is left empty.
  Value tilesPerSlice = arith::CeilDivUIOp::create(b, loc, idx(kTiles), wanted);
  Value slices = arith::CeilDivUIOp::create(b, loc, idx(kTiles), tilesPerSlice);
  auto choice = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, slices, idx(2)),
      /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(choice.thenBlock());
  splitKernels(slices, tilesPerSlice);
  b.setInsertionPointToStart(choice.elseBlock());
  stagedKernel(kSmallBlock);
}

void Launches::staged() {
  // The large block needs whole warps of 64 rows and enough blocks.
  if (c.n < kLargeBlock.tile ||
      (isStatic() && (*staticM % kLargeBlock.warpRows() != 0 ||
                      staticBlocksOf(kLargeBlock) < kLargeBlockMinBlocks))) {
    smallKernels();
    return;
  }
  if (isStatic()) {
    stagedKernel(kLargeBlock);
    return;
  }
  Value blocks = blocksOf(kLargeBlock);
  // One creation per statement (argument order is unspecified in C++).
  Value warpRows = idx(kLargeBlock.warpRows());
  Value ragged = arith::RemUIOp::create(b, loc, m, warpRows);
  Value zeroRows = idx(0);
  Value whole =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, ragged, zeroRows);
  Value minBlocks = idx(kLargeBlockMinBlocks);
  Value enough = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                       blocks, minBlocks);
  Value large = arith::AndIOp::create(b, loc, whole, enough);
  auto choice = scf::IfOp::create(b, loc, large, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(choice.thenBlock());
  stagedKernel(kLargeBlock);
  b.setInsertionPointToStart(choice.elseBlock());
  smallKernels();
}

void Launches::direct() {
  OpBuilder::InsertionGuard insertion(b);
  gpu::LaunchOp launch = launchBlocks(kSmallBlock, batch, /*staged=*/false);
  gpu::KernelDim3 block = launch.getBlockIds();
  Value tid = launch.getThreadIds().x;
  Value zero = idx(0);
  Value n = idx(c.n), k = idx(c.k);
  Value blockTile = idx(kSmallBlock.tile);
  Value warp = arith::DivUIOp::create(b, loc, tid, idx(kWarpSize));
  Value warpRow = arith::DivUIOp::create(b, loc, warp, idx(2));
  Value warpCol = arith::RemUIOp::create(b, loc, warp, idx(2));
  Value blockRow = mul(b, loc, block.y, blockTile);
  Value warpRowOffset = mul(b, loc, warpRow, idx(kWarpTile));
  Value row0 = add(b, loc, blockRow, warpRowOffset);
  Value blockCol = mul(b, loc, block.x, blockTile);
  Value warpColOffset = mul(b, loc, warpCol, idx(kWarpTile));
  Value col0 = add(b, loc, blockCol, warpColOffset);
  // Whole warps fall inside or outside C (M and N are multiples of 32).
  Value rowInside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row0, m);
  Value colInside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, col0, n);
  Value inside = arith::AndIOp::create(b, loc, rowInside, colInside);
  if (emulate) // lane 0 does the warp's work
    inside = arith::AndIOp::create(
        b, loc, inside,
        arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq,
            arith::RemUIOp::create(b, loc, tid, idx(kWarpSize)), zero));
  auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(guard.thenBlock());

  WarpTile t;
  t.contraction = &c;
  t.a = a;
  t.b = bFlat;
  t.c = cFlat;
  t.n = c.n;
  t.k = c.k;
  t.bTransposed = c.bTransposed;
  t.precision = precision;
  t.emulate = emulate;
  Value z = block.z;
  t.rowBase = add(b, loc, mul(b, loc, z, m), row0);
  t.colBase = col0;
  t.aOffset = mul(b, loc, t.rowBase, k);
  t.cOffset = add(b, loc, mul(b, loc, t.rowBase, n), col0);
  Value bBase = c.bBatched ? mul(b, loc, z, mul(b, loc, n, k)) : zero;
  t.bOffset = add(b, loc, bBase, c.bTransposed ? mul(b, loc, col0, k) : col0);
  t.rowSizes.assign(rowSizes.begin(), rowSizes.end());
  if (emulate)
    emitWarpTileScalar(b, loc, t);
  else
    emitWarpTileMma(b, loc, t,
                    arith::RemUIOp::create(b, loc, tid, idx(kWarpSize)));
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
  // Skip empty problems: a grid of zero blocks is an error to CUDA.
  Value any = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                    mul(b, loc, m, batch), zero);
  auto nonEmpty = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(nonEmpty.thenBlock());
  Launches launches(b, loc, c, precision, emulate, m, batch, rowSizes);
  if (staged)
    launches.staged();
  else
    launches.direct();
  if (epilogue)
    epilogue->erase();
  op->erase();
  if (c.init)
    c.init->erase();
}
