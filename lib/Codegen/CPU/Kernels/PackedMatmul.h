//===- PackedMatmul.h - the CPU matmul micro-kernel -------------*- C++ -*-===//
//
// Internal to the CPU kernels: builds the packed, register-blocked matmul
// (PackedMatmul.cpp) for every op that is a matmul underneath (enc.linear,
// enc.patch_embed's im2col form).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CODEGEN_CPU_KERNELS_PACKEDMATMUL_H
#define ENCODER_LIB_CODEGEN_CPU_KERNELS_PACKEDMATMUL_H

#include "Enc/IR/EncOps.h"
#include "encoder/Target/TargetInfo.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::enc::lowering {

struct PackedMatmul {
  /// [rows, k] f32.
  Value input;
  /// [n / p, k, p] f32, p a multiple of 16 (enc.packed_param with a panel).
  Value weight;
  /// [n], or null.
  Value bias;
  /// [rows, n] added after the activation, or null.
  Value residual;
  std::optional<ActivationKind> activation;
  /// Rows of one register block (the knob enc.tile_sizes[0]); 0: the
  /// target's matmulRows, fewer if its registers do not hold them.
  int64_t rowBlock = 0;
  CPUTargetInfo target;
  /// For enc.kernel_info: the kernel's name and the ops fused into it.
  StringRef name = "linear";
  SmallVector<StringRef> ops;
};

/// out[r, c] = residual[r, c] + act(bias[c] + sum_k input[r, k] W[c, k]),
/// [rows, n], as one parallel kernel. Fails (with a diagnostic at `loc`)
/// on shapes the micro-kernel does not take.
FailureOr<Value> buildPackedMatmul(OpBuilder &b, Location loc,
                                   const PackedMatmul &matmul);

} // namespace mlir::enc::lowering

#endif // ENCODER_LIB_CODEGEN_CPU_KERNELS_PACKEDMATMUL_H
