//===- MergeGPUModules.cpp - the enc-merge-gpu-modules pass -----------------===//
//
// A BERT has a launch per layer and op, each outlined into its own module;
// as PTX each would be JIT-compiled separately at the first call (hundreds
// for CLIP). One module, with the layers' identical kernels shared, is one
// JIT and a fraction of the text.
//
//===----------------------------------------------------------------------===//

#include "encoder/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCMERGEGPUMODULES
#include "encoder/Transforms/Passes.h.inc"
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
        if (!isa<gpu::GPUFuncOp>(op)) {
          op.emitError("enc-merge-gpu-modules: expected only kernels in ")
              << source.getName() << " (run it right after outlining)";
          return signalPassFailure();
        }
      }
    }

    OpBuilder b(sources.front());
    auto merged = gpu::GPUModuleOp::create(b, sources.front().getLoc(),
                                           kMergedModule);
    merged->setAttrs(sources.front()->getAttrs());
    merged.setName(kMergedModule);
    b.setInsertionPointToStart(merged.getBody());

    // (old module, old kernel) -> the kernel in the merged module.
    llvm::StringMap<gpu::GPUFuncOp> byKey;
    DenseMap<std::pair<StringAttr, StringAttr>, gpu::GPUFuncOp> moved;
    for (gpu::GPUModuleOp source : sources) {
      for (auto kernel : llvm::make_early_inc_range(
               source.getBody()->getOps<gpu::GPUFuncOp>())) {
        std::pair<StringAttr, StringAttr> old = {source.getNameAttr(),
                                                 SymbolTable::getSymbolName(kernel)};
        auto [it, inserted] = byKey.try_emplace(structuralKey(kernel), kernel);
        if (inserted) {
          kernel->moveBefore(merged.getBody(), merged.getBody()->end());
          SymbolTable::setSymbolName(kernel, source.getName());
        }
        moved[old] = it->second;
      }
    }

    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      auto found = moved.find({launch.getKernelModuleName(),
                               launch.getKernelName()});
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
  }
};

} // namespace
