//===- EncBase.td - enc dialect definition and enums -------*- tablegen -*-===//
//
// The `enc` dialect describes encoder models at the level an encoder author
// thinks in: parameters, layers, attention, embeddings, pooling and losses.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_BASE_TD
#define ENC_BASE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"

def Enc_Dialect : Dialect {
  let name = "enc";
  let cppNamespace = "::mlir::enc";
  let summary = "Encoder model operations: attention, pooling, losses";
  let description = [{
    The `enc` dialect holds the operations of encoder models (BERT, ViT,
    CLIP, wav2vec 2.0, ...) on ranked tensors with value semantics. Weights
    are `enc.param` ops: named, statically shaped, and bound at run time
    from a safetensors file, never folded into the code. Generic arithmetic
    stays in the upstream `arith`, `math`, `tensor` and `linalg` dialects;
    `enc` adds the ops whose structure the compiler wants to see before it
    is lowered to `linalg` (so that it can fuse, tile and choose kernels for
    them).
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Enc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Enc_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Enc_ActivationKind : I32EnumAttr<"ActivationKind",
    "elementwise activation function", [
      I32EnumAttrCase<"gelu", 0>,
      I32EnumAttrCase<"gelu_tanh", 1>,
      I32EnumAttrCase<"quick_gelu", 2>,
      I32EnumAttrCase<"relu", 3>,
      I32EnumAttrCase<"silu", 4>,
      I32EnumAttrCase<"sigmoid", 5>,
      I32EnumAttrCase<"tanh", 6>,
    ]> {
  let cppNamespace = "::mlir::enc";
  let genSpecializedAttr = 0;
}
def Enc_ActivationKindAttr
    : EnumAttr<Enc_Dialect, Enc_ActivationKind, "activation">;

def Enc_PoolKind : I32EnumAttr<"PoolKind", "sequence pooling", [
      I32EnumAttrCase<"cls", 0>,
      I32EnumAttrCase<"mean", 1>,
      I32EnumAttrCase<"max", 2>,
      I32EnumAttrCase<"last", 3>,
    ]> {
  let cppNamespace = "::mlir::enc";
  let genSpecializedAttr = 0;
}
def Enc_PoolKindAttr : EnumAttr<Enc_Dialect, Enc_PoolKind, "pool">;

def Enc_Reduction : I32EnumAttr<"Reduction", "loss reduction", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"mean", 1>,
      I32EnumAttrCase<"sum", 2>,
    ]> {
  let cppNamespace = "::mlir::enc";
  let genSpecializedAttr = 0;
}
def Enc_ReductionAttr : EnumAttr<Enc_Dialect, Enc_Reduction, "reduction">;

def Enc_PositionKind : I32EnumAttr<"PositionKind", "position encoding", [
      I32EnumAttrCase<"learned", 0>,
      I32EnumAttrCase<"sinusoidal", 1>,
      I32EnumAttrCase<"sinusoidal_concat", 2>,
    ]> {
  let cppNamespace = "::mlir::enc";
  let genSpecializedAttr = 0;
}
def Enc_PositionKindAttr
    : EnumAttr<Enc_Dialect, Enc_PositionKind, "position">;

def Enc_SimilarityKind : I32EnumAttr<"SimilarityKind", "similarity measure", [
      I32EnumAttrCase<"dot", 0>,
      I32EnumAttrCase<"cosine", 1>,
    ]> {
  let cppNamespace = "::mlir::enc";
  let genSpecializedAttr = 0;
}
def Enc_SimilarityKindAttr
    : EnumAttr<Enc_Dialect, Enc_SimilarityKind, "similarity">;

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Enc_FloatType : AnyTypeOf<[F16, BF16, F32, F64]>;
def Enc_IndexElementType : AnyTypeOf<[I32, I64]>;

def Enc_FloatTensor : RankedTensorOf<[Enc_FloatType]>;
def Enc_IndexTensor : RankedTensorOf<[Enc_IndexElementType]>;
def Enc_MaskTensor : RankedTensorOf<[Enc_FloatType, I1, I32, I64]>;
def Enc_PaddingMaskTensor
    : RankedTensorOf<[Enc_FloatType, I1, I32, I64]>;
def Enc_ParamTensor
    : StaticShapeTensorOf<[Enc_FloatType, I1, I8, I16, I32, I64]>;

#endif // ENC_BASE_TD
