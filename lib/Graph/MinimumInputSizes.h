//===- MinimumInputSizes.h - Least input sizes the ops can run on -*- C++
//-*-===//
//
// Some ops cannot compute on too short a dimension (a pooled first or last
// token, a convolution shorter than its kernel); the reference raises there,
// so the artifact records each input dimension's least size and the runtime
// refuses smaller inputs. The analysis walks a function backwards, carrying
// what each op needs of its operands to the function's arguments; where a
// size comes through an op it does not know, nothing is carried, so the
// bound is never invented.
// docs/rationale/graph-passes.md, 'enc-record-abi and least input sizes'.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_GRAPH_MINIMUMINPUTSIZES_H
#define ENCODER_LIB_GRAPH_MINIMUMINPUTSIZES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::enc {

/// One entry per argument of `func`: its least size per dimension (0 where
/// no op needs more; empty for non-tensor arguments).
SmallVector<SmallVector<int64_t>> minimumInputSizes(func::FuncOp func);

} // namespace mlir::enc

#endif // ENCODER_LIB_GRAPH_MINIMUMINPUTSIZES_H
