//===- FlashAttention.h - flash-attention lowering ------------*- C++ -*-===//

#ifndef ENCODER_LIB_CONVERSION_ENCTOLINALG_FLASHATTENTION_H
#define ENCODER_LIB_CONVERSION_ENCTOLINALG_FLASHATTENTION_H

#include "encoder/Conversion/Passes.h"

namespace mlir {
class RewritePatternSet;

namespace enc::lowering {

/// Adds the tiled online-softmax lowering of enc.attention, its kernels
/// blocked for `target`'s vector registers.
void populateFlashAttentionPattern(RewritePatternSet &patterns,
                                   VectorTarget target);

/// Adds the plain-linalg lowering of enc.attention, which materialises the
/// score matrix (MaterializedAttention.cpp), for targets with no host vector
/// kernels.
void populateMaterializedAttentionPattern(RewritePatternSet &patterns);

} // namespace enc::lowering
} // namespace mlir

#endif // ENCODER_LIB_CONVERSION_ENCTOLINALG_FLASHATTENTION_H
