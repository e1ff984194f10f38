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

/// The blocking of the CPU kernels: what the model of the target chooses
/// (lib/Target/CPUTuning.cpp) or a tuning record measured on the host says
/// (`encoder-tune`). Every field is a choice of speed, never of results.
struct CPUKernelParams {
  /// Rows of the packed matmul's register block.
  int64_t matmulRows = 8;
  /// Output columns of a packed weight panel (a multiple of the lanes).
  int64_t panelColumns = 32;
  /// Least FLOPs of one chunk of a matmul's thread split: chunks cheaper
  /// than a hand-off between threads are merged.
  int64_t chunkFlops = int64_t(1) << 21;
  /// Least elements of one tile of a fused elementwise or reduction kernel
  /// (enc-form-kernels' min-tile-elements): about what the L1 holds.
  int64_t tileElements = 8192;
  /// Query rows and keys per block of the flash attention kernel.
  int64_t attentionQueryBlock = 64;
  int64_t attentionKeyBlock = 128;
};

/// The most query rows or keys of one attention block: a block is a static
/// tile, so a larger one would be a buffer of gigabytes, never faster.
constexpr int64_t kMaxAttentionBlock = 4096;

/// The parameters by name, as `enc.cpu_kernels` and the tuning record
/// spell them.
struct CPUKernelParamField {
  llvm::StringLiteral name;
  int64_t CPUKernelParams::*member;
};
inline constexpr CPUKernelParamField kCPUKernelParamFields[] = {
    {"matmul_rows", &CPUKernelParams::matmulRows},
    {"panel_columns", &CPUKernelParams::panelColumns},
    {"chunk_flops", &CPUKernelParams::chunkFlops},
    {"tile_elements", &CPUKernelParams::tileElements},
    {"attention_query_block", &CPUKernelParams::attentionQueryBlock},
    {"attention_key_block", &CPUKernelParams::attentionKeyBlock},
};

/// Where a CPUKernelParams came from, as the report names it.
enum class KernelParamsSource { model, record, explicitOption };

inline llvm::StringRef nameOf(KernelParamsSource source) {
  switch (source) {
  case KernelParamsSource::model:
    return "model";
  case KernelParamsSource::record:
    return "record";
  case KernelParamsSource::explicitOption:
    return "explicit";
  }
  return "model";
}

/// The vector registers the CPU kernels (packed matmul, flash attention)
/// are blocked for: AVX-512 has 32 registers of 512 bits, AVX2 and SSE 16;
/// and the blocking chosen for the target.
struct CPUTargetInfo {
  int64_t vectorBits = 512;
  int64_t vectorRegisters = 32;
  CPUKernelParams kernels;
  KernelParamsSource source = KernelParamsSource::model;

  /// The x86 register file of a vector width, or none for a width the
  /// kernels do not take (they need 128, 256 or 512 bits).
  static std::optional<CPUTargetInfo> forVectorWidth(int64_t bits) {
    if (bits != 128 && bits != 256 && bits != 512)
      return std::nullopt;
    CPUTargetInfo info{bits, bits == 512 ? 32 : 16, {}, {}};
    info.kernels.panelColumns = bits / 16;
    return info;
  }
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
