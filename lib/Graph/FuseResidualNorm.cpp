//===- FuseResidualNorm.cpp - the enc-fuse-residual-norm pass -------------===//
//
// A post-LN block ends in `layer_norm(x + r)`. The layer norm reads its
// input three times (sum, squared deviations, normalization); with the add
// as its `residual` operand it reads `x` and `r` instead and the sum is
// never written:
//
//   %s = arith.addf %x, %r                 %y = enc.layer_norm %x residual %r
//   %y = enc.layer_norm %s scale ...  ->        scale ... bias ...
//
// Only an add without fast-math flags, in the norm's block, whose only user
// is a norm without a residual: docs/rationale/graph-passes.md,
// 'enc-fuse-residual-norm'.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCFUSERESIDUALNORM
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

struct FuseAddIntoLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getResidual())
      return rewriter.notifyMatchFailure(op, "already has a residual");
    auto add = op.getInput().getDefiningOp<arith::AddFOp>();
    if (!add || !add->hasOneUse() || add->getBlock() != op->getBlock())
      return rewriter.notifyMatchFailure(op, "input is not a single-use add");
    if (add.getFastmath() != arith::FastMathFlags::none)
      return rewriter.notifyMatchFailure(op, "fast-math flags on the add");
    if (add.getType() != op.getInput().getType())
      return rewriter.notifyMatchFailure(op, "type mismatch");
    if (op->hasAttr(kNoFuseAttrName) || add->hasAttr(kNoFuseAttrName))
      return rewriter.notifyMatchFailure(op, kNoFuseAttrName);
    DictionaryAttr knobs = op->getDiscardableAttrDictionary();
    auto fused = rewriter.replaceOpWithNewOp<LayerNormOp>(
        op, op.getType(), add.getLhs(), add.getRhs(), op.getScale(),
        op.getBias(), op.getEpsilonAttr());
    fused->setDiscardableAttrs(knobs);
    rewriter.eraseOp(add);
    return success();
  }
};

struct EncFuseResidualNormPass
    : enc::impl::EncFuseResidualNormBase<EncFuseResidualNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAddIntoLayerNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
