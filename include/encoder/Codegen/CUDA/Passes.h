//===- Passes.h - CUDA code generation ------------------------*- C++ -*-===//
//
// The passes of lib/Codegen/CUDA/ (include/encoder/Codegen/CUDA/Passes.td has
// their descriptions).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_CUDA_PASSES_H
#define ENCODER_CODEGEN_CUDA_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::enc {

/// Registers the CUDA target of convert-enc-to-linalg (LoweringTarget).
void registerCUDALoweringTarget();

/// The products of f32 contractions on the GPU: on the tensor cores with
/// the operands rounded to TF32 or converted to bf16, or exact f32 on the
/// CUDA cores.
enum class MatmulPrecision { tf32, bf16, f32 };

/// Copies a host constant into device memory: (device, host, bytes), all
/// index (enc-device-memory-for-gpu calls it; enc-lower-gpu-launches
/// defines it).
constexpr llvm::StringLiteral kGPUUploadFunction = "enc_gpu_upload";

#define GEN_PASS_DECL
#include "encoder/Codegen/CUDA/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "encoder/Codegen/CUDA/Passes.h.inc"

} // namespace mlir::enc

#endif // ENCODER_CODEGEN_CUDA_PASSES_H
