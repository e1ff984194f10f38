//===- CUDAPipeline.cpp - enc to LLVM with PTX kernels
//----------------------===//
//
// The CPU's enc preparation without weight packing (its layouts are the CPU
// micro-kernel's); then, on tensors, the GPU's own kernels for attention and
// layer norm (buildEncToGPUKernelsPipeline); enc-to-linalg for the CUDA
// target; bufferization as on the CPU; contractions on the tensor cores,
// row reductions a warp per row, the rest one thread per output element
// (scf.parallel -> gpu.launch); buffers in device memory; kernels outlined
// into one GPU module, lowered to NVVM and PTX with the named CUDA toolkit's
// libdevice; launches and allocations through the runtime's hooks. The
// stages, one line each: docs/architecture.md; the reasons:
// docs/rationale/cuda.md.
//
//===----------------------------------------------------------------------===//

#include "encoder/Pipelines/Pipelines.h"

#include "encoder/Codegen/CPU/Passes.h"
#include "encoder/Codegen/CUDA/Passes.h"
#include "encoder/Codegen/Common/Passes.h"
#include "encoder/Conversion/Passes.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/OptimizeForNVVM.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::enc;

FailureOr<std::string> mlir::enc::ptxFeatureFor(StringRef gpuArch) {
  StringRef digits = gpuArch;
  if (!digits.consume_front("sm_"))
    return failure();
  digits.consume_back("a");
  unsigned version;
  if (digits.getAsInteger(10, version) || version < 50)
    return failure();
  // The PTX ISA version that introduced each architecture (PTX ISA manual,
  // "Release notes"); older ones run on PTX 6.0.
  unsigned ptx = version >= 120   ? 87
                 : version >= 100 ? 86
                 : version >= 90  ? 80
                 : version >= 89  ? 78
                 : version >= 87  ? 74
                 : version >= 86  ? 71
                 : version >= 80  ? 70
                 : version >= 75  ? 63
                                  : 60;
  return "+ptx" + std::to_string(ptx);
}

void mlir::enc::buildLinalgToLLVMCUDAPipeline(
    OpPassManager &pm, const CUDAPipelineOptions &options) {
  buildFuseAndBufferizePipeline(pm);

  if (options.matmulPrecision != MatmulPrecision::f32) {
    EncMatmulToTensorCoresOptions tensorCores;
    tensorCores.precision = options.matmulPrecision;
    tensorCores.emulate = options.emulateOnHost;
    pm.addNestedPass<func::FuncOp>(createEncMatmulToTensorCores(tensorCores));
  }
  EncWarpReductionsOptions warpReductions;
  warpReductions.emulate = options.emulateOnHost;
  pm.addNestedPass<func::FuncOp>(createEncWarpReductions(warpReductions));

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  // Emulation runs the rewrites too, to check them, but keeps constants in
  // host globals: its "kernels" are host loops.
  EncDeviceMemoryForGPUOptions deviceMemory;
  deviceMemory.uploadConstants = !options.emulateOnHost;
  pm.addPass(createEncDeviceMemoryForGPU(deviceMemory));
  EncMapParallelLoopsToGPUOptions mapping;
  mapping.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createEncMapParallelLoopsToGPU(mapping));
  if (options.emulateOnHost) {
    // Each thread's work, serially, then the CPU's lowering: the GPU
    // mapping checked numerically without a GPU.
    pm.addNestedPass<func::FuncOp>(createEncRunGPULaunchesOnHost());
    pm.addPass(createParallelForToNestedForsPass());
    CPUPipelineOptions host;
    host.triple = options.triple.getValue();
    host.cpu = options.cpu.getValue();
    buildBuffersToLLVMCPUPipeline(pm, host);
    return;
  }
  // Loops nested in a kernel run serially in their thread.
  pm.addPass(createParallelForToNestedForsPass());
  pm.addPass(createEncLowerDynamicExpandShape());

  // Kernels to NVVM and PTX, host code to the LLVM dialect: upstream's
  // gpu-lower-to-nvvm-pipeline, composed here to name the CUDA toolkit
  // (libdevice, for math functions) instead of reading it from the
  // environment.
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createEncMergeGPUModules());
  pm.addPass(createEncAlignWorkgroupBuffers());
  pm.addPass(createEncLowerWorkgroupBarriers());
  // No rollback log, as on the CPU (CPUPipeline.cpp says why).
  SCFToControlFlowPassOptions scfToCf;
  scfToCf.allowPatternRollback = false;
  pm.addPass(createSCFToControlFlowPass(scfToCf));
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.gpuArch;
  target.features = options.ptxFeatures.empty()
                        ? ptxFeatureFor(options.gpuArch).value_or("+ptx80")
                        : options.ptxFeatures.getValue();
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  pm.addNestedPass<gpu::GPUModuleOp>(createEncLowerBF16MmaSync());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertNVGPUToNVVMPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(LLVM::createNVVMOptimizeForTargetPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host buffers through the generic allocation functions, which
  // enc-lower-gpu-launches routes to the runtime's device allocator.
  FinalizeMemRefToLLVMConversionPassOptions hostMemory;
  hostMemory.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(hostMemory));
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa"; // PTX: the driver compiles it for the GPU
  binary.toolkitPath = options.cudaPath;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());

  pm.addPass(createEncLowerGPULaunches());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());

  EncEmitEntryPointsOptions entryPoints;
  entryPoints.targetKind = TargetKind::cuda;
  entryPoints.targetTriple = options.triple;
  entryPoints.targetCpu = options.cpu;
  entryPoints.gpuArch = options.gpuArch;
  pm.addPass(createEncEmitEntryPoints(entryPoints));
}

void mlir::enc::buildEncToGPUKernelsPipeline(
    OpPassManager &pm, const CUDAPipelineOptions &options) {
  EncAttentionToGPUOptions attention;
  attention.emulate = options.emulateOnHost;
  attention.precision = options.matmulPrecision;
  pm.addPass(createEncAttentionToGPU(attention));
  EncLayerNormToGPUOptions layerNorm;
  layerNorm.emulate = options.emulateOnHost;
  pm.addNestedPass<func::FuncOp>(createEncLayerNormToGPU(layerNorm));
}

void mlir::enc::buildCUDAPipeline(OpPassManager &pm,
                                  const CUDAPipelineOptions &options) {
  GraphOptions graph;
  graph.packWeights = false; // the packed layouts are the CPU micro-kernel's
  graph.foldHeadTransposes = false; // the GPU kernels are head-major
  buildEncPreparationPipeline(pm, graph);
  buildEncToGPUKernelsPipeline(pm, options);
  buildEncToLinalgConversionPipeline(pm, TargetKind::cuda);
  buildLinalgToLLVMCUDAPipeline(pm, options);
}
