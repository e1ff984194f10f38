//===- MinimumInputSizes.h - Least input sizes the ops can run on -*- C++ -*-===//
//
// Some ops cannot compute on too short a dimension: `enc.pool cls` and
// `last` read a sequence's first or last position, `enc.conv1d` needs its
// (padded) input at least as long as its kernel, and a stack of
// convolutions needs its receptive field. Reading past the end would be a
// crash or a silent wrong answer, and the reference (PyTorch, Hugging Face)
// raises there, so the artifact's signature records the least size of each
// input dimension and the runtime refuses smaller inputs.
//
// The analysis walks a function backwards: each op states what it needs of
// its operands, and what its result is required to hold is carried to the
// operands it comes from (through elementwise ops, norms, linears,
// attention, embeddings, transposes, reshapes and slices) up to the
// function's arguments. Where a value's size comes through an op the
// analysis does not know, nothing is carried: the bound is a lower bound,
// never an invented one.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_TRANSFORMS_MINIMUMINPUTSIZES_H
#define ENCODER_LIB_TRANSFORMS_MINIMUMINPUTSIZES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::enc {

/// One entry per argument of `func`: its least size per dimension (0 where
/// no op needs more; empty for non-tensor arguments).
SmallVector<SmallVector<int64_t>> minimumInputSizes(func::FuncOp func);

} // namespace mlir::enc

#endif // ENCODER_LIB_TRANSFORMS_MINIMUMINPUTSIZES_H
