// RUN: encoder-opt %s -split-input-file -verify-diagnostics -convert-enc-to-linalg=target=cuda -canonicalize -cse | FileCheck %s
// RUN: not encoder-opt %s -convert-enc-to-linalg=vector-bits=0 2>&1 | FileCheck %s --check-prefix=BITS

// vector-bits describes the CPU; it no longer selects the GPU.
// BITS: convert-enc-to-linalg: vector-bits must be 128, 256 or 512 for the CPU, got 0 (for the GPU, use target=cuda)

// The CUDA target adds no kernels to the conversion: attention is the
// neutral plain linalg that any backend can map: scores Q·Kᵀ (a 5-D generic reducing the
// head dim), scale and mask in one elementwise pass, the row max, exp of
// the shifted scores, the row sum, the division, then P·V. No vector op and
// no scf.forall: those are the CPU kernels'.

// CHECK-LABEL: func.func @attention(
// CHECK: %[[SCORES:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[MASKED:.*]] = linalg.generic {{.*}}ins(%[[SCORES]], %{{.*}} : tensor<2x4x8x8xf32>, tensor<2x1x1x8xi64>)
// CHECK: arith.cmpi ne
// CHECK: arith.select
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}}ins(%[[MASKED]]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-NOT: vector.
// CHECK-NOT: scf.forall
func.func @attention(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %m: tensor<2x1x1x8xi64>) -> tensor<2x4x8x16xf32> {
  %o = enc.attention %q, %k, %v mask %m : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x1x1x8xi64>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// A bias beside the mask: added to the scaled scores, then the mask
// selects, in the same elementwise pass.
// CHECK-LABEL: func.func @attention_bias
// CHECK: linalg.generic {{.*}}ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<2x1x1x8xi64>)
// CHECK: %[[SCALED:.*]] = arith.mulf
// CHECK: %[[BIASED:.*]] = arith.addf %[[SCALED]], %{{.*}} : f32
// CHECK: arith.cmpi ne
// CHECK: arith.select %{{.*}}, %[[BIASED]], %{{.*}} : f32
func.func @attention_bias(%q: tensor<2x4x8x16xf32>, %b: tensor<1x4x8x8xf32>, %m: tensor<2x1x1x8xi64>) -> tensor<2x4x8x16xf32> {
  %o = enc.attention %q, %q, %q bias %b mask %m : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<1x4x8x8xf32>, tensor<2x1x1x8xi64>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Disentangled attention: the two position terms as contractions over
// head_dim into [batch, heads, seq, 2 span] (the shared positions read at
// batch 0), the bias gathered from them at the compile-time index of each
// offset, then the attention with that bias and the pair mask.
// CHECK-LABEL: func.func @disentangled_attention
// CHECK-DAG: %[[TABLE:.*]] = arith.constant dense<[{{.*}}]> : tensor<{{[0-9]+}}xi32>
// CHECK: %[[C2P:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %arg3 : tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>) outs(%{{.*}} : tensor<2x4x8x16xf32>)
// CHECK: %[[P2C:.*]] = linalg.generic {{.*}} ins(%arg1, %arg2 : tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>) outs(%{{.*}} : tensor<2x4x8x16xf32>)
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x8x8xf32>)
// CHECK:   tensor.extract %[[TABLE]]
// CHECK:   arith.index_cast
// CHECK:   tensor.extract %[[C2P]]
// CHECK:   tensor.extract %[[P2C]]
// CHECK:   arith.addf
// CHECK:   arith.mulf
// CHECK: linalg.generic {{.*}}ins(%{{.*}}, %[[BIAS]], %arg4 : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x1x8x8xi1>)
// CHECK-NOT: enc.
func.func @disentangled_attention(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %pq: tensor<1x4x16x16xf32>, %pk: tensor<1x4x16x16xf32>, %m: tensor<2x1x8x8xi1>) -> tensor<2x4x8x16xf32> {
  %o = enc.disentangled_attention %q, %k, %k positions %pq, %pk mask %m {position_buckets = 8 : i64, max_relative_positions = 24 : i64, content_to_position, position_to_content, scale = 0.144 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>, tensor<2x1x8x8xi1>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Packed weights are the CPU micro-kernel's layout.
func.func @packed(%x: tensor<?x16xf32>, %w: tensor<2x16x32xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'enc.linear' op has a packed weight (enc-pack-weights), which no kernel of this target lowers: packed panels are the CPU matmul's layout}}
  %y = enc.linear %x, %w : (tensor<?x16xf32>, tensor<2x16x32xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// A sequence-major attention on a target without a kernel for that layout:
// its head-major twin between transposes, then the materialized lowering.
// CHECK-LABEL: func.func @attention_sequence_major
// CHECK: linalg.transpose ins(%arg0 : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK: linalg.transpose ins(%arg1 : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK: linalg.transpose ins(%arg2 : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-NOT: enc.attention
// CHECK: %[[BACK:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x8x2x16xf32>) permutation = [0, 2, 1, 3]
// CHECK: return %[[BACK]]
func.func @attention_sequence_major(%q: tensor<1x8x2x16xf32>, %k: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {
  %0 = enc.attention %q, %k, %v {sequence_major} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32>
  return %0 : tensor<1x8x2x16xf32>
}
