//===- CUDAPipeline.cpp - enc to LLVM with PTX kernels ----------------------===//
//
// The GPU path shares the enc preparation (without weight packing) with the
// CPU, then writes its own kernels for two enc ops, on tensors:
//
//   attention: one online-softmax kernel (mma.sync)  enc-attention-to-gpu
//   layer norm: one kernel, a warp per row           enc-layer-norm-to-gpu
//
// and shares the enc-to-linalg conversion (vector-bits=0: what attention is
// left, as plain linalg), then:
//
//   bufferize, free temporaries                      (as on the CPU)
//   contractions on the tensor cores (mma.sync)      enc-matmul-to-tensor-cores
//   row reductions, a warp per row (shuffles)        enc-warp-reductions
//   linalg -> scf.parallel                           convert-linalg-to-parallel-loops
//   buffers in device memory, host copies as loops   enc-device-memory-for-gpu
//   one gpu.launch per outermost scf.parallel        enc-map-parallel-loops-to-gpu
//   outline into one module, identical kernels shared enc-merge-gpu-modules
//   shared-memory stages aligned to 16 bytes          enc-align-workgroup-buffers
//   NVVM, PTX (LLVM's NVPTX backend)                 as gpu-lower-to-nvvm-pipeline
//   launches/allocations through the runtime hooks   enc-lower-gpu-launches
//   entry points and metadata                        enc-emit-entry-points
//
// Contractions run on the tensor cores (mma.sync, operands from global memory);
// everything else is the correct-first form, one thread per output element
// without shared memory. docs/architecture.md says what the fast path still
// needs.
//
//===----------------------------------------------------------------------===//

#include "encoder/Pipelines/Pipelines.h"

#include "encoder/Transforms/Passes.h"

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
  unsigned ptx = version >= 120  ? 87
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

  if (options.matmulPrecision != "f32") {
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
  entryPoints.targetKind = ArtifactTarget::cuda;
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
  buildEncPreparationPipeline(pm, graph);
  buildEncToGPUKernelsPipeline(pm, options);
  buildEncToLinalgConversionPipeline(pm, /*vectorBits=*/0);
  buildLinalgToLLVMCUDAPipeline(pm, options);
}
