//===- RuntimeHooks.cpp - the enc_runtime_hooks object
//----------------------===//

#include "encoder/Codegen/Common/RuntimeHooks.h"

using namespace mlir;
using namespace mlir::enc;

LLVM::LLVMStructType mlir::enc::runtimeHooksType(MLIRContext *ctx) {
  SmallVector<Type> fields(ENC_HOOK_FIELD_COUNT,
                           LLVM::LLVMPointerType::get(ctx));
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
}

LLVM::GlobalOp mlir::enc::getOrCreateRuntimeHooks(ModuleOp module) {
  if (auto existing =
          module.lookupSymbol<LLVM::GlobalOp>(ENC_RUNTIME_HOOKS_SYMBOL))
    return existing;
  MLIRContext *ctx = module.getContext();
  auto type = runtimeHooksType(ctx);
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto global =
      LLVM::GlobalOp::create(b, module.getLoc(), type,
                             /*isConstant=*/false, LLVM::Linkage::External,
                             ENC_RUNTIME_HOOKS_SYMBOL, Attribute());
  Block *init = b.createBlock(&global.getInitializerRegion());
  b.setInsertionPointToStart(init);
  Value zero = LLVM::ZeroOp::create(b, module.getLoc(), type);
  LLVM::ReturnOp::create(b, module.getLoc(), zero);
  return global;
}

Value mlir::enc::loadRuntimeHook(OpBuilder &b, Location loc,
                                 LLVM::GlobalOp hooks,
                                 enc_runtime_hook_field field) {
  MLIRContext *ctx = b.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  Value address = LLVM::AddressOfOp::create(b, loc, hooks);
  Value slot =
      LLVM::GEPOp::create(b, loc, ptrType, runtimeHooksType(ctx), address,
                          ArrayRef<LLVM::GEPArg>{0, int32_t(field)});
  return LLVM::LoadOp::create(b, loc, ptrType, slot);
}
