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

  // The attributes the compiler attaches to ops, functions and arguments of
  // other dialects. Declared here so that each name is written once: C++
  // reaches them through EncAttributeNames.h (k<Name>AttrName).
  let discardableAttrs = (ins
    // Module: the signatures enc-record-abi recorded, one per function.
    "::mlir::ArrayAttr":$functions,
    // Argument/result: the input or output name callers use.
    "::mlir::StringAttr":$name,
    // Input: a name per dimension (dims of one name agree across a call's
    // inputs), its bound (-1: none) and its least size (0: none; merged by
    // enc-record-abi with what the ops need).
    "::mlir::ArrayAttr":$dim_names,
    "::mlir::DenseI64ArrayAttr":$dim_max,
    "::mlir::DenseI64ArrayAttr":$dim_min,
    // Input: "zeros" or "ones", what the runtime passes when the caller
    // omits it (Hugging Face's optional inputs).
    "::mlir::StringAttr":$default,
    // Input/output: an integer tensor whose elements are unsigned (ONNX's
    // uint8 ... uint64): callers see dtype u8, u16, u32 or u64.
    "::mlir::UnitAttr":$unsigned,
    // Argument of a packed parameter: how the runtime builds it
    // ({sources, source_shapes, concat_dim, panel}; enc.packed_param).
    "::mlir::DictionaryAttr":$pack,
    // Argument: the parameter it carries.
    "::mlir::StringAttr":$param,
    // Argument of a derived parameter: the internal function computing it
    // and which of its outputs it is ({function, output};
    // enc-hoist-weight-only).
    "::mlir::DictionaryAttr":$derive,
    // Function: called by the runtime (derived parameters), not by users.
    "::mlir::UnitAttr":$internal,
    // An op lowered from an enc op: that op's name (convert-enc-to-linalg).
    "::mlir::StringAttr":$origin,
    // Knobs (enc-apply-op-config): the tile sizes of an op's kernel, and
    // keeping an op out of fusions.
    "::mlir::DenseI64ArrayAttr":$tile_sizes,
    "::mlir::UnitAttr":$no_fuse,
    // Module: one dictionary per kernel {name, function, ops, flops, bytes},
    // indexed by the launch's kernel number (enc-outline-kernels), and the
    // same for would-be kernels that run inline (their loop folded to one
    // iteration).
    "::mlir::ArrayAttr":$kernels,
    "::mlir::ArrayAttr":$inline_kernels,
    // A launch declaration: {body = @fn, kernel = index}.
    "::mlir::DictionaryAttr":$kernel_launch,
    // Module: the CPU kernels' blocking ({matmul_rows, panel_columns,
    // chunk_flops, tile_elements, attention_query_block,
    // attention_key_block, source}; CPUKernelParams), set by the driver
    // from the model of the target or a tuning record.
    "::mlir::DictionaryAttr":$cpu_kernels
  );
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

def Enc_UpsampleMode : I32EnumAttr<"UpsampleMode", "upsampling interpolation", [
      I32EnumAttrCase<"nearest", 0>,
      I32EnumAttrCase<"bilinear", 1>,
    ]> {
  let cppNamespace = "::mlir::enc";
  let genSpecializedAttr = 0;
}
def Enc_UpsampleModeAttr
    : EnumAttr<Enc_Dialect, Enc_UpsampleMode, "upsample">;

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
