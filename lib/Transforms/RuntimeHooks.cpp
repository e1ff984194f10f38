//===- RuntimeHooks.cpp - the enc_runtime_hooks object ----------------------===//

#include "RuntimeHooks.h"

#include "encoder/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::enc;

LLVM::LLVMStructType mlir::enc::runtimeHooksType(MLIRContext *ctx) {
  return LLVM::LLVMStructType::getLiteral(ctx,
                                          {LLVM::LLVMPointerType::get(ctx)});
}

LLVM::GlobalOp mlir::enc::getOrCreateRuntimeHooks(ModuleOp module) {
  if (auto existing = module.lookupSymbol<LLVM::GlobalOp>(kRuntimeHooksSymbol))
    return existing;
  MLIRContext *ctx = module.getContext();
  auto type = runtimeHooksType(ctx);
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto global = LLVM::GlobalOp::create(b, module.getLoc(), type,
                                       /*isConstant=*/false,
                                       LLVM::Linkage::External,
                                       kRuntimeHooksSymbol, Attribute());
  Block *init = b.createBlock(&global.getInitializerRegion());
  b.setInsertionPointToStart(init);
  Value zero = LLVM::ZeroOp::create(b, module.getLoc(), type);
  LLVM::ReturnOp::create(b, module.getLoc(), zero);
  return global;
}
