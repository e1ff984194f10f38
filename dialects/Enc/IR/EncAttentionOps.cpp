//===- EncAttentionOps.cpp - enc attention verifiers ---===//
//
// Verifiers of the ops in EncAttentionOps.td.
//
//===----------------------------------------------------------------------===//

#include "EncVerifyUtils.h"

#include "Enc/IR/EncOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

double AttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToDouble();
  int64_t headDim = verify::tensorType(getQuery()).getDimSize(3);
  return 1.0 / std::sqrt(static_cast<double>(headDim));
}

LogicalResult AttentionOp::verify() {
  RankedTensorType q = verify::tensorType(getQuery());
  RankedTensorType k = verify::tensorType(getKey());
  RankedTensorType v = verify::tensorType(getValue());
  for (auto [type, name] :
       {std::pair(q, "query"), std::pair(k, "key"), std::pair(v, "value")})
    if (type.getRank() != 4)
      return emitOpError() << name << " must have rank 4 ("
                           << (getSequenceMajor() ? "[batch, seq, heads, dim]"
                                                  : "[batch, heads, seq, dim]")
                           << "), got " << type;
  Value mask = getMask();
  bool keepMask = mask && verify::tensorType(mask).getElementType().isInteger();
  if (failed(verify::sameElementType(*this, getQuery(),
                                     {{getKey(), "key"},
                                      {getValue(), "value"},
                                      {getResult(), "result"},
                                      {getBias(), "bias"},
                                      {keepMask ? Value() : mask, "mask"}})))
    return failure();

  int64_t headsDim = getHeadsDim(), seqDim = getSequenceDim();
  int64_t batch = q.getDimSize(0), heads = q.getDimSize(headsDim);
  int64_t qLen = q.getDimSize(seqDim), headDim = q.getDimSize(3);
  int64_t kvLen = k.getDimSize(seqDim);
  // [batch, heads, seq, dim], or [batch, seq, heads, dim].
  auto layout = [&](int64_t seq, int64_t dim) {
    SmallVector<int64_t> shape = {batch, 0, 0, dim};
    shape[headsDim] = heads;
    shape[seqDim] = seq;
    return shape;
  };
  if (failed(verify::shape(*this, "key", k, layout(kvLen, headDim))) ||
      failed(
          verify::shape(*this, "value", v, layout(kvLen, v.getDimSize(3)))) ||
      failed(verify::shape(*this, "result", verify::tensorType(getResult()),
                           layout(qLen, v.getDimSize(3)))))
    return failure();

  // The bias and the mask broadcast to [batch, heads, q_len, kv_len].
  int64_t full[] = {batch, heads, qLen, kvLen};
  for (auto [operand, name] : {std::pair<Value, StringRef>(getBias(), "bias"),
                               std::pair<Value, StringRef>(mask, "mask")})
    if (operand &&
        failed(verify::broadcastsToScores(*this, name, operand, full)))
      return failure();

  if (std::optional<APFloat> scale = getScale()) {
    if (!scale->isFiniteNonZero())
      return emitOpError("scale must be finite and nonzero");
  } else if (ShapedType::isDynamic(headDim)) {
    return emitOpError("needs an explicit scale when head_dim is dynamic");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Attention with relative positions (shared checks)
//===----------------------------------------------------------------------===//

namespace {

/// The sizes of a head-major attention: [batch, heads, q_len, head_dim]
/// queries, keys and values of kv_len.
struct AttentionSizes {
  int64_t batch, heads, qLen, kvLen, headDim;
};

/// What disentangled and relative attention share with enc.attention's
/// head-major form: query, key, value and `positions` of rank 4 ([batch,
/// heads, seq, head_dim]), one element type with `sameType` and the result
/// (an integer mask keeps its own), key, value and result shapes, and a mask
/// broadcasting to the scores.
FailureOr<AttentionSizes>
verifyHeadMajorAttention(Operation *op, Value query, Value key, Value value,
                         Value result, Value mask,
                         ArrayRef<std::pair<Value, StringRef>> positions,
                         ArrayRef<std::pair<Value, StringRef>> sameType) {
  RankedTensorType q = verify::tensorType(query);
  RankedTensorType k = verify::tensorType(key);
  RankedTensorType v = verify::tensorType(value);
  SmallVector<std::pair<Value, StringRef>> ranked = {
      {query, "query"}, {key, "key"}, {value, "value"}};
  llvm::append_range(ranked, positions);
  for (auto [operand, name] : ranked)
    if (failed(verify::rank(op, name, verify::tensorType(operand), 4,
                            "[batch, heads, seq, head_dim]")))
      return failure();
  bool keepMask = mask && verify::tensorType(mask).getElementType().isInteger();
  SmallVector<std::pair<Value, StringRef>> typed = {{key, "key"},
                                                    {value, "value"}};
  llvm::append_range(typed, positions);
  llvm::append_range(typed, sameType);
  typed.push_back({result, "result"});
  typed.push_back({keepMask ? Value() : mask, "mask"});
  if (failed(verify::sameElementType(op, query, typed)))
    return failure();
  AttentionSizes sizes = {q.getDimSize(0), q.getDimSize(1), q.getDimSize(2),
                          k.getDimSize(2), q.getDimSize(3)};
  auto [batch, heads, qLen, kvLen, headDim] = sizes;
  if (failed(verify::shape(op, "key", k, {batch, heads, kvLen, headDim})) ||
      failed(verify::shape(op, "value", v,
                           {batch, heads, kvLen, v.getDimSize(3)})) ||
      failed(verify::shape(op, "result", verify::tensorType(result),
                           {batch, heads, qLen, v.getDimSize(3)})))
    return failure();
  if (mask && failed(verify::broadcastsToScores(op, "mask", mask,
                                                {batch, heads, qLen, kvLen})))
    return failure();
  return sizes;
}

} // namespace

//===----------------------------------------------------------------------===//
// RelativeAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult RelativeAttentionOp::verify() {
  FailureOr<AttentionSizes> sizes = verifyHeadMajorAttention(
      *this, getQuery(), getKey(), getValue(), getResult(), getMask(),
      {{getPositionKey(), "position_key"}},
      {{getContentBias(), "content_bias"},
       {getPositionBias(), "position_bias"},
       {getSegmentEmbed(), "segment_embed"},
       {getSegmentBias(), "segment_bias"}});
  if (failed(sizes))
    return failure();
  auto [batch, heads, qLen, kvLen, headDim] = *sizes;
  int64_t positions =
      ShapedType::isDynamic(qLen) || ShapedType::isDynamic(kvLen)
          ? ShapedType::kDynamic
          : qLen + kvLen;
  RankedTensorType r = verify::tensorType(getPositionKey());
  int64_t first = r.getDimSize(0);
  if (failed(
          verify::shape(*this, "position_key", r,
                        {first == 1 ? 1 : batch, heads, positions, headDim})) ||
      failed(verify::shape(*this, "content_bias",
                           verify::tensorType(getContentBias()),
                           {heads, headDim})) ||
      failed(verify::shape(*this, "position_bias",
                           verify::tensorType(getPositionBias()),
                           {heads, headDim})))
    return failure();
  if (!ShapedType::isDynamic(qLen) && !ShapedType::isDynamic(kvLen) &&
      qLen > kvLen)
    return emitOpError("q_len (")
           << qLen << ") must be at most kv_len (" << kvLen
           << "): the queries are the last positions";
  int segmentOperands = (getSegmentIds() ? 1 : 0) +
                        (getSegmentEmbed() ? 1 : 0) +
                        (getSegmentBias() ? 1 : 0);
  if (segmentOperands != 0 && segmentOperands != 3)
    return emitOpError("segments need segment_ids, segment_embed and "
                       "segment_bias together");
  if (segmentOperands == 3 &&
      (failed(verify::shape(*this, "segment_ids",
                            verify::tensorType(getSegmentIds()),
                            {batch, kvLen})) ||
       failed(verify::shape(*this, "segment_embed",
                            verify::tensorType(getSegmentEmbed()),
                            {2, heads, headDim})) ||
       failed(verify::shape(*this, "segment_bias",
                            verify::tensorType(getSegmentBias()),
                            {heads, headDim}))))
    return failure();
  if (!getScale().isFiniteNonZero())
    return emitOpError("scale must be finite and nonzero");
  return success();
}

//===----------------------------------------------------------------------===//
// DisentangledAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult DisentangledAttentionOp::verify() {
  FailureOr<AttentionSizes> sizes = verifyHeadMajorAttention(
      *this, getQuery(), getKey(), getValue(), getResult(), getMask(),
      {{getPositionQuery(), "position_query"},
       {getPositionKey(), "position_key"}},
      {});
  if (failed(sizes))
    return failure();
  auto [batch, heads, qLen, kvLen, headDim] = *sizes;
  RankedTensorType pq = verify::tensorType(getPositionQuery());
  RankedTensorType pk = verify::tensorType(getPositionKey());
  if (getPositionBuckets() > kMaxPositions ||
      getMaxRelativePositions() > kMaxPositions)
    return emitOpError("position_buckets and max_relative_positions must be "
                       "at most ")
           << kMaxPositions;
  int64_t positions = 2 * getSpan();
  for (auto [type, name] :
       {std::pair(pq, "position_query"), std::pair(pk, "position_key")}) {
    int64_t first = type.getDimSize(0);
    if (failed(
            verify::shape(*this, name, type,
                          {first == 1 ? 1 : batch, heads, positions, headDim})))
      return failure();
  }
  if (getPositionBuckets() > 0 &&
      (getPositionBuckets() < 4 ||
       getMaxRelativePositions() <= getPositionBuckets() / 2 + 1))
    return emitOpError("log buckets need position_buckets >= 4 and "
                       "max_relative_positions > position_buckets / 2 + 1, "
                       "got ")
           << getPositionBuckets() << " and " << getMaxRelativePositions();
  double scale = getScale().convertToDouble();
  if (!std::isfinite(scale) || scale == 0.0)
    return emitOpError("scale must be finite and nonzero");
  return success();
}

//===----------------------------------------------------------------------===//
// RotaryOp
//===----------------------------------------------------------------------===//

LogicalResult RotaryOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  if (failed(verify::rank(*this, "input", input, 4,
                          "[batch, heads, seq, head_dim]")))
    return failure();
  int64_t headDim = input.getDimSize(3);
  std::optional<int64_t> rotaryDim = getRotaryDim();
  if (!rotaryDim) {
    if (ShapedType::isDynamic(headDim))
      return emitOpError("needs rotary_dim when head_dim is dynamic");
    rotaryDim = headDim;
  }
  if (*rotaryDim % 2 != 0)
    return emitOpError("rotates pairs: rotary_dim must be even, got ")
           << *rotaryDim;
  if (!ShapedType::isDynamic(headDim) && *rotaryDim > headDim)
    return emitOpError("rotary_dim ")
           << *rotaryDim << " exceeds head_dim " << headDim;
  double base = getBase().convertToDouble();
  if (!(base > 1.0) || !std::isfinite(base))
    return emitOpError("base must be finite and greater than 1, got ") << base;
  return success();
}

//===----------------------------------------------------------------------===//
// RelativePositionBiasOp
//===----------------------------------------------------------------------===//

LogicalResult RelativePositionBiasOp::verify() {
  RankedTensorType table = verify::tensorType(getTable());
  if (failed(verify::rank(*this, "table", table, 2, "[num_buckets, heads]")) ||
      failed(verify::sameElementType(*this, getTable(),
                                     {{getResult(), "result"}})))
    return failure();
  int64_t buckets = getNumBuckets();
  if (!verify::dimsMatch(table.getDimSize(0), buckets))
    return emitOpError("table has ")
           << table.getDimSize(0) << " rows for " << buckets << " buckets";
  // Half the buckets for each sign when bidirectional, half of those exact.
  int64_t perSide = getBidirectional() ? buckets / 2 : buckets;
  if (perSide < 2)
    return emitOpError("needs at least ")
           << (getBidirectional() ? 4 : 2) << " buckets, got " << buckets;
  if (getMaxDistance() > kMaxDistance)
    return emitOpError("max_distance must be at most ")
           << kMaxDistance << ", got " << getMaxDistance();
  if (static_cast<int64_t>(getMaxDistance()) <= perSide / 2)
    return emitOpError("max_distance must exceed the ")
           << perSide / 2 << " exactly-bucketed offsets, got "
           << getMaxDistance();
  return verify::shape(
      *this, "result", verify::tensorType(getResult()),
      {1, table.getDimSize(1), ShapedType::kDynamic, ShapedType::kDynamic});
}

//===----------------------------------------------------------------------===//
// AdditiveAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AdditiveAttentionOp::verify() {
  RankedTensorType query = verify::tensorType(getQuery());
  RankedTensorType keys = verify::tensorType(getKeys());
  RankedTensorType values = verify::tensorType(getValues());
  if (failed(verify::rank(*this, "query", query, 2, "[batch, units]")) ||
      failed(verify::rank(*this, "keys", keys, 3, "[batch, seq, units]")) ||
      failed(verify::rank(*this, "values", values, 3, "[batch, seq, dim]")) ||
      failed(verify::sameElementType(*this, getQuery(),
                                     {{getKeys(), "keys"},
                                      {getValues(), "values"},
                                      {getScore(), "score"},
                                      {getContextVector(), "context_vector"},
                                      {getWeights(), "weights"}})))
    return failure();
  int64_t batch = query.getDimSize(0), units = query.getDimSize(1);
  int64_t seq = keys.getDimSize(1), dim = values.getDimSize(2);
  if (failed(verify::shape(*this, "keys", keys, {batch, seq, units})) ||
      failed(verify::shape(*this, "values", values, {batch, seq, dim})) ||
      failed(verify::shape(*this, "score", verify::tensorType(getScore()),
                           {units})) ||
      failed(verify::shape(*this, "context_vector",
                           verify::tensorType(getContextVector()),
                           {batch, dim})) ||
      failed(verify::shape(*this, "weights", verify::tensorType(getWeights()),
                           {batch, seq})))
    return failure();
  if (getMask())
    return verify::shape(*this, "mask", verify::tensorType(getMask()),
                         {batch, seq});
  return success();
}

//===----------------------------------------------------------------------===//
// Swin's windows: WindowPartitionOp, WindowMergeOp, WindowBiasOp
//===----------------------------------------------------------------------===//

namespace {

/// A grid of `height` x `width` tokens cut into windows of `window`: both
/// static multiples of it, and a shift within the window.
LogicalResult verifyWindowGrid(Operation *op, StringRef what, int64_t height,
                               int64_t width, int64_t window, int64_t shift) {
  if (ShapedType::isDynamic(height) || ShapedType::isDynamic(width) ||
      height <= 0 || width <= 0)
    return op->emitOpError()
           << what << " must be static and positive, got "
           << verify::dimStr(height) << " x " << verify::dimStr(width);
  if (failed(verify::divisible(op, Twine(what, " height").str(), height, window,
                               "window_size")) ||
      failed(verify::divisible(op, Twine(what, " width").str(), width, window,
                               "window_size")))
    return failure();
  if (shift >= window)
    return op->emitOpError("shift (")
           << shift << ") must be less than window_size (" << window << ")";
  return success();
}

/// `grid` ([batch, height, width, channels]) against `windows` ([batch,
/// windows, window², channels]) for window_partition and window_merge.
LogicalResult verifyWindowLayout(Operation *op, Value grid, StringRef gridName,
                                 Value windows, StringRef windowsName,
                                 int64_t window, int64_t shift) {
  RankedTensorType gridType = verify::tensorType(grid);
  RankedTensorType windowsType = verify::tensorType(windows);
  std::string gridWhat = (gridName + "'s grid").str();
  if (failed(verify::rank(op, gridName, gridType, 4,
                          "[batch, height, width, channels]")) ||
      failed(verify::rank(op, windowsName, windowsType, 4,
                          "[batch, windows, window_size², channels]")) ||
      failed(verify::sameElementType(op, grid, {{windows, windowsName}})) ||
      failed(verifyWindowGrid(op, gridWhat, gridType.getDimSize(1),
                              gridType.getDimSize(2), window, shift)))
    return failure();
  int64_t count =
      (gridType.getDimSize(1) / window) * (gridType.getDimSize(2) / window);
  return verify::shape(
      op, windowsName, windowsType,
      {gridType.getDimSize(0), count, window * window, gridType.getDimSize(3)});
}

} // namespace

LogicalResult WindowPartitionOp::verify() {
  return verifyWindowLayout(*this, getInput(), "input", getResult(), "result",
                            getWindowSize(), getShift());
}

LogicalResult WindowMergeOp::verify() {
  return verifyWindowLayout(*this, getResult(), "result", getInput(), "input",
                            getWindowSize(), getShift());
}

LogicalResult WindowBiasOp::verify() {
  ArrayRef<int64_t> grid = getGrid();
  int64_t window = getWindowSize();
  if (grid.size() != 2)
    return emitOpError("grid must be [height, width], got ")
           << grid.size() << " sizes";
  if (failed(verifyWindowGrid(*this, "grid", grid[0], grid[1], window,
                              getShift())))
    return failure();
  RankedTensorType table = verify::tensorType(getTable());
  if (failed(verify::rank(*this, "table", table, 2,
                          "[(2 · window_size - 1)², heads]")) ||
      failed(verify::sameElementType(*this, getTable(),
                                     {{getResult(), "result"}})))
    return failure();
  int64_t heads = table.getDimSize(1);
  if (ShapedType::isDynamic(heads))
    return emitOpError("table's heads must be static");
  int64_t span = 2 * window - 1, tokens = window * window;
  int64_t windows = getWindowRows() * getWindowColumns();
  if (failed(verify::shape(*this, "table", table, {span * span, heads})))
    return failure();
  RankedTensorType result = verify::tensorType(getResult());
  if (result.getRank() != 4 || !result.hasStaticShape())
    return emitOpError("result must be static [1, windows · heads, "
                       "window_size², window_size²]");
  return verify::shape(*this, "result", result,
                       {1, windows * heads, tokens, tokens});
}
