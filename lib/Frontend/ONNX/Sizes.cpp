//===- Sizes.cpp - the importer's sizes, broadcasting and reshapes --------===//
//
// Every tensor's sizes as tracked OpFoldResults (Importer.h says why), the
// index arithmetic on them (folding constants, remembering products,
// failing a node on 64-bit overflow), NumPy broadcasting, unit dimensions
// and reshapes as collapse/expand of matching groups.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "Enc/IR/EncAttributeNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;

namespace {

int64_t constantOf(OpFoldResult size) {
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return *c;
  return ShapedType::kDynamic;
}

} // namespace

//===----------------------------------------------------------------------===//
// Sizes and index arithmetic
//===----------------------------------------------------------------------===//

Sizes Importer::sizes(Value value) {
  auto it = sizeTable.find(value);
  if (it != sizeTable.end())
    return it->second;
  auto type = cast<RankedTensorType>(value.getType());
  Sizes result;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!type.isDynamicDim(i)) {
      result.push_back(index(type.getDimSize(i)));
      continue;
    }
    // The dim of a function argument goes to the function's start, so that
    // every later use shares it; dimensions of one name (the runtime checks
    // that they agree) are one Value.
    OpBuilder::InsertionGuard guard(b);
    std::string dimName;
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      b.setInsertionPointToStart(arg.getOwner());
      if (auto names = function.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(),
                                                            kDimNamesAttrName))
        if (auto name = dyn_cast<StringAttr>(names[i]); name && !name.empty())
          dimName = name.str();
      auto known = namedDims.find(dimName);
      if (!dimName.empty() && known != namedDims.end()) {
        result.push_back(known->second);
        continue;
      }
    }
    Value dim = tensor::DimOp::create(b, location, value, i);
    if (!dimName.empty())
      namedDims[dimName] = dim;
    result.push_back(dim);
  }
  sizeTable[value] = result;
  return result;
}

RankedTensorType Importer::typeFor(ArrayRef<OpFoldResult> sizes,
                                   Type elementType) {
  SmallVector<int64_t> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(constantOf(s));
  return RankedTensorType::get(shape, elementType);
}

Value Importer::withSizes(Value value, ArrayRef<OpFoldResult> known) {
  sizeTable[value] = Sizes(known.begin(), known.end());
  return value;
}

Value Importer::empty(ArrayRef<OpFoldResult> known, Type elementType) {
  Value result = tensor::EmptyOp::create(b, location, known, elementType);
  return withSizes(result, known);
}

Value Importer::fill(ArrayRef<OpFoldResult> known, Value scalar) {
  Value init = empty(known, scalar.getType());
  Value result = linalg::FillOp::create(b, location, scalar, init).result();
  return withSizes(result, known);
}

Value Importer::scalarConstant(Type elementType, double value) {
  if (auto floatType = dyn_cast<FloatType>(elementType))
    return arith::ConstantOp::create(b, location,
                                     b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, location, b.getIntegerAttr(elementType, static_cast<int64_t>(value)));
}

Value Importer::splatLike(Value like, double value) {
  Sizes shape = sizes(like);
  Value scalar = scalarConstant(getElementTypeOrSelf(like), value);
  return fill(shape, scalar);
}

Value Importer::channelVector(Value v, int64_t rank) {
  SmallVector<int64_t> positions;
  for (int64_t i = 1; i < rank - 1; ++i)
    positions.push_back(i);
  return insertUnitDims(v, positions);
}

Value Importer::indexValue(OpFoldResult size) {
  if (auto value = dyn_cast<Value>(size))
    return value;
  return arith::ConstantIndexOp::create(b, location,
                                        *getConstantIntValue(size));
}

Product Importer::product(OpFoldResult size) {
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return Product{*c, {}};
  Value value = cast<Value>(size);
  auto it = productTable.find(value);
  if (it != productTable.end())
    return it->second;
  return Product{1, {value}};
}

bool Importer::sameSize(OpFoldResult a, OpFoldResult b) {
  return product(a) == product(b);
}

OpFoldResult Importer::checked(int64_t x, int64_t y, char op) {
  int64_t result;
  bool overflow = op == '+'   ? llvm::AddOverflow(x, y, result) != 0
                  : op == '-' ? llvm::SubOverflow(x, y, result) != 0
                              : llvm::MulOverflow(x, y, result) != 0;
  if (overflow) {
    // A size past int64 (a hostile or corrupt shape): the node fails.
    overflowed = true;
    return index(0);
  }
  return index(result);
}

OpFoldResult Importer::add(OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return checked(*cx, *cy, '+');
  if (cx == 0)
    return y;
  if (cy == 0)
    return x;
  Value lhs = indexValue(x), rhs = indexValue(y);
  return arith::AddIOp::create(b, location, lhs, rhs).getResult();
}

OpFoldResult Importer::sub(OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return checked(*cx, *cy, '-');
  if (cy == 0)
    return x;
  if (x == y)
    return index(0);
  Value lhs = indexValue(x), rhs = indexValue(y);
  return arith::SubIOp::create(b, location, lhs, rhs).getResult();
}

OpFoldResult Importer::mul(OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return checked(*cx, *cy, '*');
  if (cx == 1)
    return y;
  if (cy == 1)
    return x;
  if (cx == 0 || cy == 0)
    return index(0);
  Value lhs = indexValue(x), rhs = indexValue(y);
  Value result = arith::MulIOp::create(b, location, lhs, rhs);
  Product px = product(x), py = product(y);
  int64_t constant;
  if (llvm::MulOverflow(px.constant, py.constant, constant) != 0)
    overflowed = true;
  Product p{constant, px.symbols};
  llvm::append_range(p.symbols, py.symbols);
  llvm::sort(p.symbols, [](Value l, Value r) {
    return l.getAsOpaquePointer() < r.getAsOpaquePointer();
  });
  productTable[result] = p;
  return result;
}

OpFoldResult Importer::divSigned(OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy && *cy != 0) {
    if (*cx == INT64_MIN && *cy == -1) {
      overflowed = true;
      return index(0);
    }
    return index(*cx / *cy);
  }
  if (cy == 1)
    return x;
  // Exact quotients of products: (c * S) / (d * T) with d | c, T ⊆ S.
  Product px = product(x), py = product(y);
  if (py.constant > 0 && px.constant % py.constant == 0) {
    SmallVector<Value> rest = px.symbols;
    bool divides = true;
    for (Value s : py.symbols) {
      auto pos = llvm::find(rest, s);
      if (pos == rest.end()) {
        divides = false;
        break;
      }
      rest.erase(pos);
    }
    if (divides) {
      OpFoldResult result = index(px.constant / py.constant);
      for (Value s : rest)
        result = mul(result, s);
      return result;
    }
  }
  Value lhs = indexValue(x), rhs = indexValue(y);
  return arith::DivSIOp::create(b, location, lhs, rhs).getResult();
}

OpFoldResult Importer::ceilDiv(OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy && *cy > 0)
    return index(*cx / *cy + (*cx % *cy > 0 ? 1 : 0));
  if (cy == 1)
    return x;
  Value lhs = indexValue(x), rhs = indexValue(y);
  return arith::CeilDivSIOp::create(b, location, lhs, rhs).getResult();
}

OpFoldResult Importer::min(OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return index(std::min(*cx, *cy));
  if (x == y)
    return x;
  Value lhs = indexValue(x), rhs = indexValue(y);
  return arith::MinSIOp::create(b, location, lhs, rhs).getResult();
}

OpFoldResult Importer::max(OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return index(std::max(*cx, *cy));
  if (x == y)
    return x;
  Value lhs = indexValue(x), rhs = indexValue(y);
  return arith::MaxSIOp::create(b, location, lhs, rhs).getResult();
}

OpFoldResult Importer::compare(arith::CmpIPredicate predicate, OpFoldResult x,
                               OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy) {
    APInt l(64, *cx, true), r(64, *cy, true);
    return index(arith::applyCmpPredicate(predicate, l, r) ? 1 : 0);
  }
  // A size (a tensor.dim or a product of them) is never negative: the
  // comparisons exporters write (`shape == -1`) fold.
  if (cy && *cy < 0 && product(x).constant >= 0 &&
      (predicate == arith::CmpIPredicate::eq ||
       predicate == arith::CmpIPredicate::ne))
    return index(predicate == arith::CmpIPredicate::ne ? 1 : 0);
  Value lhs = indexValue(x), rhs = indexValue(y);
  Value c = arith::CmpIOp::create(b, location, predicate, lhs, rhs);
  return arith::IndexCastUIOp::create(b, location, b.getIndexType(), c)
      .getResult();
}

OpFoldResult Importer::select(OpFoldResult condition, OpFoldResult x,
                              OpFoldResult y) {
  if (std::optional<int64_t> c = getConstantIntValue(condition))
    return *c ? x : y;
  Value cond = indexValue(condition);
  Value zero = indexValue(index(0));
  Value flag =
      arith::CmpIOp::create(b, location, arith::CmpIPredicate::ne, cond, zero);
  Value lhs = indexValue(x), rhs = indexValue(y);
  return arith::SelectOp::create(b, location, flag, lhs, rhs).getResult();
}

OpFoldResult Importer::wrapNegative(OpFoldResult a, OpFoldResult size) {
  std::optional<int64_t> c = getConstantIntValue(a);
  if (c)
    return *c < 0 ? add(a, size) : a;
  OpFoldResult negative = compare(arith::CmpIPredicate::slt, a, index(0));
  OpFoldResult wrapped = add(a, size);
  return select(negative, wrapped, a);
}

FailureOr<int64_t> Importer::normalizeAxis(int64_t axis, int64_t rank,
                                           StringRef what) {
  // A scalar has no axis: every op that takes one needs rank 1 or more,
  // and its converter indexes the sizes by the result (onnx fuzzer).
  if (axis < -rank || axis >= rank) {
    (void)fail(what + " " + Twine(axis) + " is out of range for rank " +
               Twine(rank));
    return LogicalResult::failure();
  }
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Broadcasting and reshapes
//===----------------------------------------------------------------------===//

FailureOr<Sizes> Importer::broadcastShapes(ArrayRef<OpFoldResult> x,
                                           ArrayRef<OpFoldResult> y) {
  size_t rank = std::max(x.size(), y.size());
  Sizes result(rank);
  for (size_t i = 0; i < rank; ++i) {
    bool hasX = i + x.size() >= rank, hasY = i + y.size() >= rank;
    OpFoldResult sx = hasX ? x[i + x.size() - rank] : index(1);
    OpFoldResult sy = hasY ? y[i + y.size() - rank] : index(1);
    std::optional<int64_t> cx = getConstantIntValue(sx),
                           cy = getConstantIntValue(sy);
    if (cx == 1)
      result[i] = sy;
    else if (cy == 1)
      result[i] = sx;
    else if (cx && cy && *cx != *cy) {
      (void)fail("shapes do not broadcast: size " + Twine(*cx) + " against " +
                 Twine(*cy));
      return LogicalResult::failure();
    } else
      // Two dynamic sizes are taken to be equal (neither is broadcast), as
      // IREE and torch-mlir assume; docs/onnx.md.
      result[i] = cx ? sx : sy;
  }
  return result;
}

Value Importer::broadcastTo(Value value, ArrayRef<OpFoldResult> target) {
  Sizes source = sizes(value);
  int64_t rank = target.size(), offset = rank - source.size();
  auto element = getElementTypeOrSelf(value.getType());
  // Callers pass operands that broadcast; a malformed model may not: the
  // node fails (importNode checks) and a placeholder keeps the IR valid.
  bool broadcasts = offset >= 0;
  for (int64_t i = 0; broadcasts && i < static_cast<int64_t>(source.size());
       ++i) {
    std::optional<int64_t> s = getConstantIntValue(source[i]),
                           t = getConstantIntValue(target[i + offset]);
    broadcasts = !s || !t || *s == 1 || *s == *t;
  }
  if (!broadcasts) {
    (void)fail("an operand of rank " + Twine(source.size()) +
               " does not broadcast to the result's rank " + Twine(rank) +
               " shape");
    return empty(target, element);
  }
  SmallVector<int64_t> dropped, added;
  for (int64_t i = 0; i < offset; ++i)
    added.push_back(i);
  for (int64_t i = 0, e = source.size(); i < e; ++i)
    if (getConstantIntValue(source[i]) == 1 &&
        getConstantIntValue(target[i + offset]) != 1) {
      dropped.push_back(i);
      added.push_back(i + offset);
    }
  RankedTensorType targetType = typeFor(target, element);
  DenseElementsAttr splat;
  if (!added.empty() && matchPattern(value, m_Constant(&splat)) &&
      splat.isSplat()) {
    // A splat (a scale, an epsilon) as a fill: what the graph passes match.
    TypedAttr scalar = splat.getSplatValue<TypedAttr>();
    return fill(target, arith::ConstantOp::create(b, location, scalar));
  }
  if (added.empty()) {
    if (value.getType() == targetType)
      return value;
    return withSizes(tensor::CastOp::create(b, location, targetType, value),
                     target);
  }
  Value kept = dropped.empty() ? value : dropUnitDims(value, dropped);
  Sizes keptSizes;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(added, i))
      keptSizes.push_back(target[i]);
  RankedTensorType keptType = typeFor(keptSizes, element);
  if (kept.getType() != keptType)
    kept = tensor::CastOp::create(b, location, keptType, kept);
  Value init = empty(target, element);
  Value result = linalg::BroadcastOp::create(b, location, kept, init, added)
                     .getResult()[0];
  return withSizes(result, target);
}

Value Importer::dropUnitDims(Value value, ArrayRef<int64_t> positions) {
  if (positions.empty())
    return value;
  Sizes source = sizes(value);
  int64_t rank = source.size();
  if (llvm::any_of(positions, [&](int64_t p) {
        return p < 0 || p >= rank || getConstantIntValue(source[p]) != 1;
      })) {
    (void)fail("a dimension to drop is not a unit dimension");
    return value;
  }
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  Sizes kept;
  for (int64_t i = 0; i < rank; ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(positions, i)) {
      groups.push_back(pending);
      pending.clear();
      kept.push_back(source[i]);
    }
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto type = typeFor(kept, getElementTypeOrSelf(value.getType()));
  Value result =
      tensor::CollapseShapeOp::create(b, location, type, value, groups);
  return withSizes(result, kept);
}

Value Importer::insertUnitDims(Value value, ArrayRef<int64_t> positions) {
  if (positions.empty())
    return value;
  Sizes source = sizes(value);
  int64_t rank = source.size() + positions.size();
  if (llvm::any_of(positions, [&](int64_t p) { return p < 0 || p >= rank; })) {
    // Converters check ranks first; this keeps a slip from building bad IR.
    (void)fail("a unit dimension past the result's rank");
    return value;
  }
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  Sizes result;
  int64_t next = 0;
  for (int64_t i = 0; i < rank; ++i) {
    pending.push_back(i);
    if (llvm::is_contained(positions, i)) {
      result.push_back(index(1));
      continue;
    }
    result.push_back(source[next++]);
    groups.push_back(pending);
    pending.clear();
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto type = typeFor(result, getElementTypeOrSelf(value.getType()));
  Value expanded =
      tensor::ExpandShapeOp::create(b, location, type, value, groups, result);
  return withSizes(expanded, result);
}

namespace {

/// True when `a` divides `b`: its constant divides and its symbols are a
/// sub-multiset of b's.
bool divides(const Product &a, const Product &b) {
  if (a.constant == 0 || b.constant % a.constant != 0)
    return false;
  SmallVector<Value> rest = b.symbols;
  for (Value s : a.symbols) {
    auto pos = llvm::find(rest, s);
    if (pos == rest.end())
      return false;
    rest.erase(pos);
  }
  return true;
}

Product times(Product a, const Product &b) {
  // An overflowing product matches nothing (0 divides nothing here); the
  // sizes' own multiplication reports the overflow.
  int64_t constant;
  a.constant =
      llvm::MulOverflow(a.constant, b.constant, constant) != 0 ? 0 : constant;
  llvm::append_range(a.symbols, b.symbols);
  llvm::sort(a.symbols, [](Value l, Value r) {
    return l.getAsOpaquePointer() < r.getAsOpaquePointer();
  });
  return a;
}

} // namespace

Value Importer::reshape(Value value, ArrayRef<OpFoldResult> target) {
  Sizes source = sizes(value);
  Type element = getElementTypeOrSelf(value.getType());
  RankedTensorType targetType = typeFor(target, element);
  int64_t n = source.size(), m = target.size();
  if (n == 0)
    return insertUnitDims(value, llvm::to_vector(llvm::seq<int64_t>(0, m)));
  if (m == 0)
    return dropUnitDims(value, llvm::to_vector(llvm::seq<int64_t>(0, n)));

  // Groups of source and target dims with equal products, greedily.
  SmallVector<ReassociationIndices> sourceGroups, targetGroups;
  int64_t i = 0, j = 0;
  bool grouped = true;
  while (i < n && j < m) {
    ReassociationIndices gs{i}, gt{j};
    Product ps = product(source[i++]), pt = product(target[j++]);
    while (!(ps == pt)) {
      if (divides(ps, pt) && i < n) {
        ps = times(ps, product(source[i]));
        gs.push_back(i++);
      } else if (divides(pt, ps) && j < m) {
        pt = times(pt, product(target[j]));
        gt.push_back(j++);
      } else {
        grouped = false;
        break;
      }
    }
    if (!grouped)
      break;
    sourceGroups.push_back(gs);
    targetGroups.push_back(gt);
  }
  // Trailing unit dims join the last group.
  for (; grouped && i < n; ++i) {
    if (getConstantIntValue(source[i]) != 1)
      grouped = false;
    else
      sourceGroups.back().push_back(i);
  }
  for (; grouped && j < m; ++j) {
    if (getConstantIntValue(target[j]) != 1)
      grouped = false;
    else
      targetGroups.back().push_back(j);
  }
  if (!grouped) {
    // One group: through a vector of all the elements.
    sourceGroups = {llvm::to_vector(llvm::seq<int64_t>(0, n))};
    targetGroups = {llvm::to_vector(llvm::seq<int64_t>(0, m))};
  }

  Value current = value;
  Sizes middle;
  for (const ReassociationIndices &group : sourceGroups) {
    OpFoldResult size = index(1);
    for (int64_t d : group)
      size = mul(size, source[d]);
    middle.push_back(size);
  }
  if (static_cast<int64_t>(sourceGroups.size()) != n) {
    current = tensor::CollapseShapeOp::create(
        b, location, typeFor(middle, element), current, sourceGroups);
    withSizes(current, middle);
  }
  if (static_cast<int64_t>(targetGroups.size()) != m) {
    // The collapsed sizes may be spelled differently from the target's
    // group products; the expand states the target's.
    Sizes middleTarget;
    for (const ReassociationIndices &group : targetGroups) {
      OpFoldResult size = index(1);
      for (int64_t d : group)
        size = mul(size, target[d]);
      middleTarget.push_back(size);
    }
    RankedTensorType middleType = typeFor(middleTarget, element);
    if (current.getType() != middleType)
      current = tensor::CastOp::create(b, location, middleType, current);
    current = tensor::ExpandShapeOp::create(b, location, targetType, current,
                                            targetGroups, target);
  } else if (current.getType() != targetType) {
    current = tensor::CastOp::create(b, location, targetType, current);
  }
  return withSizes(current, target);
}
