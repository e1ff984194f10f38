//===- EncOps.cpp - enc operation verifiers ---------------------------------===//
//
// Verifiers for the rules that relate several operands, attributes and
// results of an op. Dimensions compare as compatible when either side is
// dynamic: shapes are checked again, with their actual sizes, at run time.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;

namespace {

bool dimsMatch(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Prints a dimension as MLIR does (`?` for dynamic).
std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks that every value has the element type of `first`.
LogicalResult verifySameElementType(Operation *op, Value first,
                                    ArrayRef<std::pair<Value, StringRef>> rest) {
  Type expected = tensorType(first).getElementType();
  for (auto [value, name] : rest) {
    if (!value)
      continue;
    Type actual = tensorType(value).getElementType();
    if (actual != expected)
      return op->emitOpError() << name << " element type " << actual
                               << " differs from " << expected;
  }
  return success();
}

/// Checks `dims(actual)` against `expected` (dynamic entries of either side
/// match anything) and names `what` in the diagnostic.
LogicalResult verifyShape(Operation *op, StringRef what,
                          RankedTensorType actual,
                          ArrayRef<int64_t> expected) {
  bool ok = actual.getRank() == static_cast<int64_t>(expected.size());
  for (auto [a, e] : llvm::zip(actual.getShape(), expected))
    ok = ok && dimsMatch(a, e);
  if (ok)
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << what << " must have shape [";
  llvm::interleaveComma(expected, diag,
                        [&](int64_t d) { diag << dimStr(d); });
  return diag << "], got " << actual;
}

/// `custom<EnumKeyword>($kind)`: an enum attribute as a bare keyword
/// (`enc.activation gelu %x`). The enum attributes' own format would print
/// a second space after the op name.
template <typename EnumAttrT>
ParseResult parseEnumKeyword(OpAsmParser &parser, EnumAttrT &attr) {
  using Enum = decltype(std::declval<EnumAttrT>().getValue());
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<Enum> value = symbolizeEnum<Enum>(keyword);
  if (!value)
    return parser.emitError(loc, "unknown ")
           << EnumAttrT::getMnemonic() << " kind '" << keyword << "'";
  attr = EnumAttrT::get(parser.getContext(), *value);
  return success();
}

template <typename EnumAttrT>
void printEnumKeyword(OpAsmPrinter &printer, Operation *, EnumAttrT attr) {
  printer << stringifyEnum(attr.getValue());
}

} // namespace

//===----------------------------------------------------------------------===//
// ParamOp
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError("needs a non-empty parameter name");
  return success();
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  RankedTensorType input = tensorType(getInput());
  RankedTensorType weight = tensorType(getWeight());
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got ") << input;
  if (weight.getRank() != 2)
    return emitOpError("weight must have rank 2 ([out, in]), got ") << weight;
  if (failed(verifySameElementType(*this, getInput(),
                                   {{getWeight(), "weight"},
                                    {getBias(), "bias"},
                                    {getResult(), "result"}})))
    return failure();

  int64_t in = input.getShape().back();
  int64_t out = weight.getDimSize(0);
  if (!dimsMatch(weight.getDimSize(1), in))
    return emitOpError("weight must be [out, in] with in = ")
           << dimStr(in) << " (the last dimension of input), got " << weight;
  if (getBias() &&
      failed(verifyShape(*this, "bias", tensorType(getBias()), {out})))
    return failure();

  SmallVector<int64_t> expected(input.getShape());
  expected.back() = out;
  return verifyShape(*this, "result", tensorType(getResult()), expected);
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  RankedTensorType input = tensorType(getInput());
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got ") << input;
  if (failed(verifySameElementType(
          *this, getInput(), {{getScale(), "scale"}, {getBias(), "bias"}})))
    return failure();
  int64_t dim = input.getShape().back();
  if (getScale() &&
      failed(verifyShape(*this, "scale", tensorType(getScale()), {dim})))
    return failure();
  if (getBias() &&
      failed(verifyShape(*this, "bias", tensorType(getBias()), {dim})))
    return failure();
  double epsilon = getEpsilon().convertToDouble();
  if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
    return emitOpError("epsilon must be finite and non-negative, got ")
           << epsilon;
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

double AttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToDouble();
  int64_t headDim = tensorType(getQuery()).getDimSize(3);
  return 1.0 / std::sqrt(static_cast<double>(headDim));
}

LogicalResult AttentionOp::verify() {
  RankedTensorType q = tensorType(getQuery());
  RankedTensorType k = tensorType(getKey());
  RankedTensorType v = tensorType(getValue());
  for (auto [type, name] : {std::pair(q, "query"), std::pair(k, "key"),
                            std::pair(v, "value")})
    if (type.getRank() != 4)
      return emitOpError() << name
                           << " must have rank 4 ([batch, heads, seq, dim]), "
                              "got "
                           << type;
  Value mask = getMask();
  bool keepMask = mask && tensorType(mask).getElementType().isInteger();
  if (failed(verifySameElementType(
          *this, getQuery(),
          {{getKey(), "key"},
           {getValue(), "value"},
           {getResult(), "result"},
           {keepMask ? Value() : mask, "mask"}})))
    return failure();

  int64_t batch = q.getDimSize(0), heads = q.getDimSize(1);
  int64_t qLen = q.getDimSize(2), headDim = q.getDimSize(3);
  int64_t kvLen = k.getDimSize(2);
  if (failed(verifyShape(*this, "key", k, {batch, heads, kvLen, headDim})) ||
      failed(verifyShape(*this, "value", v,
                         {batch, heads, kvLen, v.getDimSize(3)})) ||
      failed(verifyShape(*this, "result", tensorType(getResult()),
                         {batch, heads, qLen, v.getDimSize(3)})))
    return failure();

  if (mask) {
    RankedTensorType m = tensorType(mask);
    if (m.getRank() != 4)
      return emitOpError("mask must have rank 4 and broadcast to "
                         "[batch, heads, q_len, kv_len], got ")
             << m;
    int64_t full[] = {batch, heads, qLen, kvLen};
    for (auto [i, d] : llvm::enumerate(m.getShape()))
      if (d != 1 && !dimsMatch(d, full[i]))
        return emitOpError("mask dimension ")
               << i << " is " << dimStr(d) << "; it must be 1 or "
               << dimStr(full[i]) << " to broadcast to [batch, heads, q_len, "
               << "kv_len]";
  }

  if (std::optional<APFloat> scale = getScale()) {
    if (!scale->isFiniteNonZero())
      return emitOpError("scale must be finite and nonzero");
  } else if (ShapedType::isDynamic(headDim)) {
    return emitOpError("needs an explicit scale when head_dim is dynamic");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// EmbeddingOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  RankedTensorType table = tensorType(getTable());
  if (table.getRank() != 2)
    return emitOpError("table must have rank 2 ([num_embeddings, dim]), got ")
           << table;
  if (failed(verifySameElementType(*this, getTable(),
                                   {{getResult(), "result"}})))
    return failure();
  SmallVector<int64_t> expected(tensorType(getIndices()).getShape());
  expected.push_back(table.getDimSize(1));
  return verifyShape(*this, "result", tensorType(getResult()), expected);
}

//===----------------------------------------------------------------------===//
// PoolOp
//===----------------------------------------------------------------------===//

LogicalResult PoolOp::verify() {
  RankedTensorType input = tensorType(getInput());
  if (input.getRank() != 3)
    return emitOpError("input must have rank 3 ([batch, seq, dim]), got ")
           << input;
  if (failed(verifySameElementType(*this, getInput(),
                                   {{getResult(), "result"}})))
    return failure();
  if (Value mask = getMask()) {
    if (getKind() == PoolKind::cls)
      return emitOpError("cls pooling takes no mask");
    if (failed(verifyShape(*this, "mask", tensorType(mask),
                           {input.getDimSize(0), input.getDimSize(1)})))
      return failure();
  }
  return verifyShape(*this, "result", tensorType(getResult()),
                     {input.getDimSize(0), input.getDimSize(2)});
}

//===----------------------------------------------------------------------===//
// CrossEntropyOp
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::verify() {
  RankedTensorType logits = tensorType(getLogits());
  if (logits.getRank() < 1)
    return emitOpError("logits must have rank >= 1 ([..., classes]), got ")
           << logits;
  if (failed(verifySameElementType(*this, getLogits(),
                                   {{getResult(), "result"}})))
    return failure();
  ArrayRef<int64_t> positions = logits.getShape().drop_back();
  if (failed(verifyShape(*this, "labels", tensorType(getLabels()), positions)))
    return failure();
  if (getReduction() == Reduction::none)
    return verifyShape(*this, "result with reduction none",
                       tensorType(getResult()), positions);
  return verifyShape(*this, "reduced result", tensorType(getResult()), {});
}

#define GET_OP_CLASSES
#include "Enc/IR/EncOps.cpp.inc"
