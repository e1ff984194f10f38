//===- Importer.h - the state of one ONNX import ----------------*- C++ -*-===//
//
// The importer walks the graph's nodes in order (the checker has made sure
// they are topologically sorted) and keeps, per ONNX value name, the MLIR
// tensor and, for small integer tensors whose values are known at import
// time (constants and shape arithmetic: Shape -> Gather -> Concat), those
// values as index-typed OpFoldResults. Shape arithmetic therefore folds to
// the dimensions themselves, so that a Reshape to `Concat(Shape(x)[:2],
// [12, 64])` becomes an expand_shape of x's own dimensions, and one artifact
// serves every batch and sequence length.
//
// Every tensor's sizes are tracked the same way (`sizes`): a dynamic size
// is the very Value (a tensor.dim of an input, or the index arithmetic built
// from it) that the shape computation used, so two sizes are equal when
// they are one Value, and products of sizes are remembered for Reshape.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_FRONTEND_ONNX_IMPORTER_H
#define ENCODER_LIB_FRONTEND_ONNX_IMPORTER_H

#include "Fusions.h"
#include "ONNXModel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"

#include <deque>
#include <optional>
#include <string>

namespace mlir::enc::onnx_import {

using encoder::onnximport::LoadedModel;
using Sizes = SmallVector<OpFoldResult>;

/// A product of a constant and dynamic sizes, for comparing shapes.
struct Product {
  int64_t constant = 1;
  SmallVector<Value> symbols; // sorted
  bool operator==(const Product &other) const {
    return constant == other.constant && symbols == other.symbols;
  }
};

/// One ONNX value. `value` may be null while only `contents` is known; it
/// is materialized on first use as a tensor.
struct Entry {
  Value value;
  /// Rank 0 or 1 integer (or bool) tensors known at import time.
  std::optional<Sizes> contents;
  Type elementType;
  int64_t rank = 0;
};

class Importer;
OwningOpRef<ModuleOp> importModule(MLIRContext *context, StringRef path,
                                   LoadedModel &model, StringRef weightsPath,
                                   std::string &error);

class Importer {
public:
  Importer(ModuleOp module, LoadedModel &model, StringRef path);

  /// Imports the graph into `main`; on failure `error` says why.
  LogicalResult run(std::string &error);

  // --- the node being converted ------------------------------------------
  const onnx::NodeProto &node() const { return *current; }
  int64_t opset() const { return opsetVersion; }
  /// The name of input `i`, "" when it is omitted or past the end.
  StringRef inputName(unsigned i) const;
  bool hasInput(unsigned i) const { return !inputName(i).empty(); }
  unsigned numOutputs() const { return current->output_size(); }
  /// True when output `i` is requested (present and named).
  bool wantsOutput(unsigned i) const;

  const onnx::AttributeProto *attribute(StringRef name) const;
  int64_t attrInt(StringRef name, int64_t fallback) const;
  float attrFloat(StringRef name, float fallback) const;
  std::string attrString(StringRef name, StringRef fallback) const;
  std::optional<SmallVector<int64_t>> attrInts(StringRef name) const;

  /// Fails the import with `message` about the current node.
  LogicalResult fail(const Twine &message);

  // --- values --------------------------------------------------------------
  /// Input `i` as a tensor (materializing known contents).
  FailureOr<Value> input(unsigned i);
  /// The ONNX value `name` as a tensor.
  FailureOr<Value> valueNamed(StringRef name);
  /// Input `i`'s contents when known at import time, else null.
  const Sizes *contents(unsigned i);
  /// Input `i`'s contents when every element is a constant.
  std::optional<SmallVector<int64_t>> constantInts(unsigned i);
  /// Input `i` as a float constant when it is a splat constant.
  std::optional<double> constantScalar(unsigned i);
  /// Binds output `i` to `value` with `sizes` (default: from the type).
  void setOutput(unsigned i, Value value, std::optional<Sizes> sizes = {});
  /// Binds output `i` to known contents (rank 0 or 1).
  void setOutputContents(unsigned i, Sizes contents, Type elementType,
                         int64_t rank);
  /// The element type of input `i` without materializing it.
  Type inputElementType(unsigned i);
  /// The rank of input `i` without materializing it.
  int64_t inputRank(unsigned i);

  // --- building ------------------------------------------------------------
  OpBuilder &builder() { return b; }
  Location loc() const { return location; }
  /// The sizes of `value`, tracked (see above).
  Sizes sizes(Value value);
  static RankedTensorType typeFor(ArrayRef<OpFoldResult> sizes,
                                  Type elementType);
  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType);
  /// A tensor of `sizes` filled with `scalar`.
  Value fill(ArrayRef<OpFoldResult> sizes, Value scalar);
  Value scalarConstant(Type elementType, double value);
  /// A tensor of `like`'s sizes and element type filled with `value`.
  Value splatLike(Value like, double value);
  /// A per-channel vector [C] as [C, 1, ...] for an input of `rank`.
  Value channelVector(Value v, int64_t rank);
  /// Records `sizes` as the sizes of `value` and returns it.
  Value withSizes(Value value, ArrayRef<OpFoldResult> sizes);

  OpFoldResult index(int64_t value) { return b.getIndexAttr(value); }
  Value indexValue(OpFoldResult size);
  OpFoldResult add(OpFoldResult a, OpFoldResult b);
  /// a op b ('+', '-', '*') on constants; on overflow marks the node
  /// failed (see importNode).
  OpFoldResult checked(int64_t a, int64_t b, char op);
  OpFoldResult sub(OpFoldResult a, OpFoldResult b);
  OpFoldResult mul(OpFoldResult a, OpFoldResult b);
  OpFoldResult divSigned(OpFoldResult a, OpFoldResult b);
  OpFoldResult ceilDiv(OpFoldResult a, OpFoldResult b);
  OpFoldResult min(OpFoldResult a, OpFoldResult b);
  OpFoldResult max(OpFoldResult a, OpFoldResult b);
  /// `a < 0 ? a + b : a`, for negative indices and axes.
  OpFoldResult wrapNegative(OpFoldResult a, OpFoldResult size);
  /// 1 or 0: the comparison of two sizes, for shape arithmetic.
  OpFoldResult compare(arith::CmpIPredicate predicate, OpFoldResult a,
                       OpFoldResult b);
  OpFoldResult select(OpFoldResult condition, OpFoldResult a, OpFoldResult b);
  Product product(OpFoldResult size);
  /// True when `a` and `b` are known to be the same size.
  bool sameSize(OpFoldResult a, OpFoldResult b);

  /// NumPy broadcasting of two shapes; fails on known-different sizes.
  FailureOr<Sizes> broadcastShapes(ArrayRef<OpFoldResult> a,
                                   ArrayRef<OpFoldResult> b);
  /// `value` broadcast (NumPy rules) to `target`, with the target's type.
  Value broadcastTo(Value value, ArrayRef<OpFoldResult> target);
  /// `value` reshaped to `target` (same element count): collapse and expand
  /// of groups of dimensions where the sizes allow it.
  Value reshape(Value value, ArrayRef<OpFoldResult> target);
  /// Inserts unit dimensions at `positions` (of the result).
  Value insertUnitDims(Value value, ArrayRef<int64_t> positions);
  /// Drops the unit dimensions `positions` (of the input).
  Value dropUnitDims(Value value, ArrayRef<int64_t> positions);
  /// An ONNX axis (negative counts from the end) in [0, rank); fails naming
  /// `what` when out of range, and always for rank 0.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef what = "axis");
  /// An ONNX element type as an MLIR type, or failure naming it.
  FailureOr<Type> elementType(int32_t onnxType, StringRef what);
  /// Converts `value`'s elements to `type` (ONNX Cast semantics); integers
  /// read or written as unsigned when said so.
  Value convertElements(Value value, Type type, bool fromUnsigned = false,
                        bool toUnsigned = false);
  /// True when input `i` (output `i`) is ONNX uint8: an i8 whose ops
  /// compare, divide, extend and convert unsigned.
  bool isUnsigned(unsigned i) const;
  bool isUnsignedOutput(unsigned i) const;

  /// The parameter for initializer `name` (written to the weights file).
  Value param(StringRef name);
  /// Initializer `name` ([in, out]) transposed, as a parameter
  /// `name#transposed` ([out, in], enc.linear's layout; the weights file
  /// holds it so).
  Value transposedParam(StringRef name);
  /// True when input `i` is a float matrix initializer (a layer's weight).
  bool isWeight(unsigned i);
  /// How many nodes (and graph outputs) read the value `name`.
  unsigned useCount(StringRef name) const;
  static constexpr const char *kTransposedSuffix = "#transposed";

private:
  LogicalResult importInitializer(const onnx::TensorProto &tensor);
  LogicalResult importNode(const onnx::NodeProto &node);
  void noteOutputTypes(const onnx::NodeProto &node);
  LogicalResult importFusion(const onnx::NodeProto &node, const Fusion &fusion);
  FailureOr<Value> materialize(Entry &entry);
  LogicalResult writeWeights(StringRef weightsPath, std::string &error);

  friend OwningOpRef<ModuleOp> importModule(MLIRContext *, StringRef,
                                            LoadedModel &, StringRef,
                                            std::string &);

  ModuleOp module;
  LoadedModel &model;
  std::string path;
  OpBuilder b;
  Location location;
  func::FuncOp function;
  const onnx::NodeProto *current = nullptr;
  int64_t opsetVersion = 0;
  std::string failure;
  /// Set when constant shape arithmetic overflowed in the current node.
  bool overflowed = false;

  llvm::StringMap<Entry> values;
  llvm::DenseMap<Value, Sizes> sizeTable;
  llvm::DenseMap<Value, Product> productTable;
  /// Initializers, by name: bound as parameters when used as tensors.
  llvm::StringMap<const onnx::TensorProto *> initializers;
  /// The initializers made parameters, in order, for the weights file.
  SmallVector<const onnx::TensorProto *> params;
  llvm::StringMap<Value> paramValues;
  llvm::SmallPtrSet<const onnx::TensorProto *, 16> transposed;
  llvm::StringMap<unsigned> consumers;
  llvm::StringMap<int32_t> onnxTypes;
  /// The first tensor.dim of each named input dimension.
  llvm::StringMap<Value> namedDims;
  /// The tensors of Constant nodes, as initializers (a deque: stable
  /// addresses for `initializers`).
  std::deque<onnx::TensorProto> constants;
};

/// A converter for one op type: reads the node through the importer and
/// binds its outputs.
using Converter = LogicalResult (*)(Importer &);

/// The converters, by op type (default domain); ONNXOps*.cpp fill it.
const llvm::StringMap<Converter> &converters();
void registerElementwiseOps(llvm::StringMap<Converter> &table);
void registerShapeOps(llvm::StringMap<Converter> &table);
void registerNNOps(llvm::StringMap<Converter> &table);
void registerConvPoolOps(llvm::StringMap<Converter> &table);
void registerIndexingOps(llvm::StringMap<Converter> &table);

inline bool isFloat(Value v) { return isa<FloatType>(getElementTypeOrSelf(v)); }

} // namespace mlir::enc::onnx_import

#endif // ENCODER_LIB_FRONTEND_ONNX_IMPORTER_H
