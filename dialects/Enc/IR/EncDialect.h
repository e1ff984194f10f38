//===- EncDialect.h - enc dialect declaration -------------------*- C++ -*-===//
//
// The `enc` dialect: encoder-model operations on ranked tensors.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_IR_ENCDIALECT_H
#define ENC_IR_ENCDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

#include "Enc/IR/EncDialect.h.inc"
#include "Enc/IR/EncEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "Enc/IR/EncAttrs.h.inc"

#endif // ENC_IR_ENCDIALECT_H
