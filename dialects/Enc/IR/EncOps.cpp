//===- EncOps.cpp - enc op definitions and shared verifier helpers
//----------===//
//
// The generated op definitions, the `custom<EnumKeyword>` directive they
// use, and the helpers of EncVerifyUtils.h. The verifiers themselves live
// beside their ODS group (Enc*Ops.cpp).
//
//===----------------------------------------------------------------------===//

#include "EncVerifyUtils.h"

#include "Enc/IR/EncOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;

namespace {

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
// Verifier helpers
//===----------------------------------------------------------------------===//

LogicalResult
verify::sameElementType(Operation *op, Value first,
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

LogicalResult verify::shape(Operation *op, StringRef what,
                            RankedTensorType actual,
                            ArrayRef<int64_t> expected) {
  bool ok = actual.getRank() == static_cast<int64_t>(expected.size());
  for (auto [a, e] : llvm::zip(actual.getShape(), expected))
    ok = ok && dimsMatch(a, e);
  if (ok)
    return success();
  InFlightDiagnostic diag = op->emitOpError() << what << " must have shape [";
  llvm::interleaveComma(expected, diag, [&](int64_t d) { diag << dimStr(d); });
  return diag << "], got " << actual;
}

LogicalResult verify::rank(Operation *op, StringRef what, RankedTensorType type,
                           int64_t rank, StringRef layout) {
  if (type.getRank() == rank)
    return success();
  return op->emitOpError() << what << " must have rank " << rank << " ("
                           << layout << "), got " << type;
}

LogicalResult verify::scalarLike(Operation *op, StringRef what,
                                 RankedTensorType type) {
  if (type.getRank() == 0 ||
      (type.getRank() == 1 && verify::dimsMatch(type.getDimSize(0), 1)))
    return success();
  return op->emitOpError() << what << " must hold one value (shape [] or "
                           << "[1]), got " << type;
}

LogicalResult verify::divisible(Operation *op, StringRef what, int64_t size,
                                int64_t by, StringRef byWhat) {
  if (ShapedType::isDynamic(size) || size % by == 0)
    return success();
  return op->emitOpError() << what << " (" << size << ") must be a multiple of "
                           << byWhat << " (" << by << ")";
}

LogicalResult verify::broadcastsToScores(Operation *op, StringRef what,
                                         Value value,
                                         ArrayRef<int64_t> scores) {
  RankedTensorType type = tensorType(value);
  if (type.getRank() != 4)
    return op->emitOpError() << what
                             << " must have rank 4 and broadcast to "
                                "[batch, heads, q_len, kv_len], got "
                             << type;
  for (auto [i, d] : llvm::enumerate(type.getShape()))
    if (d != 1 && !dimsMatch(d, scores[i]))
      return op->emitOpError()
             << what << " dimension " << i << " is " << dimStr(d)
             << "; it must be 1 or " << dimStr(scores[i])
             << " to broadcast to [batch, heads, q_len, kv_len]";
  return success();
}

#define GET_OP_CLASSES
#include "Enc/IR/EncOps.cpp.inc"
