//===- AlignWorkgroupBuffers.cpp - the enc-align-workgroup-buffers pass ---===//
//
// The GPU-to-NVVM lowering turns each workgroup attribution of a gpu.func
// into a shared-memory global aligned to its element type (4 bytes for
// f32) unless the attribution carries `llvm.align`, and gpu.launch, where
// our kernels declare their stages, has no place for that attribute. A
// 16-byte access to a stage (st.shared.v4, cp.async of 16 bytes) needs 16:
// this pass, run after outlining, gives every workgroup attribution at
// least `alignment` bytes.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCALIGNWORKGROUPBUFFERS
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;

namespace {

struct EncAlignWorkgroupBuffersPass
    : enc::impl::EncAlignWorkgroupBuffersBase<EncAlignWorkgroupBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    getOperation()->walk([&](gpu::GPUFuncOp func) {
      for (unsigned i = 0; i < func.getNumWorkgroupAttributions(); ++i) {
        auto current = dyn_cast_or_null<IntegerAttr>(
            func.getWorkgroupAttributionAttr(i, name));
        if (current && current.getInt() >= int64_t(alignment))
          continue;
        func.setWorkgroupAttributionAttr(
            i, name,
            IntegerAttr::get(IntegerType::get(&getContext(), 64), alignment));
      }
    });
  }
};

} // namespace
