//===- FlashAttention.cpp - enc.attention as tiled online softmax --------===//
//
// FlashAttention-2 on tensors. An scf.forall runs over (batch, head, block
// of query rows); for each, an scf.for over blocks of keys carries the
// running row maximum m, the running sum l and the unnormalised output O:
//
//   S  = Q_blk K_blkᵀ · scale (+ bias, + mask, causal cut)
//   m' = max(m, rowmax S);  α = exp(m - m');  P = exp(S - m')
//   l' = l α + rowsum P;    O' = O α + P V_blk
//
// and O / l is the block's result: memory linear in the sequence. S and
// P V are register-blocked vector kernels (keys packed once per call into
// panels), the softmax steps small generics. Masking, the causal cut,
// padding rows and f16/bf16: docs/rationale/cpu-kernels.md, 'Flash attention'.
// A bias computed from its indices alone (relative position terms) is
// computed in the score tile instead of read from a seq x seq buffer.
//
//===----------------------------------------------------------------------===//

#include "CPUKernels.h"
#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

// Query rows and keys per block come from the target's CPUKernelParams
// (the model: keys whose packed panel fits the L1, lib/Target/CPUTuning.cpp;
// or a tuning record). bench/results/attention-memory.md measured 64 x 64
// to 64 x 512 and 128 x 128 within 5% on a 1 MiB-L2 Zen 4.
/// Register block of the score kernel: rows x vectors of keys (4 x 4 of the
/// 32 AVX-512 registers; 4 x 2 of 16). The output kernel accumulates in half
/// the register file.
constexpr int64_t ScoreRows = 4;

Value index(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// `x` (a scalar or vector) converted to float type `type`, or its vector.
Value promote(OpBuilder &b, Location loc, Value x, Type type) {
  Type from = getElementTypeOrSelf(x.getType());
  if (from == type)
    return x;
  Type target = type;
  if (auto vector = dyn_cast<VectorType>(x.getType()))
    target = VectorType::get(vector.getShape(), type);
  if (from.getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, target, x);
  return arith::TruncFOp::create(b, loc, target, x);
}

/// A rank-2 slice [sizes[2], sizes[3]] of a rank-4 tensor at `offsets`.
Value slice2d(OpBuilder &b, Location loc, Value source,
              ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  RankedTensorType type =
      tensor::ExtractSliceOp::inferCanonicalRankReducedResultType(
          2, cast<RankedTensorType>(source.getType()), sizes);
  return tensor::ExtractSliceOp::create(b, loc, type, source, offsets, sizes,
                                        strides);
}

/// `size` rounded up to a multiple of `multiple` (at least one).
int64_t roundUp(int64_t size, int64_t multiple) {
  return std::max<int64_t>(1, (size + multiple - 1) / multiple) * multiple;
}

/// base + offset, without an add for offset 0.
Value offsetBy(OpBuilder &b, Location loc, Value base, int64_t offset) {
  if (offset == 0)
    return base;
  return arith::AddIOp::create(b, loc, base, index(b, loc, offset));
}

/// Rows r0 .. r0 + count - 1, each clamped to `lastRow`.
SmallVector<Value> clampedRows(OpBuilder &b, Location loc, Value r0,
                               int64_t count, Value lastRow) {
  SmallVector<Value> rows;
  for (int64_t r = 0; r < count; ++r)
    rows.push_back(
        arith::MinUIOp::create(b, loc, offsetBy(b, loc, r0, r), lastRow));
  return rows;
}

/// What every block of one attention op shares.
struct Attention {
  explicit Attention(Location loc) : loc(loc) {}

  Location loc;
  Type acc;              // accumulation type
  VectorType vectorType; // one register of `acc`
  int64_t lanes = 0;
  int64_t scoreVectors = 0, outputAccumulators = 0;
  int64_t queryBlock = 0, keyBlock = 0;
  Value q, packedKeys, v;
  /// An operand added to the scores (the bias) or keeping them (the mask),
  /// broadcasting to [batch, heads, q_len, kv_len].
  struct ScoreOperand {
    Value value;
    SmallVector<bool> broadcast; // dimensions read at index 0
    explicit operator bool() const { return bool(value); }
  };
  ScoreOperand bias, mask;
  /// The bias's producer when its elements are computed from their indices
  /// alone (fusableScoreTerm): cloned into the scores' pass instead of read
  /// from a [batch, heads, q_len, kv_len] buffer.
  linalg::GenericOp biasTerm;
  bool causal = false;
  /// q, k, v and the result are [batch, seq, heads, dim]
  /// (enc.attention's sequence_major), else [batch, heads, seq, dim].
  bool sequenceMajor = false;

  /// The index or size of (batch, head, seq, dim) in the operands' layout.
  template <typename T> SmallVector<T> at(T batch, T head, T seq, T dim) const {
    if (sequenceMajor)
      return {batch, seq, head, dim};
    return {batch, head, seq, dim};
  }
  Value zero, negInf, maskedOut, scale; // scalars of `acc`
};

/// The generic that computes `bias` when the attention kernel can compute
/// each element itself: no inputs, four parallel loops writing the bias in
/// order, a body of side-effect-free ops without regions that does not read
/// its output, and no other user. Disentangled and relative attention's
/// position terms (tensor.extract from the [seq, positions] score tables by
/// a relative index) have this form; fused, no seq x seq buffer exists. A
/// bias that broadcasts (Swin's windows, one for every batch element) is
/// computed once and read: fused, each element would be computed again for
/// every score it meets.
linalg::GenericOp fusableScoreTerm(Value bias, ArrayRef<bool> broadcast) {
  auto producer = bias ? bias.getDefiningOp<linalg::GenericOp>() : nullptr;
  if (!producer || llvm::is_contained(broadcast, true) ||
      producer.getNumDpsInputs() != 0 || producer->getNumResults() != 1 ||
      !bias.hasOneUse() || producer.getNumLoops() != 4 ||
      producer.getNumParallelLoops() != producer.getNumLoops() ||
      !producer.getIndexingMapsArray()[0].isIdentity())
    return nullptr;
  Block *body = producer.getBody();
  if (!body->getArgument(0).use_empty())
    return nullptr;
  for (Operation &inner : body->without_terminator())
    if (inner.getNumRegions() != 0 || !isMemoryEffectFree(&inner))
      return nullptr;
  return producer;
}

/// The fused bias term's body cloned at `b`, its linalg.index ops replaced
/// by `indices` (batch, head, query, key): the bias element there.
Value cloneScoreTerm(OpBuilder &b, linalg::GenericOp term,
                     ArrayRef<Value> indices) {
  IRMapping mapping;
  Block *body = term.getBody();
  for (Operation &inner : body->without_terminator()) {
    if (auto loopIndex = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(loopIndex.getResult(), indices[loopIndex.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  return mapping.lookupOrDefault(body->getTerminator()->getOperand(0));
}

/// keys[b, h, kb, d, j] = k[b, h, kb · keyBlock + j, d], zero past the end:
/// K padded to whole blocks, viewed as [b, h, blocks, keyBlock, d] (or
/// [b, blocks, keyBlock, h, d] when sequence-major), and transposed. A plain
/// transpose (no per-element bounds check) lowers to a loop nest LLVM
/// vectorizes; the bounds-checked gather it replaces took a millisecond per
/// BERT-base layer.
Value packKeys(OpBuilder &b, Location loc, Value k, int64_t keyBlock,
               bool sequenceMajor) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> kSizes = sizesOf(b, loc, k);
  int64_t seqDim = sequenceMajor ? 1 : 2, headsDim = sequenceMajor ? 2 : 1;
  AffineExpr d0;
  bindDims(ctx, d0);
  OpFoldResult blocks = affine::makeComposedFoldedAffineApply(
      b, loc, d0.ceilDiv(keyBlock), {kSizes[seqDim]});
  OpFoldResult padding = affine::makeComposedFoldedAffineApply(
      b, loc, d0.ceilDiv(keyBlock) * keyBlock - d0, {kSizes[seqDim]});
  Type elementType = cast<RankedTensorType>(k.getType()).getElementType();
  Value padded = k;
  if (!isConstantIntValue(padding, 0)) {
    OpFoldResult none = b.getIndexAttr(0);
    SmallVector<OpFoldResult> high(4, none);
    high[seqDim] = padding;
    padded = tensor::PadOp::create(b, loc, /*resultType=*/Type(), k,
                                   {none, none, none, none}, high,
                                   floatConstant(b, loc, elementType, 0.0));
  }
  OpFoldResult block = b.getIndexAttr(keyBlock);
  SmallVector<OpFoldResult> blockedSizes =
      sequenceMajor ? SmallVector<OpFoldResult>{kSizes[0], blocks, block,
                                                kSizes[2], kSizes[3]}
                    : SmallVector<OpFoldResult>{kSizes[0], kSizes[1], blocks,
                                                block, kSizes[3]};
  SmallVector<ReassociationIndices> reassociation =
      sequenceMajor ? SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}}
                    : SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4}};
  Value blocked = tensor::ExpandShapeOp::create(
      b, loc, tensorTypeOf(blockedSizes, elementType), padded, reassociation,
      blockedSizes);
  Value init = emptyTensor(
      b, loc, {kSizes[0], kSizes[headsDim], blocks, kSizes[3], block},
      elementType);
  SmallVector<int64_t> permutation = sequenceMajor
                                         ? SmallVector<int64_t>{0, 3, 1, 4, 2}
                                         : SmallVector<int64_t>{0, 1, 2, 4, 3};
  return linalg::TransposeOp::create(b, loc, blocked, init, permutation)
      .getResult()[0];
}

/// S[r, j] = scale · Σ_d q[batch, head, q0 + r, d] · keys[b, h, kb, d, j]
/// for the tile's rows r < rows and columns j < columns (rounded up to the
/// column group): a static [queryBlock, keyBlock] tensor, undefined
/// elsewhere.
Value buildScores(OpBuilder &b, const Attention &a, Value batch, Value head,
                  Value q0, Value rows, Value columns, Value kb,
                  Value headDim) {
  Location loc = a.loc;
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value lastRow = arith::SubIOp::create(b, loc, rows, c1);
  int64_t vectors = std::min(a.scoreVectors, a.keyBlock / a.lanes);
  int64_t groupWidth = vectors * a.lanes;
  Value tile = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{a.queryBlock, a.keyBlock}, a.acc);
  Value padding = floatConstant(
      b, loc, cast<RankedTensorType>(a.packedKeys.getType()).getElementType(),
      0.0);
  Value zeroVector = floatConstant(b, loc, a.vectorType, 0.0);
  auto vectorOf = [&](Value source) {
    return VectorType::get(
        {a.lanes}, cast<RankedTensorType>(source.getType()).getElementType());
  };

  auto rowLoop = scf::ForOp::create(
      b, loc, c0, rows, index(b, loc, ScoreRows), ValueRange{tile},
      [&](OpBuilder &rb, Location rl, Value r0, ValueRange rowArgs) {
        SmallVector<Value> rowIndex =
            clampedRows(rb, rl, r0, ScoreRows, lastRow);
        SmallVector<Value> queryRow;
        for (Value r : rowIndex)
          queryRow.push_back(arith::AddIOp::create(rb, rl, q0, r));
        auto columnLoop = scf::ForOp::create(
            rb, rl, c0, columns, index(rb, rl, groupWidth),
            ValueRange{rowArgs[0]},
            [&](OpBuilder &cb, Location cl, Value j0, ValueRange colArgs) {
              SmallVector<Value> column;
              for (int64_t c = 0; c < vectors; ++c)
                column.push_back(offsetBy(cb, cl, j0, c * a.lanes));
              SmallVector<Value> initial(ScoreRows * vectors, zeroVector);
              auto reduction = scf::ForOp::create(
                  cb, cl, c0, headDim, c1, initial,
                  [&](OpBuilder &kb2, Location kl, Value d,
                      ValueRange accumulators) {
                    SmallVector<Value> keys;
                    for (int64_t c = 0; c < vectors; ++c)
                      keys.push_back(promote(
                          kb2, kl,
                          vector::TransferReadOp::create(
                              kb2, kl, vectorOf(a.packedKeys), a.packedKeys,
                              ValueRange{batch, head, kb, d, column[c]},
                              padding, ArrayRef<bool>{true}),
                          a.acc));
                    SmallVector<Value> next;
                    for (int64_t r = 0; r < ScoreRows; ++r) {
                      Value x = promote(
                          kb2, kl,
                          tensor::ExtractOp::create(
                              kb2, kl, a.q, a.at(batch, head, queryRow[r], d)),
                          a.acc);
                      Value broadcast =
                          vector::BroadcastOp::create(kb2, kl, a.vectorType, x);
                      for (int64_t c = 0; c < vectors; ++c)
                        next.push_back(vector::FMAOp::create(
                            kb2, kl, broadcast, keys[c],
                            accumulators[r * vectors + c]));
                    }
                    scf::YieldOp::create(kb2, kl, next);
                  });
              Value result = colArgs[0];
              Value scale =
                  vector::BroadcastOp::create(cb, cl, a.vectorType, a.scale);
              for (int64_t r = 0; r < ScoreRows; ++r)
                for (int64_t c = 0; c < vectors; ++c)
                  result = vector::TransferWriteOp::create(
                               cb, cl,
                               arith::MulFOp::create(
                                   cb, cl, reduction.getResult(r * vectors + c),
                                   scale),
                               result, ValueRange{rowIndex[r], column[c]},
                               ArrayRef<bool>{true})
                               .getResult();
              scf::YieldOp::create(cb, cl, result);
            });
        scf::YieldOp::create(rb, rl, columnLoop.getResults());
      });
  return rowLoop.getResult(0);
}

/// O'[r, :] = O[r, :] · α[r] + Σ_{j < keys} P[r, j] · v[batch, head, k0 + j, :]
/// with v_dim (static, a multiple of the vector width) in registers.
Value buildOutputUpdate(OpBuilder &b, const Attention &a, Value probs,
                        Value alpha, Value out, Value batch, Value head,
                        Value k0, Value rows, Value keys, int64_t valueDim) {
  Location loc = a.loc;
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value lastRow = arith::SubIOp::create(b, loc, rows, c1);
  int64_t vectors = valueDim / a.lanes;
  int64_t blockRows = std::clamp<int64_t>(a.outputAccumulators / vectors, 1, 8);
  Type valueElement = cast<RankedTensorType>(a.v.getType()).getElementType();
  Value valuePadding = floatConstant(b, loc, valueElement, 0.0);
  Value accPadding = floatConstant(b, loc, a.acc, 0.0);
  auto valueVector = VectorType::get({a.lanes}, valueElement);

  auto rowLoop = scf::ForOp::create(
      b, loc, c0, rows, index(b, loc, blockRows), ValueRange{out},
      [&](OpBuilder &rb, Location rl, Value r0, ValueRange rowArgs) {
        SmallVector<Value> rowIndex =
            clampedRows(rb, rl, r0, blockRows, lastRow);
        SmallVector<Value> initial;
        for (int64_t r = 0; r < blockRows; ++r) {
          Value scaleRow = vector::BroadcastOp::create(
              rb, rl, a.vectorType,
              tensor::ExtractOp::create(rb, rl, alpha, rowIndex[r]));
          for (int64_t c = 0; c < vectors; ++c) {
            Value old = vector::TransferReadOp::create(
                rb, rl, a.vectorType, rowArgs[0],
                ValueRange{rowIndex[r], index(rb, rl, c * a.lanes)}, accPadding,
                ArrayRef<bool>{true});
            initial.push_back(arith::MulFOp::create(rb, rl, old, scaleRow));
          }
        }
        auto reduction = scf::ForOp::create(
            rb, rl, c0, keys, c1, initial,
            [&](OpBuilder &jb, Location jl, Value j, ValueRange accumulators) {
              Value key = arith::AddIOp::create(jb, jl, k0, j);
              SmallVector<Value> values;
              for (int64_t c = 0; c < vectors; ++c)
                values.push_back(promote(
                    jb, jl,
                    vector::TransferReadOp::create(
                        jb, jl, valueVector, a.v,
                        a.at(batch, head, key, index(jb, jl, c * a.lanes)),
                        valuePadding, ArrayRef<bool>{true}),
                    a.acc));
              SmallVector<Value> next;
              for (int64_t r = 0; r < blockRows; ++r) {
                Value p = tensor::ExtractOp::create(jb, jl, probs,
                                                    ValueRange{rowIndex[r], j});
                Value broadcast =
                    vector::BroadcastOp::create(jb, jl, a.vectorType, p);
                for (int64_t c = 0; c < vectors; ++c)
                  next.push_back(
                      vector::FMAOp::create(jb, jl, broadcast, values[c],
                                            accumulators[r * vectors + c]));
              }
              scf::YieldOp::create(jb, jl, next);
            });
        Value result = rowArgs[0];
        for (int64_t r = 0; r < blockRows; ++r)
          for (int64_t c = 0; c < vectors; ++c)
            result = vector::TransferWriteOp::create(
                         rb, rl, reduction.getResult(r * vectors + c), result,
                         ValueRange{rowIndex[r], index(rb, rl, c * a.lanes)},
                         ArrayRef<bool>{true})
                         .getResult();
        scf::YieldOp::create(rb, rl, result);
      });
  return rowLoop.getResult(0);
}

/// The same update as linalg.generics, for any v_dim.
Value buildOutputUpdateGeneric(OpBuilder &b, const Attention &a, Value probs,
                               Value alpha, Value out, Value valueTile) {
  MLIRContext *ctx = b.getContext();
  AffineMap rowCol = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = projection(ctx, 2, {0});
  Value scaled = buildGeneric(
      b, a.loc, alpha, out, {row, rowCol}, iterators(2),
      [&](OpBuilder &nb, Location nl, ValueRange args) -> SmallVector<Value> {
        return {arith::MulFOp::create(nb, nl, args[1], args[0])};
      })[0];
  // The value dimension innermost: the update runs along contiguous rows
  // of V and O.
  return buildGeneric(
      b, a.loc, ValueRange{probs, valueTile}, scaled,
      {projection(ctx, 3, {0, 1}), projection(ctx, 3, {1, 2}),
       projection(ctx, 3, {0, 2})},
      {utils::IteratorType::parallel, utils::IteratorType::reduction,
       utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> SmallVector<Value> {
        Value product = arith::MulFOp::create(nb, nl, args[0],
                                              promote(nb, nl, args[1], a.acc));
        return {arith::AddFOp::create(nb, nl, args[2], product)};
      })[0];
}

struct AttentionLowering : OpConversionPattern<AttentionOp> {
  AttentionLowering(MLIRContext *ctx, CPUTargetInfo target)
      : OpConversionPattern(ctx, LoweringTarget::kKernelPatternBenefit),
        target(target) {}
  CPUTargetInfo target;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    auto kType = cast<RankedTensorType>(k.getType());
    int64_t valueDim = resultType.getDimSize(3);

    Attention a(loc);
    a.acc = elementType.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type()
                                                     : elementType;
    a.lanes = target.vectorBits / a.acc.getIntOrFloatBitWidth();
    a.scoreVectors = target.vectorRegisters >= 32 ? 4 : 2;
    a.outputAccumulators = target.vectorRegisters / 2;
    a.vectorType = VectorType::get({a.lanes}, a.acc);
    // Blocks no larger than a static length; key blocks a multiple of the
    // score kernel's column group (one vector when there are few keys).
    int64_t seqDim = op.getSequenceDim(), headsDim = op.getHeadsDim();
    a.sequenceMajor = op.getSequenceMajor();
    a.queryBlock = target.kernels.attentionQueryBlock;
    if (!resultType.isDynamicDim(seqDim))
      a.queryBlock =
          std::min(a.queryBlock, roundUp(resultType.getDimSize(seqDim), 1));
    int64_t group = a.scoreVectors * a.lanes;
    a.keyBlock = roundUp(target.kernels.attentionKeyBlock, group);
    if (!kType.isDynamicDim(seqDim)) {
      int64_t keys = kType.getDimSize(seqDim);
      a.keyBlock =
          std::min(a.keyBlock, roundUp(keys, keys <= group ? a.lanes : group));
    }
    a.q = q;
    a.v = v;
    a.bias.value = adaptor.getBias();
    a.mask.value = adaptor.getMask();
    a.causal = op.getCausal();
    a.zero = floatConstant(rewriter, loc, a.acc, 0.0);
    a.negInf = negativeInfinity(rewriter, loc, a.acc);
    a.maskedOut = maskedScore(rewriter, loc, a.acc);
    a.scale = floatConstant(rewriter, loc, a.acc, op.getEffectiveScale());
    // A bias or mask dimension of static size 1 against a larger or
    // dynamic one broadcasts.
    int64_t full[] = {resultType.getDimSize(0), resultType.getDimSize(headsDim),
                      resultType.getDimSize(seqDim), kType.getDimSize(seqDim)};
    for (Attention::ScoreOperand *operand : {&a.bias, &a.mask}) {
      operand->broadcast.assign(4, false);
      if (!*operand)
        continue;
      for (auto [i, size] : llvm::enumerate(
               cast<RankedTensorType>(operand->value.getType()).getShape()))
        operand->broadcast[i] = size == 1 && full[i] != 1;
    }
    a.biasTerm = fusableScoreTerm(a.bias.value, a.bias.broadcast);
    bool vectorOutput =
        !ShapedType::isDynamic(valueDim) && valueDim % a.lanes == 0;

    // Sizes as [batch, heads, seq, dim] whatever the operands' layout.
    auto logicalSizes = [&](Value x) {
      SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, x);
      if (a.sequenceMajor)
        std::swap(sizes[1], sizes[2]);
      return sizes;
    };
    SmallVector<OpFoldResult> qSizes = logicalSizes(q);
    SmallVector<OpFoldResult> kSizes = logicalSizes(k);
    SmallVector<OpFoldResult> vSizes = logicalSizes(v);
    a.packedKeys = packKeys(rewriter, loc, k, a.keyBlock, a.sequenceMajor);

    AffineExpr d0, d1;
    bindDims(ctx, d0, d1);
    auto apply = [&](OpBuilder &b, AffineExpr expr,
                     ArrayRef<OpFoldResult> operands) {
      return affine::makeComposedFoldedAffineApply(b, loc, expr, operands);
    };
    // min(block, end - start)
    auto remainder = [&](OpBuilder &b, int64_t block, OpFoldResult start,
                         OpFoldResult end) {
      AffineMap map = AffineMap::get(
          2, 0, {getAffineConstantExpr(block, ctx), d1 - d0}, ctx);
      return affine::makeComposedFoldedAffineMin(b, loc, map, {start, end});
    };

    SmallVector<OpFoldResult> outSizes = staticWhereKnown(
        rewriter, resultType, a.at(qSizes[0], qSizes[1], qSizes[2], vSizes[3]));
    Value init = emptyTensor(rewriter, loc, outSizes, elementType);
    OpFoldResult queryBlocks =
        apply(rewriter, d0.ceilDiv(a.queryBlock), {qSizes[2]});
    // The kernel's work: the two matmuls (causal attention does about half
    // of it); its traffic: Q, K, V, the output, the bias and the mask, once
    // each.
    int64_t elementBytes =
        llvm::divideCeil(elementType.getIntOrFloatBitWidth(), 8);
    // One creation per statement: C++ leaves argument order unspecified,
    // and the IR must not depend on the compiler that built this one.
    Value scoreFlops = indexProduct(
        rewriter, loc, {qSizes[0], qSizes[1], qSizes[2], kSizes[2], qSizes[3]},
        2);
    Value valueFlops = indexProduct(
        rewriter, loc, {qSizes[0], qSizes[1], qSizes[2], kSizes[2], vSizes[3]},
        2);
    Value flops = arith::AddIOp::create(rewriter, loc, scoreFlops, valueFlops);
    Value qBytes = indexProduct(rewriter, loc, qSizes, elementBytes);
    Value kBytes = indexProduct(rewriter, loc, kSizes, elementBytes);
    Value qkBytes = arith::AddIOp::create(rewriter, loc, qBytes, kBytes);
    Value vBytes = indexProduct(rewriter, loc, vSizes, elementBytes);
    Value outBytes = indexProduct(rewriter, loc, outSizes, elementBytes);
    Value voBytes = arith::AddIOp::create(rewriter, loc, vBytes, outBytes);
    Value bytes = arith::AddIOp::create(rewriter, loc, qkBytes, voBytes);
    // A fused bias term reads its tables instead (each counted once).
    SmallVector<Value> scoreOperands{a.mask.value};
    if (a.biasTerm)
      a.biasTerm.getBody()->walk([&](tensor::ExtractOp extract) {
        if (!llvm::is_contained(scoreOperands, extract.getTensor()))
          scoreOperands.push_back(extract.getTensor());
      });
    else
      scoreOperands.push_back(a.bias.value);
    for (Value operand : scoreOperands) {
      if (!operand)
        continue;
      auto type = cast<RankedTensorType>(operand.getType());
      Value operandBytes =
          indexProduct(rewriter, loc, sizesOf(rewriter, loc, operand),
                       llvm::divideCeil(type.getElementTypeBitWidth(), 8));
      bytes = arith::AddIOp::create(rewriter, loc, bytes, operandBytes);
    }

    auto forall = scf::ForallOp::create(
        rewriter, loc,
        ArrayRef<OpFoldResult>{qSizes[0], qSizes[1], queryBlocks},
        ValueRange{init}, std::nullopt);

    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(forall.getBody());
      SmallVector<StringRef> fused{AttentionOp::getOperationName()};
      // The op the fused bias term came from (its lowering names it).
      if (a.biasTerm)
        if (auto origin =
                a.biasTerm->getAttrOfType<StringAttr>(kOriginAttrName))
          fused.push_back(origin.getValue());
      KernelInfoOp::create(
          rewriter, loc, "attention", rewriter.getStrArrayAttr(fused), flops,
          bytes,
          rewriter.getStringAttr(
              llvm::formatv("blocks {0} queries x {1} keys ({2})", a.queryBlock,
                            a.keyBlock, nameOf(target.source))
                  .str()));
      Value batch = forall.getInductionVar(0);
      Value head = forall.getInductionVar(1);
      Value out = forall.getRegionIterArgs()[0];
      OpFoldResult q0 = apply(rewriter, d0 * a.queryBlock,
                              {OpFoldResult(forall.getInductionVar(2))});
      OpFoldResult qn = remainder(rewriter, a.queryBlock, q0, qSizes[2]);
      Value q0Value = getValueOrCreateConstantIndexOp(rewriter, loc, q0);
      Value qnValue = getValueOrCreateConstantIndexOp(rewriter, loc, qn);
      Value headDim = indexValue(rewriter, loc, qSizes[3]);
      OpFoldResult zeroIndex = rewriter.getIndexAttr(0);
      OpFoldResult oneIndex = rewriter.getIndexAttr(1);

      Value m0 = filledTensor(rewriter, loc, {qn}, a.negInf);
      Value l0 = filledTensor(rewriter, loc, {qn}, a.zero);
      Value o0 = filledTensor(rewriter, loc, {qn, vSizes[3]}, a.zero);

      // Causal: keys past the block's last query are never visible.
      OpFoldResult keyEnd = kSizes[2];
      if (a.causal)
        keyEnd = affine::makeComposedFoldedAffineMin(
            rewriter, loc, AffineMap::get(2, 0, {d0, d1}, ctx),
            {apply(rewriter, d0 + d1, {q0, qn}), kSizes[2]});

      AffineMap rowCol = AffineMap::getMultiDimIdentityMap(2, ctx);
      AffineMap row = projection(ctx, 2, {0});
      // A bias or mask tile is read [q, kv] at the scores' indices.
      auto tileMap = [&](const Attention::ScoreOperand &operand) {
        return AffineMap::get(
            2, 0,
            {operand.broadcast[2] ? getAffineConstantExpr(0, ctx) : d0,
             operand.broadcast[3] ? getAffineConstantExpr(0, ctx) : d1},
            ctx);
      };

      Value firstKey = index(rewriter, loc, 0);
      Value keyBound = getValueOrCreateConstantIndexOp(rewriter, loc, keyEnd);
      Value keyStep = index(rewriter, loc, a.keyBlock);
      auto loop = scf::ForOp::create(
          rewriter, loc, firstKey, keyBound, keyStep, ValueRange{m0, l0, o0},
          [&](OpBuilder &b, Location l, Value k0, ValueRange carried) {
            Value m = carried[0], sum = carried[1], o = carried[2];
            OpFoldResult kn = remainder(b, a.keyBlock, k0, keyEnd);
            Value knValue = getValueOrCreateConstantIndexOp(b, l, kn);
            Value kb = getValueOrCreateConstantIndexOp(
                b, l, apply(b, d0.floorDiv(a.keyBlock), {OpFoldResult(k0)}));
            auto tileOf = [&](const Attention::ScoreOperand &operand) {
              if (!operand)
                return Value();
              auto pick = [&](unsigned dim, OpFoldResult full,
                              OpFoldResult one) {
                return operand.broadcast[dim] ? one : full;
              };
              return slice2d(b, l, operand.value,
                             {pick(0, batch, zeroIndex),
                              pick(1, head, zeroIndex), pick(2, q0, zeroIndex),
                              pick(3, k0, zeroIndex)},
                             {oneIndex, oneIndex, pick(2, qn, oneIndex),
                              pick(3, kn, oneIndex)});
            };
            Value biasTile = a.biasTerm ? Value() : tileOf(a.bias);
            Value maskTile = tileOf(a.mask);

            // exp(x - max) with max = -inf read as 0.
            auto shiftedExp = [&](OpBuilder &nb, Location nl, Value x,
                                  Value max) -> Value {
              Value none = arith::CmpFOp::create(
                  nb, nl, arith::CmpFPredicate::OEQ, max, a.negInf);
              Value shift = arith::SelectOp::create(nb, nl, none, a.zero, max);
              return math::ExpOp::create(
                  nb, nl, arith::SubFOp::create(nb, nl, x, shift));
            };

            Value tile = buildScores(b, a, batch, head, q0Value, qnValue,
                                     knValue, kb, headDim);
            Value scores = tensor::ExtractSliceOp::create(
                b, l, tile, ArrayRef<OpFoldResult>{zeroIndex, zeroIndex},
                ArrayRef<OpFoldResult>{qn, kn},
                ArrayRef<OpFoldResult>{oneIndex, oneIndex});

            // Bias, mask and causal cut, in place, in a pass of their own:
            // inside the reductions below, the causal compare kept LLVM
            // from vectorizing them (causal attention took 2.7x as long).
            auto cut = [&](OpBuilder &nb, Location nl) -> Value {
              SmallVector<Value> inputs;
              SmallVector<AffineMap> maps;
              if (biasTile) {
                inputs.push_back(biasTile);
                maps.push_back(tileMap(a.bias));
              }
              if (a.mask) {
                inputs.push_back(maskTile);
                maps.push_back(tileMap(a.mask));
              }
              maps.push_back(rowCol);
              return buildGeneric(
                  nb, nl, inputs, scores, maps, iterators(2),
                  [&](OpBuilder &eb, Location el,
                      ValueRange args) -> SmallVector<Value> {
                    Value s = args.back();
                    // The element's query and key in the whole sequence,
                    // created when first needed.
                    Value query, key;
                    auto position = [&]() {
                      if (!query) {
                        query = arith::AddIOp::create(
                            eb, el, linalg::IndexOp::create(eb, el, 0),
                            q0Value);
                        key = arith::AddIOp::create(
                            eb, el, linalg::IndexOp::create(eb, el, 1), k0);
                      }
                    };
                    Value biasElement;
                    if (a.biasTerm) {
                      position();
                      biasElement = cloneScoreTerm(eb, a.biasTerm,
                                                   {batch, head, query, key});
                    } else if (biasTile) {
                      biasElement = args[0];
                    }
                    if (biasElement)
                      s = arith::AddFOp::create(
                          eb, el, s, promote(eb, el, biasElement, a.acc));
                    if (a.mask) {
                      Value maskElement = args[biasTile ? 1 : 0];
                      if (auto intType =
                              dyn_cast<IntegerType>(maskElement.getType())) {
                        Value keep = maskElement;
                        if (intType.getWidth() > 1)
                          keep = arith::CmpIOp::create(
                              eb, el, arith::CmpIPredicate::ne, maskElement,
                              arith::ConstantOp::create(
                                  eb, el, intType,
                                  eb.getIntegerAttr(intType, 0)));
                        s = arith::SelectOp::create(eb, el, keep, s,
                                                    a.maskedOut);
                      } else {
                        s = arith::AddFOp::create(
                            eb, el, s, promote(eb, el, maskElement, a.acc));
                      }
                    }
                    if (a.causal) {
                      position();
                      Value future = arith::CmpIOp::create(
                          eb, el, arith::CmpIPredicate::ugt, key, query);
                      s = arith::SelectOp::create(eb, el, future, a.negInf, s);
                    }
                    return {s};
                  })[0];
            };
            if (a.bias || a.mask) {
              scores = cut(b, l);
            } else if (a.causal) {
              // Only a block with a key past its first query has anything
              // to cut.
              Value keyEnd = arith::AddIOp::create(b, l, k0, knValue);
              Value lastKey =
                  arith::SubIOp::create(b, l, keyEnd, index(b, l, 1));
              Value crosses = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::ugt, lastKey, q0Value);
              scores = scf::IfOp::create(
                           b, l, crosses,
                           [&](OpBuilder &tb, Location tl) {
                             scf::YieldOp::create(tb, tl, cut(tb, tl));
                           },
                           [&](OpBuilder &eb, Location el) {
                             scf::YieldOp::create(eb, el, scores);
                           })
                           .getResult(0);
            }

            // Its initial value is a slice of a static tensor: as a
            // [rows] fill like m0, CSE would merge the two, and the
            // reduction would then need a copy of m0 on every block.
            Value maxInit = tensor::ExtractSliceOp::create(
                b, l,
                filledTensor(b, l, {b.getIndexAttr(a.queryBlock)}, a.negInf),
                ArrayRef<OpFoldResult>{zeroIndex}, ArrayRef<OpFoldResult>{qn},
                ArrayRef<OpFoldResult>{oneIndex});
            Value blockMax = buildGeneric(
                b, l, scores, maxInit, {rowCol, row}, iterators(1, 1),
                [&](OpBuilder &nb, Location nl,
                    ValueRange args) -> SmallVector<Value> {
                  return {arith::MaximumFOp::create(nb, nl, args[1], args[0])};
                })[0];

            // m' = max(m, rowmax S), α = exp(m - m') and l α, written over
            // the carried m and l.
            AffineMap rowOnly = AffineMap::getMultiDimIdentityMap(1, ctx);
            SmallVector<Value> updated = buildGeneric(
                b, l, ValueRange{blockMax},
                ValueRange{m, sum, emptyTensor(b, l, {qn}, a.acc)},
                {rowOnly, rowOnly, rowOnly, rowOnly}, iterators(1),
                [&](OpBuilder &nb, Location nl,
                    ValueRange args) -> SmallVector<Value> {
                  Value newMax =
                      arith::MaximumFOp::create(nb, nl, args[1], args[0]);
                  Value alpha = shiftedExp(nb, nl, args[1], newMax);
                  return {newMax, arith::MulFOp::create(nb, nl, args[2], alpha),
                          alpha};
                });
            Value newMax = updated[0], alpha = updated[2];

            // P = exp(S - m'), over the scores.
            Value probs =
                buildGeneric(b, l, newMax, scores, {row, rowCol}, iterators(2),
                             [&](OpBuilder &nb, Location nl,
                                 ValueRange args) -> SmallVector<Value> {
                               return {shiftedExp(nb, nl, args[1], args[0])};
                             })[0];

            // l' = l α + rowsum P
            Value newSum = buildGeneric(
                b, l, probs, updated[1], {rowCol, row}, iterators(1, 1),
                [&](OpBuilder &nb, Location nl,
                    ValueRange args) -> SmallVector<Value> {
                  return {arith::AddFOp::create(nb, nl, args[1], args[0])};
                })[0];

            Value newOut;
            if (vectorOutput) {
              newOut = buildOutputUpdate(b, a, probs, alpha, o, batch, head, k0,
                                         qnValue, knValue, valueDim);
            } else {
              Value valueTile = slice2d(
                  b, l, v, a.at<OpFoldResult>(batch, head, k0, zeroIndex),
                  a.at<OpFoldResult>(oneIndex, oneIndex, kn, vSizes[3]));
              newOut =
                  buildOutputUpdateGeneric(b, a, probs, alpha, o, valueTile);
            }
            scf::YieldOp::create(b, l, ValueRange{newMax, newSum, newOut});
          });

      // O / l, written straight into the result's block.
      SmallVector<OpFoldResult> outOffsets =
          a.at<OpFoldResult>(batch, head, q0, zeroIndex);
      SmallVector<OpFoldResult> outTileSizes =
          a.at<OpFoldResult>(oneIndex, oneIndex, qn, vSizes[3]);
      Value outTile = slice2d(rewriter, loc, out, outOffsets, outTileSizes);
      Value normalized = buildGeneric(
          rewriter, loc, ValueRange{loop.getResult(2), loop.getResult(1)},
          outTile, {rowCol, row, rowCol}, iterators(2),
          [&](OpBuilder &nb, Location nl,
              ValueRange args) -> SmallVector<Value> {
            Value y = arith::DivFOp::create(nb, nl, args[0], args[1]);
            return {promote(nb, nl, y, elementType)};
          })[0];
      rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(
          rewriter, loc, normalized, out, outOffsets, outTileSizes,
          SmallVector<OpFoldResult>(4, oneIndex));
    }
    rewriter.replaceOp(op,
                       castTo(rewriter, loc, forall.getResult(0), resultType));
    return success();
  }
};

} // namespace

void mlir::enc::lowering::populateFlashAttentionPattern(
    RewritePatternSet &patterns, CPUTargetInfo target) {
  patterns.add<AttentionLowering>(patterns.getContext(), target);
}
