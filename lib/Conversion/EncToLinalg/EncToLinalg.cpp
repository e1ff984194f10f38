//===- EncToLinalg.cpp - the convert-enc-to-linalg pass
//---------------------===//
//
// Drives the per-family patterns and the target's kernel patterns
// (LoweringTarget) with a partial dialect conversion: every enc op but
// enc.param must be rewritten, or the pass fails and names the op that was
// left.
//
// With annotate-origins, every op a pattern creates is tagged with
// `enc.origin`, the enc op it came from, and inherits that op's knobs
// (enc.tile_sizes, enc.no_fuse), so that kernel formation can name kernels and
// honour per-op settings. The patterns create their ops at the enc op's
// location; the pass wraps that location in a unique NameLoc for the conversion
// and recognises it afterwards, then restores it. A listener would see ops that
// a failed pattern rolls back.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncDialect.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::enc {
#define GEN_PASS_DEF_CONVERTENCTOLINALG
#include "encoder/Conversion/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

void mlir::enc::populateEncToLinalgPatterns(RewritePatternSet &patterns,
                                            const LoweringTarget &target) {
  populateLayersToLinalgPatterns(patterns);
  populateAttentionToLinalgPatterns(patterns);
  populateEmbeddingsToLinalgPatterns(patterns);
  populateAudioToLinalgPatterns(patterns);
  populatePoolingToLinalgPatterns(patterns);
  populateLossesToLinalgPatterns(patterns);
  populateSpanCorruptionToLinalgPatterns(patterns);
  populateWindowsToLinalgPatterns(patterns);
  populateImagePoolingToLinalgPatterns(patterns);
  target.populateKernelPatterns(patterns);
}

namespace {

struct ConvertEncToLinalgPass
    : enc::impl::ConvertEncToLinalgBase<ConvertEncToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<EncDialect>();
    // Parameters become function arguments in enc-lift-params, not here.
    target.addLegalOp<ParamOp, PackedParamOp>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect, vector::VectorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    // Kernel annotations and the barriers of kernels written on tensors
    // (enc-attention-to-gpu) stay for the passes that consume them.
    target.addLegalOp<KernelInfoOp, WorkgroupBarrierOp>();

    // What each tag stands for: the origin op's name and knobs, and the
    // location to restore.
    struct Origin {
      StringAttr name;
      SmallVector<NamedAttribute> knobs;
      Location loc;
    };
    DenseMap<Attribute, Origin> origins;
    getOperation()->walk([&](Operation *op) {
      if (!annotateOrigins || !isa<EncDialect>(op->getDialect()) ||
          isa<ParamOp, PackedParamOp, KernelInfoOp, WorkgroupBarrierOp>(op))
        return;
      Origin origin{
          StringAttr::get(ctx, op->getName().getStringRef()), {}, op->getLoc()};
      for (StringRef knob : {kTileSizesAttrName, kNoFuseAttrName}) {
        // A matmul's tile sizes are its micro-kernel's [rows, panel], not
        // the loop tiles of what else it lowers to (an im2col copy).
        if (knob == kTileSizesAttrName && isa<LinearOp, PatchEmbedOp>(op))
          continue;
        if (Attribute value = op->getDiscardableAttr(knob))
          origin.knobs.emplace_back(StringAttr::get(ctx, knob), value);
      }
      auto tag = NameLoc::get(
          StringAttr::get(ctx, "enc.origin." + std::to_string(origins.size())),
          op->getLoc());
      origins.try_emplace(tag, std::move(origin));
      op->setLoc(tag);
    });

    std::string error;
    LoweringTargetOptions targetOptions;
    targetOptions.vectorBits = vectorBits;
    Operation *module = isa<ModuleOp>(getOperation())
                            ? getOperation()
                            : getOperation()->getParentOfType<ModuleOp>();
    if (module && failed(readCPUKernelsAttr(module, targetOptions)))
      return signalPassFailure();
    std::unique_ptr<LoweringTarget> lowering =
        createLoweringTarget(targetKind, targetOptions, error);
    if (!lowering) {
      getOperation()->emitError("convert-enc-to-linalg: ") << error;
      return signalPassFailure();
    }
    if (!lowering->lowersPackedWeights()) {
      // Packed panels are the CPU matmul's layout (enc-pack-weights).
      WalkResult packed = getOperation()->walk([](Operation *op) {
        bool isPacked = TypeSwitch<Operation *, bool>(op)
                            .Case<LinearOp, PatchEmbedOp>([](auto packable) {
                              return packable.hasPackedWeight();
                            })
                            .Default(false);
        if (!isPacked)
          return WalkResult::advance();
        op->emitOpError("has a packed weight (enc-pack-weights), which no "
                        "kernel of this target lowers: packed panels are the "
                        "CPU matmul's layout");
        return WalkResult::interrupt();
      });
      if (packed.wasInterrupted())
        return signalPassFailure();
    }
    // linalg.softmax that is not attention's (enc-recognize-attention took
    // those) becomes its reductions and elementwise generics, which kernel
    // formation tiles and fuses; no later pass lowers the aggregate op.
    SmallVector<linalg::SoftmaxOp> softmaxes;
    getOperation()->walk(
        [&](linalg::SoftmaxOp op) { softmaxes.push_back(op); });
    for (linalg::SoftmaxOp op : softmaxes) {
      OpBuilder builder(op);
      FailureOr<SmallVector<Value>> parts =
          cast<linalg::AggregatedOpInterface>(op.getOperation())
              .decomposeOperation(builder);
      if (failed(parts)) {
        op.emitOpError("could not be decomposed");
        return signalPassFailure();
      }
      op->replaceAllUsesWith(*parts);
      op->erase();
    }

    RewritePatternSet patterns(ctx);
    populateEncToLinalgPatterns(patterns, *lowering);
    LogicalResult converted =
        applyPartialConversion(getOperation(), target, std::move(patterns));

    auto originName = StringAttr::get(ctx, kOriginAttrName);
    getOperation()->walk([&](Operation *op) {
      auto it = origins.find(op->getLoc());
      if (it == origins.end())
        return;
      op->setLoc(it->second.loc);
      // Only ops that compute: tags on tensor.empty or constants would say
      // nothing.
      if (op->getNumRegions() == 0 && !isa<linalg::LinalgOp>(op))
        return;
      op->setDiscardableAttr(originName, it->second.name);
      for (const NamedAttribute &knob : it->second.knobs)
        if (!op->getDiscardableAttr(knob.getName()))
          op->setDiscardableAttr(knob.getName(), knob.getValue());
    });
    if (failed(converted))
      signalPassFailure();
  }
};

} // namespace
