//===- EncOps.td - enc dialect operations ------------------*- tablegen -*-===//
//
// Operations of the `enc` dialect, one file per group. Single-operand rules
// live in the type constraints; rules that relate operands, attributes and
// results are in the verifiers (Enc*Ops.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ENC_OPS_TD
#define ENC_OPS_TD

include "Enc/IR/EncLayerOps.td"
include "Enc/IR/EncAttentionOps.td"
include "Enc/IR/EncEmbeddingOps.td"
include "Enc/IR/EncPoolingOps.td"
include "Enc/IR/EncLossOps.td"
include "Enc/IR/EncKernelOps.td"

#endif // ENC_OPS_TD
