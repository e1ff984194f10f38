//===- FlashAttention.h - flash-attention lowering ------------*- C++ -*-===//

#ifndef ENCODER_LIB_CONVERSION_ENCTOLINALG_FLASHATTENTION_H
#define ENCODER_LIB_CONVERSION_ENCTOLINALG_FLASHATTENTION_H

namespace mlir {
class RewritePatternSet;

namespace enc::lowering {

/// Adds the tiled online-softmax lowering of enc.attention.
void populateFlashAttentionPattern(RewritePatternSet &patterns);

} // namespace enc::lowering
} // namespace mlir

#endif // ENCODER_LIB_CONVERSION_ENCTOLINALG_FLASHATTENTION_H
