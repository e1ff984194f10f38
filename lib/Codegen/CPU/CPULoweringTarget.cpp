//===- CPULoweringTarget.cpp - the CPU's kernels in enc-to-linalg
//-----------===//
//
// The CPU target of convert-enc-to-linalg: the packed matmul and flash
// attention kernels of Kernels/, blocked for the vector registers of the
// chosen width.
//
//===----------------------------------------------------------------------===//

#include "Kernels/CPUKernels.h"
#include "encoder/Codegen/CPU/Passes.h"
#include "encoder/Conversion/Passes.h"

using namespace mlir;
using namespace mlir::enc;

namespace {

class CPULoweringTarget : public LoweringTarget {
public:
  explicit CPULoweringTarget(CPUTargetInfo info)
      : LoweringTarget(TargetKind::cpu), info(info) {}

  void populateKernelPatterns(RewritePatternSet &patterns) const override {
    lowering::populatePackedMatmulPatterns(patterns, info);
    lowering::populateFlashAttentionPattern(patterns, info);
  }
  bool lowersPackedWeights() const override { return true; }

private:
  CPUTargetInfo info;
};

std::unique_ptr<LoweringTarget>
createCPULoweringTarget(const LoweringTargetOptions &options,
                        std::string &error) {
  std::optional<CPUTargetInfo> info =
      CPUTargetInfo::forVectorWidth(options.vectorBits);
  if (!info) {
    error = "vector-bits must be 128, 256 or 512 for the CPU, got " +
            std::to_string(options.vectorBits);
    if (options.vectorBits == 0)
      error += " (for the GPU, use target=cuda)";
    return nullptr;
  }
  if (options.cpuKernels) {
    const CPUKernelParams &kernels = *options.cpuKernels;
    int64_t lanes = info->vectorBits / 32;
    if (kernels.panelColumns % lanes != 0 ||
        kernels.attentionKeyBlock % lanes != 0) {
      error = "enc.cpu_kernels: panel_columns and attention_key_block must "
              "be multiples of the " +
              std::to_string(lanes) + " lanes of a " +
              std::to_string(info->vectorBits) + "-bit vector";
      return nullptr;
    }
    info->kernels = kernels;
    info->source = options.cpuKernelsSource;
  }
  return std::make_unique<CPULoweringTarget>(*info);
}

} // namespace

void mlir::enc::registerCPULoweringTarget() {
  registerLoweringTarget(TargetKind::cpu, createCPULoweringTarget);
}
