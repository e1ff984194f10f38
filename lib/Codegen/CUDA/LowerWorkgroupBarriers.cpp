//===- LowerWorkgroupBarriers.cpp - the enc-lower-workgroup-barriers pass -===//
//
// enc.workgroup_barrier is gpu.barrier with declared memory effects, for
// kernels written before bufferization (its op description says why);
// once the kernels are outlined nothing is left to object, and the NVVM
// lowering knows gpu.barrier.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "Enc/IR/EncOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLOWERWORKGROUPBARRIERS
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;

namespace {

struct EncLowerWorkgroupBarriersPass
    : enc::impl::EncLowerWorkgroupBarriersBase<EncLowerWorkgroupBarriersPass> {
  void runOnOperation() override {
    SmallVector<enc::WorkgroupBarrierOp> barriers;
    getOperation()->walk(
        [&](enc::WorkgroupBarrierOp barrier) { barriers.push_back(barrier); });
    for (enc::WorkgroupBarrierOp barrier : barriers) {
      OpBuilder b(barrier);
      gpu::BarrierOp::create(b, barrier.getLoc());
      barrier.erase();
    }
  }
};

} // namespace
