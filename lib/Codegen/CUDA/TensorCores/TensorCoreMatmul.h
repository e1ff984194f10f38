//===- TensorCoreMatmul.h - Contractions as tensor-core kernels -*- C++ -*-===//
//
// The two halves of enc-matmul-to-tensor-cores: MatmulToTensorCores.cpp
// matches a contraction and its fusable neighbours (a Contraction);
// TensorCoreLaunches.cpp writes the kernels that replace them.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREMATMUL_H
#define ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREMATMUL_H

#include "TensorCoreFragments.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::enc {

/// The C tile of one warp is 32 (or 64) rows x kWarpTile columns (2x4 or
/// 4x4 accumulators of 16x8); N must be a multiple of kWarpTile.
constexpr int64_t kWarpTile = 32;

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
  Operation *init = nullptr; // linalg.fill or generic, or null
  linalg::GenericOp epilogue = nullptr;
};

/// Replaces the contraction (with its fused init and epilogue) by: if
/// M % 32 == 0 (and, for the staged kernel, A and B are 16-byte aligned),
/// the tensor-core launch; else the original ops.
void replaceWithTensorCoreKernel(const Contraction &c, MmaPrecision precision,
                                 bool emulate);

} // namespace mlir::enc

#endif // ENCODER_LIB_CODEGEN_CUDA_TENSORCORES_TENSORCOREMATMUL_H
