//===- EncEmbeddingOps.cpp - enc embedding and front-end verifiers ---===//
//
// Verifiers of the ops in EncEmbeddingOps.td.
//
//===----------------------------------------------------------------------===//

#include "EncVerifyUtils.h"

#include "Enc/IR/EncOps.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::enc;

//===----------------------------------------------------------------------===//
// EmbeddingOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  RankedTensorType table = verify::tensorType(getTable());
  if (table.getRank() != 2)
    return emitOpError("table must have rank 2 ([num_embeddings, dim]), got ")
           << table;
  if (failed(verify::sameElementType(*this, getTable(),
                                     {{getResult(), "result"}})))
    return failure();
  SmallVector<int64_t> expected(verify::tensorType(getIndices()).getShape());
  expected.push_back(table.getDimSize(1));
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       expected);
}

//===----------------------------------------------------------------------===//
// PositionalEncodingOp
//===----------------------------------------------------------------------===//

/// NumPy's round: half to even.
static int64_t roundHalfEven(double x) { return std::llrint(x); }

std::pair<int64_t, int64_t> SpanCorruptionOp::getNoise(int64_t length,
                                                       double noiseDensity,
                                                       double meanSpanLength) {
  int64_t noise = roundHalfEven(static_cast<double>(length) * noiseDensity);
  noise = std::min(std::max<int64_t>(noise, 1), length - 1);
  int64_t fewer = std::min(noise, length - noise);
  int64_t spans = std::max<int64_t>(
      roundHalfEven(static_cast<double>(fewer) / meanSpanLength), 1);
  return {noise, spans};
}

LogicalResult SpanCorruptionOp::verify() {
  RankedTensorType ids = verify::tensorType(getIds());
  RankedTensorType seed = verify::tensorType(getSeed());
  RankedTensorType inputs = verify::tensorType(getInputs());
  RankedTensorType targets = verify::tensorType(getTargets());
  if (failed(verify::rank(*this, "ids", ids, 2, "[batch, length]")))
    return failure();
  if (seed.getRank() != 0)
    return emitOpError("seed must be a 0-d i64 tensor, got ") << seed;
  double density = getNoiseDensity().convertToDouble();
  double meanSpan = getMeanNoiseSpanLength().convertToDouble();
  if (!(density > 0.0 && density < 1.0))
    return emitOpError("noise_density must be in (0, 1), got ") << density;
  if (!(meanSpan >= 1.0) || !std::isfinite(meanSpan))
    return emitOpError("mean_noise_span_length must be finite and at least "
                       "1, got ")
           << meanSpan;
  int64_t batch = ids.getDimSize(0), length = ids.getDimSize(1);
  if (!ShapedType::isDynamic(length) && length < 2)
    return emitOpError("needs rows of at least 2 tokens, got ") << length;
  int64_t inputsLength = ShapedType::kDynamic;
  int64_t targetsLength = ShapedType::kDynamic;
  if (!ShapedType::isDynamic(length)) {
    auto [noise, spans] = getNoise(length, density, meanSpan);
    inputsLength = length - noise + spans + 1;
    targetsLength = noise + spans + 1;
  }
  if (failed(verify::shape(*this, "inputs", inputs, {batch, inputsLength})) ||
      failed(
          verify::shape(*this, "targets", targets, {batch, targetsLength})) ||
      failed(verify::sameElementType(
          *this, getIds(),
          {{getInputs(), "inputs"}, {getTargets(), "targets"}})))
    return failure();
  return success();
}

LogicalResult RelativeSinusoidOp::verify() {
  RankedTensorType result = verify::tensorType(getResult());
  if (failed(verify::rank(*this, "result", result, 2, "[q_len + kv_len, dim]")))
    return failure();
  int64_t dim = result.getDimSize(1);
  if (ShapedType::isDynamic(dim) || dim < 2 || dim % 2 != 0)
    return emitOpError("needs a static, even dim of at least 2, got ")
           << verify::dimStr(dim);
  double base = getBase().convertToDouble();
  if (!std::isfinite(base) || base <= 1.0)
    return emitOpError("base must be finite and above 1, got ") << base;
  return success();
}

LogicalResult PositionalEncodingOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  if (failed(verify::rank(*this, "input", input, 3, "[batch, seq, dim]")))
    return failure();
  int64_t seq = input.getDimSize(1), dim = input.getDimSize(2);
  if (getKind() != PositionKind::learned) {
    if (getTable())
      return emitOpError("sinusoidal positions take no table");
    if (!ShapedType::isDynamic(dim) && dim % 2 != 0)
      return emitOpError("sinusoidal positions need an even dim, got ") << dim;
    if (getKind() == PositionKind::sinusoidal_concat &&
        !ShapedType::isDynamic(dim) && dim < 4)
      return emitOpError("sinusoidal_concat positions need dim >= 4, got ")
             << dim;
    return success();
  }
  if (!getTable())
    return emitOpError("learned positions need a table");
  RankedTensorType table = verify::tensorType(getTable());
  if (failed(verify::rank(*this, "table", table, 2, "[max_positions, dim]")) ||
      failed(
          verify::sameElementType(*this, getInput(), {{getTable(), "table"}})))
    return failure();
  if (!verify::dimsMatch(table.getDimSize(1), dim))
    return emitOpError("table must be [max_positions, ")
           << verify::dimStr(dim) << "], got " << table;
  int64_t positions = table.getDimSize(0);
  int64_t offset = getOffset();
  if (!ShapedType::isDynamic(seq) && !ShapedType::isDynamic(positions) &&
      offset + seq > positions)
    return emitOpError("positions ") << offset << " to " << offset + seq - 1
                                     << " do not fit a table of " << positions;
  return success();
}

//===----------------------------------------------------------------------===//
// PatchEmbedOp
//===----------------------------------------------------------------------===//

/// Checks a patch_size attribute and an image's spatial dims against it;
/// returns the number of patches (dynamic if the image size is).
static FailureOr<int64_t> verifyPatches(Operation *op, ArrayRef<int64_t> patch,
                                        RankedTensorType pixels) {
  if (patch.size() != 2 || patch[0] <= 0 || patch[1] <= 0)
    return op->emitOpError("patch_size must be two positive sizes");
  if (failed(verify::rank(op, "pixels", pixels, 4,
                          "[batch, channels, height, width]")))
    return failure();
  int64_t height = pixels.getDimSize(2), width = pixels.getDimSize(3);
  if (failed(verify::divisible(op, "image height", height, patch[0],
                               "the patch height")) ||
      failed(verify::divisible(op, "image width", width, patch[1],
                               "the patch width")))
    return failure();
  if (ShapedType::isDynamic(height) || ShapedType::isDynamic(width))
    return ShapedType::kDynamic;
  return (height / patch[0]) * (width / patch[1]);
}

LogicalResult PatchEmbedOp::verify() {
  RankedTensorType pixels = verify::tensorType(getPixels());
  FailureOr<int64_t> patches = verifyPatches(*this, getPatchSize(), pixels);
  if (failed(patches))
    return failure();
  RankedTensorType weight = verify::tensorType(getWeight());
  if (failed(verify::sameElementType(*this, getPixels(),
                                     {{getWeight(), "weight"},
                                      {getBias(), "bias"},
                                      {getClassToken(), "class_token"},
                                      {getResult(), "result"}})))
    return failure();
  int64_t dim;
  if (hasPackedWeight()) {
    // [dim / p, channels * ph * pw, p] (enc-pack-weights).
    int64_t panels = weight.getDimSize(0), panel = weight.getDimSize(2);
    dim = ShapedType::isDynamic(panels) || ShapedType::isDynamic(panel)
              ? ShapedType::kDynamic
              : panels * panel;
    int64_t channels = pixels.getDimSize(1);
    int64_t depth = ShapedType::isDynamic(channels)
                        ? ShapedType::kDynamic
                        : channels * getPatchSize()[0] * getPatchSize()[1];
    if (failed(verify::shape(*this, "packed weight", weight,
                             {panels, depth, panel})))
      return failure();
  } else {
    dim = weight.getRank() == 4 ? weight.getDimSize(0) : ShapedType::kDynamic;
    if (failed(verify::shape(
            *this, "weight", weight,
            {dim, pixels.getDimSize(1), getPatchSize()[0], getPatchSize()[1]})))
      return failure();
  }
  if (failed(
          verify::shape(*this, "bias", verify::tensorType(getBias()), {dim})))
    return failure();
  int64_t tokens = *patches;
  if (getClassToken()) {
    if (failed(verify::shape(*this, "class_token",
                             verify::tensorType(getClassToken()), {1, 1, dim})))
      return failure();
    if (!ShapedType::isDynamic(tokens))
      ++tokens;
  }
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       {pixels.getDimSize(0), tokens, dim});
}

//===----------------------------------------------------------------------===//
// PatchifyOp
//===----------------------------------------------------------------------===//

LogicalResult PatchifyOp::verify() {
  RankedTensorType pixels = verify::tensorType(getPixels());
  FailureOr<int64_t> patches = verifyPatches(*this, getPatchSize(), pixels);
  if (failed(patches) || failed(verify::sameElementType(
                             *this, getPixels(), {{getResult(), "result"}})))
    return failure();
  int64_t channels = pixels.getDimSize(1);
  int64_t features = ShapedType::isDynamic(channels)
                         ? ShapedType::kDynamic
                         : getPatchSize()[0] * getPatchSize()[1] * channels;
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       {pixels.getDimSize(0), *patches, features});
}

//===----------------------------------------------------------------------===//
// RandomMaskOp
//===----------------------------------------------------------------------===//

int64_t RandomMaskOp::getKeepCount(int64_t patches, double maskRatio) {
  // As MAE computes it: int(patches * (1 - mask_ratio)), in doubles.
  return static_cast<int64_t>(static_cast<double>(patches) * (1.0 - maskRatio));
}

LogicalResult RandomMaskOp::verify() {
  RankedTensorType tokens = verify::tensorType(getTokens());
  if (failed(verify::rank(*this, "tokens", tokens, 3, "[batch, patches, dim]")))
    return failure();
  double ratio = getMaskRatio().convertToDouble();
  if (!(ratio >= 0.0 && ratio < 1.0))
    return emitOpError("mask_ratio must be in [0, 1), got ") << ratio;
  int64_t batch = tokens.getDimSize(0), patches = tokens.getDimSize(1);
  if (getNoise() &&
      failed(verify::shape(*this, "noise", verify::tensorType(getNoise()),
                           {batch, patches})))
    return failure();
  int64_t keep = ShapedType::isDynamic(patches) ? ShapedType::kDynamic
                                                : getKeepCount(patches, ratio);
  if (keep == 0)
    return emitOpError("keeps no patch of ")
           << patches << " with mask_ratio " << ratio;
  if (failed(
          verify::sameElementType(*this, getTokens(), {{getMask(), "mask"}})) ||
      failed(verify::shape(*this, "ids_keep", verify::tensorType(getIdsKeep()),
                           {batch, keep})) ||
      failed(verify::shape(*this, "mask", verify::tensorType(getMask()),
                           {batch, patches})))
    return failure();
  return verify::shape(*this, "ids_restore",
                       verify::tensorType(getIdsRestore()), {batch, patches});
}

//===----------------------------------------------------------------------===//
// GatherVisibleOp
//===----------------------------------------------------------------------===//

LogicalResult GatherVisibleOp::verify() {
  RankedTensorType tokens = verify::tensorType(getTokens());
  RankedTensorType indices = verify::tensorType(getIndices());
  if (failed(verify::rank(*this, "tokens", tokens, 3, "[batch, n, dim]")) ||
      failed(verify::rank(*this, "indices", indices, 2, "[batch, k]")) ||
      failed(verify::sameElementType(*this, getTokens(),
                                     {{getResult(), "result"}})))
    return failure();
  if (!verify::dimsMatch(indices.getDimSize(0), tokens.getDimSize(0)))
    return emitOpError("indices have batch ")
           << indices.getDimSize(0) << ", tokens " << tokens.getDimSize(0);
  return verify::shape(
      *this, "result", verify::tensorType(getResult()),
      {tokens.getDimSize(0), indices.getDimSize(1), tokens.getDimSize(2)});
}

//===----------------------------------------------------------------------===//
// LogMelOp
//===----------------------------------------------------------------------===//

LogicalResult LogMelOp::verify() {
  RankedTensorType audio = verify::tensorType(getAudio());
  if (failed(verify::rank(*this, "audio", audio, 2, "[batch, samples]")) ||
      failed(verify::sameElementType(*this, getAudio(),
                                     {{getResult(), "result"}})))
    return failure();
  int64_t fft = getNFft(), mels = getNMels();
  if (fft % 2 != 0)
    return emitOpError("n_fft must be even, got ") << fft;
  if (mels > fft / 2 + 1)
    return emitOpError("asks for ")
           << mels << " mel bins from " << fft / 2 + 1 << " frequency bins";
  int64_t samples = audio.getDimSize(1);
  int64_t frames = ShapedType::kDynamic;
  if (!ShapedType::isDynamic(samples)) {
    // Reflect padding needs more samples than the pad on each side.
    if (samples <= fft / 2)
      return emitOpError("needs more than ")
             << fft / 2 << " samples (n_fft / 2), got " << samples;
    frames = samples / static_cast<int64_t>(getHopLength());
  }
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       {audio.getDimSize(0), mels, frames});
}
