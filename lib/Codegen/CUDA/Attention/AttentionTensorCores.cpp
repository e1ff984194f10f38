//===- AttentionTensorCores.cpp - attention on the tensor cores -----------===//
//
// enc-attention-to-gpu's kernel for precision tf32 or bf16, in
// FlashAttention-2's form. A block of 4 warps owns 64 queries of one
// (batch, head), a warp 16 of them with their Q fragments in registers.
// Per block of keys, all 128 threads stage K and V in shared memory,
// converted once; each warp computes its scores with mma.sync (K read with
// ldmatrix), applies scale, mask and causal cut in registers, runs the
// online softmax per row, rescales its output and adds P·V (V read with
// ldmatrix). Barriers separate staging from computing. Block sizes,
// layouts, TF32's transposed V and the emulation: docs/rationale/cuda.md,
// 'Tensor-core attention'.
//
//===----------------------------------------------------------------------===//

#include "AttentionKernels.h"
#include "GPUWarps.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Target/TargetInfo.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::attention;

namespace {

constexpr int64_t kQueryTile = 16; // rows of an mma.sync tile
constexpr int64_t kWarps = 4;
constexpr int64_t kBlockQueries = kQueryTile * kWarps;
constexpr int64_t kBlockThreads = kWarps * kWarpSize;
/// The lanes holding one accumulator row (lanes 4g .. 4g + 3).
constexpr int64_t kQuad = 4;

/// K or V as a flat buffer of unit stride, for 16-byte loads of four
/// consecutive elements of a row: the operands enter as views with dynamic
/// strides (bufferization.to_buffer), which vector.load does not take.
struct FlatOperand {
  Value flat, offset;         // memref<?xf32> over the base buffer; offset
  SmallVector<Value> strides; // of the 4-D view
};

/// How a block stages a key block of K and V.
struct Stages {
  MmaPrecision precision;
  int64_t keys;           // a key block: 64, or 32 / 16 for wide heads
  int64_t kRows, kStride; // K as [key][head element]
  int64_t vRows, vStride; // V as [key][value element], or transposed
  bool vTransposed;       // TF32: [value element][key]
  Value k, v;             // the stage buffers
  /// When true at run time (null: never), K and V are staged 4 elements at
  /// a time from these views.
  Value vectorized;
  FlatOperand kFlat, vFlat;

  int64_t bytes() const {
    int64_t element = precision == MmaPrecision::tf32 ? 4 : 2;
    return (kRows * kStride + vRows * vStride) * element;
  }
  MemRefType type(OpBuilder &b, int64_t rows, int64_t stride,
                  bool workgroup) const {
    // Emulation stages f32 (the CPU cannot convert to bf16 without a
    // library call; toMmaOperand rounds instead).
    Type element =
        workgroup ? stagedElementType(b, precision) : Type(b.getF32Type());
    Attribute space =
        workgroup ? gpu::AddressSpaceAttr::get(b.getContext(),
                                               gpu::AddressSpace::Workgroup)
                  : Attribute();
    return MemRefType::get({rows, stride}, element, MemRefLayoutAttrInterface(),
                           space);
  }
  MemRefType kType(OpBuilder &b, bool workgroup) const {
    return type(b, kRows, kStride, workgroup);
  }
  MemRefType vType(OpBuilder &b, bool workgroup) const {
    return type(b, vRows, vStride, workgroup);
  }
};

/// A key block of 64 keys, halved while keys x the wider head size passes
/// 4096 elements with bf16, 2048 with TF32 (whose Q fragments take twice
/// the registers): the scores' registers and the stages stay those of a
/// head of 64 (ptxas, sm_90: TF32 with 64 keys at a head of 64 spilled).
/// Row padding: 8 bf16 or 4 f32 (16 bytes), which makes a row of a head
/// size that is a multiple of 16 (8), or of 16 to 64 keys, an odd number of
/// 16-byte units long.
Stages stagesFor(int64_t headSize, int64_t valueSize, MmaPrecision precision) {
  Stages s;
  s.precision = precision;
  s.keys = 64;
  int64_t budget = precision == MmaPrecision::tf32 ? 2048 : 4096;
  while (s.keys > 16 && s.keys * std::max(headSize, valueSize) > budget)
    s.keys /= 2;
  int64_t pad = precision == MmaPrecision::tf32 ? 4 : 8;
  s.kRows = s.keys;
  s.kStride = headSize + pad;
  s.vTransposed = precision == MmaPrecision::tf32;
  s.vRows = s.vTransposed ? valueSize : s.keys;
  s.vStride = (s.vTransposed ? s.keys : valueSize) + pad;
  return s;
}

/// The keys a block's queries attend to: all, or with the causal cut those
/// up to its last query (earlier rows get -inf scores for the keys past
/// theirs, which the online softmax takes).
Value blockKeyBound(OpBuilder &b, Location loc, const Row &r,
                    Value blockQuery0) {
  if (!r.causal)
    return r.keys;
  return arith::MinUIOp::create(
      b, loc, r.keys,
      arith::AddIOp::create(b, loc, blockQuery0, idx(b, loc, kBlockQueries)));
}

/// Host side: the flat view of 4-D `buffer`, and whether every row's
/// groups of 4 elements are contiguous and 16-byte aligned (unit last
/// stride; offset and other strides multiples of 4; base 16-byte aligned,
/// which emulation's unaligned loads do not need).
std::pair<FlatOperand, Value> flatView(OpBuilder &b, Location loc, Value buffer,
                                       bool emulate) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  FlatOperand view;
  view.offset = meta.getOffset();
  view.strides.assign(meta.getStrides().begin(), meta.getStrides().end());
  // One past the last element: offset + sum of (size - 1) x stride (sizes
  // of 0 count as 1: no element is read then).
  Value one = idx(b, loc, 1);
  Value extent = arith::AddIOp::create(b, loc, view.offset, one);
  for (auto [size, stride] : llvm::zip(meta.getSizes(), meta.getStrides())) {
    Value last = arith::SubIOp::create(
        b, loc, arith::MaxUIOp::create(b, loc, size, one), one);
    extent = arith::AddIOp::create(b, loc, extent,
                                   arith::MulIOp::create(b, loc, last, stride));
  }
  view.flat = memref::ReinterpretCastOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getF32Type()),
      meta.getBaseBuffer(), OpFoldResult(b.getIndexAttr(0)),
      ArrayRef<OpFoldResult>{extent},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  // One creation per statement: C++ leaves argument order unspecified,
  // and the IR must not depend on the compiler that built this one.
  auto multipleOf = [&](Value v, int64_t n) -> Value {
    Value rest = arith::RemUIOp::create(b, loc, v, idx(b, loc, n));
    Value zero = idx(b, loc, 0);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rest, zero);
  };
  Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   view.strides[3], one);
  for (Value v :
       {view.offset, view.strides[0], view.strides[1], view.strides[2]})
    ok = arith::AndIOp::create(b, loc, ok, multipleOf(v, 4));
  if (!emulate)
    ok = arith::AndIOp::create(
        b, loc, ok,
        multipleOf(memref::ExtractAlignedPointerAsIndexOp::create(
                       b, loc, meta.getBaseBuffer()),
                   16));
  return {view, ok};
}

/// Loads a thread issues before its first store when staging: one a loop
/// iteration waits for each in turn; all of them at once (32 an operand)
/// spilled hundreds of bytes (ptxas, sm_90), 8 still spilled at head size
/// 64 in bf16; 4 spill nothing and cost a few registers.
constexpr int64_t kStagingBatch = 4;

/// The staging loop of one operand: `count` pieces a thread, piece thread
/// + 128 i, in batches of up to kStagingBatch `load`s issued before their
/// `store`s.
void stagingLoop(OpBuilder &b, Location loc, Value thread, int64_t count,
                 function_ref<Value(Value piece)> load,
                 function_ref<void(Value piece, Value loaded)> store) {
  int64_t batch = kStagingBatch;
  while (count % batch != 0)
    batch /= 2;
  Value start = idx(b, loc, 0);
  Value end = idx(b, loc, count * kBlockThreads);
  Value stride = idx(b, loc, batch * kBlockThreads);
  auto loop = scf::ForOp::create(b, loc, start, end, stride);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value first = arith::AddIOp::create(b, loc, thread, loop.getInductionVar());
  SmallVector<std::pair<Value, Value>> loaded;
  for (int64_t i = 0; i < batch; ++i) {
    Value piece =
        arith::AddIOp::create(b, loc, first, idx(b, loc, i * kBlockThreads));
    loaded.push_back({piece, load(piece)});
  }
  for (auto [piece, value] : loaded)
    store(piece, value);
}

/// Thread `thread`'s share of staging the key block at `key0`: K (keys x
/// head) and V (keys x value), consecutive threads reading consecutive
/// elements of a row, each element read once, converted to the operand
/// precision and stored; kStagingBatch loads in flight at a time. When
/// s.vectorized (flatView's condition) in 16-byte loads of 4 elements from
/// the flat views, stored 4 at a time unless transposed; else element by
/// element. Keys past the end read the last key (their
/// scores are cut).
void stageKeyBlock(OpBuilder &b, Location loc, const Row &r, const Stages &s,
                   Value thread, Value key0, bool emulate) {
  auto keyOf = [&](Value key) {
    return clampIndex(b, loc, arith::AddIOp::create(b, loc, key0, key), r.keys);
  };
  auto convert = [&](Value element) {
    return toMmaOperand(b, loc, element, s.precision, emulate);
  };
  // Element by element: piece = key x width + e.
  auto elementwise = [&](Value source, int64_t width, Value target,
                         bool transposed) {
    Value w = idx(b, loc, width);
    stagingLoop(
        b, loc, thread, s.keys * width / kBlockThreads,
        [&](Value piece) {
          Value key = keyOf(arith::DivUIOp::create(b, loc, piece, w));
          Value element = arith::RemUIOp::create(b, loc, piece, w);
          return load4(b, loc, source, r, key, element);
        },
        [&](Value piece, Value element) {
          Value key = arith::DivUIOp::create(b, loc, piece, w);
          Value e = arith::RemUIOp::create(b, loc, piece, w);
          memref::StoreOp::create(b, loc, convert(element), target,
                                  transposed ? ValueRange{e, key}
                                             : ValueRange{key, e});
        });
  };
  // Four at a time: piece = key x width / 4 + e / 4.
  auto quadwise = [&](const FlatOperand &view, int64_t width, Value target,
                      bool transposed) {
    Value quads = idx(b, loc, width / 4);
    auto f32x4 = VectorType::get({4}, b.getF32Type());
    Type element = cast<MemRefType>(target.getType()).getElementType();
    llvm::MaybeAlign loadAlign =
        emulate ? llvm::MaybeAlign() : llvm::MaybeAlign(16);
    llvm::MaybeAlign storeAlign =
        emulate ? llvm::MaybeAlign()
                : llvm::MaybeAlign(element.getIntOrFloatBitWidth() / 2);
    auto keyAndElement = [&](Value piece) -> std::pair<Value, Value> {
      Value key = arith::DivUIOp::create(b, loc, piece, quads);
      Value quad = arith::RemUIOp::create(b, loc, piece, quads);
      Value four = idx(b, loc, 4);
      return {key, arith::MulIOp::create(b, loc, quad, four)};
    };
    stagingLoop(
        b, loc, thread, s.keys * width / 4 / kBlockThreads,
        [&](Value piece) -> Value {
          auto [key, e] = keyAndElement(piece);
          Value at = view.offset;
          for (auto [i, stride] : llvm::enumerate(view.strides)) {
            Value index = i == 0   ? r.batch
                          : i == 1 ? r.head
                          : i == 2 ? keyOf(key)
                                   : e;
            at = arith::AddIOp::create(
                b, loc, at, arith::MulIOp::create(b, loc, index, stride));
          }
          return vector::LoadOp::create(b, loc, f32x4, view.flat,
                                        ValueRange{at}, false, loadAlign);
        },
        [&](Value piece, Value four) {
          auto [key, e] = keyAndElement(piece);
          SmallVector<Value> elements;
          for (int64_t j = 0; j < 4; ++j)
            elements.push_back(convert(
                vector::ExtractOp::create(b, loc, four, ArrayRef<int64_t>{j})));
          if (!transposed) {
            vector::StoreOp::create(
                b, loc,
                vector::FromElementsOp::create(
                    b, loc, VectorType::get({4}, element), elements),
                target, ValueRange{key, e}, false, storeAlign);
            return;
          }
          for (auto [j, converted] : llvm::enumerate(elements))
            memref::StoreOp::create(
                b, loc, converted, target,
                ValueRange{
                    arith::AddIOp::create(b, loc, e, idx(b, loc, int64_t(j))),
                    key});
        });
  };
  auto both = [&](bool quads) {
    if (quads) {
      quadwise(s.kFlat, r.headSize, s.k, false);
      quadwise(s.vFlat, r.valueSize, s.v, s.vTransposed);
    } else {
      elementwise(r.k, r.headSize, s.k, false);
      elementwise(r.v, r.valueSize, s.v, s.vTransposed);
    }
  };
  if (!s.vectorized) {
    both(false);
    return;
  }
  auto choice =
      scf::IfOp::create(b, loc, s.vectorized, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(choice.thenBlock());
  both(true);
  b.setInsertionPointToStart(choice.elseBlock());
  both(false);
}

/// P as the A operand of P·V for the keys of mma step `chunk` of the key
/// block (p: the scores' weights, tile-major, layout.c order in a tile).
/// With bf16 the two tiles' accumulator layout is A's; with TF32 (k = 8)
/// each element is another lane's of the quad (tf32OperandSource),
/// fetched with index shuffles.
Value pOperand(OpBuilder &b, Location loc, MmaPrecision precision,
               const MmaLayout &layout, Value lane, ArrayRef<Value> p,
               int64_t chunk) {
  SmallVector<Value> elements;
  if (precision == MmaPrecision::bf16) {
    for (Value v : p.slice(8 * chunk, 8))
      elements.push_back(toMmaOperand(b, loc, v, precision, false));
    return mmaOperandA(b, loc, precision, elements);
  }
  ArrayRef<Value> tile = p.slice(4 * chunk, 4);
  for (int64_t i = 0; i < 4; ++i) {
    AccumulatorSource from = tf32OperandSource(b, loc, lane, layout, i);
    int64_t h = from.rowHalf;
    Value odd = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      from.parity, idx(b, loc, 1));
    Value source =
        arith::IndexCastOp::create(b, loc, b.getI32Type(), from.lane);
    auto fetch = [&](Value v) -> Value {
      return gpu::ShuffleOp::create(b, loc, v, source,
                                    arith::ConstantIntOp::create(
                                        b, loc, b.getI32Type(), kWarpSize),
                                    gpu::ShuffleMode::IDX)
          .getShuffleResult();
    };
    Value even = fetch(tile[2 * h]), oddValue = fetch(tile[2 * h + 1]);
    elements.push_back(toMmaOperand(
        b, loc, arith::SelectOp::create(b, loc, odd, oddValue, even), precision,
        false));
  }
  return mmaOperandA(b, loc, precision, elements);
}

/// The warp's queries query0 .. query0 + 15, by every thread of the block
/// (the file's header describes the steps). Warps past the queries take
/// part in staging and barriers but store nothing.
void emitBlockMma(OpBuilder &b, Location loc, const Row &r, const Stages &s,
                  Value blockQuery0, Value thread) {
  MmaPrecision precision = s.precision;
  Value warp = arith::DivUIOp::create(b, loc, thread, idx(b, loc, kWarpSize));
  Value lane = arith::RemUIOp::create(b, loc, thread, idx(b, loc, kWarpSize));
  Value query0 = arith::AddIOp::create(
      b, loc, blockQuery0,
      arith::MulIOp::create(b, loc, warp, idx(b, loc, kQueryTile)));
  MmaLayout layout = mmaLayout(b, loc, lane, precision);
  Coordinate aLane = ldmatrixLaneA(b, loc, lane, precision);
  Coordinate bLane = ldmatrixLaneB(b, loc, lane, precision);
  int64_t stepK = mmaStepK(precision);
  auto plus = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto plusConst = [&](Value x, int64_t y) { return plus(x, idx(b, loc, y)); };
  Value negInf = f32(b, loc, -std::numeric_limits<double>::infinity());
  Value zero = f32(b, loc, 0.0);
  Value zeroAcc = accumulatorFrom(b, loc, {zero, zero, zero, zero});
  // Q's fragments, one per step of the head dimension, for the whole loop.
  SmallVector<Value> qFragments;
  for (int64_t d = 0; d < r.headSize; d += stepK) {
    SmallVector<Value> elements;
    for (Coordinate e : layout.a) {
      Value query = clampIndex(b, loc, plus(query0, e.row), r.queries);
      Value element = plusConst(e.col, d);
      elements.push_back(toMmaOperand(b, loc,
                                      load4(b, loc, r.q, r, query, element),
                                      precision, /*emulate=*/false));
    }
    qFragments.push_back(mmaOperandA(b, loc, precision, elements));
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
  init.append(outTiles, zeroAcc);
  Value firstKey = idx(b, loc, 0);
  Value keyBound = blockKeyBound(b, loc, r, blockQuery0);
  Value keyStep = idx(b, loc, s.keys);
  auto loop = scf::ForOp::create(b, loc, firstKey, keyBound, keyStep, init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value key0 = loop.getInductionVar();
    ValueRange state = loop.getRegionIterArgs();
    stageKeyBlock(b, loc, r, s, thread, key0, /*emulate=*/false);
    WorkgroupBarrierOp::create(b, loc);
    // Scores: keys / 8 accumulator tiles of 16 x 8, 4 values a lane,
    // tile-major; K's operands for a pair of tiles and a step of the head
    // from one ldmatrix (Kᵀ is B, K its rows).
    SmallVector<Value> scores;
    for (int64_t pair = 0; pair < s.keys / 16; ++pair) {
      Value acc[2] = {zeroAcc, zeroAcc};
      for (int64_t d = 0; d < r.headSize; d += stepK) {
        Value kRow = plusConst(bLane.row, 16 * pair);
        Value kCol = plusConst(bLane.col, d);
        auto [first, second] = splitBPair(
            b, loc, loadMatrixX4(b, loc, s.k, kRow, kCol, precision));
        acc[0] = mmaSyncRegisters(b, loc, precision, qFragments[d / stepK],
                                  first, acc[0]);
        acc[1] = mmaSyncRegisters(b, loc, precision, qFragments[d / stepK],
                                  second, acc[1]);
      }
      for (int64_t t = 0; t < 2; ++t) {
        Value keyBase = plusConst(key0, 16 * pair + 8 * t);
        SmallVector<Value> dots = accumulatorElements(b, loc, acc[t]);
        for (int64_t e = 0; e < 4; ++e)
          scores.push_back(blockScore(b, loc, r, dots[e], clampedRows[e / 2],
                                      plus(keyBase, layout.c[e].col)));
      }
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
      Value one = f32(b, loc, 1.0);
      Value shift = arith::SubFOp::create(b, loc, state[h], max);
      Value rescale = math::ExpOp::create(b, loc, shift);
      factors[h] = arith::SelectOp::create(b, loc, empty, one, rescale);
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
    SmallVector<Value> out;
    for (int64_t j = 0; j < outTiles; ++j) {
      SmallVector<Value> o = accumulatorElements(b, loc, state[4 + j]);
      for (int64_t e = 0; e < 4; ++e)
        o[e] = arith::MulFOp::create(b, loc, o[e], factors[e / 2]);
      out.push_back(accumulatorFrom(b, loc, o));
    }
    // O += P·V a step of keys at a time; V's operands for two n-tiles from
    // one ldmatrix: V transposed with bf16 (V is B, its rows the keys), or
    // the staged Vᵀ read like K with TF32.
    for (int64_t chunk = 0; chunk < s.keys / stepK; ++chunk) {
      Value pA = pOperand(b, loc, precision, layout, lane, p, chunk);
      for (int64_t j = 0; j < outTiles; j += 2) {
        Value pair;
        if (s.vTransposed) {
          Value vRow = plusConst(bLane.row, 8 * j);
          Value vCol = plusConst(bLane.col, stepK * chunk);
          pair = loadMatrixX4(b, loc, s.v, vRow, vCol, precision);
        } else {
          Value vRow = plusConst(aLane.row, stepK * chunk);
          Value vCol = plusConst(aLane.col, 8 * j);
          pair = loadMatrixX4(b, loc, s.v, vRow, vCol, precision,
                              /*transpose=*/true);
        }
        auto [first, second] = splitBPair(b, loc, pair);
        out[j] = mmaSyncRegisters(b, loc, precision, pA, first, out[j]);
        out[j + 1] =
            mmaSyncRegisters(b, loc, precision, pA, second, out[j + 1]);
      }
    }
    next.append(out);
    WorkgroupBarrierOp::create(b, loc);
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
      for (int64_t e = 2 * h; e < 2 * h + 2; ++e) {
        Value normalized = arith::DivFOp::create(b, loc, o[e], sums[h]);
        Value column = plusConst(layout.c[e].col, 8 * j);
        memref::StoreOp::create(b, loc, normalized, r.out,
                                ValueRange{r.batch, r.head, rows[h], column});
      }
    }
  }
}

/// The same block on thread 0 (GPU emulation): per key block, every
/// thread's staging, then each query's block of scores from the stages,
/// online softmax by block, output sums in the output buffer; the running
/// maximum and sum of each query in `softmax` ([64][2]) across blocks.
void emitBlockSerial(OpBuilder &b, Location loc, Row r, const Stages &s,
                     Value blockQuery0, Value softmax) {
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  Value zero = f32(b, loc, 0.0);
  Value negInf = f32(b, loc, -std::numeric_limits<double>::infinity());
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
  auto upTo = [&](int64_t n, function_ref<void(Value)> body) {
    forEach(c0, idx(b, loc, n), {}, [&](Value i, ValueRange) {
      body(i);
      return SmallVector<Value>{};
    });
  };
  // Each query of the block that is inside q_len, as r.query.
  auto forEachQuery = [&](function_ref<void(Value)> body) {
    upTo(kBlockQueries, [&](Value i) {
      r.query = arith::AddIOp::create(b, loc, blockQuery0, i);
      auto inside = scf::IfOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, r.query,
                                r.queries),
          /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(inside.thenBlock());
      body(i);
    });
  };
  auto outAt = [&](Value e) {
    return SmallVector<Value>{r.batch, r.head, r.query, e};
  };
  auto scaleOut = [&](Value factor) {
    upTo(r.valueSize, [&](Value e) {
      Value old = memref::LoadOp::create(b, loc, r.out, outAt(e));
      memref::StoreOp::create(
          b, loc, arith::MulFOp::create(b, loc, old, factor), r.out, outAt(e));
    });
  };
  forEachQuery([&](Value i) {
    memref::StoreOp::create(b, loc, negInf, softmax, ValueRange{i, c0});
    memref::StoreOp::create(b, loc, zero, softmax, ValueRange{i, c1});
    upTo(r.valueSize, [&](Value e) {
      memref::StoreOp::create(b, loc, zero, r.out, outAt(e));
    });
  });
  Value keyBound = blockKeyBound(b, loc, r, blockQuery0);
  Value keyStep = idx(b, loc, s.keys);
  auto blocks = scf::ForOp::create(b, loc, c0, keyBound, keyStep);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(blocks.getBody());
    Value key0 = blocks.getInductionVar();
    upTo(kBlockThreads, [&](Value thread) {
      stageKeyBlock(b, loc, r, s, thread, key0, /*emulate=*/true);
    });
    forEachQuery([&](Value i) {
      // The score of the block's key j, from the staged K.
      auto score = [&](Value j) {
        auto dot = forEach(
            c0, idx(b, loc, r.headSize), {zero}, [&](Value d, ValueRange acc) {
              Value q = toMmaOperand(b, loc, load4(b, loc, r.q, r, r.query, d),
                                     s.precision, /*emulate=*/true);
              Value k = memref::LoadOp::create(b, loc, s.k, ValueRange{j, d});
              return SmallVector<Value>{arith::AddFOp::create(
                  b, loc, acc[0], arith::MulFOp::create(b, loc, q, k))};
            });
        return blockScore(b, loc, r, dot.getResult(0), r.query,
                          arith::AddIOp::create(b, loc, key0, j));
      };
      Value keys = idx(b, loc, s.keys);
      auto blockMax = forEach(c0, keys, {negInf}, [&](Value j, ValueRange m) {
        return SmallVector<Value>{
            arith::MaximumFOp::create(b, loc, m[0], score(j))};
      });
      Value oldMax = memref::LoadOp::create(b, loc, softmax, ValueRange{i, c0});
      Value max =
          arith::MaximumFOp::create(b, loc, oldMax, blockMax.getResult(0));
      Value empty =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, max, negInf);
      Value one = f32(b, loc, 1.0);
      Value shift = arith::SubFOp::create(b, loc, oldMax, max);
      Value rescale = math::ExpOp::create(b, loc, shift);
      Value factor = arith::SelectOp::create(b, loc, empty, one, rescale);
      scaleOut(factor);
      Value oldSum = memref::LoadOp::create(b, loc, softmax, ValueRange{i, c1});
      auto sum = forEach(
          c0, keys, {arith::MulFOp::create(b, loc, oldSum, factor)},
          [&](Value j, ValueRange acc) {
            Value p = arith::SelectOp::create(
                b, loc, empty, zero,
                math::ExpOp::create(
                    b, loc, arith::SubFOp::create(b, loc, score(j), max)));
            Value pRounded = toMmaOperand(b, loc, p, s.precision, true);
            upTo(r.valueSize, [&](Value e) {
              Value v = memref::LoadOp::create(
                  b, loc, s.v,
                  s.vTransposed ? ValueRange{e, j} : ValueRange{j, e});
              Value old = memref::LoadOp::create(b, loc, r.out, outAt(e));
              memref::StoreOp::create(
                  b, loc,
                  arith::AddFOp::create(
                      b, loc, old, arith::MulFOp::create(b, loc, pRounded, v)),
                  r.out, outAt(e));
            });
            return SmallVector<Value>{arith::AddFOp::create(b, loc, acc[0], p)};
          });
      memref::StoreOp::create(b, loc, max, softmax, ValueRange{i, c0});
      memref::StoreOp::create(b, loc, sum.getResult(0), softmax,
                              ValueRange{i, c1});
    });
  }
  forEachQuery([&](Value i) {
    Value sum = memref::LoadOp::create(b, loc, softmax, ValueRange{i, c1});
    upTo(r.valueSize, [&](Value e) {
      Value acc = memref::LoadOp::create(b, loc, r.out, outAt(e));
      memref::StoreOp::create(b, loc, arith::DivFOp::create(b, loc, acc, sum),
                              r.out, outAt(e));
    });
  });
}

} // namespace

bool mlir::enc::attention::fitsTensorCores(int64_t headSize, int64_t valueSize,
                                           MmaPrecision precision) {
  return headSize % mmaStepK(precision) == 0 && valueSize % 16 == 0 &&
         stagesFor(headSize, valueSize, precision).bytes() <=
             CUDATargetInfo::staticSharedMemoryBytes;
}

void mlir::enc::attention::emitTensorCoreAttention(OpBuilder &b, Location loc,
                                                   Row r, ArrayRef<Value> sizes,
                                                   MmaPrecision precision,
                                                   bool emulate) {
  Stages s = stagesFor(r.headSize, r.valueSize, precision);
  Value zero = idx(b, loc, 0), one = idx(b, loc, 1);
  // 16-byte staging loads when each thread's share is whole groups of 4
  // (keys x size a multiple of 4 x 128) and the views allow them.
  if ((s.keys * r.headSize) % (4 * kBlockThreads) == 0 &&
      (s.keys * r.valueSize) % (4 * kBlockThreads) == 0) {
    auto [kFlat, kOk] = flatView(b, loc, r.k, emulate);
    auto [vFlat, vOk] = flatView(b, loc, r.v, emulate);
    s.kFlat = kFlat;
    s.vFlat = vFlat;
    s.vectorized = arith::AndIOp::create(b, loc, kOk, vOk);
  }
  // A grid of zero blocks is an error to CUDA.
  Value any = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::sgt,
      arith::MulIOp::create(
          b, loc, arith::MulIOp::create(b, loc, sizes[0], sizes[1]), sizes[2]),
      zero);
  auto nonEmpty = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(nonEmpty.thenBlock());
  SmallVector<memref::GlobalOp> stages;
  SmallVector<Value> hostStages;
  if (!emulate) {
    // Workgroup memory as globals of that address space rather than launch
    // attributions: the kernel is written before bufferization, whose
    // deallocation would take the attributions (memref block arguments of
    // the launch) for buffers to track.
    // One global per stage shape, shared by every attention kernel with
    // it (a kernel's workgroup memory is its own block's, whatever the
    // name), so that kernels of one shape stay identical.
    auto module = nonEmpty->getParentOfType<ModuleOp>();
    for (auto [role, type] :
         {std::pair{"k", s.kType(b, true)}, std::pair{"v", s.vType(b, true)}}) {
      std::string name = std::string("__enc_attention_") + role + "_";
      llvm::raw_string_ostream os(name);
      for (int64_t size : type.getShape())
        os << size << "x";
      os << type.getElementType();
      auto global = module.lookupSymbol<memref::GlobalOp>(name);
      if (!global) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(module.getBody());
        global = memref::GlobalOp::create(
            b, loc, name, b.getStringAttr("private"), type, Attribute(),
            /*constant=*/false, b.getI64IntegerAttr(16));
      }
      stages.push_back(global);
    }
  } else {
    // Emulation's stages and softmax state: host buffers beside the
    // output, used by one block after another. (Inside the launch they
    // would be allocated per block: heap frees are not allowed before the
    // deallocation pipeline, and stack allocations would pile up in the
    // loops the launch becomes.)
    hostStages = {
        memref::AllocOp::create(b, loc, s.kType(b, /*workgroup=*/false)),
        memref::AllocOp::create(b, loc, s.vType(b, /*workgroup=*/false)),
        memref::AllocOp::create(
            b, loc, MemRefType::get({kBlockQueries, 2}, b.getF32Type()))};
  }
  Value queryBlocks =
      arith::CeilDivUIOp::create(b, loc, sizes[2], idx(b, loc, kBlockQueries));
  Value threads = idx(b, loc, kBlockThreads);
  auto launch = gpu::LaunchOp::create(b, loc, queryBlocks, sizes[1], sizes[0],
                                      threads, one, one,
                                      /*dynamicSharedMemorySize=*/nullptr);
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::KernelDim3 block = launch.getBlockIds();
  Value thread = launch.getThreadIds().x;
  r.batch = block.z;
  r.head = block.y;
  Value blockQuery0 =
      arith::MulIOp::create(b, loc, block.x, idx(b, loc, kBlockQueries));
  if (!emulate) {
    s.k = memref::GetGlobalOp::create(b, loc, stages[0].getType(),
                                      stages[0].getSymName());
    s.v = memref::GetGlobalOp::create(b, loc, stages[1].getType(),
                                      stages[1].getSymName());
    emitBlockMma(b, loc, r, s, blockQuery0, thread);
    gpu::TerminatorOp::create(b, loc);
    return;
  }
  auto first = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, thread, zero),
      /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(first.thenBlock());
  s.k = hostStages[0];
  s.v = hostStages[1];
  emitBlockSerial(b, loc, r, s, blockQuery0, hostStages[2]);
}
