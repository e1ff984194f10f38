//===- ManagedMemoryForGPU.cpp - the enc-managed-memory-for-gpu pass -------===//
//
// Managed memory is one address for host code and kernels, so the host
// side of the GPU pipeline (reshapes, copies, the loops that stay on the
// host) needs no transfers to be correct: the runtime synchronizes after
// each launch. Explicit device buffers and asynchronous copies are the GPU
// performance work's.
//
//===----------------------------------------------------------------------===//

#include "encoder/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCMANAGEDMEMORYFORGPU
#include "encoder/Transforms/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

bool onHost(Operation *op) {
  return !op->getParentOfType<gpu::LaunchOp>() &&
         !op->getParentOfType<gpu::GPUFuncOp>();
}

/// `gpu.alloc host_shared` of `type` with `dynamicSizes`, where `at` was.
Value managedAlloc(OpBuilder &b, Location loc, MemRefType type,
                   ValueRange dynamicSizes) {
  return gpu::AllocOp::create(b, loc, type, /*asyncToken=*/Type(),
                              /*asyncDependencies=*/ValueRange(), dynamicSizes,
                              /*symbolOperands=*/ValueRange(),
                              /*hostShared=*/true)
      .getMemref();
}

/// Frees `memref` through `enc_gpu_free(aligned pointer)`, which
/// enc-lower-gpu-launches defines: upstream lowers only asynchronous
/// gpu.dealloc.
void freeBefore(OpBuilder &b, Operation *point, Value memref) {
  b.setInsertionPoint(point);
  Location loc = point->getLoc();
  Value pointer =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  func::CallOp::create(b, loc, kGPUFreeFunction, TypeRange(),
                       ValueRange{pointer});
}

/// func.func private @enc_gpu_free(index)
void declareFree(ModuleOp module) {
  if (!module || module.lookupSymbol(kGPUFreeFunction))
    return;
  OpBuilder b(module.getBodyRegion());
  auto type = b.getFunctionType({b.getIndexType()}, {});
  auto decl = func::FuncOp::create(b, module.getLoc(), kGPUFreeFunction, type);
  decl.setPrivate();
}

struct EncManagedMemoryForGPUPass
    : enc::impl::EncManagedMemoryForGPUBase<EncManagedMemoryForGPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(&getContext());
    bool any = false;
    module.walk([&](Operation *op) {
      any |= isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
                 memref::GetGlobalOp>(op) && onHost(op);
    });
    if (!any)
      return;
    declareFree(module);
    module.walk([&](Operation *op) {
      if (!onHost(op) || !op->getParentOfType<func::FuncOp>())
        return;
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        b.setInsertionPoint(alloc);
        Value managed = managedAlloc(b, alloc.getLoc(), alloc.getType(),
                                    alloc.getDynamicSizes());
        alloc.replaceAllUsesWith(managed);
        alloc.erase();
      } else if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
        b.setInsertionPoint(alloca);
        Value managed = managedAlloc(b, alloca.getLoc(), alloca.getType(),
                                     alloca.getDynamicSizes());
        alloca.replaceAllUsesWith(managed);
        freeBefore(b, alloca->getBlock()->getTerminator(), managed);
        alloca.erase();
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        freeBefore(b, dealloc, dealloc.getMemref());
        dealloc.erase();
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        // Constants: a managed copy each time, freed at the end of the
        // block (results never alias it: deallocation copies them).
        b.setInsertionPointAfter(global);
        Value copy = managedAlloc(b, global.getLoc(), global.getType(), {});
        auto fill =
            memref::CopyOp::create(b, global.getLoc(), global.getResult(), copy);
        global.getResult().replaceAllUsesExcept(copy, fill);
        freeBefore(b, global->getBlock()->getTerminator(), copy);
      }
    });
  }
};

} // namespace
