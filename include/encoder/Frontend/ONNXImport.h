//===- ONNXImport.h - enc IR from ONNX models -------------------*- C++ -*-===//
//
// Imports an ONNX model (read with ONNX's own C++ library: its parser and
// checker) into a module of `enc` and upstream dialects
// with one public function, `main`. Graph inputs keep their names and their
// symbolic dimensions (`dim_param`) stay dynamic and named; initializers
// become named parameters (`enc.param`), written to a safetensors file the
// runtime binds. docs/onnx.md lists the ops and their tests.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_FRONTEND_ONNXIMPORT_H
#define ENCODER_FRONTEND_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::enc {

/// True when `path` names an ONNX file (`*.onnx`).
bool isONNXPath(StringRef path);

struct ONNXImportOptions {
  /// Where to write the initializers as safetensors (the tensors the
  /// artifact's parameters name); empty: write nothing.
  std::string weightsPath;
};

/// Imports the model at `path`. On failure returns null and sets `error` to
/// one line naming the file and the problem (for an op: the node, its op
/// type, domain and opset).
OwningOpRef<ModuleOp> importONNX(MLIRContext *context, StringRef path,
                                 const ONNXImportOptions &options,
                                 std::string &error);

/// The ONNX op types the importer converts (default domain), for docs and
/// the conformance runner.
ArrayRef<StringRef> supportedONNXOps();

} // namespace mlir::enc

#endif // ENCODER_FRONTEND_ONNXIMPORT_H
