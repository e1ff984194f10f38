//===- TensorCoreKernels.h - The tensor-core matmul kernels -----*- C++ -*-===//
//
// Shared by the kernels of enc-matmul-to-tensor-cores: a warp's tile of C
// (its fused init and epilogue, its accumulators) and the block's tile.
// TensorCoreMatmul.cpp writes the warp tiles, TensorCoreMatmulStaged.cpp
// the shared-memory block, TensorCoreLaunches.cpp the launches.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREKERNELS_H
#define ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREKERNELS_H

#include "TensorCoreMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h" // ::kWarpSize

namespace mlir::enc::tensor_cores {

constexpr int64_t kTileK = 32;
/// Row stride of a staged tile. ldmatrix reads 8 rows of 16 bytes a
/// matrix, so rows must be 16-byte aligned, and they are free of bank
/// conflicts when the stride is an odd number of 16-byte units: 36 f32
/// (144 bytes, 9 units) or 40 bf16 (80 bytes, 5 units).
constexpr int64_t kStageStrideF32 = kTileK + 4;
constexpr int64_t kStageStrideBF16 = kTileK + 8;

/// A block's square tile of C and how its warps divide it: warpsDown x
/// warpsAcross warps, each (tile / warpsDown) rows x kWarpTile columns.
struct BlockShape {
  int64_t tile, warpsDown, warpsAcross;
  constexpr int64_t warpRows() const { return tile / warpsDown; }
  constexpr int64_t warps() const { return warpsDown * warpsAcross; }
  constexpr int64_t threads() const { return warps() * kWarpSize; }
};
/// 128 threads, 32x32 warp tiles (2x4 accumulators): every kernel.
constexpr BlockShape kSmallBlock{64, 2, 2};
/// 256 threads, 64x32 warp tiles (4x4 accumulators): the staged kernel on
/// large problems. Per K-tile a block loads half as many operand elements
/// per product as the small one and a warp reads 8 fragments for 16
/// mma.sync instead of 6 for 8, at a quarter of the blocks.
constexpr BlockShape kLargeBlock{128, 2, 4};
/// Split-K, for problems of few 64x64 blocks and long K (BERT at batch 1:
/// 24 blocks for a 128 x 768 output on 132 SMs, 96 K-tiles for FFN-out):
/// the K-tiles are cut into slices, a block a tile of C and a slice,
/// enough slices for about kSplitKTargetBlocks blocks (two per SM of an
/// H100), each of at least kSplitKMinSliceTiles tiles and at most
/// kSplitKMaxSlices of them; the blocks write raw partial sums and a second
/// kernel adds them up with the fused init and epilogue. Guesses until
/// bench/gpu measures them.
constexpr int64_t kSplitKTargetBlocks = 264;
constexpr int64_t kSplitKMinSliceTiles = 4;
constexpr int64_t kSplitKMaxSlices = 16;
/// The large block is launched when it still gives this many blocks: two
/// per SM of an H100 (132 SMs) or A100 (108), so that the device stays
/// full. A guess until bench/gpu measures the crossover.
constexpr int64_t kLargeBlockMinBlocks = 256;

inline Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
inline Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
inline Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}

/// Element (row, col) of a tile whose first element is at `base` in a
/// row-major buffer with `stride` elements a row.
inline Value at(OpBuilder &b, Location loc, Value base, Value row, Value col,
                int64_t stride) {
  return add(b, loc, base,
             add(b, loc, mul(b, loc, row, idx(b, loc, stride)), col));
}

/// What one warp computes: C[row0 .. row0+rows)[col0 .. col0+32) of one
/// batch; the operand offsets are those of that tile's first element.
struct WarpTile {
  int64_t rows = kWarpTile; // a multiple of 16: rows / 16 x 4 accumulators
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

/// The accumulator's starting value at (row, col): the fused init's, or C's.
Value initAt(OpBuilder &b, Location loc, const WarpTile &t, Value row,
             Value col, Value flat);
/// Stores the final `value` at (row, col): into C, and through the fused
/// epilogue into its buffer.
void storeAt(OpBuilder &b, Location loc, const WarpTile &t, Value value,
             Value row, Value col, Value flat);
/// The lane's rows/16 x 4 accumulators' starting values.
SmallVector<Value> initialAccumulators(OpBuilder &b, Location loc,
                                       const WarpTile &t,
                                       const MmaLayout &layout);
/// Stores the lane's rows/16 x 4 accumulators, through the fused epilogue.
void storeAccumulators(OpBuilder &b, Location loc, const WarpTile &t,
                       const MmaLayout &layout, ValueRange acc);
/// Stores them as they are at C's flat index + `offset` of `partials`
/// (split-K: a slice's partial sums).
void storePartialAccumulators(OpBuilder &b, Location loc, const WarpTile &t,
                              const MmaLayout &layout, ValueRange acc,
                              Value partials, Value offset);

/// A stage of the block's A or B tile: shape.tile rows of `element` (f32 or
/// bf16, stagedElementType) with their stride, in workgroup memory (the
/// kernel) or plain (emulation, which stages f32).
MemRefType stageType(OpBuilder &b, const BlockShape &shape, Type element,
                     bool workgroup);

/// What a block computes: C[row0 .. + tile)[col0 .. + tile) of batch z,
/// staged through `as` (A rows x k) and `bs` (B columns x k).
struct BlockTile {
  BlockShape shape;
  const Contraction *contraction;
  Value a, b, c;    // flat buffers
  Value as, bs;     // the stages
  Value m, z;       // rows of C a batch, the batch
  Value row0, col0; // the block's first row and column
  int64_t n, k;
  Value kBegin, kEnd; // the block's K range: whole K-tiles, at least one
  /// Split-K: the flat [slices][batch x m][n] buffer of partial sums and
  /// the offset of this block's slice in it; the accumulators then start
  /// at 0 and are stored there as they are, without init or epilogue.
  Value partials, partialOffset;
  MmaPrecision precision;
  bool emulate;
  SmallVector<Value> rowSizes;

  /// The warp tile (init, stores) of warp (warpRow, warpCol).
  WarpTile warp(OpBuilder &b, Location loc, Value warpRow, Value warpCol) const;
  /// True when the warp's tile lies in C (whole warps do: M is a multiple
  /// of the warp's rows, N of 32).
  Value inside(OpBuilder &b, Location loc, const WarpTile &t) const;
};

/// The staged kernel, by every thread of the block.
void emitStagedBlockMma(OpBuilder &b, Location loc, const BlockTile &t,
                        Value thread);
/// The same block on one thread (GPU emulation).
void emitStagedBlockSerial(OpBuilder &b, Location loc, BlockTile t);

/// The buffer as one dimension (it is dense).
Value flatten(OpBuilder &b, Location loc, Value memref);
/// The product of C's dimensions [from, to) (the batch, then the rows), a
/// constant when they are static.
Value sizeOf(OpBuilder &b, Location loc, Value c, int64_t from, int64_t to);

/// The direct-load warp tile on the tensor cores (each lane loads its
/// fragment elements from global memory), and the same as scalar loops
/// (emulation: lane 0).
void emitWarpTileMma(OpBuilder &b, Location loc, const WarpTile &t, Value lane);
void emitWarpTileScalar(OpBuilder &b, Location loc, const WarpTile &t);

/// Split-K's second kernel: C = init + the sum of `slices` slices of
/// `partials` ([slices][rows][n], rows = batch x m), through the fused
/// epilogue, a thread an element of C (`cc`, flat).
void emitSplitKSum(OpBuilder &b, Location loc, const Contraction &c, Value cc,
                   Value partials, Value slices, Value rows,
                   ArrayRef<Value> rowSizes);

} // namespace mlir::enc::tensor_cores

#endif // ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREKERNELS_H
