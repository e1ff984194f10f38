//===- RuntimeHooks.h - the enc_runtime_hooks object ------------*- C++ -*-===//
//
// The writable object through which compiled code reaches the runtime
// (docs/artifact-abi.md): its LLVM type and the one definition a module
// gets, shared by the passes that use it and the one that exports it.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_TRANSFORMS_RUNTIMEHOOKS_H
#define ENCODER_LIB_TRANSFORMS_RUNTIMEHOOKS_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::enc {

/// Field indices of struct enc_runtime_hooks; fields are only appended.
enum RuntimeHooksField : int32_t {
  kParallelForField = 0,
  kGPUAllocField = 1,
  kGPUFreeField = 2,
  kGPULaunchField = 3,
  kGPUUploadField = 4,
  kRuntimeHooksFieldCount = 5,
};

/// struct enc_runtime_hooks { void *parallel_for, *gpu_alloc, *gpu_free,
/// *gpu_launch, *gpu_upload; }
LLVM::LLVMStructType runtimeHooksType(MLIRContext *ctx);

/// The module's zero-initialized, exported hooks object, created if absent.
LLVM::GlobalOp getOrCreateRuntimeHooks(ModuleOp module);

/// Loads hook `field` (a function pointer) from `hooks` at `b`'s point.
Value loadRuntimeHook(OpBuilder &b, Location loc, LLVM::GlobalOp hooks,
                      RuntimeHooksField field);

} // namespace mlir::enc

#endif // ENCODER_LIB_TRANSFORMS_RUNTIMEHOOKS_H
