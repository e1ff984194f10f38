//===- RuntimeHooks.cpp - the enc_runtime_hooks object ----------------------===//

#include "RuntimeHooks.h"

#include "encoder/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::enc;

LLVM::LLVMStructType mlir::enc::runtimeHooksType(MLIRContext *ctx) {
  SmallVector<Type> fields(kRuntimeHooksFieldCount,
                           LLVM::LLVMPointerType::get(ctx));
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
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

Value mlir::enc::loadRuntimeHook(OpBuilder &b, Location loc,
                                 LLVM::GlobalOp hooks,
                                 RuntimeHooksField field) {
  MLIRContext *ctx = b.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  Value address = LLVM::AddressOfOp::create(b, loc, hooks);
  Value slot = LLVM::GEPOp::create(b, loc, ptrType, runtimeHooksType(ctx),
                                   address,
                                   ArrayRef<LLVM::GEPArg>{0, int32_t(field)});
  return LLVM::LoadOp::create(b, loc, ptrType, slot);
}
