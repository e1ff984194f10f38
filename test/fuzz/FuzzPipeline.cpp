//===- FuzzPipeline.cpp - IR text through parsing, verification, enc passes
//===//
//
// Arbitrary text (seeded with the lit tests' inputs) parsed as a module;
// when it verifies, the enc preparation passes and the lowering to linalg
// run on it, with the verifier after every pass. Errors are expected and
// silenced; a crash, a sanitizer report or a pass that leaves invalid IR
// (caught by the pass manager's verifier as a failure, not a crash) is a
// finding.
//
//===----------------------------------------------------------------------===//

#include "encoder/InitAll.h"
#include "encoder/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <string>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  mlir::enc::registerAllPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static mlir::MLIRContext *Context = [] {
    mlir::DialectRegistry Registry;
    mlir::enc::registerAllDialects(Registry);
    auto *C = new mlir::MLIRContext(Registry);
    C->loadAllAvailableDialects();
    C->disableMultithreading();
    return C;
  }();
  // Large inputs only slow the search down; the seeds are small.
  if (Size > 64 * 1024)
    return 0;
  mlir::ScopedDiagnosticHandler Quiet(
      Context, [](mlir::Diagnostic &) { return mlir::success(); });
  std::string Text(reinterpret_cast<const char *>(Data), Size);
  mlir::OwningOpRef<mlir::ModuleOp> Module =
      mlir::parseSourceString<mlir::ModuleOp>(Text, Context);
  if (!Module || mlir::failed(mlir::verify(*Module)))
    return 0;
  mlir::PassManager PM(Context);
  PM.enableVerifier(true);
  mlir::enc::buildEncPreparationPipeline(PM);
  mlir::enc::buildEncToLinalgConversionPipeline(PM, mlir::enc::TargetKind::cpu,
                                                512);
  (void)PM.run(*Module);
  return 0;
}
