//===- EncToLinalg.cpp - the convert-enc-to-linalg pass ---------------------===//
//
// Drives the per-family patterns with a partial dialect conversion: every
// enc op but enc.param must be rewritten, or the pass fails and names the
// op that was left.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncDialect.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::enc {
#define GEN_PASS_DEF_CONVERTENCTOLINALG
#include "encoder/Conversion/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

void mlir::enc::populateEncToLinalgPatterns(RewritePatternSet &patterns) {
  populateLayersToLinalgPatterns(patterns);
  populateAttentionToLinalgPatterns(patterns);
  populateEmbeddingsToLinalgPatterns(patterns);
  populateAudioToLinalgPatterns(patterns);
  populatePoolingToLinalgPatterns(patterns);
  populateLossesToLinalgPatterns(patterns);
}

namespace {

struct ConvertEncToLinalgPass
    : enc::impl::ConvertEncToLinalgBase<ConvertEncToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<EncDialect>();
    // Parameters become function arguments in enc-lift-params, not here.
    target.addLegalOp<ParamOp, PackedParamOp>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(ctx);
    populateEncToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
