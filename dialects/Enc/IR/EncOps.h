//===- EncOps.h - enc dialect operations ------------------------*- C++ -*-===//
//
// Operations of the `enc` dialect, generated from EncOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_IR_ENCOPS_H
#define ENC_IR_ENCOPS_H

#include "Enc/IR/EncDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "Enc/IR/EncOps.h.inc"

#endif // ENC_IR_ENCOPS_H
