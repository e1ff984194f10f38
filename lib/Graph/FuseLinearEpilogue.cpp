//===- FuseLinearEpilogue.cpp - the enc-fuse-linear-epilogue pass ---------===//
//
// A matmul kernel applies an epilogue while its tile is in registers; as
// separate ops, an activation and a residual add each read and write the
// whole result once more. This pass moves them into `enc.linear`:
//
//   %y = enc.linear %x, %w, %b            %z = enc.linear %x, %w, %b
//   %a = enc.activation gelu %y      ->        residual %r
//   %z = arith.addf %a, %r                     {activation = gelu}
//
// one step per pattern, when the fused op is the linear's only user, in its
// block. What is matched and refused: docs/rationale/graph-passes.md,
// 'enc-fuse-linear-epilogue'.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCFUSELINEAREPILOGUE
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// The linear op defining `value` if `user` is its only user, both are in
/// one block, and neither is kept out of fusions (enc.no_fuse).
LinearOp singleUseLinear(Value value, Operation *user) {
  auto linear = value.getDefiningOp<LinearOp>();
  if (!linear || !linear->hasOneUse() ||
      linear->getBlock() != user->getBlock() ||
      linear->hasAttr(kNoFuseAttrName) || user->hasAttr(kNoFuseAttrName))
    return {};
  return linear;
}

/// A copy of `linear` with the given epilogue, created at the rewriter's
/// insertion point; it keeps the linear's knobs (enc.tile_sizes).
LinearOp rebuildLinear(PatternRewriter &rewriter, Location loc, LinearOp linear,
                       Value residual, ActivationKindAttr activation) {
  auto fused = LinearOp::create(rewriter, loc, linear.getType(),
                                linear.getInput(), linear.getWeight(),
                                linear.getBias(), residual, activation);
  fused->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
  return fused;
}

/// enc.activation(enc.linear) -> enc.linear {activation}.
struct FuseActivation : OpRewritePattern<ActivationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ActivationOp op,
                                PatternRewriter &rewriter) const override {
    LinearOp linear = singleUseLinear(op.getInput(), op);
    if (!linear)
      return rewriter.notifyMatchFailure(op, "not the only user of a linear");
    if (linear.getActivation() || linear.getResidual())
      return rewriter.notifyMatchFailure(op, "the linear has an epilogue");
    if (linear.getType() != op.getType())
      return rewriter.notifyMatchFailure(op, "type differs from the linear's");
    LinearOp fused = rebuildLinear(rewriter, linear.getLoc(), linear, Value(),
                                   op.getKindAttr());
    rewriter.replaceOp(op, fused.getResult());
    rewriter.eraseOp(linear);
    return success();
  }
};

/// True when `add` is the input of a layer norm that can take it as its
/// residual instead (enc-fuse-residual-norm).
bool feedsResidualNorm(arith::AddFOp add) {
  if (!add->hasOneUse())
    return false;
  auto norm = dyn_cast<LayerNormOp>(*add->getUsers().begin());
  return norm && norm->getBlock() == add->getBlock() &&
         norm.getInput() == add.getResult() && !norm.getResidual();
}

/// arith.addf(enc.linear, r) -> enc.linear residual r.
struct FuseResidualAdd : OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::AddFOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(op.getType()))
      return rewriter.notifyMatchFailure(op, "not a tensor add");
    if (op.getFastmath() != arith::FastMathFlags::none)
      return rewriter.notifyMatchFailure(op, "fast-math flags");
    if (feedsResidualNorm(op))
      return rewriter.notifyMatchFailure(op, "left to enc-fuse-residual-norm");
    for (auto [linearSide, residual] : {std::pair(op.getLhs(), op.getRhs()),
                                        std::pair(op.getRhs(), op.getLhs())}) {
      LinearOp linear = singleUseLinear(linearSide, op);
      if (!linear || linear.getResidual() || linear.getType() != op.getType())
        continue;
      LinearOp fused = rebuildLinear(rewriter, linear.getLoc(), linear,
                                     residual, linear.getActivationAttr());
      rewriter.replaceOp(op, fused.getResult());
      rewriter.eraseOp(linear);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no fusible linear operand");
  }
};

struct EncFuseLinearEpiloguePass
    : enc::impl::EncFuseLinearEpilogueBase<EncFuseLinearEpiloguePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseActivation, FuseResidualAdd>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
