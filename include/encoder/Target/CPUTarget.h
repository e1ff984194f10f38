//===- CPUTarget.h - LLVM IR, object code and artifacts for the CPU -*- C++
//-*-===//
//
// The last steps of encoder-compile for the CPU: translate the LLVM dialect
// to LLVM IR, optimize it for the chosen CPU, emit an object file, and link
// it into the shared-object artifact with ld.lld.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_TARGET_CPUTARGET_H
#define ENCODER_TARGET_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
class raw_pwrite_stream;
} // namespace llvm

namespace mlir::enc {

struct CPUTargetOptions {
  /// An LLVM CPU name (`skylake-avx512`, `x86-64-v3`, ...) or `host`, the
  /// CPU of the machine that compiles, with all of its features.
  std::string cpu = "host";
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 3;
};

/// A TargetMachine for the host triple and `options.cpu`. Fails (with a
/// message in `error`) on an unknown CPU name.
std::unique_ptr<llvm::TargetMachine>
createCPUTargetMachine(const CPUTargetOptions &options, std::string &error);

/// Translates `module` (LLVM dialect) to LLVM IR for `machine` and runs the
/// LLVM optimization pipeline on it. Returns null after emitting a
/// diagnostic on failure.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &machine,
                                                   unsigned optLevel);

/// Emits `module` as an object file (or assembly) to `os`.
LogicalResult emitMachineCode(llvm::Module &module,
                              llvm::TargetMachine &machine,
                              llvm::raw_pwrite_stream &os, bool assembly,
                              std::string &error);

/// Links object file `objectPath` into the shared object `outputPath` with
/// ld.lld (`linker`, or the one installed with LLVM when empty).
LogicalResult linkSharedObject(StringRef objectPath, StringRef outputPath,
                               StringRef linker, std::string &error);

} // namespace mlir::enc

#endif // ENCODER_TARGET_CPUTARGET_H
