//===- Pipelines.h - the compile pipelines of the encoder compiler -*- C++ -*-===//
//
// The pass pipelines encoder-compile runs, also registered for encoder-opt:
//
//   enc-to-linalg-pipeline   enc -> linalg on tensors (stops where
//                            `encoder-compile --emit=linalg` stops)
//   enc-cpu-pipeline         enc -> LLVM dialect with the artifact ABI
//                            (`--emit=llvm`)
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_PIPELINES_PIPELINES_H
#define ENCODER_PIPELINES_PIPELINES_H

#include "encoder/Transforms/Passes.h"

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace enc {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<std::string> triple{
      *this, "triple",
      llvm::cl::desc("Target triple recorded in the artifact metadata")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("Target CPU recorded in the artifact metadata")};
};

/// The passes on enc (`--emit=enc` stops after them): inlining,
/// canonicalization, parameters lifted to arguments, signatures recorded.
void buildEncPreparationPipeline(OpPassManager &pm);

/// enc -> linalg/tensor/arith/math on tensors, then cleanup.
void buildEncToLinalgConversionPipeline(OpPassManager &pm);

/// Both of the above.
void buildEncToLinalgPipeline(OpPassManager &pm);

/// linalg on tensors -> LLVM dialect for the CPU: one-shot bufferization
/// with identity-layout function boundaries, buffer deallocation, loops,
/// math approximations, LLVM conversion, entry points and metadata.
void buildLinalgToLLVMCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options);

/// Both of the above.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers the pipelines above with the pass registry.
void registerEncoderPipelines();

} // namespace enc
} // namespace mlir

#endif // ENCODER_PIPELINES_PIPELINES_H
