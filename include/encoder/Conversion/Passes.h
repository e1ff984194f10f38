//===- Passes.h - conversion passes of the encoder compiler -----*- C++ -*-===//
//
// convert-enc-to-linalg and the seam through which each target plugs its
// own kernels into it (LoweringTarget).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CONVERSION_PASSES_H
#define ENCODER_CONVERSION_PASSES_H

#include "encoder/Target/TargetInfo.h"

#include "mlir/Pass/Pass.h"

#include <memory>
#include <string>

namespace mlir {
class RewritePatternSet;

namespace enc {

/// A code generation target as the enc-to-linalg conversion sees it. The
/// conversion itself is target-neutral: every enc op has a plain linalg
/// lowering. A target adds its own kernels for some ops (the CPU: the
/// packed register-blocked matmul and flash attention, in
/// lib/Codegen/CPU/Kernels); they are tried first, and what they decline
/// falls to the neutral lowering. Each target's library implements and
/// registers its LoweringTarget (registerCPULoweringTarget, ...), as LLVM's
/// targets register with the TargetRegistry, so that the conversion never
/// links target code.
class LoweringTarget {
public:
  explicit LoweringTarget(TargetKind kind) : kind(kind) {}
  virtual ~LoweringTarget();
  TargetKind getKind() const { return kind; }

  /// Adds the target's kernel patterns, with a benefit above the neutral
  /// patterns' (kKernelPatternBenefit).
  virtual void populateKernelPatterns(RewritePatternSet &patterns) const = 0;

  /// Whether its kernels take weights packed in panels (enc-pack-weights);
  /// the conversion refuses them up front for a target that does not.
  virtual bool lowersPackedWeights() const { return false; }

  static constexpr unsigned kKernelPatternBenefit = 2;

private:
  TargetKind kind;
};

/// What a target is created from: the conversion's options.
struct LoweringTargetOptions {
  /// CPU: the vector register width its kernels are blocked for.
  int64_t vectorBits = 512;
  /// CPU: the kernels' blocking (the module's `enc.cpu_kernels`), else the
  /// defaults of the vector width.
  std::optional<CPUKernelParams> cpuKernels;
  KernelParamsSource cpuKernelsSource = KernelParamsSource::model;
};

/// `enc.cpu_kernels`: the CPU kernels' blocking and where it came from, as
/// the driver sets it on the module.
DictionaryAttr getCPUKernelsAttr(MLIRContext *context,
                                 const CPUKernelParams &params,
                                 KernelParamsSource source);

/// Reads `enc.cpu_kernels` from `module` into `options`; a malformed one
/// is an error at the module. Absent: `options` unchanged.
LogicalResult readCPUKernelsAttr(Operation *module,
                                 LoweringTargetOptions &options);

using LoweringTargetFactory = std::unique_ptr<LoweringTarget> (*)(
    const LoweringTargetOptions &options, std::string &error);

/// Makes `factory` the one that creates targets of `kind` (the last
/// registration wins; registering is idempotent).
void registerLoweringTarget(TargetKind kind, LoweringTargetFactory factory);

/// A target of `kind`, or null with `error` set when none is registered or
/// the options do not fit it.
std::unique_ptr<LoweringTarget>
createLoweringTarget(TargetKind kind, const LoweringTargetOptions &options,
                     std::string &error);

#define GEN_PASS_DECL
#include "encoder/Conversion/Passes.h.inc"

/// The target-neutral patterns lowering enc ops to linalg/tensor/arith/
/// math, by op family.
void populateLayersToLinalgPatterns(RewritePatternSet &patterns);
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);
void populateEmbeddingsToLinalgPatterns(RewritePatternSet &patterns);
void populateAudioToLinalgPatterns(RewritePatternSet &patterns);
void populatePoolingToLinalgPatterns(RewritePatternSet &patterns);
void populateLossesToLinalgPatterns(RewritePatternSet &patterns);
void populateSpanCorruptionToLinalgPatterns(RewritePatternSet &patterns);
void populateWindowsToLinalgPatterns(RewritePatternSet &patterns);
void populateImagePoolingToLinalgPatterns(RewritePatternSet &patterns);
/// All of the above, then `target`'s kernels.
void populateEncToLinalgPatterns(RewritePatternSet &patterns,
                                 const LoweringTarget &target);

#define GEN_PASS_REGISTRATION
#include "encoder/Conversion/Passes.h.inc"

} // namespace enc
} // namespace mlir

#endif // ENCODER_CONVERSION_PASSES_H
