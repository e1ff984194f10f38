//===- Compiler.h - the compiler driver shared by the CLI and Python -*- C++
//-*-===//
//
// What `encoder-compile` does, as a library: read a model (enc IR text or
// file, or a Hugging Face style config) into a module, then run the pipeline
// up to a stage and print it, or all the way to an artifact. The tool and
// the Python bindings (`encoder.compile`) call the same functions with the
// same options, so both report the same errors.
//
// Errors come two ways: diagnostics (located, from the parser, verifiers and
// passes) go to the context's diagnostic handler, which the caller installs;
// everything else is one line in `error`, without a tool-name prefix.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_DRIVER_COMPILER_H
#define ENCODER_DRIVER_COMPILER_H

#include "encoder/Driver/KernelReport.h"
#include "encoder/Frontend/Frontend.h"
#include "encoder/Target/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <functional>
#include <string>
#include <vector>

namespace llvm {
class SourceMgr;
class raw_ostream;
} // namespace llvm

namespace mlir {
class PassManager;

namespace enc {

/// Where compilation stops (`--emit=`).
enum class EmitStage { artifact, enc, linalg, llvm, llvmIR, assembly, ptx };

/// Parses a stage name ("artifact", "enc", "linalg", "llvm", "llvm-ir",
/// "asm", "ptx"); fails on anything else. "llvm", "llvm-ir" and "asm" are
/// the host code; "ptx" (target cuda) the kernels.
FailureOr<EmitStage> parseEmitStage(StringRef name);

/// The graph-level optimizations `--disable=` switches off, by name.
ArrayRef<StringRef> optimizationNames();

struct CompileOptions {
  /// "cpu" or "cuda" (host code for this machine, PTX kernels for
  /// `gpuArch`).
  std::string target = "cpu";
  std::string gpuArch = "sm_90";
  /// Contractions on the GPU: "tf32" (tensor cores, TF32 operands, f32
  /// accumulation), "bf16" (tensor cores, bf16 operands, f32 accumulation)
  /// or "f32" (exact, on the CUDA cores).
  std::string gpuMatmul = "tf32";
  /// The CUDA toolkit whose libdevice the kernels link; empty for
  /// $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH or /usr/local/cuda.
  std::string cudaPath;
  /// Test vehicle (target "cuda"): run the kernels as host loops in a CPU
  /// artifact, to check the GPU lowering's numerics without a GPU.
  bool gpuEmulation = false;
  /// `host` or an LLVM CPU name.
  std::string cpu = "host";
  /// The tuning record (encoder-tune) whose entry for the CPU blocks the
  /// CPU kernels; empty: defaultTuningRecordPath(); "none": the model's
  /// choice only.
  std::string tuningRecord;
  /// The CPU kernels' blocking, instead of record and model (the tuner's
  /// candidates).
  std::optional<CPUKernelParams> cpuKernels;
  unsigned optLevel = 3;
  EmitStage emit = EmitStage::artifact;
  /// Names from optimizationNames() to switch off.
  std::vector<std::string> disabled;
  /// Per-op knobs, SELECTOR:KEY=VALUE (enc-apply-op-config).
  std::vector<std::string> opConfig;
  /// Write the per-kernel report here (JSON for *.json, else Markdown).
  std::string reportFile;
  /// NAME=SIZE assignments of dynamic dimensions the report is drawn at.
  std::vector<std::string> reportDims;
  RooflineMachine roofline = {230.0, 25.0};
  /// ld.lld to link the artifact with; empty for the one installed with LLVM.
  std::string linker;
  /// Called on each stage's pass manager before it runs (the tool applies
  /// MLIR's command-line flags there); may be empty.
  std::function<LogicalResult(PassManager &)> configurePassManager;
};

/// Fails when a frontend option does not apply: --pool, --normalize and
/// --audio-input build parts of models from configs (`isConfig`), and
/// --normalize normalizes what --pool pools.
LogicalResult checkFrontendOptions(StringRef source, bool isConfig,
                                   const FrontendOptions &options,
                                   std::string &error);

/// Reads a model: a Hugging Face style directory or config.json through the
/// frontend, else enc IR from the file `path` ("-" for stdin). Parse errors
/// are diagnostics through `sourceMgr`'s handler; other errors are `error`.
OwningOpRef<ModuleOp> loadModel(MLIRContext &context,
                                llvm::SourceMgr &sourceMgr, StringRef path,
                                const FrontendOptions &frontendOptions,
                                std::string &error);

/// Parses enc IR from `text`; diagnostics name the buffer `bufferName`.
OwningOpRef<ModuleOp> parseModel(MLIRContext &context,
                                 llvm::SourceMgr &sourceMgr, StringRef text,
                                 StringRef bufferName);

/// Compiles `module` (named `sourceName` in messages) up to
/// `options.emit`: the artifact is linked to `artifactPath`; every other
/// stage is printed to `stageOutput`. `module` is transformed in place.
LogicalResult compileModule(ModuleOp module, StringRef sourceName,
                            const CompileOptions &options,
                            StringRef artifactPath,
                            llvm::raw_ostream &stageOutput, std::string &error);

} // namespace enc
} // namespace mlir

#endif // ENCODER_DRIVER_COMPILER_H
