// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu=emulate -cse | FileCheck %s --check-prefix=EMU
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu=precision=tf32 -cse | FileCheck %s --check-prefix=TF32
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu=precision=bf16 -cse | FileCheck %s --check-prefix=BF16
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu="precision=bf16 emulate" -cse | FileCheck %s --check-prefix=TILEEMU
// RUN: not encoder-opt %s -split-input-file -enc-attention-to-gpu=precision=fp8 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// Attention as one kernel: the operands enter as buffers, a warp per
// (batch, head, query) row of 4 warps a block; each lane keeps its query
// elements and output sums in registers (head size 64: two each); for each
// key the dot product is summed over the warp with five xor shuffles, then
// scaled (1/8), masked (an integer padding mask broadcast over heads and
// queries: zero drops the key) and cut (causal: key > query), and the
// running maximum, sum and output sums are updated. No score matrix: the
// kernel writes only the output, handed back with to_tensor.

// CHECK-LABEL: func.func @attention(
// CHECK-SAME: %[[Q:.*]]: tensor<2x4x?x64xf32>, %[[K:.*]]: tensor<2x4x?x64xf32>, %[[V:.*]]: tensor<2x4x?x64xf32>, %[[MASK:.*]]: tensor<2x1x1x?xi64>)
// CHECK: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only
// CHECK: %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK: %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK: %[[MB:.*]] = bufferization.to_buffer %[[MASK]] read_only
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<2x4x?x64xf32>
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{[a-z0-9]+}} = %{{.*}}, %{{[a-z0-9]+}} = %{{.*}}, %{{[a-z0-9]+}} = %{{.*}})
// CHECK: memref.load %[[QB]]
// CHECK: memref.load %[[QB]]
// CHECK: scf.for %[[KEY:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[MAX:.*]] = %{{.*}}, %[[SUM:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32, f32, f32)
// CHECK: memref.load %[[KB]]
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: %[[M:.*]] = memref.load %[[MB]][%{{.*}}, %{{.*}}, %{{.*}}, %[[KEY]]]
// CHECK: %[[KEEP:.*]] = arith.cmpi ne, %[[M]], %{{.*}} : i64
// CHECK: %[[MASKED:.*]] = arith.select %[[KEEP]], %[[SCALED]], %{{.*}} : f32
// CHECK: %[[FUTURE:.*]] = arith.cmpi ugt, %[[KEY]], %{{.*}} : index
// CHECK: %[[S:.*]] = arith.select %[[FUTURE]], %{{.*}}, %[[MASKED]] : f32
// CHECK: %[[NEXT:.*]] = arith.maximumf %[[MAX]], %[[S]] : f32
// CHECK: math.exp
// CHECK: math.exp
// CHECK: memref.load %[[VB]]
// CHECK: scf.yield %[[NEXT]],
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: %[[RESULT:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[RESULT]]

// EMU-LABEL: func.func @attention(
// EMU-NOT: gpu.shuffle
// EMU: gpu.launch
// EMU: scf.for
// EMU: scf.for {{.*}} iter_args
// EMU: scf.for {{.*}} iter_args
// EMU: arith.maximumf
// EMU-NOT: gpu.shuffle
// EMU: bufferization.to_tensor
// On the tensor cores (TF32): a warp per tile of 16 queries, so
// 2 x 4 x ceil(q_len / 16) warps. Q's fragments are loaded once (rows
// clamped to the last query, so no lane branches), then the keys are walked
// in blocks of 8 up to the causal bound min(kv_len, query0 + 16): S = QKᵀ
// as 8 mma.sync (head size 64 / 8), the mask loaded at the clamped key, row
// maxima over the quad (xor 2, 1), exponentials, P's operand gathered from
// the quad with index shuffles, O rescaled and O += P·V as 8 mma.sync (64
// / 8 output tiles). At the end the partial sums meet over the quad and
// each row inside q_len is divided and stored.
// TF32-LABEL: func.func @attention(
// TF32: %[[OUT:.*]] = memref.alloc
// TF32: %[[TILES:.*]] = arith.ceildivui %{{.*}}, %c16
// TF32: gpu.launch
// TF32: %[[Q0:.*]] = arith.muli %{{.*}}, %c16
// TF32: arith.minui
// TF32-COUNT-16: memref.load
// TF32: %[[BOUND:.*]] = arith.minui %{{.*}}, %{{.*}} : index
// TF32: scf.for %[[BLOCK:.*]] = %c0 to %[[BOUND]] step %c8 iter_args
// TF32-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// TF32: arith.minui
// TF32: memref.load %{{.*}}[%{{.*}}, %c0, %c0, %{{.*}}] : memref<2x1x1x?xi64
// TF32: arith.cmpi ugt
// TF32: gpu.shuffle  xor %{{.*}}, %c2_i32
// TF32: gpu.shuffle  xor %{{.*}}, %c1_i32
// TF32: math.exp
// TF32-COUNT-8: gpu.shuffle  idx
// TF32-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// TF32: scf.yield
// TF32: gpu.shuffle  xor %{{.*}}, %c2_i32
// TF32: gpu.shuffle  xor %{{.*}}, %c1_i32
// TF32: scf.if
// TF32: arith.divf
// TF32: memref.store %{{.*}}, %[[OUT]]
// TF32: bufferization.to_tensor %[[OUT]]

// bf16: blocks of 16 keys, S as two 16x8 tiles of 4 m16n8k16 each; their
// accumulator layout is P's operand layout, so no index shuffles.
// BF16-LABEL: func.func @attention(
// BF16: gpu.launch
// BF16: scf.for %{{.*}} = %c0 to %{{.*}} step %c16 iter_args
// BF16-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>)
// BF16-NOT: gpu.shuffle  idx
// BF16: math.exp
// BF16: arith.truncf %{{.*}} : f32 to bf16
// BF16-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]}
// BF16: scf.yield

// Emulated tiles: lane 0 runs the 16 queries of its tile one by one, with
// the same key blocks (16), operands rounded to bf16 precision in f32.
// TILEEMU-LABEL: func.func @attention(
// TILEEMU-NOT: nvgpu.mma.sync
// TILEEMU: gpu.launch
// TILEEMU: scf.for %{{.*}} = %c0 to %c16 step %c1
// TILEEMU: scf.if
// TILEEMU: scf.for {{.*}} step %c16 iter_args
// TILEEMU: arith.cmpf uno
// TILEEMU: math.exp
// TILEEMU-NOT: nvgpu.mma.sync

// UNKNOWN: error: enc-attention-to-gpu: unknown precision 'fp8' (expected tf32, bf16 or f32)
func.func @attention(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x64xf32>,
                     %mask: tensor<2x1x1x?xi64>) -> tensor<2x4x?x64xf32> {
  %o = enc.attention %q, %k, %v mask %mask {causal} : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x1x1x?xi64>) -> tensor<2x4x?x64xf32>
  return %o : tensor<2x4x?x64xf32>
}

// -----

// A dynamic head size stays enc.attention (each lane's share of it must be
// known): the materialized lowering takes it.

// TF32-LABEL: func.func @dynamic_head(
// TF32-NOT: gpu.launch
// TF32: enc.attention
// CHECK-LABEL: func.func @dynamic_head(
// CHECK-NOT: gpu.launch
// CHECK: enc.attention
func.func @dynamic_head(%q: tensor<1x2x8x?xf32>, %k: tensor<1x2x8x?xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = enc.attention %q, %k, %v {scale = 0.25 : f64} : (tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
