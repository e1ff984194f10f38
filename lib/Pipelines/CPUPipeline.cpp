//===- CPUPipeline.cpp - enc to LLVM for the host CPU
//-----------------------===//
//
// The stages are listed in docs/architecture.md; the reasons for them and
// their order are in docs/rationale/ (graph-passes.md, cpu-kernels.md,
// codegen-common.md).
//
//===----------------------------------------------------------------------===//

#include "encoder/Pipelines/Pipelines.h"

#include "encoder/Codegen/CPU/Passes.h"
#include "encoder/Codegen/Common/Passes.h"
#include "encoder/Conversion/Passes.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::enc;

GraphOptions mlir::enc::graphOptionsOf(const CPUPipelineOptions &options) {
  GraphOptions graph;
  graph.recognizeAttention = options.recognizeAttention;
  graph.mergeProjections = options.mergeProjections;
  graph.foldHeadTransposes = options.foldHeadTransposes;
  graph.fuseEpilogues = options.fuseEpilogues;
  graph.fuseResidualNorm = options.fuseResidualNorm;
  graph.packWeights = options.packWeights;
  graph.hoistWeightOnly = options.hoistWeightOnly;
  graph.opConfig.assign(options.opConfig.begin(), options.opConfig.end());
  graph.panel = options.vectorBits / 16;
  return graph;
}

void mlir::enc::buildEncPreparationPipeline(OpPassManager &pm,
                                            const GraphOptions &graph) {
  // Parameters can only become arguments of functions nobody calls.
  pm.addPass(createInlinerPass());
  pm.addPass(createCanonicalizerPass());
  // Knobs first: the fusions below read them.
  if (!graph.opConfig.empty()) {
    EncApplyOpConfigOptions config;
    config.config.assign(graph.opConfig.begin(), graph.opConfig.end());
    pm.addPass(createEncApplyOpConfig(config));
  }
  // Recognition first (it makes enc.attention), merging before epilogue
  // fusion (which works on the merged linears), packing last (it changes
  // the weights the other passes match on).
  if (graph.recognizeAttention)
    pm.addPass(createEncRecognizeAttention());
  if (graph.mergeProjections)
    pm.addPass(createEncMergeProjections());
  if (graph.foldHeadTransposes)
    pm.addPass(createEncFoldHeadTransposes());
  if (graph.fuseEpilogues)
    pm.addPass(createEncFuseLinearEpilogue());
  if (graph.fuseResidualNorm)
    pm.addPass(createEncFuseResidualNorm());
  if (graph.packWeights) {
    EncPackWeightsOptions pack;
    pack.panel = graph.panel;
    pm.addPass(createEncPackWeights(pack));
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createEncLiftParams());
  if (graph.hoistWeightOnly)
    pm.addPass(createEncHoistWeightOnly());
  // Before lowering: the index ranges come from the enc ops.
  pm.addPass(createEncRecordABI());
}

void mlir::enc::buildEncToLinalgConversionPipeline(OpPassManager &pm,
                                                   TargetKind target,
                                                   int64_t vectorBits) {
  ConvertEncToLinalgOptions conversion;
  conversion.annotateOrigins = true;
  conversion.targetKind = target;
  conversion.vectorBits = vectorBits;
  pm.addPass(createConvertEncToLinalg(conversion));
  // Models may use arith on tensors (a residual add) beside enc ops.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::enc::buildEncToLinalgPipeline(OpPassManager &pm) {
  buildEncPreparationPipeline(pm, GraphOptions());
  buildEncToLinalgConversionPipeline(pm);
}

void mlir::enc::buildLinalgToLLVMCPUPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  // Kernels before elementwise fusion: fusion makes new generics, which
  // would lose the enc.origin that names kernels; tile-and-fuse gathers the
  // same chains, and elementwise fusion then merges them inside each tile.
  if (options.formKernels) {
    EncFormKernelsOptions kernels;
    kernels.minTileElements = options.minTileElements;
    pm.addNestedPass<func::FuncOp>(createEncFormKernels(kernels));
  }
  buildFuseAndBufferizePipeline(pm);
  buildBuffersToLLVMCPUPipeline(pm, options);
}

void mlir::enc::buildFuseAndBufferizePipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Identity layouts at function boundaries: with dynamic strides, vector
  // loads from arguments become gathers, 5x slower (measured:
  // docs/rationale/codegen-common.md, 'Bufferization').
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Frees temporaries, and makes every returned buffer owned by the caller
  // (the ABI's promise that results never alias arguments).
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  // ... at their last use, not at the end of the function: peak memory
  // is one layer's temporaries, not every layer's.
  pm.addNestedPass<func::FuncOp>(createEncFreeBuffersEarly());
  pm.addPass(createEncRecordMemory());
  pm.addPass(createEncLowerStridedCopies());
}

void mlir::enc::buildBuffersToLLVMCPUPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  // Every outermost scf.forall becomes a kernel launched through the
  // runtime's thread pool; nested ones run serially inside their kernel.
  pm.addPass(createEncOutlineKernels());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createForallToForLoopPass());
  pm.addPass(createEncApproximateMath());
  pm.addPass(createEncLowerDynamicExpandShape());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Without the rollback log: SCF's patterns never fail halfway, and the
  // log records every op each block split moves, quadratic in a function's
  // length (most of the memory of compiling a deep model).
  SCFToControlFlowPassOptions scfToCf;
  scfToCf.allowPatternRollback = false;
  pm.addPass(createSCFToControlFlowPass(scfToCf));
  // The micro-kernels' vector ops: 1-D in-bounds transfers become plain
  // (or masked) vector loads and stores.
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createEncLowerKernelLaunches());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());

  EncEmitEntryPointsOptions entryPoints;
  entryPoints.targetKind = TargetKind::cpu;
  entryPoints.targetTriple = options.triple;
  entryPoints.targetCpu = options.cpu;
  pm.addPass(createEncEmitEntryPoints(entryPoints));
}

void mlir::enc::buildCPUPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options) {
  buildEncPreparationPipeline(pm, graphOptionsOf(options));
  buildEncToLinalgConversionPipeline(pm, TargetKind::cpu, options.vectorBits);
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
  PassPipelineRegistration<CUDAPipelineOptions>(
      "enc-cuda-pipeline",
      "Lower enc to the LLVM dialect for the host with PTX kernels for NVIDIA "
      "GPUs, with the artifact ABI",
      buildCUDAPipeline);
}
