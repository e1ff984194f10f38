//===- MatmulToTensorCores.cpp - the enc-matmul-to-tensor-cores pass -------===//
//
// f32 contractions (x·Wᵀ of linear layers, batched products) as warp-level
// matrix multiplies on the tensor cores, f32 accumulation, operands rounded
// to nearest in registers to either
//   - TF32 (precision=tf32): nvgpu.mma.sync m16n8k8, 10 mantissa bits, or
//   - bf16 (precision=bf16): nvgpu.mma.sync m16n8k16, 7 mantissa bits, twice
//     the tensor-core rate of TF32 and half the operand registers.
// Buffers stay f32 either way (the model's weights and activations are f32):
// the precision is that of the products, as torch's
// allow_tf32 / autocast(bfloat16) would compute them on a GPU.
//
// Each block of 128 threads computes a 64x64 tile of C as four warps of
// 32x32 (2x4 accumulators of 16x8), K is walked 8 (16) at a time, and each lane
// loads its fragment elements straight from global memory through the L1/L2
// caches. The kernel takes in its neighbours: the op that fills C before it
// (bias broadcast, zero fill) starts the accumulators, elementwise
// functions of A or B inside the body (a GELU that linalg fusion moved into
// its consumer) are applied as elements are loaded, and the elementwise op
// that maps C after it (residual add, activation) is applied before the
// store. Each lane knows the (row, column) of its accumulator elements, so
// those ops run on registers.
// No shared-memory staging, no pipelining (cp.async, ldmatrix) yet: this is
// the first tensor-core kernel, the one the device check measures the rest
// against.
//
// Shapes: N and K static, N % 32 == 0, K % 8 == 0 (bf16: 16); M (rows: batch x
// sequence) may be dynamic and is checked at run time, with the original op
// (one thread per element) as the fallback when M % 32 != 0. Operands must
// be dense (identity layout), so that each is addressed as a flat buffer.
//
// `emulate` writes the same launch with each warp's work as scalar loops run
// by lane 0, with the same rounding: the tiling, offsets, guards and
// rounding are then checked numerically on the CPU (--gpu-emulation); the
// fragment layouts and upstream's mma.sync lowering are not.
//
//===----------------------------------------------------------------------===//

#include "GPUWarps.h"

#include "encoder/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCMATMULTOTENSORCORES
#include "encoder/Transforms/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr int64_t kWarpTile = 32;  // 2x4 fragments per warp

constexpr int64_t kBlockTile = 64; // 2x2 warps per block

/// The operand precision of the products: K per mma.sync (m16n8kK).
enum class Precision { tf32, bf16 };
int64_t stepK(Precision p) { return p == Precision::tf32 ? 8 : 16; }

/// A value a linalg body computes from one of its block arguments with
/// pure ops (GELU of the input, say): applied to each element as it is
/// loaded.
struct ElementFn {
  Value arg, result;
  SmallVector<Operation *> ops; // in block order

  Value apply(OpBuilder &b, Value element) const {
    IRMapping mapping;
    mapping.map(arg, element);
    for (Operation *op : ops)
      b.clone(*op, mapping);
    return mapping.lookupOrDefault(result);
  }
};

/// How `result` follows from `arg` alone inside `body` (values defined
/// outside the body, constants, may be used too).
std::optional<ElementFn> elementFn(Value result, Value arg, Block *body) {
  ElementFn fn{arg, result, {}};
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> work = {result};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (v == arg)
      continue;
    if (auto blockArg = dyn_cast<BlockArgument>(v)) {
      if (blockArg.getOwner() == body)
        return std::nullopt; // another argument of the body
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (def->getBlock() != body)
      continue;
    if (def->getNumRegions() != 0 || !isPure(def))
      return std::nullopt;
    if (slice.insert(def))
      llvm::append_range(work, def->getOperands());
  }
  fn.ops.assign(slice.begin(), slice.end());
  llvm::sort(fn.ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return fn;
}

/// The body C += f(a) * g(b): f and g, or nothing.
std::optional<std::pair<ElementFn, ElementFn>> matchBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  Value a = body->getArgument(0), bArg = body->getArgument(1),
        acc = body->getArgument(2);
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto sum = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!sum || !sum->hasOneUse() || !acc.hasOneUse())
    return std::nullopt;
  Value product = sum.getLhs() == acc   ? sum.getRhs()
                  : sum.getRhs() == acc ? sum.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul || !mul->hasOneUse())
    return std::nullopt;
  for (auto [x, y] : {std::pair{mul.getLhs(), mul.getRhs()},
                      std::pair{mul.getRhs(), mul.getLhs()}}) {
    std::optional<ElementFn> fa = elementFn(x, a, body);
    std::optional<ElementFn> fb = elementFn(y, bArg, body);
    // Nothing else may happen in the body.
    if (fa && fb &&
        fa->ops.size() + fb->ops.size() + 3 == body->getOperations().size())
      return std::pair{*fa, *fb};
  }
  return std::nullopt;
}

/// True for an all-parallel generic over C's iteration space that writes
/// one f32 buffer through the identity map, with pure scalar ops only.
bool isElementwiseOverC(linalg::GenericOp op, Value c) {
  auto cType = cast<MemRefType>(c.getType());
  if (!op || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != unsigned(cType.getRank()) ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !cast<MemRefType>(op.getDpsInitOperand(0)->get().getType())
           .getElementType()
           .isF32())
    return false;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(in).isProjectedPermutation())
      return false;
  return llvm::all_of(op.getBlock()->without_terminator(), [](Operation &o) {
    return o.getNumRegions() == 0 && isPure(&o);
  });
}

/// The op right before the contraction, when it fills all of C from other
/// buffers (the bias, broadcast) or a scalar: the accumulators start from
/// its values instead of a pass over C.
Operation *matchInit(linalg::LinalgOp op, Value c) {
  Operation *prev = op->getPrevNode();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(prev))
    return fill.hasPureBufferSemantics() && fill.getOutputs()[0] == c
               ? prev
               : nullptr;
  auto generic = dyn_cast_or_null<linalg::GenericOp>(prev);
  if (!isElementwiseOverC(generic, c) ||
      generic.getDpsInitOperand(0)->get() != c ||
      !generic.getMatchingBlockArgument(generic.getDpsInitOperand(0))
           .use_empty())
    return nullptr;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (in->get() == c)
      return nullptr;
  return prev;
}

/// The op right after the contraction, when it maps C elementwise (the
/// residual add, an activation) into one buffer: applied to the
/// accumulators before they are stored.
linalg::GenericOp matchEpilogue(linalg::LinalgOp op, Value c) {
  auto next = dyn_cast_or_null<linalg::GenericOp>(op->getNextNode());
  if (!isElementwiseOverC(next, c))
    return nullptr;
  bool readsC = false;
  for (OpOperand *in : next.getDpsInputOperands()) {
    if (in->get() != c)
      continue;
    if (!next.getMatchingIndexingMap(in).isIdentity())
      return nullptr;
    readsC = true;
  }
  OpOperand *out = next.getDpsInitOperand(0);
  bool outIsC = out->get() == c;
  readsC |= outIsC && !next.getMatchingBlockArgument(out).use_empty();
  // Another output that the body also reads would be read before written:
  // fine elementwise, but only C's value is at hand.
  if (!outIsC && !next.getMatchingBlockArgument(out).use_empty())
    return nullptr;
  return readsC ? next : nullptr;
}

/// How a matched contraction addresses its operands, all as flat buffers:
/// C[batch][m][n] += f(A[batch][m][k]) * g(B[batch?][n][k] (or [k][n])),
/// with the op that fills C before it and the one that maps C after it,
/// when they can join the kernel.
struct Contraction {
  linalg::LinalgOp op;
  Value a, b, c;
  SmallVector<int64_t> batchDims, mDims, kDims; // loop dimensions
  int64_t nDim;
  int64_t n, k;     // static sizes
  bool bTransposed; // B is N x K (x·Wᵀ) rather than K x N
  bool bBatched;    // B has the batch dimensions too
  ElementFn aFn, bFn;
  Operation *init = nullptr;          // linalg.fill or generic, or null
  linalg::GenericOp epilogue = nullptr;
};

/// The buffer `v` views (through subviews, reshapes, casts).
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

bool isDenseF32(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getElementType().isF32() &&
         type.getLayout().isIdentity();
}

/// The loop dimensions an operand's indexing map lists, in order.
std::optional<SmallVector<int64_t>> dimsOf(AffineMap map) {
  if (!map.isProjectedPermutation())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

std::optional<Contraction> match(linalg::LinalgOp op, Precision precision) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.empty() || dims->n.size() != 1 ||
      dims->m.empty())
    return std::nullopt;
  std::optional<std::pair<ElementFn, ElementFn>> body = matchBody(op);
  if (!body)
    return std::nullopt;
  Contraction c;
  c.op = op;
  c.aFn = body->first;
  c.bFn = body->second;
  c.a = op.getDpsInputOperand(0)->get();
  c.b = op.getDpsInputOperand(1)->get();
  c.c = op.getDpsInitOperand(0)->get();
  if (!isDenseF32(c.a) || !isDenseF32(c.b) || !isDenseF32(c.c))
    return std::nullopt;
  c.batchDims.assign(dims->batch.begin(), dims->batch.end());
  c.mDims.assign(dims->m.begin(), dims->m.end());
  c.nDim = dims->n[0];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto aDims = dimsOf(maps[0]), bDims = dimsOf(maps[1]), cDims = dimsOf(maps[2]);
  if (!aDims || !bDims || !cDims)
    return std::nullopt;
  // A = batch ++ m ++ k, C = batch ++ m ++ [n] (so that both flatten to
  // rows), B = [batch ++] [n] ++ k or k ++ [n]: several k dimensions (heads
  // and head size, into an output projection) flatten into one K.
  SmallVector<int64_t> rows = c.batchDims;
  rows.append(c.mDims);
  if (aDims->size() < rows.size() || cDims->size() != rows.size() + 1 ||
      ArrayRef(*aDims).take_front(rows.size()) != ArrayRef(rows) ||
      ArrayRef(*cDims).drop_back() != ArrayRef(rows) ||
      cDims->back() != c.nDim)
    return std::nullopt;
  c.kDims.assign(aDims->begin() + rows.size(), aDims->end());
  if (c.kDims.size() != dims->k.size())
    return std::nullopt;
  ArrayRef<int64_t> bAll = *bDims;
  c.bBatched = !c.batchDims.empty();
  if (c.bBatched) {
    if (bAll.size() != c.batchDims.size() + 2 ||
        bAll.take_front(c.batchDims.size()) != ArrayRef(c.batchDims))
      return std::nullopt;
    bAll = bAll.drop_front(c.batchDims.size());
  }
  if (bAll.size() != c.kDims.size() + 1)
    return std::nullopt;
  if (bAll.front() == c.nDim && bAll.drop_front() == ArrayRef(c.kDims))
    c.bTransposed = true;
  else if (bAll.back() == c.nDim && bAll.drop_back() == ArrayRef(c.kDims))
    c.bTransposed = false;
  else
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  c.n = ranges[c.nDim];
  c.k = 1;
  for (int64_t d : c.kDims)
    c.k = ShapedType::isDynamic(ranges[d]) || ShapedType::isDynamic(c.k)
              ? ShapedType::kDynamic
              : c.k * ranges[d];
  if (ShapedType::isDynamic(c.n) || ShapedType::isDynamic(c.k) ||
      c.n % kWarpTile != 0 || c.k % stepK(precision) != 0)
    return std::nullopt;
  c.init = matchInit(op, c.c);
  c.epilogue = matchEpilogue(op, c.c);
  // Warps store while others still load: the epilogue must not write into
  // A or B (an in-place residual x += f(x W)).
  if (c.epilogue) {
    Value out = rootBuffer(c.epilogue.getDpsInitOperand(0)->get());
    if (out == rootBuffer(c.a) || out == rootBuffer(c.b))
      c.epilogue = nullptr;
  }
  return c;
}

/// The buffer as one dimension (it is dense).
Value flatten(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.getRank() == 1)
    return memref;
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return memref::CollapseShapeOp::create(b, loc, memref,
                                         ArrayRef<ReassociationIndices>{all});
}

/// The product of C's dimensions [from, to) (the batch, then the rows).
Value sizeOf(OpBuilder &b, Location loc, Value c, int64_t from, int64_t to) {
  Value size = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = from; d < to; ++d)
    size = arith::MulIOp::create(b, loc, size,
                                 b.createOrFold<memref::DimOp>(loc, c, d));
  return size;
}

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}

/// `x` rounded to TF32 (10 mantissa bits), to nearest with ties away from
/// zero as cvt.rna.tf32.f32 does: the tensor cores would otherwise drop the
/// low 13 bits, which doubles the error (measured in GPU emulation: tiny
/// BERT 1-2e-3 relative with truncation, 4-6e-4 rounded). Infinities stay
/// infinite; a NaN stays a NaN.
Value roundToTF32(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type();
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value half = arith::ConstantIntOp::create(b, loc, i32, 0x1000);
  Value mask = arith::ConstantIntOp::create(b, loc, i32, int64_t(0xFFFFE000u));
  Value rounded = arith::AndIOp::create(
      b, loc, arith::AddIOp::create(b, loc, bits, half), mask);
  return arith::BitcastOp::create(b, loc, b.getF32Type(), rounded);
}

/// `x` rounded to bf16 precision (7 mantissa bits), to nearest with ties
/// to even as cvt.rn.bf16.f32 (arith.truncf on the GPU) does, kept in f32:
/// the emulation's stand-in for the conversion, since the CPU lowering of
/// truncf to bf16 needs a runtime function the artifact does not link.
/// A NaN stays a NaN (quieted); infinities and overflow to them as in the
/// conversion.
Value roundToBF16(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type();
  auto constant = [&](uint32_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, i32, int64_t(v));
  };
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value lsb = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, constant(16)), constant(1));
  Value rounded = arith::AndIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, bits,
                            arith::AddIOp::create(b, loc, lsb, constant(0x7FFF))),
      constant(0xFFFF0000u));
  Value isNaN =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  Value quiet = arith::OrIOp::create(
      b, loc, arith::AndIOp::create(b, loc, bits, constant(0xFFFF0000u)),
      constant(0x00400000u));
  return arith::BitcastOp::create(
      b, loc, b.getF32Type(),
      arith::SelectOp::create(b, loc, isNaN, quiet, rounded));
}

/// What one warp computes: C[row0 .. row0+32)[col0 .. col0+32) of one
/// batch; the operand offsets are those of that tile's first element.
struct WarpTile {
  const Contraction *contraction;
  Value a, b, c;                   // flat buffers
  Value aOffset, bOffset, cOffset; // of rows row0 (A, C) and column col0 (B)
  int64_t n, k;
  bool bTransposed;
  Precision precision;
  bool emulate; // scalar loops: operands stay f32, rounded in place
  /// The tile's first row of C as a flat row (batch folded in) and first
  /// column, and the sizes of C's dimensions before the last: the
  /// multi-dimensional index of an element, for the fused init and
  /// epilogue, which address their own buffers.
  Value rowBase, colBase;
  SmallVector<Value> rowSizes;
};

/// C's index of the tile's element (row, col).
SmallVector<Value> cIndex(OpBuilder &b, Location loc, const WarpTile &t,
                          Value row, Value col) {
  SmallVector<Value> index =
      delinearize(b, loc, add(b, loc, t.rowBase, row), t.rowSizes);
  index.push_back(add(b, loc, t.colBase, col));
  return index;
}

/// The body of elementwise `op` at C's `index`: each input loaded through
/// its map, except those `given` (block argument -> value).
Value evaluateAt(OpBuilder &b, Location loc, linalg::GenericOp op,
                 ArrayRef<Value> index, const IRMapping &given) {
  IRMapping mapping = cloneBodyAt(b, loc, op, index, given);
  return mapping.lookupOrDefault(op.getBlock()->getTerminator()->getOperand(0));
}

/// The accumulator's starting value at (row, col): the fused init's, or C's.
Value initAt(OpBuilder &b, Location loc, const WarpTile &t, Value row,
             Value col, Value flat) {
  Operation *init = t.contraction->init;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(init))
    return fill.getInputs()[0];
  if (auto generic = dyn_cast_or_null<linalg::GenericOp>(init))
    return evaluateAt(b, loc, generic, cIndex(b, loc, t, row, col), {});
  return memref::LoadOp::create(b, loc, t.c, ValueRange{flat});
}

/// Stores the final `value` at (row, col): into C, and through the fused
/// epilogue into its buffer.
void storeAt(OpBuilder &b, Location loc, const WarpTile &t, Value value,
             Value row, Value col, Value flat) {
  linalg::GenericOp epilogue = t.contraction->epilogue;
  Value c = t.contraction->c;
  if (!epilogue) {
    memref::StoreOp::create(b, loc, value, t.c, ValueRange{flat});
    return;
  }
  SmallVector<Value> index = cIndex(b, loc, t, row, col);
  IRMapping given;
  for (OpOperand &operand : epilogue->getOpOperands())
    if (operand.get() == c)
      given.map(epilogue.getMatchingBlockArgument(&operand), value);
  Value result = evaluateAt(b, loc, epilogue, index, given);
  Value out = epilogue.getDpsInitOperand(0)->get();
  // C keeps its value for later readers unless the epilogue overwrites it.
  if (out != c)
    memref::StoreOp::create(b, loc, value, t.c, ValueRange{flat});
  memref::StoreOp::create(b, loc, result, out, index);
}

/// An operand element as the tensor cores get it: loaded, through the
/// body's function of it, rounded to TF32 (f32) or converted to bf16 (in
/// emulation: rounded to bf16 precision, kept in f32).
Value loadOperand(OpBuilder &b, Location loc, const WarpTile &t, Value buffer,
                  Value index, const ElementFn &fn) {
  Value element =
      fn.apply(b, memref::LoadOp::create(b, loc, buffer, ValueRange{index}));
  if (t.precision == Precision::tf32)
    return roundToTF32(b, loc, element);
  if (t.emulate)
    return roundToBF16(b, loc, element);
  return arith::TruncFOp::create(b, loc, b.getBF16Type(), element);
}

/// Element (row, col) of a tile whose first element is at `base` in a
/// row-major buffer with `stride` elements a row.
Value at(OpBuilder &b, Location loc, Value base, Value row, Value col,
         int64_t stride) {
  return add(b, loc, base,
             add(b, loc, mul(b, loc, row, idx(b, loc, stride)), col));
}

/// The tensor cores: nvgpu.mma.sync, a 32x32 warp tile as 2x4
/// accumulators, K in steps of 8 (TF32, m16n8k8) or 16 (bf16, m16n8k16).
/// Each lane loads its own fragment elements (the PTX ISA's layouts, as
/// upstream's nvgpu MMAUtils derives them): with g = lane / 4 and
/// q = lane % 4, fragment registers in order,
///   TF32 A (16x8, row, k):  (g, q) (g+8, q) (g, q+4) (g+8, q+4)
///   TF32 B (8x8, k, n):     (q, g) (q+4, g)
///   bf16 A (16x16, row, k): (g, 2q) (g, 2q+1) | (g+8, 2q) (g+8, 2q+1) |
///                           (g, 2q+8) (g, 2q+9) | (g+8, 2q+8) (g+8, 2q+9)
///   bf16 B (16x8, k, n):    (2q, g) (2q+1, g) | (2q+8, g) (2q+9, g)
///   C (16x8, row, col):     (g, 2q) (g, 2q+1) | (g+8, 2q) (g+8, 2q+1)
/// (bf16 and C: two elements a 32-bit register).
void emitWarpTileMma(OpBuilder &b, Location loc, const WarpTile &t,
                     Value lane) {
  Type f32 = b.getF32Type();
  bool tf32 = t.precision == Precision::tf32;
  Type operand = tf32 ? f32 : b.getBF16Type();
  int64_t perRegister = tf32 ? 1 : 2;
  auto aType = VectorType::get({4, perRegister}, operand);
  auto bType = VectorType::get({2, perRegister}, operand);
  auto cType = VectorType::get({2, 2}, f32);
  Value g = arith::DivUIOp::create(b, loc, lane, idx(b, loc, 4));
  Value q = arith::RemUIOp::create(b, loc, lane, idx(b, loc, 4));
  Value g8 = add(b, loc, g, idx(b, loc, 8));
  Value q4 = add(b, loc, q, idx(b, loc, 4));
  Value q2 = mul(b, loc, q, idx(b, loc, 2));
  Value q21 = add(b, loc, q2, idx(b, loc, 1));
  // The C elements of accumulator (i, j), (row, column, flat index): rows
  // 16i + {g, g+8}, columns 8j + {2q, 2q+1} of the warp tile, in fragment
  // order.
  auto cElements = [&](int64_t i, int64_t j) {
    Value r0 = add(b, loc, g, idx(b, loc, 16 * i));
    Value r1 = add(b, loc, g8, idx(b, loc, 16 * i));
    Value c0 = add(b, loc, q2, idx(b, loc, 8 * j));
    Value c1 = add(b, loc, q21, idx(b, loc, 8 * j));
    SmallVector<std::array<Value, 3>> elements;
    for (auto [row, col] : {std::pair{r0, c0}, std::pair{r0, c1},
                            std::pair{r1, c0}, std::pair{r1, c1}})
      elements.push_back({row, col, at(b, loc, t.cOffset, row, col, t.n)});
    return elements;
  };
  // A fragment register vector from its elements, row-major.
  auto fragment = [&](VectorType type, ArrayRef<Value> elements) {
    Value v = arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
    int64_t columns = type.getShape()[1];
    for (auto [e, element] : llvm::enumerate(elements))
      v = vector::InsertOp::create(
          b, loc, element, v,
          ArrayRef<int64_t>{int64_t(e) / columns, int64_t(e) % columns});
    return v;
  };
  // Two bf16 elements as one 32-bit register, the first in the low half.
  auto pack = [&](Value low, Value high) -> Value {
    Type i16 = b.getI16Type(), i32 = b.getI32Type();
    auto widen = [&](Value x) -> Value {
      return arith::ExtUIOp::create(
          b, loc, i32, arith::BitcastOp::create(b, loc, i16, x));
    };
    return arith::OrIOp::create(
        b, loc, widen(low),
        arith::ShLIOp::create(b, loc, widen(high),
                              arith::ConstantIntOp::create(b, loc, i32, 16)));
  };
  // An operand's registers: TF32 as one nvgpu vector, bf16 as packed i32s
  // for nvvm.mma.sync (upstream's nvgpu-to-nvvm lowers no bf16 mma.sync).
  auto registers = [&](VectorType type, ArrayRef<Value> elements) {
    SmallVector<Value> regs;
    if (tf32) {
      regs.push_back(fragment(type, elements));
      return regs;
    }
    for (size_t e = 0; e < elements.size(); e += 2)
      regs.push_back(pack(elements[e], elements[e + 1]));
    return regs;
  };
  auto mma = [&](ArrayRef<Value> aRegs, ArrayRef<Value> bRegs,
                 Value acc) -> Value {
    if (tf32)
      return nvgpu::MmaSyncOp::create(b, loc, aRegs[0], bRegs[0], acc,
                                      ArrayRef<int64_t>{16, 8, 8},
                                      /*tf32Enabled=*/true);
    SmallVector<Value> cRegs;
    for (int64_t e = 0; e < 4; ++e)
      cRegs.push_back(vector::ExtractOp::create(
          b, loc, acc, ArrayRef<int64_t>{e / 2, e % 2}));
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, f32));
    Value d = NVVM::MmaOp::create(
        b, loc, resultType, aRegs, bRegs, cRegs, ArrayRef<int64_t>{16, 8, 16},
        /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
        std::array{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
        std::array{NVVM::MMALayout::row, NVVM::MMALayout::col});
    Value result = acc;
    for (int64_t e = 0; e < 4; ++e)
      result = vector::InsertOp::create(
          b, loc, LLVM::ExtractValueOp::create(b, loc, d, e), result,
          ArrayRef<int64_t>{e / 2, e % 2});
    return result;
  };
  SmallVector<Value> acc;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<Value> elements;
      for (auto [row, col, flat] : cElements(i, j))
        elements.push_back(initAt(b, loc, t, row, col, flat));
      acc.push_back(fragment(cType, elements));
    }
  int64_t step = stepK(t.precision);
  auto loop = scf::ForOp::create(b, loc, idx(b, loc, 0), idx(b, loc, t.k),
                                 idx(b, loc, step), acc);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kk = loop.getInductionVar();
    // The k of a lane's operand elements, in register order (A's rows
    // interleave with them: r0, r1 a register each for TF32, a pair for bf16).
    SmallVector<Value> ks;
    if (tf32) {
      ks = {add(b, loc, kk, q), add(b, loc, kk, q4)};
    } else {
      Value k2q = add(b, loc, kk, q2);
      for (int64_t offset : {0, 1, 8, 9})
        ks.push_back(add(b, loc, k2q, idx(b, loc, offset)));
    }
    SmallVector<SmallVector<Value>> as, bs;
    for (int64_t i = 0; i < 2; ++i) {
      Value r0 = add(b, loc, g, idx(b, loc, 16 * i));
      Value r1 = add(b, loc, g8, idx(b, loc, 16 * i));
      // Registers: (r0, k-pair 0) (r1, k-pair 0) (r0, k-pair 1) (r1, k-pair 1).
      SmallVector<Value> elements;
      for (int64_t half = 0; half < 2; ++half)
        for (Value row : {r0, r1})
          for (int64_t e = 0; e < perRegister; ++e) {
            Value col = ks[half * perRegister + e];
            elements.push_back(loadOperand(
                b, loc, t, t.a, at(b, loc, t.aOffset, row, col, t.k),
                t.contraction->aFn));
          }
      as.push_back(registers(aType, elements));
    }
    for (int64_t j = 0; j < 4; ++j) {
      Value n = add(b, loc, g, idx(b, loc, 8 * j));
      SmallVector<Value> elements;
      for (Value k : ks) {
        // Bᵀ (N x K, x·Wᵀ) or B (K x N), from the warp's first column.
        Value index = t.bTransposed ? at(b, loc, t.bOffset, n, k, t.k)
                                    : at(b, loc, t.bOffset, k, n, t.n);
        elements.push_back(
            loadOperand(b, loc, t, t.b, index, t.contraction->bFn));
      }
      bs.push_back(registers(bType, elements));
    }
    SmallVector<Value> next;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 4; ++j)
        next.push_back(mma(as[i], bs[j], loop.getRegionIterArgs()[i * 4 + j]));
    scf::YieldOp::create(b, loc, next);
  }
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (auto [e, element] : llvm::enumerate(cElements(i, j))) {
        Value value = vector::ExtractOp::create(
            b, loc, loop.getResult(i * 4 + j),
            ArrayRef<int64_t>{int64_t(e) / 2, int64_t(e) % 2});
        auto [row, col, flat] = element;
        storeAt(b, loc, t, value, row, col, flat);
      }
}

/// The same tile as scalar loops, products of rounded operands, f32 sums.
void emitWarpTileScalar(OpBuilder &b, Location loc, const WarpTile &t) {
  Value zero = idx(b, loc, 0), one = idx(b, loc, 1);
  Value tile = idx(b, loc, kWarpTile);
  Value nStride = idx(b, loc, t.n), kStride = idx(b, loc, t.k);
  auto rows = scf::ForOp::create(b, loc, zero, tile, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rows.getBody());
  Value i = rows.getInductionVar();
  auto cols = scf::ForOp::create(b, loc, zero, tile, one);
  b.setInsertionPointToStart(cols.getBody());
  Value j = cols.getInductionVar();
  Value cAt = add(b, loc, t.cOffset, add(b, loc, mul(b, loc, i, nStride), j));
  Value init = initAt(b, loc, t, i, j, cAt);
  auto dot = scf::ForOp::create(b, loc, zero, kStride, one, ValueRange{init});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(dot.getBody());
    Value kk = dot.getInductionVar();
    Value aAt = add(b, loc, t.aOffset, add(b, loc, mul(b, loc, i, kStride), kk));
    Value bAt = t.bTransposed
                    ? add(b, loc, t.bOffset,
                          add(b, loc, mul(b, loc, j, kStride), kk))
                    : add(b, loc, t.bOffset,
                          add(b, loc, mul(b, loc, kk, nStride), j));
    Value x = loadOperand(b, loc, t, t.a, aAt, t.contraction->aFn);
    Value y = loadOperand(b, loc, t, t.b, bAt, t.contraction->bFn);
    Value sum = arith::AddFOp::create(b, loc, dot.getRegionIterArgs()[0],
                                      arith::MulFOp::create(b, loc, x, y));
    scf::YieldOp::create(b, loc, sum);
  }
  storeAt(b, loc, t, dot.getResult(0), i, j, cAt);
}

/// Replaces the contraction with: if M % 32 == 0, the tensor-core launch;
/// else the original op.
void rewrite(const Contraction &c, Precision precision, bool emulate) {
  linalg::LinalgOp op = c.op;
  OpBuilder b(c.init ? c.init : op.getOperation());
  Location loc = op.getLoc();
  int64_t numBatch = c.batchDims.size(), numRows = c.mDims.size();
  Value batch = sizeOf(b, loc, c.c, 0, numBatch);
  Value m = sizeOf(b, loc, c.c, numBatch, numBatch + numRows);
  Value zero = idx(b, loc, 0);
  Value fits = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::RemUIOp::create(b, loc, m, idx(b, loc, kWarpTile)), zero);
  auto branch = scf::IfOp::create(b, loc, fits, /*withElseRegion=*/true);
  b.setInsertionPointToStart(branch.elseBlock());
  linalg::GenericOp epilogueOp = c.epilogue;
  Operation *epilogue = epilogueOp ? epilogueOp.getOperation() : nullptr;
  for (Operation *part : {c.init, op.getOperation(), epilogue})
    if (part)
      b.clone(*part);
  b.setInsertionPointToStart(branch.thenBlock());
  // C's dimensions but the last, for the fused ops' indices.
  SmallVector<Value> rowSizes;
  for (int64_t d = 0; d + 1 < cast<MemRefType>(c.c.getType()).getRank(); ++d)
    rowSizes.push_back(b.createOrFold<memref::DimOp>(loc, c.c, d));

  Value a = flatten(b, loc, c.a), bb = flatten(b, loc, c.b),
        cc = flatten(b, loc, c.c);
  Value one = idx(b, loc, 1);
  Value blockTile = idx(b, loc, kBlockTile);
  // Skip empty problems: a grid of zero blocks is an error to CUDA.
  Value any = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::sgt, mul(b, loc, m, batch), zero);
  auto nonEmpty = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(nonEmpty.thenBlock());
  Value gridX = idx(b, loc, llvm::divideCeil(c.n, kBlockTile));
  Value gridY = arith::CeilDivUIOp::create(b, loc, m, blockTile);
  auto launch = gpu::LaunchOp::create(b, loc, gridX, gridY, batch,
                                      idx(b, loc, 4 * kWarpSize), one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::KernelDim3 block = launch.getBlockIds();
  Value tid = launch.getThreadIds().x;
  Value warp = arith::DivUIOp::create(b, loc, tid, idx(b, loc, kWarpSize));
  Value warpRow = arith::DivUIOp::create(b, loc, warp, idx(b, loc, 2));
  Value warpCol = arith::RemUIOp::create(b, loc, warp, idx(b, loc, 2));
  Value row0 = add(b, loc, mul(b, loc, block.y, blockTile),
                   mul(b, loc, warpRow, idx(b, loc, kWarpTile)));
  Value col0 = add(b, loc, mul(b, loc, block.x, blockTile),
                   mul(b, loc, warpCol, idx(b, loc, kWarpTile)));
  // Whole warps fall inside or outside C (M and N are multiples of 32).
  Value inside = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row0, m),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, col0,
                            idx(b, loc, c.n)));
  if (emulate) // lane 0 does the warp's work
    inside = arith::AndIOp::create(
        b, loc, inside,
        arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq,
            arith::RemUIOp::create(b, loc, tid, idx(b, loc, kWarpSize)), zero));
  auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(guard.thenBlock());

  Value n = idx(b, loc, c.n), k = idx(b, loc, c.k);
  WarpTile t;
  t.contraction = &c;
  t.a = a;
  t.b = bb;
  t.c = cc;
  t.n = c.n;
  t.k = c.k;
  t.bTransposed = c.bTransposed;
  t.precision = precision;
  t.emulate = emulate;
  Value z = block.z;
  t.aOffset = mul(b, loc, add(b, loc, mul(b, loc, z, m), row0), k);
  t.cOffset = add(b, loc, mul(b, loc, add(b, loc, mul(b, loc, z, m), row0), n),
                  col0);
  Value bBase = c.bBatched ? mul(b, loc, z, mul(b, loc, n, k)) : zero;
  t.bOffset = add(b, loc, bBase,
                  c.bTransposed ? mul(b, loc, col0, k) : col0);
  t.rowBase = add(b, loc, mul(b, loc, z, m), row0);
  t.colBase = col0;
  t.rowSizes = rowSizes;
  if (emulate)
    emitWarpTileScalar(b, loc, t);
  else
    emitWarpTileMma(b, loc, t,
                    arith::RemUIOp::create(b, loc, tid, idx(b, loc, kWarpSize)));
  if (epilogue)
    epilogue->erase();
  op->erase();
  if (c.init)
    c.init->erase();
}

struct EncMatmulToTensorCoresPass
    : enc::impl::EncMatmulToTensorCoresBase<EncMatmulToTensorCoresPass> {
  using Base::Base;

  void runOnOperation() override {
    Precision p;
    if (precision == "tf32") {
      p = Precision::tf32;
    } else if (precision == "bf16") {
      p = Precision::bf16;
    } else {
      getOperation().emitError("enc-matmul-to-tensor-cores: unknown "
                               "precision '")
          << precision << "' (expected tf32 or bf16)";
      return signalPassFailure();
    }
    std::vector<Contraction> matches;
    DenseSet<Operation *> claimed; // fused into an earlier match
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>() || claimed.contains(op))
        return;
      std::optional<Contraction> c = match(op, p);
      if (!c)
        return;
      // A contraction's epilogue may be the next one's init: it joins one.
      if (c->init && claimed.contains(c->init))
        c->init = nullptr;
      if (c->epilogue)
        claimed.insert(c->epilogue);
      if (c->init)
        claimed.insert(c->init);
      matches.push_back(*c);
    });
    for (const Contraction &c : matches)
      rewrite(c, p, emulate);
  }
};

} // namespace
