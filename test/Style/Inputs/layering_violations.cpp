// as: lib/Codegen/CPU/Example.cpp
// Input of layering.py's self-test: the marked lines (and no others) break
// a layering rule for a file in lib/Codegen/CPU/.
#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CPU/Passes.h"
#include "encoder/Codegen/Common/RuntimeHooks.h"
#include "encoder/Codegen/CUDA/Passes.h" // violation: CPU includes CUDA
#include "encoder/Pipelines/Pipelines.h" // violation: a later stage
#include "../CUDA/GPUWarps.h"            // violation: climbs out
#include "PackedMatmul.h"
#include "mlir/IR/Builders.h"

void f(mlir::Operation *op) {
  op->setAttr("enc.no_fuse", nullptr); // violation: spells an attribute
  op->setAttr(mlir::enc::kNoFuseAttrName, nullptr);
  op->getName().getStringRef() == "enc.linear"; // an op name, not an attribute
  // "enc.name" in a comment is fine
}
