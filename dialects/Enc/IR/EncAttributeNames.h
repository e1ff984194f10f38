//===- EncAttributeNames.h - names of enc's discardable attributes -*- C++
//-*-===//
//
// The attributes the compiler attaches to ops, functions and arguments
// outside the enc dialect are declared once, on the dialect (EncBase.td,
// `discardableAttrs`); these constants are the names ODS generated, for
// code that reads or writes them by name.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_IR_ENCATTRIBUTENAMES_H
#define ENC_IR_ENCATTRIBUTENAMES_H

#include "Enc/IR/EncDialect.h"

namespace mlir::enc {

#define ENC_ATTRIBUTE_NAME(Constant, Helper)                                   \
  constexpr llvm::StringLiteral Constant = EncDialect::Helper::getNameStr();

ENC_ATTRIBUTE_NAME(kFunctionsAttrName, FunctionsAttrHelper)
ENC_ATTRIBUTE_NAME(kNameAttrName, NameAttrHelper)
ENC_ATTRIBUTE_NAME(kDimNamesAttrName, DimNamesAttrHelper)
ENC_ATTRIBUTE_NAME(kDimMaxAttrName, DimMaxAttrHelper)
ENC_ATTRIBUTE_NAME(kDimMinAttrName, DimMinAttrHelper)
ENC_ATTRIBUTE_NAME(kDefaultAttrName, DefaultAttrHelper)
ENC_ATTRIBUTE_NAME(kUnsignedAttrName, UnsignedAttrHelper)
ENC_ATTRIBUTE_NAME(kPackAttrName, PackAttrHelper)
ENC_ATTRIBUTE_NAME(kParamAttrName, ParamAttrHelper)
ENC_ATTRIBUTE_NAME(kDeriveAttrName, DeriveAttrHelper)
ENC_ATTRIBUTE_NAME(kInternalAttrName, InternalAttrHelper)
ENC_ATTRIBUTE_NAME(kOriginAttrName, OriginAttrHelper)
ENC_ATTRIBUTE_NAME(kTileSizesAttrName, TileSizesAttrHelper)
ENC_ATTRIBUTE_NAME(kNoFuseAttrName, NoFuseAttrHelper)
ENC_ATTRIBUTE_NAME(kKernelsAttrName, KernelsAttrHelper)
ENC_ATTRIBUTE_NAME(kInlineKernelsAttrName, InlineKernelsAttrHelper)
ENC_ATTRIBUTE_NAME(kKernelLaunchAttrName, KernelLaunchAttrHelper)
ENC_ATTRIBUTE_NAME(kCPUKernelsAttrName, CpuKernelsAttrHelper)

#undef ENC_ATTRIBUTE_NAME

} // namespace mlir::enc

#endif // ENC_IR_ENCATTRIBUTENAMES_H
