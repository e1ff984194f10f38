//===- Fusions.h - exporters' op-by-op spellings, recognised ----*- C++ -*-===//
//
// torch.onnx.export before opset 17 writes LayerNorm as ReduceMean, Sub,
// Pow, ReduceMean, Add, Sqrt, Div, Mul, Add, and every exporter writes exact
// GELU as Div, Erf, Add, Mul, Mul. Found on the ONNX graph before import,
// each chain becomes one enc.layer_norm or enc.activation gelu (which the
// graph passes then fuse into linears and residual adds), at the chain's
// last node; its other nodes are skipped. A chain whose intermediate values
// are read elsewhere is left alone.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_FRONTEND_ONNX_FUSIONS_H
#define ENCODER_LIB_FRONTEND_ONNX_FUSIONS_H

#include "onnx/onnx_pb.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <string>

namespace mlir::enc::onnx_import {

struct Fusion {
  enum class Kind { layerNorm, gelu } kind;
  std::string input;
  std::string scale, bias; // layer norm; "" when absent
  double epsilon = 0;
};

struct Fusions {
  /// The chain's last node -> what it computes.
  llvm::DenseMap<const onnx::NodeProto *, Fusion> roots;
  /// The chains' other nodes.
  llvm::DenseSet<const onnx::NodeProto *> skipped;
};

/// Finds the chains in `graph`. `constants` are the graph's Constant nodes'
/// and initializers' tensors by name.
Fusions findFusions(const onnx::GraphProto &graph,
                    const llvm::DenseMap<llvm::StringRef,
                                         const onnx::TensorProto *> &constants);

} // namespace mlir::enc::onnx_import

#endif // ENCODER_LIB_FRONTEND_ONNX_FUSIONS_H
