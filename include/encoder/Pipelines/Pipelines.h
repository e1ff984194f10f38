//===- Pipelines.h - the compile pipelines of the encoder compiler -*- C++
//-*-===//
//
// The pass pipelines encoder-compile runs, also registered for encoder-opt:
//
//   enc-to-linalg-pipeline   enc -> linalg on tensors (stops where
//                            `encoder-compile --emit=linalg` stops)
//   enc-cpu-pipeline         enc -> LLVM dialect with the artifact ABI
//                            (`--emit=llvm`)
//   enc-cuda-pipeline        the same with PTX kernels (`--target=cuda`)
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_PIPELINES_PIPELINES_H
#define ENCODER_PIPELINES_PIPELINES_H

#include "encoder/Codegen/CUDA/Passes.h"
#include "encoder/Target/TargetInfo.h"

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace enc {

/// The graph-level optimizations, each of which can be switched off to
/// measure what it brings (`encoder-compile --disable=...`).
struct GraphOptions {
  bool recognizeAttention = true;
  bool mergeProjections = true;
  /// The head split/merge transposes into sequence-major attention (the
  /// CPU kernel's layout; off for targets without it).
  bool foldHeadTransposes = true;
  bool fuseEpilogues = true;
  bool fuseResidualNorm = true;
  bool packWeights = true;
  /// Weight-only values computed once per binding (enc-hoist-weight-only).
  bool hoistWeightOnly = true;
  /// Output columns per packed panel: two vector registers of f32.
  int64_t panel = 32;
  /// Per-op knobs, SELECTOR:KEY=VALUE (enc-apply-op-config).
  std::vector<std::string> opConfig;
};

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> recognizeAttention{
      *this, "recognize-attention",
      llvm::cl::desc("Rewrite hand-written attention into enc.attention"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> mergeProjections{
      *this, "merge-projections",
      llvm::cl::desc("Merge linear layers on one input (Q/K/V)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> foldHeadTransposes{
      *this, "fold-head-transposes",
      llvm::cl::desc("Fold the head split/merge transposes into attention"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuseEpilogues{
      *this, "fuse-epilogues",
      llvm::cl::desc("Fuse activations and residual adds into linears"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuseResidualNorm{
      *this, "fuse-residual-norm",
      llvm::cl::desc("Fuse residual adds into layer norms"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> packWeights{
      *this, "pack-weights",
      llvm::cl::desc("Pack linear weights for the micro-kernel"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> hoistWeightOnly{
      *this, "hoist-weight-only",
      llvm::cl::desc("Compute weight-only values once per binding"),
      llvm::cl::init(true)};
  PassOptions::ListOption<std::string> opConfig{
      *this, "op-config",
      llvm::cl::desc("Per-op knobs, SELECTOR:KEY=VALUE (enc-apply-op-config)")};
  PassOptions::Option<bool> formKernels{
      *this, "form-kernels",
      llvm::cl::desc("Tile linalg ops into parallel kernels with their "
                     "producers fused"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> minTileElements{
      *this, "min-tile-elements",
      llvm::cl::desc("Iteration points per kernel tile (enc-form-kernels); "
                     "0: the module's enc.cpu_kernels, else 8192"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector register width of the target (512: AVX-512, "
                     "256: AVX2, 128: SSE): blocks the kernels and the "
                     "packed panels (twice the f32 lanes)"),
      llvm::cl::init(512)};
  PassOptions::Option<std::string> triple{
      *this, "triple",
      llvm::cl::desc("Target triple recorded in the artifact metadata")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("Target CPU recorded in the artifact metadata")};
};

struct CUDAPipelineOptions : public PassPipelineOptions<CUDAPipelineOptions> {
  PassOptions::Option<std::string> gpuArch{
      *this, "gpu-arch",
      llvm::cl::desc("NVIDIA architecture of the kernels (sm_80, sm_90, ...)"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> ptxFeatures{
      *this, "ptx-features",
      llvm::cl::desc("PTX version feature, e.g. +ptx80 (empty: the lowest "
                     "that supports gpu-arch)"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> blockSize{*this, "block-size",
                                         llvm::cl::desc("Threads per block"),
                                         llvm::cl::init(256)};
  PassOptions::Option<MatmulPrecision> matmulPrecision{
      *this, "matmul-precision",
      llvm::cl::desc("Products of f32 contractions: tf32 or bf16 on the "
                     "tensor cores (enc-matmul-to-tensor-cores), f32 exact "
                     "on the CUDA cores"),
      llvm::cl::init(MatmulPrecision::tf32),
      llvm::cl::values(
          clEnumValN(MatmulPrecision::tf32, "tf32", "TF32 tensor cores"),
          clEnumValN(MatmulPrecision::bf16, "bf16", "bf16 tensor cores"),
          clEnumValN(MatmulPrecision::f32, "f32", "exact on the CUDA cores"))};
  PassOptions::Option<bool> emulateOnHost{
      *this, "emulate-on-host",
      llvm::cl::desc("Test vehicle: run every launch as host loops and "
                     "compile for the CPU (enc-run-gpu-launches-on-host)"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit whose libdevice the kernels link (empty: "
                     "$CUDA_ROOT, $CUDA_HOME, $CUDA_PATH)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> triple{
      *this, "triple",
      llvm::cl::desc("Host target triple recorded in the artifact metadata")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("Host CPU recorded in the artifact metadata")};
};

/// The PTX feature (`+ptxNN`) of the lowest PTX ISA version that supports
/// `gpuArch`; fails on a name that is not `sm_NN[a]`.
FailureOr<std::string> ptxFeatureFor(StringRef gpuArch);

/// The passes on enc (`--emit=enc` stops after them): inlining,
/// canonicalization, the graph-level fusions of `graph`, parameters lifted
/// to arguments, signatures recorded.
void buildEncPreparationPipeline(OpPassManager &pm,
                                 const GraphOptions &graph = {});

/// The graph options a pipeline option set asks for.
GraphOptions graphOptionsOf(const CPUPipelineOptions &options);

/// enc -> linalg/tensor/arith/math on tensors, then cleanup; `target`'s
/// kernels where it has them (the CPU's blocked for `vectorBits`-wide
/// registers).
void buildEncToLinalgConversionPipeline(OpPassManager &pm,
                                        TargetKind target = TargetKind::cpu,
                                        int64_t vectorBits = 512);

/// Both of the above.
void buildEncToLinalgPipeline(OpPassManager &pm);

/// linalg on tensors -> LLVM dialect for the CPU: one-shot bufferization
/// with identity-layout function boundaries, buffer deallocation, loops,
/// math approximations, LLVM conversion, entry points and metadata.
void buildLinalgToLLVMCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options);

/// Elementwise fusion, one-shot bufferization with identity layouts at
/// function boundaries, buffer deallocation, strided copies as loops: the
/// step from linalg on tensors to buffers that both targets share.
void buildFuseAndBufferizePipeline(OpPassManager &pm);

/// The part of the above after bufferization: buffers and loops -> LLVM
/// dialect with kernels, entry points and metadata.
void buildBuffersToLLVMCPUPipeline(OpPassManager &pm,
                                   const CPUPipelineOptions &options);

/// Both of the above.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// linalg on tensors (lowered for target=cuda) -> LLVM dialect for the
/// host with PTX kernels: bufferization, one GPU thread per iteration of
/// each parallel loop, device memory only (host copies as kernels), NVVM,
/// PTX through LLVM's NVPTX backend, launches and allocations through the
/// runtime hooks, entry points and metadata (lib/Pipelines/CUDAPipeline.cpp).
void buildLinalgToLLVMCUDAPipeline(OpPassManager &pm,
                                   const CUDAPipelineOptions &options);

/// The enc ops the GPU runs as hand-written kernels rather than through
/// linalg, on tensors after the preparation pipeline: attention as one
/// fused online-softmax kernel, layer norm as one kernel a warp per row.
/// Both the enc-cuda-pipeline and encoder-compile's linalg stage run it.
void buildEncToGPUKernelsPipeline(OpPassManager &pm,
                                  const CUDAPipelineOptions &options);

/// enc -> LLVM dialect with PTX kernels (weights unpacked).
void buildCUDAPipeline(OpPassManager &pm, const CUDAPipelineOptions &options);

/// Registers the pipelines above with the pass registry.
void registerEncoderPipelines();

} // namespace enc
} // namespace mlir

#endif // ENCODER_PIPELINES_PIPELINES_H
