//===- FoldHeadTransposes.cpp - the enc-fold-head-transposes pass ---------===//
//
// A frontend splits heads off a projection's [batch, seq, heads * dim]
// output as reshape + transpose to [batch, heads, seq, dim], and merges
// them back the same way after attention: four copies of every activation
// per layer. The CPU's attention kernel reads and writes the
// [batch, seq, heads, dim] layout directly (enc.attention's
// sequence_major), so the transposes fold away:
//
//   %qt = linalg.transpose %q [0, 2, 1, 3]
//   %kt = linalg.transpose %k [0, 2, 1, 3]      %o = enc.attention %q, %k, %v
//   %vt = linalg.transpose %v [0, 2, 1, 3]  ->       {sequence_major}
//   %a = enc.attention %qt, %kt, %vt             (uses of %ot use %o)
//   %ot = linalg.transpose %a [0, 2, 1, 3]
//
// Folded only when all three operands are such transposes; a user of the
// attention that is not the inverse transpose gets one (still fewer
// copies than before).
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCFOLDHEADTRANSPOSES
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr int64_t kSwap[] = {0, 2, 1, 3};

/// `value`'s producer when it is a transpose swapping dimensions 1 and 2.
linalg::TransposeOp headSwap(Value value) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>(kSwap))
    return {};
  return transpose;
}

struct EncFoldHeadTransposesPass
    : enc::impl::EncFoldHeadTransposesBase<EncFoldHeadTransposesPass> {
  void runOnOperation() override {
    SmallVector<AttentionOp> candidates;
    getOperation()->walk([&](AttentionOp op) {
      if (!op.getSequenceMajor() && headSwap(op.getQuery()) &&
          headSwap(op.getKey()) && headSwap(op.getValue()))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : candidates)
      fold(rewriter, op);
  }

  void fold(IRRewriter &rewriter, AttentionOp op) {
    Location loc = op.getLoc();
    Value query = headSwap(op.getQuery()).getInput();
    Value key = headSwap(op.getKey()).getInput();
    Value value = headSwap(op.getValue()).getInput();
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> shape(type.getShape());
    std::swap(shape[1], shape[2]);
    rewriter.setInsertionPoint(op);
    auto folded = AttentionOp::create(
        rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
        query, key, value, op.getBias(), op.getMask(), op.getScaleAttr(),
        op.getCausalAttr(), rewriter.getUnitAttr());
    folded->setDiscardableAttrs(op->getDiscardableAttrDictionary());

    // Merge transposes read the folded result as it is; anything else
    // reads it transposed back.
    Value headMajor;
    for (OpOperand &use : llvm::make_early_inc_range(op->getUses())) {
      auto merge = dyn_cast<linalg::TransposeOp>(use.getOwner());
      if (merge && merge.getPermutation() == ArrayRef<int64_t>(kSwap) &&
          merge.getResult()[0].getType() == folded.getType()) {
        rewriter.replaceOp(merge, folded.getResult());
        continue;
      }
      if (!headMajor) {
        SmallVector<OpFoldResult> sizes =
            tensor::getMixedSizes(rewriter, loc, folded.getResult());
        std::swap(sizes[1], sizes[2]);
        Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                             type.getElementType());
        headMajor = linalg::TransposeOp::create(rewriter, loc,
                                                folded.getResult(), init, kSwap)
                        .getResult()[0];
      }
      use.set(headMajor);
    }
    // One transpose may feed several operands (self-attention on one
    // split): each erased once.
    llvm::SetVector<Operation *> splits;
    for (Value operand : {op.getQuery(), op.getKey(), op.getValue()})
      splits.insert(operand.getDefiningOp());
    rewriter.eraseOp(op);
    for (Operation *split : splits)
      if (split->use_empty())
        rewriter.eraseOp(split);
  }
};

} // namespace
