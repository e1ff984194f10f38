//===- Audio.cpp - enc.log_mel to linalg ----------------------------------===//
//
// The Whisper front end: STFT as a matmul with constant DFT matrices, power
// spectrum, mel filterbank, log and Whisper's normalization.
//
// Frames are gathered straight from the audio with the reflect padding
// folded into the index; the Hann window is folded into the DFT matrix
// ([2 · bins, n_fft]: windowed cosines, then windowed sines), and both the
// DFT matrix and librosa's Slaney mel filterbank are computed in double at
// compile time. Both contractions reduce along the contiguous dimension of
// both operands (the constants are stored transposed for that).
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

/// Row k < bins: w[n] cos(2πkn/N); row bins + k: w[n] sin(2πkn/N), with the
/// periodic Hann window w[n] = 0.5 - 0.5 cos(2πn/N). kn is reduced modulo N
/// first so that the angle stays exact.
SmallVector<double> windowedDft(int64_t fft, int64_t bins) {
  SmallVector<double> matrix(2 * bins * fft);
  for (int64_t n = 0; n < fft; ++n) {
    double window = 0.5 - 0.5 * std::cos(2.0 * M_PI * n / fft);
    for (int64_t k = 0; k < bins; ++k) {
      double angle = 2.0 * M_PI * ((k * n) % fft) / fft;
      matrix[k * fft + n] = window * std::cos(angle);
      matrix[(bins + k) * fft + n] = window * std::sin(angle);
    }
  }
  return matrix;
}

/// librosa's Slaney mel scale (htk=False): linear below 1 kHz, logarithmic
/// above.
constexpr double kMelSpacing = 200.0 / 3.0;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kMelSpacing;
double logStep() { return std::log(6.4) / 27.0; }

double hzToMel(double hz) {
  if (hz >= kMinLogHz)
    return kMinLogMel + std::log(hz / kMinLogHz) / logStep();
  return hz / kMelSpacing;
}

double melToHz(double mel) {
  if (mel >= kMinLogMel)
    return kMinLogHz * std::exp(logStep() * (mel - kMinLogMel));
  return kMelSpacing * mel;
}

/// librosa.filters.mel(sr, n_fft, n_mels) with its defaults (fmin 0, fmax
/// sr / 2, Slaney scale, Slaney area normalization): [mels, bins].
SmallVector<double> melFilterbank(int64_t sampleRate, int64_t fft,
                                  int64_t mels) {
  int64_t bins = fft / 2 + 1;
  double lowMel = hzToMel(0.0);
  double highMel = hzToMel(sampleRate / 2.0);
  SmallVector<double> edges(mels + 2);
  for (int64_t i = 0; i < mels + 2; ++i)
    edges[i] = melToHz(lowMel + (highMel - lowMel) * i / (mels + 1));
  SmallVector<double> weights(mels * bins);
  for (int64_t m = 0; m < mels; ++m) {
    double norm = 2.0 / (edges[m + 2] - edges[m]);
    for (int64_t k = 0; k < bins; ++k) {
      double hz = static_cast<double>(k) * sampleRate / fft;
      double rising = (hz - edges[m]) / (edges[m + 1] - edges[m]);
      double falling = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
      weights[m * bins + k] = std::max(0.0, std::min(rising, falling)) * norm;
    }
  }
  return weights;
}

struct LogMelLowering : OpConversionPattern<LogMelOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LogMelOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value audio = adaptor.getAudio();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    int64_t fft = op.getNFft(), hop = op.getHopLength(), mels = op.getNMels();
    int64_t bins = fft / 2 + 1;
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, audio);
    // Whisper drops the last of the 1 + samples / hop centered frames.
    OpFoldResult frames = divideSize(rewriter, loc, sizes[1], hop);
    OpFoldResult batch = sizes[0];
    Value samples = indexValue(rewriter, loc, sizes[1]);
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);

    // framed[b, t, n] = audio[b, reflect(t · hop + n - n_fft / 2)]: torch's
    // reflect padding (no repeated edge), clamped in case the audio is
    // shorter than the padding.
    Value halfWindow = arith::ConstantIndexOp::create(rewriter, loc, fft / 2);
    Value hopIndex = arith::ConstantIndexOp::create(rewriter, loc, hop);
    Value lastSample =
        arith::SubIOp::create(rewriter, loc, samples,
                              arith::ConstantIndexOp::create(rewriter, loc, 1));
    Value mirror = arith::AddIOp::create(rewriter, loc, lastSample, lastSample);
    Value framed = buildGeneric(
        rewriter, loc, ValueRange{},
        emptyTensor(rewriter, loc, {batch, frames, rewriter.getIndexAttr(fft)},
                    elementType),
        {AffineMap::getMultiDimIdentityMap(3, ctx)}, iterators(3),
        [&](OpBuilder &b, Location l, ValueRange) -> SmallVector<Value> {
          Value sample = linalg::IndexOp::create(b, l, 0);
          Value t = linalg::IndexOp::create(b, l, 1);
          Value n = linalg::IndexOp::create(b, l, 2);
          Value position = arith::SubIOp::create(
              b, l,
              arith::AddIOp::create(
                  b, l, arith::MulIOp::create(b, l, t, hopIndex), n),
              halfWindow);
          Value zeroIndex = arith::ConstantIndexOp::create(b, l, 0);
          // i < 0 -> -i; i > last -> 2 · last - i.
          Value before = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                               position, zeroIndex);
          Value reflected = arith::SubIOp::create(b, l, zeroIndex, position);
          Value source =
              arith::SelectOp::create(b, l, before, reflected, position);
          Value after = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt,
                                              source, lastSample);
          Value mirrored = arith::SubIOp::create(b, l, mirror, source);
          source = arith::SelectOp::create(b, l, after, mirrored, source);
          source = arith::MaxSIOp::create(b, l, source, zeroIndex);
          source = arith::MinSIOp::create(b, l, source, lastSample);
          return {tensor::ExtractOp::create(b, l, audio,
                                            ValueRange{sample, source})};
        })[0];

    // spectrum[b, t, k] = Σ_n framed[b, t, n] · dft[k, n]: real parts in
    // k < bins, imaginary parts (up to sign) after. The contractions read
    // their data operand with tensor.extract (after lowering, the same
    // load): as an operand, elementwise fusion would pull the gather (or the
    // power below) into the contraction and redo it for every column.
    Value dft = floatTensorConstant(rewriter, loc, {2 * bins, fft},
                                    windowedDft(fft, bins), elementType);
    Value spectrum = buildGeneric(
        rewriter, loc, dft,
        filledTensor(rewriter, loc,
                     {batch, frames, rewriter.getIndexAttr(2 * bins)}, zero),
        {projection(ctx, 4, {2, 3}), projection(ctx, 4, {0, 1, 2})},
        iterators(3, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value sample = linalg::IndexOp::create(b, l, 0);
          Value t = linalg::IndexOp::create(b, l, 1);
          Value n = linalg::IndexOp::create(b, l, 3);
          Value x =
              tensor::ExtractOp::create(b, l, framed, ValueRange{sample, t, n});
          Value product = arith::MulFOp::create(b, l, x, args[0]);
          return {arith::AddFOp::create(b, l, args[1], product)};
        })[0];

    // power[b, t, k] = re² + im².
    OpFoldResult zeroIndex = rewriter.getIndexAttr(0);
    OpFoldResult oneIndex = rewriter.getIndexAttr(1);
    SmallVector<OpFoldResult> powerSizes = {batch, frames,
                                            rewriter.getIndexAttr(bins)};
    auto half = [&](int64_t start) -> Value {
      return tensor::ExtractSliceOp::create(
          rewriter, loc, spectrum,
          {zeroIndex, zeroIndex, rewriter.getIndexAttr(start)}, powerSizes,
          {oneIndex, oneIndex, oneIndex});
    };
    AffineMap identity = AffineMap::getMultiDimIdentityMap(3, ctx);
    Value real = half(0), imaginary = half(bins);
    Value powerInit = emptyTensor(rewriter, loc, powerSizes, elementType);
    Value power = buildGeneric(
        rewriter, loc, ValueRange{real, imaginary}, powerInit,
        {identity, identity, identity}, iterators(3),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value re = arith::MulFOp::create(b, l, args[0], args[0]);
          Value im = arith::MulFOp::create(b, l, args[1], args[1]);
          return {arith::AddFOp::create(b, l, re, im)};
        })[0];

    // mel[b, m, t] = Σ_k filters[m, k] · power[b, t, k].
    Value filters = floatTensorConstant(
        rewriter, loc, {mels, bins},
        melFilterbank(op.getSampleRate(), fft, mels), elementType);
    SmallVector<OpFoldResult> outSizes = {batch, rewriter.getIndexAttr(mels),
                                          frames};
    Value mel = buildGeneric(
        rewriter, loc, filters, filledTensor(rewriter, loc, outSizes, zero),
        {projection(ctx, 4, {1, 3}), projection(ctx, 4, {0, 1, 2})},
        iterators(3, 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value sample = linalg::IndexOp::create(b, l, 0);
          Value t = linalg::IndexOp::create(b, l, 2);
          Value k = linalg::IndexOp::create(b, l, 3);
          Value p =
              tensor::ExtractOp::create(b, l, power, ValueRange{sample, t, k});
          Value product = arith::MulFOp::create(b, l, args[0], p);
          return {arith::AddFOp::create(b, l, args[1], product)};
        })[0];

    // log10(max(mel, 1e-10)), computed as a natural log: math.log10 has no
    // polynomial approximation and would call libm.
    Value floor = floatConstant(rewriter, loc, elementType, 1e-10);
    Value inverseLn10 = floatConstant(rewriter, loc, elementType, 1.0 / M_LN10);
    Value logMel = buildGeneric(
        rewriter, loc, mel, emptyTensor(rewriter, loc, outSizes, elementType),
        {identity, identity}, iterators(3),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value clamped = arith::MaximumFOp::create(b, l, args[0], floor);
          return {arith::MulFOp::create(
              b, l, math::LogOp::create(b, l, clamped), inverseLn10)};
        })[0];

    // Per sample: max(x, max_x - 8), then (x + 4) / 4.
    AffineMap sampleMap = leadingDims(ctx, 3, 1);
    Value peak = buildGeneric(
        rewriter, loc, logMel,
        filledTensor(rewriter, loc, {batch},
                     negativeInfinity(rewriter, loc, elementType)),
        {identity, sampleMap}, iterators(1, 2),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          return {arith::MaximumFOp::create(b, l, args[0], args[1])};
        })[0];
    Value eight = floatConstant(rewriter, loc, elementType, 8.0);
    Value four = floatConstant(rewriter, loc, elementType, 4.0);
    Value quarter = floatConstant(rewriter, loc, elementType, 0.25);
    Value result = buildGeneric(
        rewriter, loc, ValueRange{logMel, peak},
        emptyTensor(rewriter, loc, outSizes, elementType),
        {identity, sampleMap, identity}, iterators(3),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value lowest = arith::SubFOp::create(b, l, args[1], eight);
          Value floored = arith::MaximumFOp::create(b, l, args[0], lowest);
          return {arith::MulFOp::create(
              b, l, arith::AddFOp::create(b, l, floored, four), quarter)};
        })[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void mlir::enc::populateAudioToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LogMelLowering>(patterns.getContext());
}
