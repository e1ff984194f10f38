//===- TensorCoreFragments.cpp - mma.sync fragments, lane by lane ---------===//

#include "TensorCoreFragments.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::enc;

namespace {

Value i32Constant(OpBuilder &b, Location loc, uint32_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), int64_t(v));
}

/// `x` rounded to TF32 (10 mantissa bits), to nearest with ties away from
/// zero as cvt.rna.tf32.f32 does: the tensor cores would otherwise drop the
/// low 13 bits, which doubles the error (measured in GPU emulation with the
/// linear layers on the tensor cores: tiny BERT 1-2e-3 relative with
/// truncation, 4-6e-4 rounded). Infinities stay infinite.
Value roundToTF32(OpBuilder &b, Location loc, Value x) {
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
  Value half = i32Constant(b, loc, 0x1000);
  Value biased = arith::AddIOp::create(b, loc, bits, half);
  Value keep = i32Constant(b, loc, 0xFFFFE000u);
  Value rounded = arith::AndIOp::create(b, loc, biased, keep);
  return arith::BitcastOp::create(b, loc, b.getF32Type(), rounded);
}

/// `x` rounded to bf16 precision (7 mantissa bits), to nearest with ties to
/// even as cvt.rn.bf16.f32 does, kept in f32. A NaN stays a NaN (quieted);
/// overflow goes to infinity as in the conversion.
Value roundToBF16(OpBuilder &b, Location loc, Value x) {
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
  Value sixteen = i32Constant(b, loc, 16);
  Value shifted = arith::ShRUIOp::create(b, loc, bits, sixteen);
  Value one = i32Constant(b, loc, 1);
  Value lsb = arith::AndIOp::create(b, loc, shifted, one);
  Value high = i32Constant(b, loc, 0xFFFF0000u);
  Value rounded = arith::AndIOp::create(
      b, loc,
      arith::AddIOp::create(
          b, loc, bits,
          arith::AddIOp::create(b, loc, lsb, i32Constant(b, loc, 0x7FFF))),
      high);
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  Value truncated = arith::AndIOp::create(b, loc, bits, high);
  Value quietBit = i32Constant(b, loc, 0x00400000u);
  Value quiet = arith::OrIOp::create(b, loc, truncated, quietBit);
  return arith::BitcastOp::create(
      b, loc, b.getF32Type(),
      arith::SelectOp::create(b, loc, isNaN, quiet, rounded));
}

/// A register vector (rows: registers) from its elements, row-major.
Value registerVector(OpBuilder &b, Location loc, VectorType type,
                     ArrayRef<Value> elements) {
  return vector::FromElementsOp::create(b, loc, type, elements);
}

} // namespace

std::optional<MmaPrecision>
mlir::enc::tensorCorePrecision(MatmulPrecision precision) {
  switch (precision) {
  case MatmulPrecision::tf32:
    return MmaPrecision::tf32;
  case MatmulPrecision::bf16:
    return MmaPrecision::bf16;
  case MatmulPrecision::f32:
    return std::nullopt;
  }
  llvm_unreachable("unknown matmul precision");
}

int64_t mlir::enc::mmaStepK(MmaPrecision precision) {
  return precision == MmaPrecision::tf32 ? 8 : 16;
}

Value mlir::enc::toMmaOperand(OpBuilder &b, Location loc, Value element,
                              MmaPrecision precision, bool emulate) {
  if (precision == MmaPrecision::tf32)
    return roundToTF32(b, loc, element);
  if (emulate)
    return roundToBF16(b, loc, element);
  return arith::TruncFOp::create(b, loc, b.getBF16Type(), element);
}

MmaLayout mlir::enc::mmaLayout(OpBuilder &b, Location loc, Value lane,
                               MmaPrecision precision) {
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto plus = [&](Value x, int64_t v) -> Value {
    return arith::AddIOp::create(b, loc, x, idx(v));
  };
  // g: the lane's group (row), q: its place in the group.
  Value g = arith::DivUIOp::create(b, loc, lane, idx(4));
  Value q = arith::RemUIOp::create(b, loc, lane, idx(4));
  Value g8 = plus(g, 8);
  Value q2 = arith::MulIOp::create(b, loc, q, idx(2));
  MmaLayout layout;
  // C (16x8): (g, 2q) (g, 2q+1) | (g+8, 2q) (g+8, 2q+1).
  for (Value row : {g, g8})
    for (int64_t e = 0; e < 2; ++e)
      layout.c.push_back({row, plus(q2, e)});
  if (precision == MmaPrecision::tf32) {
    // A (16x8): (g, q) (g+8, q) (g, q+4) (g+8, q+4); B (8x8): (q, g) (q+4, g).
    for (int64_t k : {0, 4})
      for (Value row : {g, g8})
        layout.a.push_back({row, plus(q, k)});
    for (int64_t k : {0, 4})
      layout.b.push_back({plus(q, k), g});
    return layout;
  }
  // bf16, two elements a register. A (16x16): (g, 2q) (g, 2q+1) |
  // (g+8, 2q) (g+8, 2q+1) | (g, 2q+8) (g, 2q+9) | (g+8, 2q+8) (g+8, 2q+9);
  // B (16x8): (2q, g) (2q+1, g) | (2q+8, g) (2q+9, g).
  for (int64_t k : {0, 8})
    for (Value row : {g, g8})
      for (int64_t e = 0; e < 2; ++e)
        layout.a.push_back({row, plus(q2, k + e)});
  for (int64_t k : {0, 8})
    for (int64_t e = 0; e < 2; ++e)
      layout.b.push_back({plus(q2, k + e), g});
  return layout;
}

Value mlir::enc::mmaSync(OpBuilder &b, Location loc, MmaPrecision precision,
                         ArrayRef<Value> a, ArrayRef<Value> bElements,
                         Value acc) {
  Type element = stagedElementType(b, precision);
  int64_t perRegister = precision == MmaPrecision::tf32 ? 1 : 2;
  Value aRegs =
      registerVector(b, loc, VectorType::get({4, perRegister}, element), a);
  Value bRegs = registerVector(
      b, loc, VectorType::get({2, perRegister}, element), bElements);
  return mmaSyncRegisters(b, loc, precision, aRegs, bRegs, acc);
}

Value mlir::enc::mmaOperandA(OpBuilder &b, Location loc, MmaPrecision precision,
                             ArrayRef<Value> elements) {
  int64_t perRegister = precision == MmaPrecision::tf32 ? 1 : 2;
  return registerVector(
      b, loc,
      VectorType::get({4, perRegister}, stagedElementType(b, precision)),
      elements);
}

Value mlir::enc::mmaSyncRegisters(OpBuilder &b, Location loc,
                                  MmaPrecision precision, Value a,
                                  Value bRegisters, Value acc) {
  // With bf16, nvgpu.mma.sync is still what the kernels write: it is Pure,
  // which the bufferization of the attention kernel needs, and
  // enc-lower-bf16-mma-sync lowers it later (upstream's conversion cannot).
  if (precision == MmaPrecision::tf32)
    return nvgpu::MmaSyncOp::create(b, loc, a, bRegisters, acc,
                                    ArrayRef<int64_t>{16, 8, 8},
                                    /*tf32Enabled=*/true);
  return nvgpu::MmaSyncOp::create(b, loc, a, bRegisters, acc,
                                  ArrayRef<int64_t>{16, 8, 16},
                                  /*tf32Enabled=*/false);
}

Type mlir::enc::stagedElementType(OpBuilder &b, MmaPrecision precision) {
  return precision == MmaPrecision::tf32 ? Type(b.getF32Type())
                                         : Type(b.getBF16Type());
}

namespace {
/// Lane l gives row l % 8 of matrix l / 8. The four matrices cover a 16-row
/// x K-step block: rows 0-7 and 8-15 (16-bit elements: 8 a row, f32: 4), of
/// the first and the second half of the step (4 f32 or 8 bf16, 16 bytes
/// either way). A reads them row halves first, Bᵀ K halves first.
Coordinate ldmatrixLane(OpBuilder &b, Location loc, Value lane,
                        MmaPrecision precision, bool rowHalvesFirst) {
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value matrix = arith::DivUIOp::create(b, loc, lane, c(8));
  Value row = arith::RemUIOp::create(b, loc, lane, c(8));
  Value first = arith::RemUIOp::create(b, loc, matrix, c(2));
  Value second = arith::DivUIOp::create(b, loc, matrix, c(2));
  Value rowHalf = rowHalvesFirst ? first : second;
  Value kHalf = rowHalvesFirst ? second : first;
  return {arith::AddIOp::create(b, loc, row,
                                arith::MulIOp::create(b, loc, rowHalf, c(8))),
          arith::MulIOp::create(b, loc, kHalf, c(mmaStepK(precision) / 2))};
}
} // namespace

Coordinate mlir::enc::ldmatrixLaneA(OpBuilder &b, Location loc, Value lane,
                                    MmaPrecision precision) {
  // Registers (g, q) (g+8, q) (g, q+4) (g+8, q+4) in TF32; in bf16 the
  // pairs at k 2q and 2q+8 likewise.
  return ldmatrixLane(b, loc, lane, precision, /*rowHalvesFirst=*/true);
}

Coordinate mlir::enc::ldmatrixLaneB(OpBuilder &b, Location loc, Value lane,
                                    MmaPrecision precision) {
  // The first n-tile's B registers (k q and q+4 at column g in TF32; in
  // bf16 the pairs at k 2q and 2q+8), then the second's (columns 8-15).
  return ldmatrixLane(b, loc, lane, precision, /*rowHalvesFirst=*/false);
}

Value mlir::enc::loadMatrixX4(OpBuilder &b, Location loc, Value tile, Value row,
                              Value col, MmaPrecision precision,
                              bool transpose) {
  int64_t perRegister = precision == MmaPrecision::tf32 ? 1 : 2;
  auto type =
      VectorType::get({4, perRegister}, stagedElementType(b, precision));
  return nvgpu::LdMatrixOp::create(b, loc, type, tile, ValueRange{row, col},
                                   transpose, /*numTiles=*/4);
}

std::pair<Value, Value> mlir::enc::splitBPair(OpBuilder &b, Location loc,
                                              Value pair) {
  // Element by element: upstream's mma.sync lowering takes its operands
  // converted to LLVM arrays, which a 2-D vector.extract_strided_slice
  // never reaches (it has no LLVM lowering).
  auto type = cast<VectorType>(pair.getType());
  int64_t perRegister = type.getDimSize(1);
  auto half = [&](int64_t first) -> Value {
    SmallVector<Value> elements;
    for (int64_t r = first; r < first + 2; ++r)
      for (int64_t e = 0; e < perRegister; ++e)
        elements.push_back(
            vector::ExtractOp::create(b, loc, pair, ArrayRef<int64_t>{r, e}));
    return registerVector(
        b, loc, VectorType::get({2, perRegister}, type.getElementType()),
        elements);
  };
  return {half(0), half(2)};
}

AccumulatorSource mlir::enc::tf32OperandSource(OpBuilder &b, Location loc,
                                               Value lane,
                                               const MmaLayout &layout,
                                               int64_t i) {
  // A (row h, column c), c = q or q + 4, is C's (h, 2 (c / 2) + c % 2):
  // lane 4g + c / 2's element 2h + c % 2, and c % 2 == q % 2.
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value q = arith::RemUIOp::create(b, loc, lane, idx(4));
  Value groupStart = arith::SubIOp::create(b, loc, lane, q);
  Value source = arith::AddIOp::create(
      b, loc, groupStart,
      arith::DivUIOp::create(b, loc, layout.a[i].col, idx(2)));
  return {source, i % 2, arith::RemUIOp::create(b, loc, q, idx(2))};
}

Value mlir::enc::accumulatorFrom(OpBuilder &b, Location loc,
                                 ArrayRef<Value> elements) {
  return registerVector(b, loc, VectorType::get({2, 2}, b.getF32Type()),
                        elements);
}

SmallVector<Value> mlir::enc::accumulatorElements(OpBuilder &b, Location loc,
                                                  Value acc) {
  SmallVector<Value> elements;
  for (int64_t e = 0; e < 4; ++e)
    elements.push_back(vector::ExtractOp::create(
        b, loc, acc, ArrayRef<int64_t>{e / 2, e % 2}));
  return elements;
}
