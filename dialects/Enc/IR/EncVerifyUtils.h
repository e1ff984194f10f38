//===- EncVerifyUtils.h - helpers shared by the enc verifiers ---*- C++ -*-===//
//
// Dimensions compare as compatible when either side is dynamic: shapes are
// checked again, with their actual sizes, at run time.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_IR_ENCVERIFYUTILS_H
#define ENC_IR_ENCVERIFYUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace mlir::enc::verify {

inline bool dimsMatch(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// A dimension as MLIR prints it (`?` for dynamic).
inline std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
}

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks that every present value has the element type of `first`.
LogicalResult sameElementType(Operation *op, Value first,
                              ArrayRef<std::pair<Value, StringRef>> rest);

/// Checks the shape of `actual` against `expected` (dynamic entries of either
/// side match anything) and names `what` in the diagnostic.
LogicalResult shape(Operation *op, StringRef what, RankedTensorType actual,
                    ArrayRef<int64_t> expected);

/// Checks that `type` has rank `rank`, naming `what` and `layout` (e.g.
/// "[batch, seq, dim]") in the diagnostic.
LogicalResult rank(Operation *op, StringRef what, RankedTensorType type,
                   int64_t rank, StringRef layout);

/// Checks that `type` holds one element: shape [] or [1].
LogicalResult scalarLike(Operation *op, StringRef what, RankedTensorType type);

/// Checks that a static `size` is divisible by `by`.
LogicalResult divisible(Operation *op, StringRef what, int64_t size, int64_t by,
                        StringRef byWhat);

/// Checks that an attention bias or mask (`what`) has rank 4 and that each
/// dimension is 1 or that of `scores` ([batch, heads, q_len, kv_len]).
LogicalResult broadcastsToScores(Operation *op, StringRef what, Value value,
                                 ArrayRef<int64_t> scores);

} // namespace mlir::enc::verify

#endif // ENC_IR_ENCVERIFYUTILS_H
