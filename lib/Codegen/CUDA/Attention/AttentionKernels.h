//===- AttentionKernels.h - enc-attention-to-gpu's kernels ------*- C++ -*-===//
//
// Shared by the two kernels of enc-attention-to-gpu: what a row of
// attention reads (Row) and how a score is masked and cut. AttentionToGPU.cpp
// holds the pass and the CUDA-core kernel (a warp per query row);
// AttentionTensorCores.cpp the tensor-core one (a block per 64 queries of a
// head, K and V staged in shared memory).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CODEGEN_CUDA_ATTENTION_ATTENTIONKERNELS_H
#define ENCODER_LIB_CODEGEN_CUDA_ATTENTION_ATTENTIONKERNELS_H

#include "TensorCores/TensorCoreFragments.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace mlir::enc::attention {

inline Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
inline Value f32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// What one row needs: the operands, the scale, the row's indices.
struct Row {
  Value q, k, v, mask, out;
  bool causal;
  double scale;
  Value batch, head, query; // indices
  Value keys;               // kv_len
  Value queries;            // q_len
  int64_t headSize, valueSize;
};

/// The score q[query]·k[key] (already summed) scaled, masked and cut.
Value maskedScore(OpBuilder &b, Location loc, const Row &r, Value dot,
                  Value query, Value key);
/// min(i, size - 1): loads past the end of the queries or keys read the
/// last one instead (their scores are cut, their outputs not stored), so
/// that no lane branches around a load.
Value clampIndex(OpBuilder &b, Location loc, Value i, Value size);
/// The masked score, -inf for a key past the end.
Value blockScore(OpBuilder &b, Location loc, const Row &r, Value dot,
                 Value query, Value key);
/// buffer[batch][head][third][last].
Value load4(OpBuilder &b, Location loc, Value buffer, const Row &r, Value third,
            Value last);

/// True when the tensor-core kernel takes these head sizes: whole k-steps
/// of the head (8 TF32, 16 bf16) and pairs of 8-wide n-tiles of the values.
bool fitsTensorCores(int64_t headSize, int64_t valueSize,
                     MmaPrecision precision);
/// The tensor-core kernel for `r` (without indices) over `sizes` = (batch,
/// heads, q_len): a grid of 64-query blocks of each (batch, head); with
/// `emulate`, thread 0 runs each block on host buffers.
void emitTensorCoreAttention(OpBuilder &b, Location loc, Row r,
                             ArrayRef<Value> sizes, MmaPrecision precision,
                             bool emulate);

} // namespace mlir::enc::attention

#endif // ENCODER_LIB_CODEGEN_CUDA_ATTENTION_ATTENTIONKERNELS_H
