// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu=emulate -cse | FileCheck %s --check-prefix=EMU

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
func.func @attention(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x64xf32>,
                     %mask: tensor<2x1x1x?xi64>) -> tensor<2x4x?x64xf32> {
  %o = enc.attention %q, %k, %v mask %mask {causal} : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x1x1x?xi64>) -> tensor<2x4x?x64xf32>
  return %o : tensor<2x4x?x64xf32>
}

// -----

// A dynamic head size stays enc.attention (each lane's share of it must be
// known): the materialized lowering takes it.

// CHECK-LABEL: func.func @dynamic_head(
// CHECK-NOT: gpu.launch
// CHECK: enc.attention
func.func @dynamic_head(%q: tensor<1x2x8x?xf32>, %k: tensor<1x2x8x?xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = enc.attention %q, %k, %v {scale = 0.25 : f64} : (tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
