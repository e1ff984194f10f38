//===- RecordABI.cpp - the enc-record-abi pass
//------------------------------===//
//
// Captures what the runtime must know about each public function while the
// IR still speaks in named tensors; after bufferization and LLVM lowering
// only descriptors are left. enc-emit-entry-points turns the record into
// the artifact's metadata JSON (docs/artifact-abi.md).
//
//===----------------------------------------------------------------------===//

#include "MinimumInputSizes.h"

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCRECORDABI
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// The metadata name of an element type, or "" when artifacts cannot carry
/// it.
StringRef dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF64())
    return "f64";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isSignlessInteger(64))
    return "i64";
  if (type.isSignlessInteger(32))
    return "i32";
  if (type.isSignlessInteger(16))
    return "i16";
  if (type.isSignlessInteger(8))
    return "i8";
  if (type.isSignlessInteger(1))
    return "i1";
  return "";
}

/// The values an integer input may hold, from the ops that index with it.
struct IndexRange {
  std::optional<int64_t> upper; // exclusive; lower bound is 0
  std::optional<int64_t> ignoreValue;
  bool sawIndexUse = false;
  bool allUsesIgnore = true;
};

IndexRange indexRangeOf(Value arg) {
  IndexRange range;
  auto restrict = [&](int64_t size) {
    if (ShapedType::isDynamic(size))
      return;
    range.upper = range.upper ? std::min(*range.upper, size) : size;
  };
  for (OpOperand &use : arg.getUses()) {
    Operation *user = use.getOwner();
    if (auto embedding = dyn_cast<EmbeddingOp>(user);
        embedding && use.get() == embedding.getIndices()) {
      range.sawIndexUse = true;
      range.allUsesIgnore = false;
      restrict(embedding.getTable().getType().getDimSize(0));
    } else if (auto loss = dyn_cast<CrossEntropyOp>(user);
               loss && use.get() == loss.getLabels()) {
      int64_t ignore = loss.getIgnoreIndex();
      if (range.ignoreValue && *range.ignoreValue != ignore)
        range.allUsesIgnore = false;
      range.sawIndexUse = true;
      range.ignoreValue = ignore;
      restrict(loss.getLogits().getType().getShape().back());
    }
  }
  // A value one use ignores may still index another use.
  if (!range.allUsesIgnore)
    range.ignoreValue.reset();
  return range;
}

FailureOr<DictionaryAttr> recordValue(func::FuncOp func, Type type,
                                      StringRef name, StringRef what,
                                      Value indexedBy,
                                      bool isUnsigned = false) {
  Builder b(func.getContext());
  auto tensor = dyn_cast<RankedTensorType>(type);
  StringRef dtype = tensor ? dtypeName(tensor.getElementType()) : "";
  if (isUnsigned) {
    StringRef unsignedName = llvm::StringSwitch<StringRef>(dtype)
                                 .Case("i8", "u8")
                                 .Case("i16", "u16")
                                 .Case("i32", "u32")
                                 .Case("i64", "u64")
                                 .Default("");
    if (unsignedName.empty())
      return func.emitError("public function '")
             << func.getSymName() << "': " << what << " '" << name << "' is "
             << kUnsignedAttrName << " but has type " << type
             << "; only i8, i16, i32 and i64 tensors hold unsigned integers";
    dtype = unsignedName;
  }
  if (dtype.empty())
    return func.emitError("public function '")
           << func.getSymName() << "': " << what << " '" << name
           << "' has type " << type
           << "; artifacts take ranked tensors of f32, f64, f16, bf16, i64, "
              "i32, i16, i8 or i1";

  SmallVector<int64_t> shape;
  for (int64_t d : tensor.getShape())
    shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("name", b.getStringAttr(name)),
      b.getNamedAttr("dtype", b.getStringAttr(dtype)),
      b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))};
  if (indexedBy && tensor.getElementType().isSignlessInteger() &&
      tensor.getElementType().getIntOrFloatBitWidth() > 1) {
    IndexRange range = indexRangeOf(indexedBy);
    if (range.sawIndexUse && range.upper) {
      fields.push_back(
          b.getNamedAttr("range", b.getDenseI64ArrayAttr({0, *range.upper})));
      if (range.ignoreValue)
        fields.push_back(b.getNamedAttr(
            "ignore_value", b.getI64IntegerAttr(*range.ignoreValue)));
    }
  }
  return b.getDictionaryAttr(fields);
}

FailureOr<DictionaryAttr> recordFunction(func::FuncOp func) {
  Builder b(func.getContext());
  SmallVector<Attribute> inputs, params, outputs;
  llvm::StringSet<> inputNames;
  SmallVector<SmallVector<int64_t>> needed = minimumInputSizes(func);
  for (BlockArgument arg : func.getArguments()) {
    unsigned i = arg.getArgNumber();
    if (auto param = func.getArgAttrOfType<StringAttr>(i, kParamAttrName)) {
      FailureOr<DictionaryAttr> record = recordValue(
          func, arg.getType(), param.getValue(), "parameter", Value());
      if (failed(record))
        return failure();
      for (auto [attrName, field] : {std::pair(kPackAttrName, "pack"),
                                     std::pair(kDeriveAttrName, "derive")})
        if (auto dict = func.getArgAttrOfType<DictionaryAttr>(i, attrName)) {
          SmallVector<NamedAttribute> fields(record->getValue());
          fields.push_back(b.getNamedAttr(field, dict));
          record = b.getDictionaryAttr(fields);
        }
      params.push_back(*record);
      continue;
    }
    if (!params.empty())
      return func.emitError("public function '")
             << func.getSymName() << "': input argument #" << i
             << " follows a parameter argument; parameters come last";
    auto nameAttr = func.getArgAttrOfType<StringAttr>(i, kNameAttrName);
    std::string name =
        nameAttr ? nameAttr.getValue().str() : "arg" + std::to_string(i);
    if (!inputNames.insert(name).second)
      return func.emitError("public function '")
             << func.getSymName() << "' has two inputs named '" << name << "'";
    FailureOr<DictionaryAttr> record =
        recordValue(func, arg.getType(), name, "input", arg,
                    func.getArgAttr(i, kUnsignedAttrName) != nullptr);
    if (failed(record))
      return failure();
    // Dimension names and bounds, from the frontend or the author.
    SmallVector<NamedAttribute> fields(record->getValue());
    int64_t rank = cast<RankedTensorType>(arg.getType()).getRank();
    if (auto names = func.getArgAttrOfType<ArrayAttr>(i, kDimNamesAttrName)) {
      if (static_cast<int64_t>(names.size()) != rank ||
          !llvm::all_of(names, [](Attribute a) { return isa<StringAttr>(a); }))
        return func.emitError("public function '")
               << func.getSymName() << "': " << kDimNamesAttrName
               << " of input '" << name << "' must be " << rank << " strings";
      fields.push_back(b.getNamedAttr("dim_names", names));
    }
    if (auto max =
            func.getArgAttrOfType<DenseI64ArrayAttr>(i, kDimMaxAttrName)) {
      if (static_cast<int64_t>(max.size()) != rank)
        return func.emitError("public function '")
               << func.getSymName() << "': " << kDimMaxAttrName << " of input '"
               << name << "' must have " << rank << " entries";
      fields.push_back(b.getNamedAttr("dim_max", max));
    }
    // Least sizes: the author's or frontend's, raised to what the ops need.
    SmallVector<int64_t> least = needed[i];
    if (auto min =
            func.getArgAttrOfType<DenseI64ArrayAttr>(i, kDimMinAttrName)) {
      if (static_cast<int64_t>(min.size()) != rank ||
          llvm::any_of(min.asArrayRef(), [](int64_t m) { return m < 0; }))
        return func.emitError("public function '")
               << func.getSymName() << "': " << kDimMinAttrName << " of input '"
               << name << "' must have " << rank << " non-negative entries";
      for (auto [l, m] : llvm::zip(least, min.asArrayRef()))
        l = std::max(l, m);
    }
    auto shape = cast<RankedTensorType>(arg.getType()).getShape();
    auto max = func.getArgAttrOfType<DenseI64ArrayAttr>(i, kDimMaxAttrName);
    for (int64_t d = 0; d < rank; ++d) {
      if (!ShapedType::isDynamic(shape[d])) {
        least[d] = 0; // a static size is checked as such
        continue;
      }
      if (max && max[d] >= 0 && least[d] > max[d])
        return func.emitError("public function '")
               << func.getSymName() << "': input '" << name
               << "' needs dimension " << d << " to be at least " << least[d]
               << ", more than its maximum " << max[d];
    }
    if (llvm::any_of(least, [](int64_t l) { return l > 0; }))
      fields.push_back(
          b.getNamedAttr("dim_min", b.getDenseI64ArrayAttr(least)));
    if (Attribute fill = func.getArgAttr(i, kDefaultAttrName)) {
      auto kind = dyn_cast<StringAttr>(fill);
      if (!kind || (kind.getValue() != "zeros" && kind.getValue() != "ones"))
        return func.emitError("public function '")
               << func.getSymName() << "': " << kDefaultAttrName
               << " of input '" << name << "' must be \"zeros\" or \"ones\"";
      fields.push_back(b.getNamedAttr("default", kind));
    }
    inputs.push_back(b.getDictionaryAttr(fields));
  }
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, kNameAttrName);
    std::string name =
        nameAttr ? nameAttr.getValue().str() : "result" + std::to_string(i);
    FailureOr<DictionaryAttr> record =
        recordValue(func, type, name, "output", Value(),
                    func.getResultAttr(i, kUnsignedAttrName) != nullptr);
    if (failed(record))
      return failure();
    outputs.push_back(*record);
  }
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("name", b.getStringAttr(func.getSymName())),
      b.getNamedAttr("inputs", b.getArrayAttr(inputs)),
      b.getNamedAttr("params", b.getArrayAttr(params)),
      b.getNamedAttr("outputs", b.getArrayAttr(outputs))};
  if (func->hasAttr(kInternalAttrName))
    fields.push_back(b.getNamedAttr("internal", b.getBoolAttr(true)));
  return b.getDictionaryAttr(fields);
}

struct EncRecordABIPass : enc::impl::EncRecordABIBase<EncRecordABIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(&getContext());
    SmallVector<Attribute> functions;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      FailureOr<DictionaryAttr> record = recordFunction(func);
      if (failed(record))
        return signalPassFailure();
      functions.push_back(*record);

      // The runtime calls through the C interface, and arguments are
      // caller memory (possibly a read-only mapping of the weights file):
      // bufferization must never write into them.
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    b.getUnitAttr());
      // All at once: one setArgAttr per argument would rebuild the
      // attribute array each time (quadratic in the parameters).
      SmallVector<DictionaryAttr> argAttrs;
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        NamedAttrList attrs;
        if (DictionaryAttr existing = func.getArgAttrDict(i))
          attrs.assign(existing.getValue());
        attrs.set(bufferization::BufferizationDialect::kWritableAttrName,
                  b.getBoolAttr(false));
        argAttrs.push_back(attrs.getDictionary(&getContext()));
      }
      func.setAllArgAttrs(argAttrs);
    }
    module->setAttr(kFunctionsAttrName, b.getArrayAttr(functions));
  }
};

} // namespace
