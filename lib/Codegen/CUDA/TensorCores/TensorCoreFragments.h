//===- TensorCoreFragments.h - mma.sync fragments, lane by lane -*- C++ -*-===//
//
// The warp-level matrix multiply the GPU kernels share
// (enc-matmul-to-tensor-cores, enc-attention-to-gpu): D = A·B + C on a
// 16x8 tile, K = 8 with TF32 operands (m16n8k8) or K = 16 with bf16 ones
// (m16n8k16), f32 accumulation. Each lane holds some elements of each
// fragment; these helpers say which (the PTX ISA's layouts, "Matrix
// Fragments for mma.m16n8k8 / mma.m16n8k16"), convert f32 elements to the
// operand precision, and issue the instruction.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREFRAGMENTS_H
#define ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREFRAGMENTS_H

#include "mlir/IR/Builders.h"

#include "encoder/Codegen/CUDA/Passes.h"

#include <optional>

namespace mlir::enc {

/// The operand precision of the products.
enum class MmaPrecision { tf32, bf16 };

/// The tensor cores' precision for `precision`; nothing for f32 (the CUDA
/// cores).
std::optional<MmaPrecision> tensorCorePrecision(MatmulPrecision precision);

/// K of one mma.sync: 8 (TF32) or 16 (bf16).
int64_t mmaStepK(MmaPrecision precision);

/// An f32 operand element as the tensor cores take it: rounded to TF32 to
/// nearest (kept f32), or converted to bf16 to nearest even. With
/// `emulate` (scalar loops on the CPU) bf16 is rounded to bf16 precision
/// but kept f32, since the CPU lowering of the conversion needs a library
/// function the artifacts do not link.
Value toMmaOperand(OpBuilder &b, Location loc, Value element,
                   MmaPrecision precision, bool emulate);

/// Coordinates, relative to the fragment's tile, of the elements one lane
/// holds, in register order.
struct Coordinate {
  Value row, col;
};
struct MmaLayout {
  SmallVector<Coordinate> a; // (row, k) in 16 x K
  SmallVector<Coordinate> b; // (k, n) in K x 8
  SmallVector<Coordinate> c; // (row, n) in 16 x 8: 4 elements, 2 a row
};
MmaLayout mmaLayout(OpBuilder &b, Location loc, Value lane,
                    MmaPrecision precision);

/// One mma.sync: `a` and `bElements` as toMmaOperand made them, in
/// mmaLayout's order; `acc` and the result are vector<2x2xf32> in the
/// order of mmaLayout's c.
Value mmaSync(OpBuilder &b, Location loc, MmaPrecision precision,
              ArrayRef<Value> a, ArrayRef<Value> bElements, Value acc);

/// A's operand registers from its elements in mmaLayout's order (as
/// toMmaOperand made them): vector<4x1xf32> or vector<4x2xbf16>.
Value mmaOperandA(OpBuilder &b, Location loc, MmaPrecision precision,
                  ArrayRef<Value> elements);

/// The same with the operands as register vectors: vector<4x1xf32> and
/// vector<2x1xf32> (TF32), vector<4x2xbf16> and vector<2x2xbf16> (bf16).
Value mmaSyncRegisters(OpBuilder &b, Location loc, MmaPrecision precision,
                       Value a, Value bRegisters, Value acc);

/// Operand fragments read with ldmatrix.x4 from a row-major tile in shared
/// memory, A as rows x k and B as columns x k (its transpose). Each of the
/// four 8x8 matrices of 16-bit elements is 8 rows of 16 bytes, which is 8
/// rows of 4 f32 as well: lane l receives register r from (row l / 4,
/// 32-bit word l % 4) of matrix r, and lanes 8r .. 8r+7 give matrix r's row
/// addresses. With the matrices ordered as below that is exactly the
/// mma.sync operand layout of mmaLayout, for TF32 as for bf16.
///
/// The element type of such a tile: f32 (holding TF32 values) or bf16.
Type stagedElementType(OpBuilder &b, MmaPrecision precision);
/// The lane's row and column, relative to a 16-row x K-step block of A (one
/// mma.sync's A operand), or of Bᵀ (two 8-column n-tiles' B operands), that
/// it gives to ldmatrix.x4. Rows must be 16-byte aligned.
Coordinate ldmatrixLaneA(OpBuilder &b, Location loc, Value lane,
                         MmaPrecision precision);
Coordinate ldmatrixLaneB(OpBuilder &b, Location loc, Value lane,
                         MmaPrecision precision);
/// ldmatrix.x4 of `tile` (workgroup memory) at the lane's (row, col): A's
/// operand registers, or with ldmatrixLaneB those of two n-tiles, which
/// splitBPair separates. With `transpose` (bf16 only: ldmatrix transposes
/// 16-bit elements) a lane receives a column pair instead of a row pair, so
/// that B stored as K x N (rows k) gives B's operands: with ldmatrixLaneA's
/// coordinates as (k, n), those of two n-tiles.
Value loadMatrixX4(OpBuilder &b, Location loc, Value tile, Value row, Value col,
                   MmaPrecision precision, bool transpose = false);
std::pair<Value, Value> splitBPair(OpBuilder &b, Location loc, Value pair);

/// Where a lane finds element i of a TF32 A operand (16 x 8, mmaLayout's a)
/// when the warp holds that tile as accumulators (mmaLayout's c), as the
/// attention kernel holds P: accumulator element 2 * rowHalf + parity of
/// lane `lane` (same quad). Fetched with an index shuffle of each of the
/// two candidates (parity varies by lane, the shuffled register may not).
struct AccumulatorSource {
  Value lane;      // index
  int64_t rowHalf; // 0: row g, 1: row g + 8
  Value parity;    // index, 0 or 1
};
AccumulatorSource tf32OperandSource(OpBuilder &b, Location loc, Value lane,
                                    const MmaLayout &layout, int64_t i);

/// vector<2x2xf32> from four f32 values in mmaLayout's c order, and back.
Value accumulatorFrom(OpBuilder &b, Location loc, ArrayRef<Value> elements);
SmallVector<Value> accumulatorElements(OpBuilder &b, Location loc, Value acc);

} // namespace mlir::enc

#endif // ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREFRAGMENTS_H
