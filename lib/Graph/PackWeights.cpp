//===- PackWeights.cpp - the enc-pack-weights pass
//--------------------------===//
//
// The CPU micro-kernel reads `panel` output columns of one input feature
// with one vector load; the checkpoint's [out, in] layout has them `in`
// floats apart. Packing is a property of the parameter (enc.packed_param),
// so the runtime does it once at bind time and no call pays for it.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCPACKWEIGHTS
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// The packed form of `weight` if it is a parameter (or an unpacked
/// concatenation of parameters) whose rows divide into panels. A weight of
/// rank above 2 (a convolution's) packs as the matrix [d0, d1 * d2 * ...].
PackedParamOp packedWeight(OpBuilder &b, Value weight, int64_t panel) {
  auto type = cast<RankedTensorType>(weight.getType());
  if (type.getRank() < 2 || !type.getElementType().isF32() ||
      !type.hasStaticShape() || type.getDimSize(0) % panel != 0)
    return {};
  ArrayAttr sources, shapes;
  int64_t concatDim = 0;
  if (auto param = weight.getDefiningOp<ParamOp>()) {
    sources = b.getStrArrayAttr({param.getName()});
    shapes = b.getArrayAttr({b.getDenseI64ArrayAttr(type.getShape())});
  } else if (auto packed = weight.getDefiningOp<PackedParamOp>()) {
    if (packed.getPanel() || type.getRank() != 2)
      return {};
    sources = packed.getSources();
    shapes = packed.getSourceShapes();
    concatDim = packed.getConcatDim();
    if (concatDim != 0)
      return {};
  } else {
    return {};
  }
  int64_t columns = 1;
  for (int64_t d : type.getShape().drop_front())
    columns *= d;
  auto packedType = RankedTensorType::get(
      {type.getDimSize(0) / panel, columns, panel}, type.getElementType());
  return PackedParamOp::create(b, weight.getLoc(), packedType, sources, shapes,
                               b.getI64IntegerAttr(concatDim),
                               b.getI64IntegerAttr(panel));
}

struct EncPackWeightsPass : enc::impl::EncPackWeightsBase<EncPackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (panel <= 0) {
      getOperation()->emitError("enc-pack-weights: panel must be positive");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    bool failedKnob = false;
    auto pack = [&](auto op) {
      if (op.hasPackedWeight())
        return;
      // enc.tile_sizes = [rows, panel] sets this op's panel (0: the
      // pass's). Whether it suits the target's vectors is the lowering's
      // to say.
      int64_t opPanel = panel;
      if (auto knob =
              op->template getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName);
          knob && knob.size() >= 2 && knob[1] != 0) {
        opPanel = knob[1];
        if (opPanel < 0) {
          op.emitOpError("enc.tile_sizes panel ")
              << opPanel << " must be positive";
          failedKnob = true;
          return;
        }
      }
      rewriter.setInsertionPoint(op);
      PackedParamOp packed = packedWeight(rewriter, op.getWeight(), opPanel);
      if (!packed)
        return;
      rewriter.modifyOpInPlace(
          op, [&] { op.getWeightMutable().assign(packed.getResult()); });
    };
    getOperation()->walk([&](Operation *op) {
      if (auto linear = dyn_cast<LinearOp>(op))
        pack(linear);
      else if (auto patches = dyn_cast<PatchEmbedOp>(op))
        pack(patches);
    });
    if (failedKnob)
      signalPassFailure();
  }
};

} // namespace
