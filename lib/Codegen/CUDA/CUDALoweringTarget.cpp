//===- CUDALoweringTarget.cpp - the CUDA target of enc-to-linalg
//------------===//
//
// The CUDA target adds no patterns to convert-enc-to-linalg: its kernels
// for attention and layer norm are written on enc before the conversion
// (enc-attention-to-gpu, enc-layer-norm-to-gpu) and its matmuls after it
// (enc-matmul-to-tensor-cores), so the neutral linalg lowering is what the
// rest of the CUDA pipeline maps to threads. Packed weights stay an error
// (the CUDA pipeline does not pack).
//
//===----------------------------------------------------------------------===//

#include "encoder/Codegen/CUDA/Passes.h"
#include "encoder/Conversion/Passes.h"

using namespace mlir;
using namespace mlir::enc;

namespace {

class CUDALoweringTarget : public LoweringTarget {
public:
  CUDALoweringTarget() : LoweringTarget(TargetKind::cuda) {}
  void populateKernelPatterns(RewritePatternSet &) const override {}
};

std::unique_ptr<LoweringTarget>
createCUDALoweringTarget(const LoweringTargetOptions &, std::string &) {
  return std::make_unique<CUDALoweringTarget>();
}

} // namespace

void mlir::enc::registerCUDALoweringTarget() {
  registerLoweringTarget(TargetKind::cuda, createCUDALoweringTarget);
}
