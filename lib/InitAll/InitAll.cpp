//===- InitAll.cpp - register everything the encoder tools use
//--------------===//

#include "encoder/InitAll.h"

#include "Enc/IR/EncDialect.h"
#include "encoder/Codegen/CPU/Passes.h"
#include "encoder/Codegen/CUDA/Passes.h"
#include "encoder/Codegen/Common/Passes.h"
#include "encoder/Conversion/Passes.h"
#include "encoder/Graph/Passes.h"
#include "encoder/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::enc::registerAllDialects(DialectRegistry &registry) {
  registry.insert<EncDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void mlir::enc::registerAllPasses() {
  mlir::registerAllPasses();
  registerGraphPasses();
  registerConversionPasses();
  registerCodegenCommonPasses();
  registerCodegenCPUPasses();
  registerCodegenCUDAPasses();
  registerCPULoweringTarget();
  registerCUDALoweringTarget();
  registerEncoderPipelines();
}
