//===- FuzzONNX.cpp - model.onnx to enc IR --------------------------------===//
//
// The ONNX importer on arbitrary bytes as a model file: ONNX's parser and
// checker first, then the import, writing the weights file. A refusal must
// say why, and whatever imports must verify.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "encoder/Frontend/ONNXImport.h"
#include "encoder/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

using namespace encoder_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static mlir::MLIRContext *Context = [] {
    mlir::DialectRegistry Registry;
    mlir::enc::registerAllDialects(Registry);
    auto *C = new mlir::MLIRContext(Registry);
    C->loadAllAvailableDialects();
    C->disableMultithreading();
    return C;
  }();
  writeScratch("model.onnx", Data, Size);
  mlir::ScopedDiagnosticHandler Quiet(
      Context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::enc::ONNXImportOptions Options;
  Options.weightsPath = scratchDirectory() + "/model.safetensors";
  std::string Error;
  mlir::OwningOpRef<mlir::ModuleOp> Module = mlir::enc::importONNX(
      Context, scratchDirectory() + "/model.onnx", Options, Error);
  if (!Module) {
    if (Error.empty())
      std::abort(); // a refusal always says why
    return 0;
  }
  if (mlir::failed(mlir::verify(*Module)))
    std::abort(); // the importer built invalid IR
  return 0;
}
