//===- CPUPipeline.cpp - enc to LLVM for the host CPU -----------------------===//
//
// The stages and the reasons for their order are in docs/architecture.md.
//
//===----------------------------------------------------------------------===//

#include "encoder/Pipelines/Pipelines.h"

#include "encoder/Conversion/Passes.h"
#include "encoder/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::enc;

void mlir::enc::buildEncPreparationPipeline(OpPassManager &pm) {
  // Parameters can only become arguments of functions nobody calls.
  pm.addPass(createInlinerPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createEncLiftParams());
  // Before lowering: the index ranges come from the enc ops.
  pm.addPass(createEncRecordABI());
}

void mlir::enc::buildEncToLinalgConversionPipeline(OpPassManager &pm) {
  pm.addPass(createConvertEncToLinalg());
  // Models may use arith on tensors (a residual add) beside enc ops.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::enc::buildEncToLinalgPipeline(OpPassManager &pm) {
  buildEncPreparationPipeline(pm);
  buildEncToLinalgConversionPipeline(pm);
}

void mlir::enc::buildLinalgToLLVMCPUPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Identity layouts at function boundaries: with dynamic strides, loads
  // from arguments cannot be vectorized (DESIGN.md, measured 5x slower).
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Frees temporaries, and makes every returned buffer owned by the caller
  // (the ABI's promise that results never alias arguments).
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createEncLowerStridedCopies());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createEncApproximateMath());
  pm.addPass(createEncLowerDynamicExpandShape());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());

  EncEmitEntryPointsOptions entryPoints;
  entryPoints.targetKind = ArtifactTarget::cpu;
  entryPoints.targetTriple = options.triple;
  entryPoints.targetCpu = options.cpu;
  pm.addPass(createEncEmitEntryPoints(entryPoints));
}

void mlir::enc::buildCPUPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options) {
  buildEncToLinalgPipeline(pm);
  buildLinalgToLLVMCPUPipeline(pm, options);
}

void mlir::enc::registerEncoderPipelines() {
  PassPipelineRegistration<>(
      "enc-to-linalg-pipeline",
      "Lower enc to linalg on tensors, with parameters as arguments and "
      "signatures recorded",
      buildEncToLinalgPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "enc-cpu-pipeline",
      "Lower enc to the LLVM dialect for the host CPU, with the artifact ABI",
      buildCPUPipeline);
}
