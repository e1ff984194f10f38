//===- ApproximateMath.cpp - the enc-approximate-math pass
//------------------===//
//
// Without this, LLVM lowers a vector math.exp or math.erf to one libm call
// per lane: slow, and it makes artifacts depend on libm symbols. MLIR's
// polynomial approximations are accurate to a few ulp in f32.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCAPPROXIMATEMATH
#include "encoder/Codegen/Common/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;

namespace {

struct EncApproximateMathPass
    : enc::impl::EncApproximateMathBase<EncApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The legacy entry point enables the set of ops MLIR approximates well
    // (exp, expm1, log*, erf, erfc, tanh, atan, sin, cos, ...) and first
    // extends f16/bf16 operands to f32. AVX2 rsqrt stays off: it trades
    // accuracy (~1e-4) for speed.
    populateMathPolynomialApproximationPatterns(
        patterns, MathPolynomialApproximationOptions{/*enableAvx2=*/false});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
