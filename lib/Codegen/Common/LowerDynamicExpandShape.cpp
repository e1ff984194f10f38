//===- LowerDynamicExpandShape.cpp - the enc-lower-dynamic-expand-shape pass
//-===//
//
// A workaround for llvm-project#186830 (LLVM 22): expand-strided-metadata
// assumes at most one dynamic size per reassociation group of an
// expand_shape and dereferences a null size otherwise. For a contiguous
// source the expanded view is plain row-major, so a reinterpret_cast with
// strides computed from the output shape says the same thing.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLOWERDYNAMICEXPANDSHAPE
#include "encoder/Codegen/Common/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;

namespace {

/// a * b, folded when both are constants.
OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult lhs,
                      OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l * *r);
  if (l == 1)
    return rhs;
  if (r == 1)
    return lhs;
  Value lhsValue = getValueOrCreateConstantIndexOp(b, loc, lhs);
  Value rhsValue = getValueOrCreateConstantIndexOp(b, loc, rhs);
  return arith::MulIOp::create(b, loc, lhsValue, rhsValue).getResult();
}

bool hasGroupWithSeveralDynamicSizes(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices()) {
    unsigned dynamic =
        llvm::count_if(group, [&](int64_t d) { return type.isDynamicDim(d); });
    if (dynamic > 1)
      return true;
  }
  return false;
}

struct ExpandShapeToReinterpretCast : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasGroupWithSeveralDynamicSizes(op))
      return rewriter.notifyMatchFailure(op, "upstream handles this case");
    if (!op.getSrcType().getLayout().isIdentity() ||
        !op.getResultType().getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "source is not contiguous");

    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(sizes.size());
    OpFoldResult stride = rewriter.getIndexAttr(1);
    for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
      strides[i] = stride;
      if (i > 0)
        stride = multiply(rewriter, loc, stride, sizes[i]);
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, op.getResultType(), op.getSrc(), rewriter.getIndexAttr(0), sizes,
        strides);
    return success();
  }
};

struct EncLowerDynamicExpandShapePass
    : enc::impl::EncLowerDynamicExpandShapeBase<
          EncLowerDynamicExpandShapePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeToReinterpretCast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
