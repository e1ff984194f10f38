//===- MergeGPUModules.cpp - the enc-merge-gpu-modules pass
//-----------------===//
//
// A BERT has a launch per layer and op, each outlined into its own module;
// as PTX each would be JIT-compiled separately at the first call (hundreds
// for CLIP). One module, with the layers' identical kernels shared, is one
// JIT and a fraction of the text.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCMERGEGPUMODULES
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr llvm::StringLiteral kMergedModule = "enc_kernels";

/// The kernel's text without its name and locations: equal keys, equal
/// kernels.
std::string structuralKey(gpu::GPUFuncOp kernel) {
  StringAttr name = SymbolTable::getSymbolName(kernel);
  SymbolTable::setSymbolName(kernel, "kernel");
  std::string key;
  llvm::raw_string_ostream os(key);
  kernel->print(os, OpPrintingFlags().useLocalScope().printGenericOpForm());
  SymbolTable::setSymbolName(kernel, name);
  return key;
}

struct EncMergeGPUModulesPass
    : enc::impl::EncMergeGPUModulesBase<EncMergeGPUModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> sources(module.getOps<gpu::GPUModuleOp>());
    if (sources.empty())
      return;
    for (gpu::GPUModuleOp source : sources) {
      for (Operation &op : source.getBody()->getOperations()) {
        if (!isa<gpu::GPUFuncOp, memref::GlobalOp>(op)) {
          op.emitError("enc-merge-gpu-modules: expected only kernels and "
                       "globals in ")
              << source.getName() << " (run it right after outlining)";
          return signalPassFailure();
        }
      }
    }

    OpBuilder b(sources.front());
    auto merged =
        gpu::GPUModuleOp::create(b, sources.front().getLoc(), kMergedModule);
    merged->setAttrs(sources.front()->getAttrs());
    merged.setName(kMergedModule);
    b.setInsertionPointToStart(merged.getBody());

    // Globals (the workgroup memory of kernels that declare it as globals)
    // are copies of one host-module symbol each, cloned into every module
    // whose kernel uses it: one copy of each name is kept, and the kernels
    // keep referring to it by that name.
    llvm::StringMap<memref::GlobalOp> globals;
    for (gpu::GPUModuleOp source : sources) {
      for (auto global : llvm::make_early_inc_range(
               source.getBody()->getOps<memref::GlobalOp>())) {
        auto [it, inserted] = globals.try_emplace(global.getSymName(), global);
        if (inserted) {
          global->moveBefore(merged.getBody(), merged.getBody()->end());
          continue;
        }
        if (it->second.getType() != global.getType()) {
          global.emitError("enc-merge-gpu-modules: two globals named ")
              << global.getSymName() << " of different types";
          return signalPassFailure();
        }
        global.erase();
      }
    }

    // (old module, old kernel) -> the kernel in the merged module.
    llvm::StringMap<gpu::GPUFuncOp> byKey;
    DenseMap<std::pair<StringAttr, StringAttr>, gpu::GPUFuncOp> moved;
    for (gpu::GPUModuleOp source : sources) {
      for (auto kernel : llvm::make_early_inc_range(
               source.getBody()->getOps<gpu::GPUFuncOp>())) {
        std::pair<StringAttr, StringAttr> old = {
            source.getNameAttr(), SymbolTable::getSymbolName(kernel)};
        auto [it, inserted] = byKey.try_emplace(structuralKey(kernel), kernel);
        if (inserted) {
          kernel->moveBefore(merged.getBody(), merged.getBody()->end());
          SymbolTable::setSymbolName(kernel, source.getName());
        }
        moved[old] = it->second;
      }
    }

    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      auto found =
          moved.find({launch.getKernelModuleName(), launch.getKernelName()});
      if (found == moved.end()) {
        launch.emitError("enc-merge-gpu-modules: no kernel ")
            << launch.getKernel();
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(SymbolRefAttr::get(
          b.getStringAttr(kMergedModule),
          {FlatSymbolRefAttr::get(SymbolTable::getSymbolName(found->second))}));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (gpu::GPUModuleOp source : sources)
      source.erase();
    // The host module's originals of the kernels' workgroup globals are
    // dead now, and the host's LLVM lowering has no workgroup memory.
    for (auto global :
         llvm::make_early_inc_range(module.getOps<memref::GlobalOp>())) {
      auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(
          global.getType().getMemorySpace());
      if (space && space.getValue() == gpu::AddressSpace::Workgroup &&
          SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
    }
  }
};

} // namespace
