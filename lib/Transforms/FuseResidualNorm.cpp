//===- FuseResidualNorm.cpp - the enc-... pass (in progress) ------------------------------===//

#include "Enc/IR/EncOps.h"
#include "encoder/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCFUSERESIDUALNORM
#include "encoder/Transforms/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;

namespace {
struct EncFuseResidualNormPass : enc::impl::EncFuseResidualNormBase<EncFuseResidualNormPass> {
  void runOnOperation() override {}
};
} // namespace
