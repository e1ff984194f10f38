//===- GPUWarps.h - Warp-level building blocks of GPU kernels ---*- C++ -*-===//
//
// Shared by the passes that write their own gpu.launch: a warp per row of
// work (enc-warp-reductions, enc-attention-to-gpu, enc-layer-norm-to-gpu),
// linalg bodies evaluated per element (enc-warp-reductions and the
// tensor-core kernel's fused ops).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CODEGEN_CUDA_GPUWARPS_H
#define ENCODER_LIB_CODEGEN_CUDA_GPUWARPS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h" // ::kWarpSize
#include "mlir/IR/Builders.h"

namespace mlir::enc {

/// `value` combined over aligned groups of `lanes` lanes (a power of two
/// up to the warp: lanes 4g .. 4g + 3 for 4) with butterfly (xor)
/// shuffles: every lane gets its group's result. All lanes must take part.
Value warpAllReduce(OpBuilder &b, Location loc, Value value,
                    function_ref<Value(Value, Value)> combine,
                    int64_t lanes = kWarpSize);

/// A launch with one warp per row, `warpsPerBlock` warps a block, skipped
/// when `rows` is 0. Inside, whole warps whose row exists go on (only their
/// lane 0 with `laneZeroOnly`, for GPU emulation, which runs threads one
/// after another). Leaves `b` inside that guard.
struct WarpRow {
  Value row, lane;
};
WarpRow buildWarpPerRowLaunch(OpBuilder &b, Location loc, Value rows,
                              int64_t warpsPerBlock, bool laneZeroOnly);

/// Clones the body of elementwise or reduction `op` (but its terminator and
/// `skip`) at the loop index `index`, each used input loaded through its
/// indexing map unless `mapping` already gives its block argument a value.
/// Returns the mapping, from which callers take the values they need.
IRMapping cloneBodyAt(OpBuilder &b, Location loc, linalg::GenericOp op,
                      ArrayRef<Value> index, IRMapping mapping = {},
                      Operation *skip = nullptr);

/// A tensor operand of a kernel written on tensors (before bufferization)
/// as a read-only buffer of any layout (bufferization.to_buffer).
Value readOnlyBuffer(OpBuilder &b, Location loc, Value tensor);

/// Replaces `op` (which has one result) by the tensor of `out`, the buffer
/// its kernel wrote: restrict and writable, as nothing else aliases it.
/// The tail of every pass that writes a kernel for an op on tensors.
void replaceWithKernelOutput(OpBuilder &b, Location loc, Operation *op,
                             Value out);

/// `linear` as indices of dimensions of `sizes`, the last fastest.
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> sizes);

} // namespace mlir::enc

#endif // ENCODER_LIB_CODEGEN_CUDA_GPUWARPS_H
