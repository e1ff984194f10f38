//===- Importer.cpp - the ONNX graph walk and its values ------------------===//
//
// The node's accessors, the value table (initializers as constants or
// parameters, known contents materialized), element types and conversions,
// the graph walk with its fusions, and the module's entry points. Sizes and
// the shape helpers are in Sizes.cpp, the weights file in Weights.cpp.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Frontend/ONNXImport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;
using encoder::onnximport::elementInfo;
using encoder::onnximport::tensorBytes;

namespace {

/// Integer tensors up to this many elements become constants in the IR
/// (shape arithmetic, indices); float tensors up to kMaxFloatConstant.
/// Anything larger is a parameter, bound from the weights file.
constexpr int64_t kMaxIntConstant = 4096;
constexpr int64_t kMaxFloatConstant = 16;
/// Integer tensors up to this many elements also get known contents.
constexpr int64_t kMaxContents = 64;

bool isUnsignedType(int32_t onnxType) {
  return onnxType == onnx::TensorProto::UINT8 ||
         onnxType == onnx::TensorProto::UINT16 ||
         onnxType == onnx::TensorProto::UINT32 ||
         onnxType == onnx::TensorProto::UINT64;
}

} // namespace

bool mlir::enc::isONNXPath(StringRef path) {
  return path.ends_with_insensitive(".onnx");
}

Importer::Importer(ModuleOp module, LoadedModel &model, StringRef path)
    : module(module), model(model), path(path.str()), b(module.getContext()),
      location(module.getLoc()) {}

//===----------------------------------------------------------------------===//
// The node being converted
//===----------------------------------------------------------------------===//

StringRef Importer::inputName(unsigned i) const {
  if (static_cast<int>(i) >= current->input_size())
    return "";
  return current->input(i);
}

bool Importer::wantsOutput(unsigned i) const {
  return static_cast<int>(i) < current->output_size() &&
         !current->output(i).empty();
}

const onnx::AttributeProto *Importer::attribute(StringRef name) const {
  for (const onnx::AttributeProto &attr : current->attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t Importer::attrInt(StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->i() : fallback;
}

float Importer::attrFloat(StringRef name, float fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->f() : fallback;
}

std::string Importer::attrString(StringRef name, StringRef fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->s() : fallback.str();
}

std::optional<SmallVector<int64_t>> Importer::attrInts(StringRef name) const {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

LogicalResult Importer::fail(const Twine &message) {
  if (failure.empty()) {
    std::string domain =
        current->domain().empty() ? "ai.onnx" : current->domain();
    std::string name = current->name().empty() ? "" : current->name();
    failure = ("node '" + name + "' (" + current->op_type() + ", domain " +
               domain + ", opset " + Twine(opsetVersion) + "): " + message)
                  .str();
  }
  return LogicalResult::failure();
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

FailureOr<Type> Importer::elementType(int32_t onnxType, StringRef what) {
  MLIRContext *ctx = b.getContext();
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return Type(Float32Type::get(ctx));
  case onnx::TensorProto::DOUBLE:
    return Type(Float64Type::get(ctx));
  case onnx::TensorProto::FLOAT16:
    return Type(Float16Type::get(ctx));
  case onnx::TensorProto::BFLOAT16:
    return Type(BFloat16Type::get(ctx));
  case onnx::TensorProto::INT64:
    return Type(IntegerType::get(ctx, 64));
  case onnx::TensorProto::INT32:
    return Type(IntegerType::get(ctx, 32));
  case onnx::TensorProto::BOOL:
    return Type(IntegerType::get(ctx, 1));
  case onnx::TensorProto::INT16:
    return Type(IntegerType::get(ctx, 16));
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8: // signless; the ops read isUnsigned()
    return Type(IntegerType::get(ctx, 8));
  case onnx::TensorProto::UINT16:
    return Type(IntegerType::get(ctx, 16));
  case onnx::TensorProto::UINT32:
    return Type(IntegerType::get(ctx, 32));
  case onnx::TensorProto::UINT64:
    return Type(IntegerType::get(ctx, 64));
  default:
    failure = (what + " has element type " + elementInfo(onnxType).name +
               "; the importer supports float32, float64, float16, "
               "bfloat16, int64, int32, int16, int8, uint64, uint32, "
               "uint16, uint8 and bool")
                  .str();
    return LogicalResult::failure();
  }
}

LogicalResult Importer::importInitializer(const onnx::TensorProto &tensor) {
  FailureOr<Type> type =
      elementType(tensor.data_type(), "initializer '" + tensor.name() + "'");
  if (failed(type))
    return LogicalResult::failure();
  int64_t count = encoder::onnximport::elementCount(tensor);
  if (count < 0) {
    failure = "initializer '" + tensor.name() +
              "' has a negative dimension or more than 2^56 elements";
    return LogicalResult::failure();
  }
  initializers[tensor.name()] = &tensor;
  Entry entry;
  entry.elementType = *type;
  entry.rank = tensor.dims_size();
  if (isa<IntegerType>(*type) && entry.rank <= 1 && count <= kMaxContents) {
    std::vector<char> bytes;
    if (!tensorBytes(tensor, model.directory, bytes, failure))
      return LogicalResult::failure();
    Sizes contents;
    for (int64_t i = 0; i < count; ++i) {
      int64_t v =
          encoder::onnximport::integerElement(bytes, tensor.data_type(), i);
      contents.push_back(b.getIndexAttr(v));
    }
    entry.contents = std::move(contents);
  }
  values[tensor.name()] = std::move(entry);
  return success();
}

Value Importer::transposedParam(StringRef name) {
  std::string derived = (name + kTransposedSuffix).str();
  auto it = paramValues.find(derived);
  if (it != paramValues.end())
    return it->second;
  const onnx::TensorProto &tensor = *initializers.lookup(name);
  SmallVector<int64_t> shape{tensor.dims(1), tensor.dims(0)};
  Type element = *elementType(tensor.data_type(), name);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&function.getBody().front());
  Value value =
      ParamOp::create(b, location, RankedTensorType::get(shape, element),
                      b.getStringAttr(derived));
  params.push_back(&tensor);
  transposed.insert(&tensor);
  paramValues[derived] = value;
  return value;
}

bool Importer::isWeight(unsigned i) {
  const onnx::TensorProto *tensor = initializers.lookup(inputName(i));
  return tensor && tensor->dims_size() == 2 &&
         encoder::onnximport::elementCount(*tensor) > kMaxFloatConstant &&
         (tensor->data_type() == onnx::TensorProto::FLOAT ||
          tensor->data_type() == onnx::TensorProto::FLOAT16 ||
          tensor->data_type() == onnx::TensorProto::BFLOAT16 ||
          tensor->data_type() == onnx::TensorProto::DOUBLE);
}

Value Importer::param(StringRef name) {
  auto it = paramValues.find(name);
  if (it != paramValues.end())
    return it->second;
  const onnx::TensorProto &tensor = *initializers.lookup(name);
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  Type element = *elementType(tensor.data_type(), name);
  // Parameters are created at the start of the function, so that one
  // parameter serves every use.
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&function.getBody().front());
  Value value =
      ParamOp::create(b, location, RankedTensorType::get(shape, element),
                      b.getStringAttr(name));
  params.push_back(&tensor);
  paramValues[name] = value;
  return value;
}

FailureOr<Value> Importer::materialize(Entry &entry) {
  if (entry.value)
    return entry.value;
  // Contents known: from_elements of the (index) values, cast to the type.
  assert(entry.contents && "an entry has a value or contents");
  SmallVector<int64_t> shape;
  if (entry.rank == 1)
    shape.push_back(entry.contents->size());
  auto type = RankedTensorType::get(shape, entry.elementType);
  bool allConstant = llvm::all_of(*entry.contents, [](OpFoldResult r) {
    return getConstantIntValue(r).has_value();
  });
  if (allConstant) {
    SmallVector<APInt> ints;
    unsigned width = entry.elementType.getIntOrFloatBitWidth();
    for (OpFoldResult r : *entry.contents)
      ints.push_back(APInt(width, *getConstantIntValue(r), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    entry.value = arith::ConstantOp::create(b, location,
                                            DenseElementsAttr::get(type, ints));
    return entry.value;
  }
  SmallVector<Value> elements;
  for (OpFoldResult r : *entry.contents) {
    Value index = indexValue(r);
    elements.push_back(
        arith::IndexCastOp::create(b, location, entry.elementType, index));
  }
  entry.value = tensor::FromElementsOp::create(b, location, type, elements);
  return entry.value;
}

FailureOr<Value> Importer::input(unsigned i) {
  StringRef name = inputName(i);
  if (name.empty()) {
    (void)fail("input " + Twine(i) + " is required");
    return LogicalResult::failure();
  }
  return valueNamed(name);
}

FailureOr<Value> Importer::valueNamed(StringRef name) {
  auto it = values.find(name);
  if (it == values.end()) {
    failure = ("value '" + name + "' is not defined").str();
    return LogicalResult::failure();
  }
  Entry &entry = it->second;
  if (entry.value || entry.contents)
    return materialize(entry);
  // An initializer: a constant when small, else a parameter.
  const onnx::TensorProto &tensor = *initializers.lookup(name);
  int64_t count = encoder::onnximport::elementCount(tensor);
  bool small = isa<IntegerType>(entry.elementType) ? count <= kMaxIntConstant
                                                   : count <= kMaxFloatConstant;
  if (!small) {
    entry.value = param(name);
    return entry.value;
  }
  std::vector<char> bytes;
  if (!tensorBytes(tensor, model.directory, bytes, failure))
    return LogicalResult::failure();
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  auto type = RankedTensorType::get(shape, entry.elementType);
  DenseElementsAttr attr;
  if (entry.elementType.isInteger(1)) {
    SmallVector<bool> bits;
    for (char c : bytes)
      bits.push_back(c != 0);
    attr = DenseElementsAttr::get(type, bits);
  } else {
    attr = DenseElementsAttr::getFromRawBuffer(type, bytes);
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&function.getBody().front());
  entry.value = arith::ConstantOp::create(b, location, attr);
  return entry.value;
}

const Sizes *Importer::contents(unsigned i) {
  auto it = values.find(inputName(i));
  if (it == values.end() || !it->second.contents)
    return nullptr;
  return &*it->second.contents;
}

std::optional<SmallVector<int64_t>> Importer::constantInts(unsigned i) {
  const Sizes *known = contents(i);
  if (!known)
    return std::nullopt;
  SmallVector<int64_t> result;
  for (OpFoldResult r : *known) {
    std::optional<int64_t> c = getConstantIntValue(r);
    if (!c)
      return std::nullopt;
    result.push_back(*c);
  }
  return result;
}

std::optional<double> Importer::constantScalar(unsigned i) {
  if (!hasInput(i))
    return std::nullopt;
  if (std::optional<SmallVector<int64_t>> ints = constantInts(i))
    if (ints->size() == 1)
      return static_cast<double>((*ints)[0]);
  auto it = values.find(inputName(i));
  if (it == values.end())
    return std::nullopt;
  const onnx::TensorProto *tensor = initializers.lookup(inputName(i));
  if (tensor && encoder::onnximport::elementCount(*tensor) == 1) {
    std::vector<char> bytes;
    std::string ignored;
    if (!tensorBytes(*tensor, model.directory, bytes, ignored))
      return std::nullopt;
    switch (tensor->data_type()) {
    case onnx::TensorProto::FLOAT: {
      float f;
      std::memcpy(&f, bytes.data(), 4);
      return f;
    }
    case onnx::TensorProto::DOUBLE: {
      double d;
      std::memcpy(&d, bytes.data(), 8);
      return d;
    }
    default:
      return std::nullopt;
    }
  }
  if (!it->second.value)
    return std::nullopt;
  DenseElementsAttr attr;
  if (matchPattern(it->second.value, m_Constant(&attr)) && attr.isSplat() &&
      isa<FloatType>(attr.getElementType()))
    return attr.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

Type Importer::inputElementType(unsigned i) {
  auto it = values.find(inputName(i));
  if (it == values.end())
    return {};
  if (it->second.value)
    return getElementTypeOrSelf(it->second.value.getType());
  return it->second.elementType;
}

int64_t Importer::inputRank(unsigned i) {
  auto it = values.find(inputName(i));
  if (it == values.end())
    return -1;
  if (it->second.value)
    return cast<RankedTensorType>(it->second.value.getType()).getRank();
  return it->second.rank;
}

void Importer::setOutput(unsigned i, Value value, std::optional<Sizes> known) {
  if (!wantsOutput(i))
    return;
  if (known)
    withSizes(value, *known);
  Entry entry;
  entry.value = value;
  auto type = cast<RankedTensorType>(value.getType());
  entry.elementType = type.getElementType();
  entry.rank = type.getRank();
  values[current->output(i)] = std::move(entry);
}

void Importer::setOutputContents(unsigned i, Sizes known, Type elementType,
                                 int64_t rank) {
  if (!wantsOutput(i))
    return;
  Entry entry;
  entry.contents = std::move(known);
  entry.elementType = elementType;
  entry.rank = rank;
  values[current->output(i)] = std::move(entry);
}

Value Importer::convertElements(Value value, Type type, bool fromUnsigned,
                                bool toUnsigned) {
  auto sourceType = cast<RankedTensorType>(value.getType());
  Type from = sourceType.getElementType();
  if (from == type)
    return value;
  Sizes known = sizes(value);
  auto resultType = sourceType.clone(type);
  Value result;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(type);
  if (type.isInteger(1)) {
    Value zero = fill(known, scalarConstant(from, 0));
    if (fromFloat)
      result = arith::CmpFOp::create(b, location, arith::CmpFPredicate::UNE,
                                     value, zero);
    else
      result = arith::CmpIOp::create(b, location, arith::CmpIPredicate::ne,
                                     value, zero);
  } else if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      result = arith::ExtFOp::create(b, location, resultType, value);
    else if (fromFloat.getWidth() == 64 && toFloat.getWidth() == 16)
      // Through f32: LLVM would call compiler-rt's __truncdfhf2, which an
      // artifact does not link.
      result = arith::TruncFOp::create(
          b, location, resultType,
          arith::TruncFOp::create(b, location, sourceType.clone(b.getF32Type()),
                                  value));
    else if (fromFloat.getWidth() > toFloat.getWidth())
      result = arith::TruncFOp::create(b, location, resultType, value);
    else // f16 <-> bf16: through f32
      result = arith::TruncFOp::create(
          b, location, resultType,
          arith::ExtFOp::create(b, location, sourceType.clone(b.getF32Type()),
                                value));
  } else if (toFloat) {
    result =
        from.isInteger(1) || fromUnsigned
            ? Value(arith::UIToFPOp::create(b, location, resultType, value))
            : Value(arith::SIToFPOp::create(b, location, resultType, value));
  } else if (fromFloat) {
    result =
        toUnsigned
            ? Value(arith::FPToUIOp::create(b, location, resultType, value))
            : Value(arith::FPToSIOp::create(b, location, resultType, value));
  } else if (from.getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth()) {
    result =
        from.isInteger(1) || fromUnsigned
            ? Value(arith::ExtUIOp::create(b, location, resultType, value))
            : Value(arith::ExtSIOp::create(b, location, resultType, value));
  } else {
    result = arith::TruncIOp::create(b, location, resultType, value);
  }
  return withSizes(result, known);
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

LogicalResult Importer::importNode(const onnx::NodeProto &node) {
  current = &node;
  std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  auto opset = model.opsets.find(domain);
  opsetVersion = opset == model.opsets.end() ? 0 : opset->second;
  std::string name = node.name().empty() ? node.op_type() : node.name();
  location = NameLoc::get(b.getStringAttr(name),
                          FileLineColLoc::get(b.getContext(), path, 0, 0));
  if (!domain.empty())
    return fail("the importer converts ops of the default domain (ai.onnx) "
                "only");
  const llvm::StringMap<Converter> &table = converters();
  auto it = table.find(node.op_type());
  if (it == table.end())
    return fail("op type '" + node.op_type() +
                "' is not supported; docs/onnx.md lists the supported ops");
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty() && !values.count(node.input(i)))
      return fail("input '" + node.input(i) + "' is not defined");
  noteOutputTypes(node);
  overflowed = false;
  if (failed(it->second(*this)) || !failure.empty())
    return LogicalResult::failure();
  if (overflowed)
    return fail("its shape arithmetic overflows 64-bit integers");
  return success();
}

LogicalResult Importer::importFusion(const onnx::NodeProto &node,
                                     const Fusion &fusion) {
  current = &node;
  auto opset = model.opsets.find("");
  opsetVersion = opset == model.opsets.end() ? 0 : opset->second;
  location = NameLoc::get(
      b.getStringAttr(node.name().empty() ? node.op_type() : node.name()),
      FileLineColLoc::get(b.getContext(), path, 0, 0));
  FailureOr<Value> x = valueNamed(fusion.input);
  if (failed(x))
    return LogicalResult::failure();
  Type element = getElementTypeOrSelf(*x);
  if (!isa<FloatType>(element))
    return fail(
        "a " + Twine(fusion.kind == Fusion::Kind::gelu ? "GELU" : "LayerNorm") +
        " chain on a non-float input");
  Sizes shape = sizes(*x);
  if (fusion.kind == Fusion::Kind::gelu) {
    Value gelu = ActivationOp::create(b, location, x->getType(),
                                      ActivationKind::gelu, *x);
    setOutput(0, gelu, shape);
    return success();
  }
  if (shape.empty())
    return fail("a LayerNorm chain on a scalar");
  auto vector = [&](const std::string &name) -> FailureOr<Value> {
    if (name.empty())
      return Value();
    FailureOr<Value> v = valueNamed(name);
    if (failed(v))
      return LogicalResult::failure();
    if (getElementTypeOrSelf(*v) != element)
      return fail("the LayerNorm chain's scale or bias has another element "
                  "type than its input");
    Value full = broadcastTo(*v, {shape.back()});
    RankedTensorType type = typeFor({shape.back()}, element);
    return full.getType() == type
               ? full
               : Value(tensor::CastOp::create(b, location, type, full));
  };
  FailureOr<Value> scale = vector(fusion.scale), bias = vector(fusion.bias);
  if (failed(scale) || failed(bias))
    return LogicalResult::failure();
  Value norm =
      LayerNormOp::create(b, location, x->getType(), *x, Value(), *scale, *bias,
                          b.getF64FloatAttr(fusion.epsilon));
  setOutput(0, norm, shape);
  return success();
}

void Importer::noteOutputTypes(const onnx::NodeProto &node) {
  // Each output's ONNX element type, from the op's typing rule: what the
  // unsigned-aware ops ask through isUnsigned.
  StringRef op = node.op_type();
  int32_t type = node.input_size() ? onnxTypes.lookup(node.input(0)) : 0;
  if (op == "Cast")
    type = static_cast<int32_t>(attrInt("to", 0));
  else if (op == "CastLike" || op == "Where")
    type = node.input_size() > 1 ? onnxTypes.lookup(node.input(1)) : 0;
  else if (llvm::is_contained({"Equal", "Less", "LessOrEqual", "Greater",
                               "GreaterOrEqual", "And", "Or", "Xor", "Not"},
                              op))
    type = onnx::TensorProto::BOOL;
  else if (op == "Shape" || op == "Size")
    type = onnx::TensorProto::INT64;
  else if (op == "ConstantOfShape") {
    const onnx::AttributeProto *value = attribute("value");
    type = value ? value->t().data_type()
                 : static_cast<int32_t>(onnx::TensorProto::FLOAT);
  }
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !onnxTypes.count(node.output(i)))
      onnxTypes[node.output(i)] = type;
}

bool Importer::isUnsigned(unsigned i) const {
  return isUnsignedType(onnxTypes.lookup(inputName(i)));
}

bool Importer::isUnsignedOutput(unsigned i) const {
  return static_cast<int>(i) < current->output_size() &&
         isUnsignedType(onnxTypes.lookup(current->output(i)));
}

unsigned Importer::useCount(StringRef name) const {
  return consumers.lookup(name);
}

LogicalResult Importer::run(std::string &error) {
  const onnx::GraphProto &graph = model.proto.graph();
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &in : node.input())
      ++consumers[in];
  for (const onnx::ValueInfoProto &out : graph.output())
    ++consumers[out.name()];
  // ONNX's element type of the graph's values (the rest follow from their
  // nodes, noteOutputTypes): uint8 and int8 are both i8 here, and the ops
  // that differ ask.
  auto noteType = [&](const onnx::ValueInfoProto &info) {
    if (info.type().has_tensor_type())
      onnxTypes[info.name()] = info.type().tensor_type().elem_type();
  };
  for (const onnx::ValueInfoProto &info : graph.input())
    noteType(info);
  for (const onnx::ValueInfoProto &info : graph.output())
    noteType(info);
  for (const onnx::TensorProto &tensor : graph.initializer())
    onnxTypes[tensor.name()] = tensor.data_type();
  for (const onnx::NodeProto &node : graph.node())
    if (node.op_type() == "Constant" && node.output_size() == 1 &&
        node.attribute_size() == 1 && node.attribute(0).name() == "value")
      onnxTypes[node.output(0)] = node.attribute(0).t().data_type();
  for (const onnx::TensorProto &tensor : graph.initializer())
    if (failed(importInitializer(tensor))) {
      error = failure;
      return LogicalResult::failure();
    }
  if (graph.sparse_initializer_size() > 0) {
    error = "sparse initializers are not supported";
    return LogicalResult::failure();
  }

  // Inputs: those that are not initializers, with their dimension names.
  SmallVector<Type> inputTypes;
  SmallVector<const onnx::ValueInfoProto *> inputs;
  SmallVector<SmallVector<std::string>> dimNames;
  for (const onnx::ValueInfoProto &info : graph.input()) {
    if (initializers.count(info.name()))
      continue;
    if (!info.type().has_tensor_type()) {
      error = "input '" + info.name() + "' is not a tensor";
      return LogicalResult::failure();
    }
    const onnx::TypeProto::Tensor &tensorType = info.type().tensor_type();
    FailureOr<Type> element =
        elementType(tensorType.elem_type(), "input '" + info.name() + "'");
    if (failed(element)) {
      error = failure;
      return LogicalResult::failure();
    }
    if (!tensorType.has_shape()) {
      error = "input '" + info.name() + "' has no shape (its rank is needed)";
      return LogicalResult::failure();
    }
    SmallVector<int64_t> shape;
    SmallVector<std::string> names;
    // An input read only for its element type (CastLike's target) takes any
    // shape: nothing depends on it.
    bool typeOnly = true;
    for (const onnx::NodeProto &node : graph.node())
      for (int k = 0; k < node.input_size(); ++k)
        if (node.input(k) == info.name() &&
            !(node.op_type() == "CastLike" && k == 1))
          typeOnly = false;
    for (const onnx::ValueInfoProto &out : graph.output())
      typeOnly &= out.name() != info.name();
    for (const onnx::TensorShapeProto::Dimension &dim :
         tensorType.shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() >= 0 && !typeOnly) {
        shape.push_back(dim.dim_value());
        names.push_back("");
      } else {
        shape.push_back(ShapedType::kDynamic);
        names.push_back(dim.has_dim_param() ? dim.dim_param() : "");
      }
    }
    inputTypes.push_back(RankedTensorType::get(shape, *element));
    inputs.push_back(&info);
    dimNames.push_back(std::move(names));
  }

  b.setInsertionPointToEnd(module.getBody());
  function = func::FuncOp::create(b, location, "main",
                                  b.getFunctionType(inputTypes, {}));
  Block *body = function.addEntryBlock();
  for (auto [i, info] : llvm::enumerate(inputs)) {
    function.setArgAttr(i, kNameAttrName, b.getStringAttr(info->name()));
    if (isUnsignedType(info->type().tensor_type().elem_type()))
      function.setArgAttr(i, kUnsignedAttrName, b.getUnitAttr());
    if (llvm::any_of(dimNames[i],
                     [](const std::string &n) { return !n.empty(); })) {
      SmallVector<StringRef> names(dimNames[i].begin(), dimNames[i].end());
      function.setArgAttr(i, kDimNamesAttrName, b.getStrArrayAttr(names));
    }
    // Hugging Face's optional inputs keep their defaults when they are
    // sized like input_ids through the same named dimensions.
    size_t self = i;
    auto sameDims = [&](StringRef other) {
      for (auto [j, candidate] : llvm::enumerate(inputs))
        if (candidate->name() == other)
          return dimNames[j] == dimNames[self] &&
                 llvm::all_of(dimNames[self],
                              [](const std::string &n) { return !n.empty(); });
      return false;
    };
    StringRef fill = info->name() == "attention_mask"   ? "ones"
                     : info->name() == "token_type_ids" ? "zeros"
                                                        : "";
    if (!fill.empty() && sameDims("input_ids") &&
        isa<IntegerType>(
            cast<RankedTensorType>(inputTypes[i]).getElementType()))
      function.setArgAttr(i, kDefaultAttrName, b.getStringAttr(fill));
    Entry entry;
    entry.value = body->getArgument(i);
    entry.elementType = cast<RankedTensorType>(inputTypes[i]).getElementType();
    entry.rank = cast<RankedTensorType>(inputTypes[i]).getRank();
    values[info->name()] = std::move(entry);
  }
  b.setInsertionPointToEnd(body);

  llvm::DenseMap<StringRef, const onnx::TensorProto *> known;
  for (const onnx::TensorProto &tensor : graph.initializer())
    known[tensor.name()] = &tensor;
  for (const onnx::NodeProto &node : graph.node())
    if (node.op_type() == "Constant" && node.output_size() == 1 &&
        node.attribute_size() == 1 && node.attribute(0).name() == "value")
      known[node.output(0)] = &node.attribute(0).t();
  Fusions fusions = findFusions(graph, known);

  for (const onnx::NodeProto &node : graph.node()) {
    if (fusions.skipped.count(&node))
      continue;
    if (auto fused = fusions.roots.find(&node); fused != fusions.roots.end()) {
      if (failed(importFusion(node, fused->second))) {
        error = failure;
        return LogicalResult::failure();
      }
      continue;
    }
    if (node.op_type() == "Constant" &&
        (node.domain().empty() || node.domain() == "ai.onnx")) {
      // A Constant is an initializer by another name (large ones become
      // parameters named after their output).
      current = &node;
      onnx::TensorProto tensor;
      const onnx::AttributeProto *attr = nullptr;
      for (const onnx::AttributeProto &a : node.attribute())
        attr = &a;
      if (!attr || node.attribute_size() != 1 || node.output_size() != 1) {
        (void)fail("a Constant needs exactly one value attribute and output");
        error = failure;
        return LogicalResult::failure();
      }
      if (attr->name() == "value")
        tensor = attr->t();
      else if (attr->name() == "value_float") {
        tensor.set_data_type(onnx::TensorProto::FLOAT);
        tensor.add_float_data(attr->f());
      } else if (attr->name() == "value_floats") {
        tensor.set_data_type(onnx::TensorProto::FLOAT);
        tensor.add_dims(attr->floats_size());
        for (float f : attr->floats())
          tensor.add_float_data(f);
      } else if (attr->name() == "value_int") {
        tensor.set_data_type(onnx::TensorProto::INT64);
        tensor.add_int64_data(attr->i());
      } else if (attr->name() == "value_ints") {
        tensor.set_data_type(onnx::TensorProto::INT64);
        tensor.add_dims(attr->ints_size());
        for (int64_t v : attr->ints())
          tensor.add_int64_data(v);
      } else {
        (void)fail("a Constant's '" + attr->name() + "' is not supported");
        error = failure;
        return LogicalResult::failure();
      }
      tensor.set_name(node.output(0));
      constants.push_back(std::move(tensor));
      if (failed(importInitializer(constants.back()))) {
        error = failure;
        return LogicalResult::failure();
      }
      continue;
    }
    if (failed(importNode(node))) {
      error = failure;
      return LogicalResult::failure();
    }
  }

  SmallVector<Value> results;
  SmallVector<std::string> resultNames;
  for (const onnx::ValueInfoProto &info : graph.output()) {
    auto it = values.find(info.name());
    if (it == values.end()) {
      error = "output '" + info.name() + "' is not computed by any node";
      return LogicalResult::failure();
    }
    FailureOr<Value> value = valueNamed(info.name());
    if (failed(value)) {
      error = failure;
      return LogicalResult::failure();
    }
    results.push_back(*value);
    resultNames.push_back(info.name());
  }
  func::ReturnOp::create(b, location, results);
  function.setFunctionType(
      b.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(resultNames)) {
    function.setResultAttr(i, kNameAttrName, b.getStringAttr(name));
    if (isUnsignedType(onnxTypes.lookup(name)))
      function.setResultAttr(i, kUnsignedAttrName, b.getUnitAttr());
  }
  return success();
}

OwningOpRef<ModuleOp>
mlir::enc::onnx_import::importModule(MLIRContext *context, StringRef path,
                                     LoadedModel &model, StringRef weightsPath,
                                     std::string &error) {
  context->loadDialect<EncDialect, arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, tensor::TensorDialect>();
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(context, path, 0, 0));
  Importer importer(*module, model, path);
  if (failed(importer.run(error)))
    return nullptr;
  if (failed(verify(*module))) {
    error = "the IR imported from the model does not verify (an importer "
            "bug; the diagnostics above say where)";
    return nullptr;
  }
  if (!weightsPath.empty() && failed(importer.writeWeights(weightsPath, error)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> mlir::enc::importONNX(MLIRContext *context,
                                            StringRef path,
                                            const ONNXImportOptions &options,
                                            std::string &error) {
  LoadedModel model;
  std::string message;
  if (!encoder::onnximport::loadModel(path.str(), model, message)) {
    error = (path + ": " + message).str();
    return nullptr;
  }
  OwningOpRef<ModuleOp> module = onnx_import::importModule(
      context, path, model, options.weightsPath, message);
  if (!module)
    error = (path + ": " + message).str();
  return module;
}

ArrayRef<StringRef> mlir::enc::supportedONNXOps() {
  static const SmallVector<StringRef> names = [] {
    SmallVector<StringRef> result;
    for (const auto &entry : converters())
      result.push_back(entry.getKey());
    result.push_back("Constant");
    llvm::sort(result);
    return result;
  }();
  return names;
}

const llvm::StringMap<Converter> &mlir::enc::onnx_import::converters() {
  static const llvm::StringMap<Converter> table = [] {
    llvm::StringMap<Converter> result;
    registerElementwiseOps(result);
    registerShapeOps(result);
    registerNNOps(result);
    registerConvPoolOps(result);
    registerIndexingOps(result);
    return result;
  }();
  return table;
}
