//===- TargetInfo.h - what the compiler knows of each target ----*- C++ -*-===//
//
// The typed description of a code generation target: which one (CPU or
// CUDA) and the machine facts its kernels are shaped by. Header-only and
// free of MLIR types, so that every stage may include it (test/Style/
// layering.py) while each target's kernels stay in their own library.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_TARGET_TARGETINFO_H
#define ENCODER_TARGET_TARGETINFO_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace mlir::enc {

/// What an artifact's code runs on; written to its metadata.
enum class TargetKind { cpu, cuda };

inline llvm::StringRef nameOf(TargetKind kind) {
  return kind == TargetKind::cpu ? "cpu" : "cuda";
}

/// The vector registers the CPU kernels (packed matmul, flash attention)
/// are blocked for: AVX-512 has 32 registers of 512 bits, AVX2 and SSE 16.
struct CPUTargetInfo {
  int64_t vectorBits = 512;
  int64_t vectorRegisters = 32;

  /// The x86 register file of a vector width, or none for a width the
  /// kernels do not take (they need 128, 256 or 512 bits).
  static std::optional<CPUTargetInfo> forVectorWidth(int64_t bits) {
    if (bits != 128 && bits != 256 && bits != 512)
      return std::nullopt;
    return CPUTargetInfo{bits, bits == 512 ? 32 : 16};
  }
  /// Output columns of a packed weight panel: two registers of f32.
  int64_t panelColumns() const { return vectorBits / 16; }
};

/// The NVIDIA facts the CUDA kernels are shaped by, the same on every
/// architecture they target (sm_80 and later). The warp size is upstream's
/// (mlir::kWarpSize, NVGPU).
struct CUDATargetInfo {
  /// Static shared memory a block may declare (more needs the dynamic,
  /// opt-in kind): bounds the attention kernel's K/V stages.
  static constexpr int64_t staticSharedMemoryBytes = 48 * 1024;
};

} // namespace mlir::enc

#endif // ENCODER_TARGET_TARGETINFO_H
