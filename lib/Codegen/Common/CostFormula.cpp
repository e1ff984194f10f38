//===- CostFormula.cpp - A kernel's cost in the inputs' sizes
//--------------===//

#include "encoder/Codegen/Common/CostFormula.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::enc;

CostFormulaBuilder::CostFormulaBuilder(func::FuncOp function,
                                       DictionaryAttr record)
    : function(function), record(record) {}

std::optional<AffineExpr> CostFormulaBuilder::symbolFor(BlockArgument arg,
                                                        int64_t dim) {
  if (arg.getOwner() != &function.getBody().front() || !record)
    return std::nullopt;
  auto inputs = record.getAs<ArrayAttr>("inputs");
  unsigned index = arg.getArgNumber();
  if (!inputs || index >= inputs.size())
    return std::nullopt; // parameters have static shapes
  auto input = cast<DictionaryAttr>(inputs[index]);
  std::string name;
  if (auto dimNames = input.getAs<ArrayAttr>("dim_names"))
    if (dim < int64_t(dimNames.size()))
      name = cast<StringAttr>(dimNames[dim]).getValue().str();
  if (name.empty())
    name =
        (input.getAs<StringAttr>("name").getValue() + "." + Twine(dim)).str();
  auto it = llvm::find(names, name);
  unsigned position = it - names.begin();
  if (it == names.end())
    names.push_back(name);
  return getAffineSymbolExpr(position, function.getContext());
}

std::optional<AffineExpr> CostFormulaBuilder::build(Value value) {
  MLIRContext *ctx = function.getContext();
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return getAffineConstantExpr(constant.getSExtValue(), ctx);
  // Cost chains are short; a deep one is not a cost.
  if (depth > 64)
    return std::nullopt;
  struct Nesting {
    unsigned &depth;
    ~Nesting() { --depth; }
  } nesting{++depth};

  Operation *def = value.getDefiningOp();
  if (!def)
    return std::nullopt;
  auto binary = [&](Value lhs, Value rhs,
                    auto combine) -> std::optional<AffineExpr> {
    std::optional<AffineExpr> l = build(lhs), r = build(rhs);
    if (!l || !r)
      return std::nullopt;
    return combine(*l, *r);
  };
  auto byConstant = [&](Value lhs, Value rhs,
                        auto combine) -> std::optional<AffineExpr> {
    APInt divisor;
    std::optional<AffineExpr> l = build(lhs);
    if (!l || !matchPattern(rhs, m_ConstantInt(&divisor)) ||
        divisor.getSExtValue() <= 0)
      return std::nullopt;
    return combine(*l, divisor.getSExtValue());
  };
  return TypeSwitch<Operation *, std::optional<AffineExpr>>(def)
      .Case<arith::AddIOp>([&](auto op) {
        return binary(op.getLhs(), op.getRhs(),
                      [](AffineExpr a, AffineExpr b) { return a + b; });
      })
      .Case<arith::SubIOp>([&](auto op) {
        return binary(op.getLhs(), op.getRhs(),
                      [](AffineExpr a, AffineExpr b) { return a - b; });
      })
      .Case<arith::MulIOp>([&](auto op) {
        return binary(op.getLhs(), op.getRhs(),
                      [](AffineExpr a, AffineExpr b) { return a * b; });
      })
      .Case<arith::CeilDivSIOp, arith::CeilDivUIOp>([&](auto op) {
        return byConstant(op.getLhs(), op.getRhs(),
                          [](AffineExpr a, int64_t c) { return a.ceilDiv(c); });
      })
      .Case<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>([&](auto op) {
        return byConstant(
            op.getLhs(), op.getRhs(),
            [](AffineExpr a, int64_t c) { return a.floorDiv(c); });
      })
      .Case<arith::IndexCastOp, arith::IndexCastUIOp>(
          [&](auto op) { return build(op.getIn()); })
      .Case<affine::AffineApplyOp>(
          [&](affine::AffineApplyOp apply) -> std::optional<AffineExpr> {
            AffineMap map = apply.getAffineMap();
            SmallVector<AffineExpr> operands;
            for (Value operand : apply.getMapOperands()) {
              std::optional<AffineExpr> e = build(operand);
              if (!e)
                return std::nullopt;
              operands.push_back(*e);
            }
            ArrayRef<AffineExpr> all(operands);
            return map.getResult(0).replaceDimsAndSymbols(
                all.take_front(map.getNumDims()),
                all.drop_front(map.getNumDims()));
          })
      .Case<memref::DimOp, tensor::DimOp>(
          [&](auto dim) -> std::optional<AffineExpr> {
            APInt index;
            if (!matchPattern(dim.getIndex(), m_ConstantInt(&index)))
              return std::nullopt;
            return sizeOf(dim.getSource(), index.getSExtValue());
          })
      .Default([](Operation *) { return std::nullopt; });
}

std::optional<AffineExpr> CostFormulaBuilder::sizeOf(Value shaped, int64_t d) {
  MLIRContext *ctx = function.getContext();
  auto type = dyn_cast<ShapedType>(shaped.getType());
  if (!type || d < 0 || d >= type.getRank())
    return std::nullopt;
  if (!type.isDynamicDim(d))
    return getAffineConstantExpr(type.getDimSize(d), ctx);
  if (auto arg = dyn_cast<BlockArgument>(shaped))
    return symbolFor(arg, d);
  if (!shaped.getDefiningOp())
    return std::nullopt;
  auto fromSize = [&](OpFoldResult size) -> std::optional<AffineExpr> {
    if (std::optional<int64_t> c = getConstantIntValue(size))
      return getAffineConstantExpr(*c, ctx);
    return build(cast<Value>(size));
  };
  // The product of a collapsed group's sizes.
  auto collapsed =
      [&](Value source,
          ArrayRef<ReassociationIndices> groups) -> std::optional<AffineExpr> {
    AffineExpr product = getAffineConstantExpr(1, ctx);
    for (int64_t k : groups[d]) {
      std::optional<AffineExpr> size = sizeOf(source, k);
      if (!size)
        return std::nullopt;
      product = product * *size;
    }
    return product;
  };
  auto sameRankSlice =
      [&](Value source,
          ArrayRef<OpFoldResult> sizes) -> std::optional<AffineExpr> {
    if (cast<ShapedType>(source.getType()).getRank() != type.getRank())
      return std::nullopt; // rank-reducing
    return fromSize(sizes[d]);
  };
  return TypeSwitch<Operation *, std::optional<AffineExpr>>(
             shaped.getDefiningOp())
      .Case<memref::AllocOp, memref::AllocaOp, tensor::EmptyOp>(
          [&](auto alloc) {
            return build(alloc.getDynamicSizes()[type.getDynamicDimIndex(d)]);
          })
      .Case<memref::CastOp, tensor::CastOp>(
          [&](auto castOp) { return sizeOf(castOp.getSource(), d); })
      .Case<memref::CollapseShapeOp, tensor::CollapseShapeOp>(
          [&](auto collapse) {
            return collapsed(collapse.getSrc(),
                             collapse.getReassociationIndices());
          })
      .Case<memref::ExpandShapeOp, tensor::ExpandShapeOp>([&](auto expand) {
        return fromSize(expand.getMixedOutputShape()[d]);
      })
      .Case<memref::SubViewOp, tensor::ExtractSliceOp>([&](auto slice) {
        return sameRankSlice(slice.getSource(), slice.getMixedSizes());
      })
      .Default([](Operation *) { return std::nullopt; });
}
