//===- GraphBuilder.cpp - building enc IR for a model, shape-aware
//----------===//

#include "GraphBuilder.h"

#include "Enc/IR/EncAttributeNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::frontend;

ArrayRef<int64_t> GraphBuilder::shape(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

RankedTensorType GraphBuilder::f32(ArrayRef<int64_t> shape, MLIRContext *ctx) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

Value GraphBuilder::param(const Twine &name, ArrayRef<int64_t> shape) {
  return ParamOp::create(b, loc, f32(shape), (prefix + name).str());
}

Value GraphBuilder::dim(Value v, int64_t i) {
  int64_t size = shape(v)[i];
  if (!ShapedType::isDynamic(size))
    return arith::ConstantIndexOp::create(b, loc, size);
  return tensor::DimOp::create(b, loc, v, i);
}

OpFoldResult GraphBuilder::size(Value v, int64_t i) {
  int64_t size = shape(v)[i];
  if (!ShapedType::isDynamic(size))
    return b.getIndexAttr(size);
  return tensor::DimOp::create(b, loc, v, i).getResult();
}

Value GraphBuilder::linear(Value x, const Twine &name, int64_t out, int64_t in,
                           bool bias) {
  Value weight = param(name + ".weight", {out, in});
  Value biasValue = bias ? param(name + ".bias", {out}) : Value();
  SmallVector<int64_t> resultShape(shape(x));
  resultShape.back() = out;
  return LinearOp::create(b, loc, f32(resultShape), x, weight, biasValue,
                          Value(), ActivationKindAttr());
}

Value GraphBuilder::linear(Value x, Value weight, Value bias) {
  SmallVector<int64_t> resultShape(shape(x));
  resultShape.back() = shape(weight)[0];
  return LinearOp::create(b, loc, f32(resultShape), x, weight, bias, Value(),
                          ActivationKindAttr());
}

Value GraphBuilder::preNormLayer(Value h, const Twine &layer,
                                 const AttentionNames &names, StringRef norm1,
                                 StringRef norm2, StringRef fc1, StringRef fc2,
                                 int64_t heads, int64_t dim,
                                 int64_t intermediate, ActivationKind act,
                                 double epsilon, Value mask, bool causal) {
  std::string base = layer.str() + ".";
  Value a = selfAttention(layerNorm(h, base + norm1, epsilon), layer, names,
                          heads, dim, mask, causal);
  h = add(a, h);
  Value m = mlp(layerNorm(h, base + norm2, epsilon), base + fc1, base + fc2,
                intermediate, dim, act);
  return add(m, h);
}

Value GraphBuilder::layerNorm(Value x, const Twine &name, double epsilon) {
  int64_t dim = shape(x).back();
  Value scale = param(name + ".weight", {dim});
  Value bias = param(name + ".bias", {dim});
  return LayerNormOp::create(b, loc, x.getType(), x, Value(), scale, bias,
                             b.getF64FloatAttr(epsilon));
}

Value GraphBuilder::rmsNorm(Value x, const Twine &name, double epsilon) {
  Value scale = param(name + ".weight", {shape(x).back()});
  return RMSNormOp::create(b, loc, x.getType(), x, scale,
                           b.getF64FloatAttr(epsilon));
}

Value GraphBuilder::activation(Value x, ActivationKind kind) {
  return ActivationOp::create(b, loc, x.getType(),
                              ActivationKindAttr::get(b.getContext(), kind), x);
}

Value GraphBuilder::add(Value lhs, Value rhs) {
  return arith::AddFOp::create(b, loc, lhs, rhs);
}

Value GraphBuilder::mul(Value lhs, Value rhs) {
  return arith::MulFOp::create(b, loc, lhs, rhs);
}

Value GraphBuilder::scale(Value x, double factor) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    sizes.push_back(size(x, i));
  Value empty = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  SmallVector<utils::IteratorType> parallel(type.getRank(),
                                            utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, type, x, empty, ArrayRef<AffineMap>{identity, identity},
             parallel,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value f = arith::ConstantOp::create(
                   nb, l, nb.getFloatAttr(type.getElementType(), factor));
               linalg::YieldOp::create(
                   nb, l, ValueRange{arith::MulFOp::create(nb, l, args[0], f)});
             })
      .getResult(0);
}

Value GraphBuilder::scaleLastDim(Value x, Value scale) {
  int64_t rank = shape(x).size();
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < rank; ++i)
    sizes.push_back(size(x, i));
  Value empty = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  SmallVector<int64_t> leading;
  for (int64_t i = 0; i + 1 < rank; ++i)
    leading.push_back(i);
  Value broadcast =
      linalg::BroadcastOp::create(b, loc, scale, empty, leading).getResult()[0];
  return arith::MulFOp::create(b, loc, x, broadcast);
}

Value GraphBuilder::mlp(Value x, const Twine &fc1, const Twine &fc2,
                        int64_t inner, int64_t dim, ActivationKind act) {
  Value hidden = activation(linear(x, fc1, inner, dim), act);
  return linear(hidden, fc2, dim, inner);
}

Value GraphBuilder::transpose(Value x, ArrayRef<int64_t> permutation) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t p : permutation)
    sizes.push_back(size(x, p));
  Value empty = tensor::EmptyOp::create(
      b, loc, sizes, cast<RankedTensorType>(x.getType()).getElementType());
  return linalg::TransposeOp::create(b, loc, x, empty, permutation)
      .getResult()[0];
}

Value GraphBuilder::splitHeads(Value x, int64_t heads) {
  ArrayRef<int64_t> s = shape(x);
  int64_t headDim = s[2] / heads;
  SmallVector<OpFoldResult> outputShape = {
      size(x, 0), size(x, 1), b.getIndexAttr(heads), b.getIndexAttr(headDim)};
  auto type = f32({s[0], s[1], heads, headDim});
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, type, x, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
      outputShape);
  return transpose(expanded, {0, 2, 1, 3});
}

Value GraphBuilder::mergeHeads(Value x) {
  Value tokens = transpose(x, {0, 2, 1, 3});
  return tensor::CollapseShapeOp::create(
      b, loc, tokens, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

Value GraphBuilder::attentionMask(Value mask) {
  ArrayRef<int64_t> s = shape(mask);
  auto type = RankedTensorType::get(
      {s[0], 1, 1, s[1]},
      cast<RankedTensorType>(mask.getType()).getElementType());
  SmallVector<OpFoldResult> outputShape = {size(mask, 0), b.getIndexAttr(1),
                                           b.getIndexAttr(1), size(mask, 1)};
  return tensor::ExpandShapeOp::create(
      b, loc, type, mask, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}},
      outputShape);
}

Value GraphBuilder::attention(Value q, Value k, Value v, Value mask,
                              bool causal, std::optional<double> scale,
                              Value bias) {
  ArrayRef<int64_t> qs = shape(q), vs = shape(v);
  auto type = f32({qs[0], qs[1], qs[2], vs[3]});
  return AttentionOp::create(b, loc, type, q, k, v, bias, mask,
                             scale ? b.getF64FloatAttr(*scale) : FloatAttr(),
                             causal ? b.getUnitAttr() : UnitAttr());
}

Value GraphBuilder::selfAttention(Value x, const Twine &layer,
                                  const AttentionNames &names, int64_t heads,
                                  int64_t dim, Value mask, bool causal) {
  std::string base = layer.str() + ".";
  Value q = splitHeads(linear(x, base + names.query, dim, dim), heads);
  Value k =
      splitHeads(linear(x, base + names.key, dim, dim, names.keyBias), heads);
  Value v = splitHeads(linear(x, base + names.value, dim, dim), heads);
  Value context = mergeHeads(attention(q, k, v, mask, causal));
  return linear(context, base + names.output, dim, dim);
}

Value GraphBuilder::embedding(Value ids, Value table) {
  SmallVector<int64_t> resultShape(shape(ids));
  resultShape.push_back(shape(table)[1]);
  return EmbeddingOp::create(b, loc, f32(resultShape), ids, table);
}

Value GraphBuilder::learnedPositions(Value x, Value table, int64_t offset) {
  return PositionalEncodingOp::create(
      b, loc, x.getType(),
      PositionKindAttr::get(b.getContext(), PositionKind::learned), x, table,
      b.getI64IntegerAttr(offset), b.getF64FloatAttr(10000.0));
}

Value GraphBuilder::pool(PoolKind kind, Value x, Value mask) {
  ArrayRef<int64_t> s = shape(x);
  return PoolOp::create(b, loc, f32({s[0], s[2]}),
                        PoolKindAttr::get(b.getContext(), kind), x, mask);
}

Value GraphBuilder::l2Normalize(Value x) {
  return L2NormalizeOp::create(b, loc, x.getType(), x,
                               b.getF64FloatAttr(1e-12));
}

Value GraphBuilder::slice(Value x, int64_t dim, OpFoldResult offset,
                          OpFoldResult sliceSize) {
  int64_t rank = shape(x).size();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
  for (int64_t i = 0; i < rank; ++i)
    sizes.push_back(i == dim ? sliceSize : size(x, i));
  offsets[dim] = offset;
  return tensor::ExtractSliceOp::create(b, loc, x, offsets, sizes, strides);
}

Value GraphBuilder::concat(int64_t dim, ValueRange parts) {
  return tensor::ConcatOp::create(b, loc, dim, parts);
}

Value GraphBuilder::collapseLeadingUnit(Value x) {
  int64_t rank = shape(x).size();
  SmallVector<ReassociationIndices> groups = {{0, 1}};
  for (int64_t i = 2; i < rank; ++i)
    groups.push_back({i});
  return tensor::CollapseShapeOp::create(b, loc, x, groups);
}

Value GraphBuilder::prependUnitDims(Value x, int64_t count) {
  ArrayRef<int64_t> source = shape(x);
  SmallVector<int64_t> target(count, 1);
  target.append(source.begin(), source.end());
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i <= count; ++i)
    groups[0].push_back(i);
  for (int64_t i = count + 1, e = target.size(); i < e; ++i)
    groups.push_back({i});
  return tensor::ExpandShapeOp::create(b, loc, f32(target), x, groups);
}

Value GraphBuilder::zeros(Type elementType, ArrayRef<OpFoldResult> sizes) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
  Value zero = arith::ConstantOp::create(b, loc, elementType,
                                         b.getZeroAttr(elementType));
  return linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
      .getResult(0);
}

Value GraphBuilder::constantF32(ArrayRef<int64_t> shape, float value) {
  auto type = f32(shape);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, value));
}

FailureOr<ActivationKind> frontend::activationNamed(StringRef name) {
  return llvm::StringSwitch<FailureOr<ActivationKind>>(name)
      .Case("gelu", ActivationKind::gelu)
      .Cases({"gelu_new", "gelu_pytorch_tanh", "gelu_fast"},
             ActivationKind::gelu_tanh)
      .Case("quick_gelu", ActivationKind::quick_gelu)
      .Case("relu", ActivationKind::relu)
      .Cases({"silu", "swish"}, ActivationKind::silu)
      .Case("tanh", ActivationKind::tanh)
      .Case("sigmoid", ActivationKind::sigmoid)
      .Default(failure());
}

ModelFunction::ModelFunction(ModuleOp module, StringRef name,
                             ArrayRef<InputSpec> inputs)
    : b(module.getContext()) {
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> types;
  for (const InputSpec &input : inputs)
    types.push_back(input.type);
  func = func::FuncOp::create(b, module.getLoc(), name,
                              b.getFunctionType(types, {}));
  for (auto [i, input] : llvm::enumerate(inputs)) {
    func.setArgAttr(i, kNameAttrName, b.getStringAttr(input.name));
    SmallVector<StringRef> dimNames(input.dimNames.begin(),
                                    input.dimNames.end());
    if (!dimNames.empty())
      func.setArgAttr(i, kDimNamesAttrName, b.getStrArrayAttr(dimNames));
    if (llvm::any_of(input.dimMax, [](int64_t m) { return m >= 0; }))
      func.setArgAttr(i, kDimMaxAttrName, b.getDenseI64ArrayAttr(input.dimMax));
    if (!input.defaultFill.empty())
      func.setArgAttr(i, kDefaultAttrName, b.getStringAttr(input.defaultFill));
  }
  b.setInsertionPointToStart(func.addEntryBlock());
}

void ModelFunction::addOutput(StringRef name, Value value) {
  outputs.emplace_back(name.str(), value);
}

void ModelFunction::finish() {
  SmallVector<Value> values;
  for (auto &output : outputs)
    values.push_back(output.second);
  func::ReturnOp::create(b, func.getLoc(), values);
  func.setFunctionType(b.getFunctionType(func.getArgumentTypes(),
                                         ValueRange(values).getTypes()));
  for (auto [i, output] : llvm::enumerate(outputs))
    func.setResultAttr(i, kNameAttrName, b.getStringAttr(output.first));
}
