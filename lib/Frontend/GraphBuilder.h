//===- GraphBuilder.h - building enc IR for a model, shape-aware -*- C++
//-*-===//
//
// The vocabulary the family builders are written in: parameters named by
// checkpoint, dense layers, norms, multi-head attention with the head
// reshapes, MLPs. Every helper computes its result type from its operands'
// shapes, dynamic dimensions included, and gets dynamic sizes from
// tensor.dim, so the builders never spell a shape that depends on the call.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_FRONTEND_GRAPHBUILDER_H
#define ENCODER_LIB_FRONTEND_GRAPHBUILDER_H

#include "Enc/IR/EncOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace mlir::enc::frontend {

constexpr int64_t kDynamic = ShapedType::kDynamic;

/// How one self-attention block names its projections, relative to the
/// layer prefix ("attention.self.query", ...).
struct AttentionNames {
  std::string query, key, value, output;
  bool keyBias = true; // Whisper's k_proj has none
};

class GraphBuilder {
public:
  /// Builds into `block` (a function body). Parameter names get `prefix`
  /// (the checkpoint's, e.g. "bert.") prepended.
  GraphBuilder(OpBuilder &builder, Location loc, std::string prefix)
      : b(builder), loc(loc), prefix(std::move(prefix)) {}

  OpBuilder &builder() { return b; }
  Location location() const { return loc; }

  static ArrayRef<int64_t> shape(Value v);
  static RankedTensorType f32(ArrayRef<int64_t> shape, MLIRContext *ctx);
  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return f32(shape, b.getContext());
  }

  /// A parameter `prefix + name` of shape `shape` (f32).
  Value param(const Twine &name, ArrayRef<int64_t> shape);
  /// Dimension `i` of `v` as an index (a constant when static).
  Value dim(Value v, int64_t i);
  OpFoldResult size(Value v, int64_t i);

  Value linear(Value x, const Twine &name, int64_t out, int64_t in,
               bool bias = true);
  /// A linear layer with given weight ([out, in]) and optional bias.
  Value linear(Value x, Value weight, Value bias);
  Value layerNorm(Value x, const Twine &name, double epsilon);
  /// RMS norm with a scale `name.weight` and no bias (T5LayerNorm).
  Value rmsNorm(Value x, const Twine &name, double epsilon);
  Value activation(Value x, ActivationKind kind);
  Value add(Value lhs, Value rhs);
  Value mul(Value lhs, Value rhs);
  /// `x * factor`.
  Value scale(Value x, double factor);
  /// `x * scale` with `scale` ([dim]) broadcast over the leading dims
  /// (DINOv2's layer scale).
  Value scaleLastDim(Value x, Value scale);
  /// `fc2(act(fc1(x)))`.
  Value mlp(Value x, const Twine &fc1, const Twine &fc2, int64_t inner,
            int64_t dim, ActivationKind act);

  /// [batch, seq, heads * head_dim] <-> [batch, heads, seq, head_dim].
  Value splitHeads(Value x, int64_t heads);
  Value mergeHeads(Value x);
  Value transpose(Value x, ArrayRef<int64_t> permutation);
  /// A Hugging Face attention_mask [batch, seq] as an enc.attention mask
  /// [batch, 1, 1, seq].
  Value attentionMask(Value mask);
  /// enc.attention; `scale` defaults to 1/sqrt(head_dim); `bias` is added
  /// to the scores before `mask` applies.
  Value attention(Value q, Value k, Value v, Value mask, bool causal,
                  std::optional<double> scale = std::nullopt, Value bias = {});
  /// Pre-LN transformer layer (CLIP, SigLIP, Whisper, ViT-style):
  /// h + attn(norm1(h)), then h + mlp(norm2(h)).
  Value preNormLayer(Value h, const Twine &layer, const AttentionNames &names,
                     StringRef norm1, StringRef norm2, StringRef fc1,
                     StringRef fc2, int64_t heads, int64_t dim,
                     int64_t intermediate, ActivationKind act, double epsilon,
                     Value mask, bool causal = false);
  /// Projections, heads, attention and output projection of one layer.
  Value selfAttention(Value x, const Twine &layer, const AttentionNames &names,
                      int64_t heads, int64_t dim, Value mask,
                      bool causal = false);

  Value embedding(Value ids, Value table);
  Value learnedPositions(Value x, Value table, int64_t offset);
  Value pool(PoolKind kind, Value x, Value mask = {});
  Value l2Normalize(Value x);
  /// x[..., offset : offset + size, ...] along `dim`.
  Value slice(Value x, int64_t dim, OpFoldResult offset, OpFoldResult size);
  Value concat(int64_t dim, ValueRange parts);
  /// Drops the leading unit dim of a parameter: [1, n, d] -> [n, d].
  Value collapseLeadingUnit(Value x);
  /// Prepends `count` unit dims: [d] -> [1, 1, d].
  Value prependUnitDims(Value x, int64_t count);
  /// Zeros of element type `elementType` and sizes `sizes`.
  Value zeros(Type elementType, ArrayRef<OpFoldResult> sizes);
  Value constantF32(ArrayRef<int64_t> shape, float value);

private:
  OpBuilder &b;
  Location loc;
  std::string prefix;
};

/// One input of a model function: its name, type, and per dimension a
/// name (dimensions of one name must agree across inputs at run time) and
/// an upper bound (-1: none); and what the runtime passes when a caller
/// omits it ("zeros", "ones"; "" for a required input), as Hugging Face
/// fills in an omitted attention_mask or token_type_ids.
struct InputSpec {
  std::string name;
  RankedTensorType type;
  SmallVector<std::string> dimNames;
  SmallVector<int64_t> dimMax;
  std::string defaultFill = "";
};

/// A public function under construction: inputs first, then the body
/// through builder(), then the named outputs.
class ModelFunction {
public:
  ModelFunction(ModuleOp module, StringRef name, ArrayRef<InputSpec> inputs);
  OpBuilder &builder() { return b; }
  Value input(unsigned i) { return func.getArgument(i); }
  void addOutput(StringRef name, Value value);
  /// Adds the return and sets the function type.
  void finish();

private:
  OpBuilder b;
  func::FuncOp func;
  SmallVector<std::pair<std::string, Value>> outputs;
};

/// Hugging Face's `hidden_act` names.
FailureOr<ActivationKind> activationNamed(StringRef name);

} // namespace mlir::enc::frontend

#endif // ENCODER_LIB_FRONTEND_GRAPHBUILDER_H
