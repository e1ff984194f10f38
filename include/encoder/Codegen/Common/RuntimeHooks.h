//===- RuntimeHooks.h - the enc_runtime_hooks object ------------*- C++ -*-===//
//
// The writable object through which compiled code reaches the runtime
// (include/encoder/ABI/ArtifactABI.h): its LLVM type, built field by field
// from the C header's ENC_HOOK_* indices, and the one definition a module
// gets, shared by the passes that use it and the one that exports it.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_COMMON_RUNTIMEHOOKS_H
#define ENCODER_CODEGEN_COMMON_RUNTIMEHOOKS_H

#include "encoder/ABI/ArtifactABI.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::enc {

/// struct enc_runtime_hooks { void *parallel_for, *gpu_alloc, *gpu_free,
/// *gpu_launch, *gpu_upload; }
LLVM::LLVMStructType runtimeHooksType(MLIRContext *ctx);

/// The module's zero-initialized, exported hooks object, created if absent.
LLVM::GlobalOp getOrCreateRuntimeHooks(ModuleOp module);

/// Loads hook `field` (a function pointer) from `hooks` at `b`'s point.
Value loadRuntimeHook(OpBuilder &b, Location loc, LLVM::GlobalOp hooks,
                      enc_runtime_hook_field field);

} // namespace mlir::enc

#endif // ENCODER_CODEGEN_COMMON_RUNTIMEHOOKS_H
