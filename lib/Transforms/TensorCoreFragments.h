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

#ifndef ENCODER_LIB_TRANSFORMS_TENSORCOREFRAGMENTS_H
#define ENCODER_LIB_TRANSFORMS_TENSORCOREFRAGMENTS_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::enc {

/// The operand precision of the products.
enum class MmaPrecision { tf32, bf16 };

/// "tf32" or "bf16"; nothing for any other name.
std::optional<MmaPrecision> parseMmaPrecision(StringRef name);

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

/// vector<2x2xf32> from four f32 values in mmaLayout's c order, and back.
Value accumulatorFrom(OpBuilder &b, Location loc, ArrayRef<Value> elements);
SmallVector<Value> accumulatorElements(OpBuilder &b, Location loc, Value acc);

} // namespace mlir::enc

#endif // ENCODER_LIB_TRANSFORMS_TENSORCOREFRAGMENTS_H
