//===- Passes.h - transforms of the encoder compiler ------------*- C++ -*-===//

#ifndef ENCODER_TRANSFORMS_PASSES_H
#define ENCODER_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace enc {

/// What an artifact's code runs on; written to its metadata.
enum class ArtifactTarget { cpu, cuda };

/// Module attribute holding the recorded signatures (enc-record-abi).
constexpr llvm::StringLiteral kFunctionsAttrName = "enc.functions";
/// Argument/result attribute naming an input or output.
constexpr llvm::StringLiteral kNameAttrName = "enc.name";
/// Input attributes naming each dimension (dims of one name agree across
/// a call's inputs) and bounding it (-1: no bound).
constexpr llvm::StringLiteral kDimNamesAttrName = "enc.dim_names";
constexpr llvm::StringLiteral kDimMaxAttrName = "enc.dim_max";
/// Input attribute: the least size of each dimension (0: none), merged by
/// enc-record-abi with what the ops need (minimumInputSizes).
constexpr llvm::StringLiteral kDimMinAttrName = "enc.dim_min";
/// Input attribute: "zeros" or "ones", what the runtime passes when the
/// caller omits the input (Hugging Face's optional inputs).
constexpr llvm::StringLiteral kDefaultAttrName = "enc.default";
/// Argument attribute of a packed parameter: how the runtime builds it
/// ({sources, source_shapes, concat_dim, panel}; enc.packed_param).
constexpr llvm::StringLiteral kPackAttrName = "enc.pack";
/// Argument attribute naming the parameter an argument carries.
constexpr llvm::StringLiteral kParamAttrName = "enc.param";
/// On ops lowered from an enc op: the name of that op (convert-enc-to-linalg).
constexpr llvm::StringLiteral kOriginAttrName = "enc.origin";
/// Knobs (enc-apply-op-config): tile sizes of an op's kernel, and keeping an
/// op out of fusions.
constexpr llvm::StringLiteral kTileSizesAttrName = "enc.tile_sizes";
constexpr llvm::StringLiteral kNoFuseAttrName = "enc.no_fuse";
/// Module attribute: one dictionary per kernel {name, function, ops, flops,
/// bytes}, indexed by the launch's kernel number (enc-outline-kernels).
constexpr llvm::StringLiteral kKernelsAttrName = "enc.kernels";
/// Module attribute: descriptions of would-be kernels whose loop folded to
/// one iteration and runs inline on the calling thread (no launch), in the
/// form of enc.kernels' entries (enc-outline-kernels).
constexpr llvm::StringLiteral kInlineKernelsAttrName = "enc.inline_kernels";
/// On a launch declaration: {body = @fn, kernel = index}.
constexpr llvm::StringLiteral kKernelLaunchAttrName = "enc.kernel_launch";
/// The exported, runtime-filled hooks object (docs/artifact-abi.md).
constexpr llvm::StringLiteral kRuntimeHooksSymbol = "enc_runtime_hooks";
/// Copies a host constant into device memory: (device, host, bytes), all
/// index (enc-device-memory-for-gpu calls it; enc-lower-gpu-launches
/// defines it).
constexpr llvm::StringLiteral kGPUUploadFunction = "enc_gpu_upload";
/// Prefix of the packed entry point of each public function.
constexpr llvm::StringLiteral kEntryPointPrefix = "__enc_entry_";
/// The exported metadata global.
constexpr llvm::StringLiteral kMetadataSymbol = "enc_artifact_metadata";
/// The ABI version written to the metadata (docs/artifact-abi.md).
constexpr int kArtifactABIVersion = 2;

#define GEN_PASS_DECL
#include "encoder/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "encoder/Transforms/Passes.h.inc"

} // namespace enc
} // namespace mlir

#endif // ENCODER_TRANSFORMS_PASSES_H
