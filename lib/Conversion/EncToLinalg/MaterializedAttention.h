//===- MaterializedAttention.h - attention as plain linalg ------*- C++ -*-===//

#ifndef ENCODER_LIB_CONVERSION_ENCTOLINALG_MATERIALIZEDATTENTION_H
#define ENCODER_LIB_CONVERSION_ENCTOLINALG_MATERIALIZEDATTENTION_H

namespace mlir {
class RewritePatternSet;

namespace enc::lowering {

/// Adds the neutral lowering of enc.attention, which materialises the score
/// matrix (MaterializedAttention.cpp); targets with kernels of their own
/// for attention replace it (the CPU's flash attention).
void populateMaterializedAttentionPattern(RewritePatternSet &patterns);

} // namespace enc::lowering
} // namespace mlir

#endif // ENCODER_LIB_CONVERSION_ENCTOLINALG_MATERIALIZEDATTENTION_H
