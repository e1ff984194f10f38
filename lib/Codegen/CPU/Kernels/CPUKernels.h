//===- CPUKernels.h - the CPU's kernels for enc ops -------------*- C++ -*-===//
//
// Patterns that lower enc ops straight to the CPU's hand-blocked kernels
// (vector dialect, scf.forall over the work), in place of their neutral
// linalg lowering: the CPU LoweringTarget adds them to
// convert-enc-to-linalg (CPULoweringTarget.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CODEGEN_CPU_KERNELS_CPUKERNELS_H
#define ENCODER_LIB_CODEGEN_CPU_KERNELS_CPUKERNELS_H

#include "encoder/Target/TargetInfo.h"

namespace mlir {
class RewritePatternSet;

namespace enc::lowering {

/// enc.linear and enc.patch_embed with packed weights (enc-pack-weights)
/// as the register-blocked matmul micro-kernel (PackedMatmul.cpp).
void populatePackedMatmulPatterns(RewritePatternSet &patterns,
                                  CPUTargetInfo target);

/// enc.attention as tiled online softmax (FlashAttention.cpp), its kernels
/// blocked for `target`'s vector registers.
void populateFlashAttentionPattern(RewritePatternSet &patterns,
                                   CPUTargetInfo target);

} // namespace enc::lowering
} // namespace mlir

#endif // ENCODER_LIB_CODEGEN_CPU_KERNELS_CPUKERNELS_H
