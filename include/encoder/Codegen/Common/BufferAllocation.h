//===- BufferAllocation.h - The allocation behind a buffer ------*- C++ -*-===//
//
// After bufferization a buffer is used through views (subviews, reshapes,
// casts); the passes that reason about an allocation's lifetime
// (enc-free-buffers-early, enc-record-memory) follow a use back to it.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_COMMON_BUFFERALLOCATION_H
#define ENCODER_CODEGEN_COMMON_BUFFERALLOCATION_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::enc {

/// The value `buffer` is a view or cast of: an allocation, a function
/// argument, or whatever op made it if that is not a view.
inline Value allocationOf(Value buffer) {
  while (Operation *def = buffer.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def))
      buffer = view.getViewSource();
    else if (auto cast = dyn_cast<memref::CastOp>(def))
      buffer = cast.getSource();
    else
      break;
  }
  return buffer;
}

} // namespace mlir::enc

#endif // ENCODER_CODEGEN_COMMON_BUFFERALLOCATION_H
