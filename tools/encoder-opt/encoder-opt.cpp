//===- encoder-opt.cpp - the encoder compiler's opt tool
//--------------------===//
//
// mlir-opt with the enc dialect and every encoder pass and pipeline: the
// tool for lit tests and for trying a pass by hand.
//
//===----------------------------------------------------------------------===//

#include "encoder/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::enc::registerAllDialects(registry);
  mlir::enc::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Encoder compiler optimizer driver\n", registry));
}
