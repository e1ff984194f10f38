//===- SpanCorruption.cpp - enc.span_corruption to loops ------------------===//
//
// T5's span corruption is a sequential scan: where a token lands in the
// inputs or targets depends on every span before it. It lowers to an
// scf.for over rows around an scf.for over the row's tokens whose
// iteration state is the scan's (the kind of the current span, tokens and
// span breaks of each kind so far, write cursors) and the two output
// tensors. The body is straight-line: a token that writes nothing to an
// output writes to a scratch column past its end, sliced off at the end,
// so there is no scf.if. The noise counts come from the row length at run
// time with NumPy's round-half-even, written with integer arithmetic
// (math.roundeven on f64 would need SSE4.1 or libm).
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

/// round(x) half to even, for x >= 0 in f64, as an index.
Value roundHalfEven(OpBuilder &b, Location loc, Value x) {
  Type i64 = b.getI64Type(), f64 = b.getF64Type();
  Value whole = arith::FPToSIOp::create(b, loc, i64, x); // floor: x >= 0
  Value wholeF = arith::SIToFPOp::create(b, loc, f64, whole);
  Value fraction = arith::SubFOp::create(b, loc, x, wholeF);
  Value half = floatConstant(b, loc, f64, 0.5);
  Value one = arith::ConstantIntOp::create(b, loc, i64, 1);
  Value above =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, fraction, half);
  Value tie =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, fraction, half);
  Value lowBit = arith::AndIOp::create(b, loc, whole, one);
  Value even = arith::ConstantIntOp::create(b, loc, i64, 0);
  Value odd =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, lowBit, even);
  Value tieUp = arith::AndIOp::create(b, loc, tie, odd);
  Value up = arith::OrIOp::create(b, loc, above, tieUp);
  Value rounded = arith::AddIOp::create(
      b, loc, whole, arith::ExtUIOp::create(b, loc, i64, up));
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), rounded);
}

Value asF64(OpBuilder &b, Location loc, Value index) {
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, b.getF64Type(), asInt);
}

struct SpanCorruptionLowering : OpConversionPattern<SpanCorruptionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SpanCorruptionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value ids = adaptor.getIds();
    Type idType = cast<RankedTensorType>(ids.getType()).getElementType();
    Type f64 = rewriter.getF64Type();
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
    };
    Value zero = index(0), one = index(1);

    // noise = clamp(round(length · density), 1, length - 1), spans =
    // max(round(min(noise, clean) / mean span), 1).
    Value batch = tensor::DimOp::create(rewriter, loc, ids, 0);
    Value length = tensor::DimOp::create(rewriter, loc, ids, 1);
    Value lengthF = asF64(rewriter, loc, length);
    Value density = floatConstant(rewriter, loc, f64,
                                  op.getNoiseDensity().convertToDouble());
    Value scaled = arith::MulFOp::create(rewriter, loc, lengthF, density);
    Value noise = roundHalfEven(rewriter, loc, scaled);
    Value lastToken = arith::SubIOp::create(rewriter, loc, length, one);
    noise = arith::MaxSIOp::create(rewriter, loc, noise, one);
    noise = arith::MinSIOp::create(rewriter, loc, noise, lastToken);
    Value meanSpan = floatConstant(
        rewriter, loc, f64, op.getMeanNoiseSpanLength().convertToDouble());
    Value clean = arith::SubIOp::create(rewriter, loc, length, noise);
    // Never more spans than tokens of either kind.
    Value fewer = arith::MinSIOp::create(rewriter, loc, noise, clean);
    Value fewerF = asF64(rewriter, loc, fewer);
    Value spanRatio = arith::DivFOp::create(rewriter, loc, fewerF, meanSpan);
    Value spans = roundHalfEven(rewriter, loc, spanRatio);
    spans = arith::MaxSIOp::create(rewriter, loc, spans, one);
    Value spansPlusEos = arith::AddIOp::create(rewriter, loc, spans, one);
    Value inputsLength =
        arith::AddIOp::create(rewriter, loc, clean, spansPlusEos);
    Value targetsLength =
        arith::AddIOp::create(rewriter, loc, noise, spansPlusEos);

    // Outputs with one scratch column each.
    Value inputsWidth = arith::AddIOp::create(rewriter, loc, inputsLength, one);
    Value targetsWidth =
        arith::AddIOp::create(rewriter, loc, targetsLength, one);
    Value inputsInit = emptyTensor(rewriter, loc, {batch, inputsWidth}, idType);
    Value targetsInit =
        emptyTensor(rewriter, loc, {batch, targetsWidth}, idType);

    Value seed = tensor::ExtractOp::create(rewriter, loc, adaptor.getSeed(),
                                           ValueRange{});
    Value eos = arith::ConstantOp::create(
        rewriter, loc, idType, rewriter.getIntegerAttr(idType, op.getEosId()));
    Value sentinel = arith::ConstantOp::create(
        rewriter, loc, idType,
        rewriter.getIntegerAttr(idType, op.getSentinelId()));
    Value inputsEos = arith::SubIOp::create(rewriter, loc, inputsLength, one);
    Value targetsEos = arith::SubIOp::create(rewriter, loc, targetsLength, one);
    Value spansMinusOne = arith::SubIOp::create(rewriter, loc, spans, one);

    auto rows = scf::ForOp::create(
        rewriter, loc, zero, batch, one, ValueRange{inputsInit, targetsInit},
        [&](OpBuilder &b, Location l, Value row, ValueRange outputs) {
          Value falseValue = arith::ConstantIntOp::create(b, l, 0, 1);
          Value trueValue = arith::ConstantIntOp::create(b, l, 1, 1);
          // State: the outputs; noise (is the current span noise), the
          // previous token's kind (noise before the first token, so that
          // it starts a span); per kind: tokens seen, breaks placed, spans
          // started; the two write cursors.
          SmallVector<Value> init = {
              outputs[0], outputs[1], falseValue, trueValue, zero, zero,
              zero,       zero,       zero,       zero,      zero, zero};
          auto tokens = scf::ForOp::create(
              b, l, zero, length, one, init,
              [&](OpBuilder &nb, Location nl, Value position,
                  ValueRange state) {
                Value inputs = state[0], targets = state[1];
                Value isNoise = state[2], previousNoise = state[3];
                Value noiseSeen = state[4], cleanSeen = state[5];
                Value noiseBreaks = state[6], cleanBreaks = state[7];
                Value noiseSpans = state[8], cleanSpans = state[9];
                Value inputsCursor = state[10], targetsCursor = state[11];
                auto select = [&](Value c, Value t, Value f) {
                  return arith::SelectOp::create(nb, nl, c, t, f).getResult();
                };
                auto toId = [&](Value i) {
                  return arith::IndexCastOp::create(nb, nl, idType, i)
                      .getResult();
                };
                Value id = tensor::ExtractOp::create(nb, nl, ids,
                                                     ValueRange{row, position});
                Value first = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::ne, isNoise, previousNoise);
                Value spansOfKind = select(isNoise, noiseSpans, cleanSpans);
                Value sentinelOfSpan =
                    arith::SubIOp::create(nb, nl, sentinel, toId(spansOfKind));

                // Inputs: clean tokens, one sentinel per noise span.
                Value notNoise =
                    arith::XOrIOp::create(nb, nl, isNoise, trueValue);
                Value inputsWrite =
                    arith::OrIOp::create(nb, nl, notNoise, first);
                Value inputsValue = select(isNoise, sentinelOfSpan, id);
                Value inputsAt =
                    select(inputsWrite, inputsCursor, inputsLength);
                inputs = tensor::InsertOp::create(nb, nl, inputsValue, inputs,
                                                  ValueRange{row, inputsAt});
                Value inputsStep = select(inputsWrite, one, zero);
                inputsCursor =
                    arith::AddIOp::create(nb, nl, inputsCursor, inputsStep);
                // Targets: noise tokens, one sentinel per clean span.
                Value targetsWrite =
                    arith::OrIOp::create(nb, nl, isNoise, first);
                Value targetsValue = select(isNoise, id, sentinelOfSpan);
                Value targetsAt =
                    select(targetsWrite, targetsCursor, targetsLength);
                targets = tensor::InsertOp::create(
                    nb, nl, targetsValue, targets, ValueRange{row, targetsAt});
                Value targetsStep = select(targetsWrite, one, zero);
                targetsCursor =
                    arith::AddIOp::create(nb, nl, targetsCursor, targetsStep);
                Value spanStep = select(first, one, zero);
                Value spansAfter =
                    arith::AddIOp::create(nb, nl, spansOfKind, spanStep);

                // Does the span end after this token? Selection sampling of
                // spans - 1 breaks among the kind's count - 1 gaps.
                Value seen = select(isNoise, noiseSeen, cleanSeen);
                Value count = select(isNoise, noise, clean);
                Value breaks = select(isNoise, noiseBreaks, cleanBreaks);
                Value kind = select(isNoise, zero, one);
                Value stream = arith::AddIOp::create(
                    nb, nl, arith::MulIOp::create(nb, nl, row, index(2)), kind);
                Value counter = arith::AddIOp::create(
                    nb, nl, arith::MulIOp::create(nb, nl, stream, length),
                    seen);
                Value u = hashUniform(nb, nl, seed, counter, f64);
                Value countMinusOne = arith::SubIOp::create(nb, nl, count, one);
                Value last = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::eq, seen, countMinusOne);
                Value gaps = arith::SubIOp::create(nb, nl, countMinusOne, seen);
                Value toPlace =
                    arith::SubIOp::create(nb, nl, spansMinusOne, breaks);
                Value gapsF = asF64(nb, nl, gaps);
                Value toPlaceF = asF64(nb, nl, toPlace);
                Value draw = arith::MulFOp::create(nb, nl, u, gapsF);
                Value chosen = arith::CmpFOp::create(
                    nb, nl, arith::CmpFPredicate::OLT, draw, toPlaceF);
                Value ends = arith::OrIOp::create(nb, nl, last, chosen);
                Value notLast = arith::XOrIOp::create(nb, nl, last, trueValue);
                Value placed = arith::AndIOp::create(nb, nl, chosen, notLast);
                Value breaksAfter = arith::AddIOp::create(
                    nb, nl, breaks, select(placed, one, zero));
                Value seenAfter = arith::AddIOp::create(nb, nl, seen, one);
                Value nextNoise = arith::XOrIOp::create(nb, nl, isNoise, ends);

                scf::YieldOp::create(
                    nb, nl,
                    ValueRange{inputs, targets, nextNoise, isNoise,
                               select(isNoise, seenAfter, noiseSeen),
                               select(isNoise, cleanSeen, seenAfter),
                               select(isNoise, breaksAfter, noiseBreaks),
                               select(isNoise, cleanBreaks, breaksAfter),
                               select(isNoise, spansAfter, noiseSpans),
                               select(isNoise, cleanSpans, spansAfter),
                               inputsCursor, targetsCursor});
              });
          Value inputs = tensor::InsertOp::create(
              b, l, eos, tokens.getResult(0), ValueRange{row, inputsEos});
          Value targets = tensor::InsertOp::create(
              b, l, eos, tokens.getResult(1), ValueRange{row, targetsEos});
          scf::YieldOp::create(b, l, ValueRange{inputs, targets});
        });

    auto slice = [&](Value full, Value width, RankedTensorType type) {
      SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0),
                                           rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes =
          staticWhereKnown(rewriter, type, {batch, width});
      SmallVector<OpFoldResult> strides = {rewriter.getIndexAttr(1),
                                           rewriter.getIndexAttr(1)};
      Value sliced = tensor::ExtractSliceOp::create(rewriter, loc, full,
                                                    offsets, sizes, strides);
      return castTo(rewriter, loc, sliced, type);
    };
    Value inputs =
        slice(rows.getResult(0), inputsLength, op.getInputs().getType());
    Value targets =
        slice(rows.getResult(1), targetsLength, op.getTargets().getType());
    rewriter.replaceOp(op, {inputs, targets});
    return success();
  }
};

} // namespace

void mlir::enc::populateSpanCorruptionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SpanCorruptionLowering>(patterns.getContext());
}
