// RUN: encoder-opt %s -enc-merge-projections -split-input-file | FileCheck %s

// Q, K, V on one input: one linear on the concatenated weights and biases
// (sources in op order), sliced along the last dimension. Parameters
// defined after the first linear are fine: the packed ones are new ops.
// CHECK-LABEL: func.func @qkv
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x16xf32>)
// CHECK-NEXT: %[[W:.*]] = enc.packed_param ["q.weight", "k.weight", "v.weight"] {source_shapes = [array<i64: 16, 16>, array<i64: 8, 16>, array<i64: 16, 16>]} : tensor<40x16xf32>
// CHECK-NEXT: %[[B:.*]] = enc.packed_param ["q.bias", "k.bias", "v.bias"] {source_shapes = [array<i64: 16>, array<i64: 8>, array<i64: 16>]} : tensor<40xf32>
// CHECK-NEXT: %[[QKV:.*]] = enc.linear %[[X]], %[[W]], %[[B]] : (tensor<2x8x16xf32>, tensor<40x16xf32>, tensor<40xf32>) -> tensor<2x8x40xf32>
// CHECK-NEXT: %[[Q:.*]] = tensor.extract_slice %[[QKV]][0, 0, 0] [2, 8, 16] [1, 1, 1] : tensor<2x8x40xf32> to tensor<2x8x16xf32>
// CHECK-NEXT: %[[K:.*]] = tensor.extract_slice %[[QKV]][0, 0, 16] [2, 8, 8] [1, 1, 1] : tensor<2x8x40xf32> to tensor<2x8x8xf32>
// CHECK-NEXT: %[[V:.*]] = tensor.extract_slice %[[QKV]][0, 0, 24] [2, 8, 16] [1, 1, 1] : tensor<2x8x40xf32> to tensor<2x8x16xf32>
// CHECK-NOT: enc.param
// CHECK-NEXT: return %[[Q]], %[[K]], %[[V]]
func.func @qkv(%x: tensor<2x8x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x8xf32>, tensor<2x8x16xf32>) {
  %wq = enc.param "q.weight" : tensor<16x16xf32>
  %bq = enc.param "q.bias" : tensor<16xf32>
  %q = enc.linear %x, %wq, %bq : (tensor<2x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  %wk = enc.param "k.weight" : tensor<8x16xf32>
  %bk = enc.param "k.bias" : tensor<8xf32>
  %k = enc.linear %x, %wk, %bk : (tensor<2x8x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<2x8x8xf32>
  %wv = enc.param "v.weight" : tensor<16x16xf32>
  %bv = enc.param "v.bias" : tensor<16xf32>
  %v = enc.linear %x, %wv, %bv : (tensor<2x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return %q, %k, %v : tensor<2x8x16xf32>, tensor<2x8x8xf32>, tensor<2x8x16xf32>
}

// -----

// Dynamic batch and sequence: the slices take them from the input.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x16xf32>)
// CHECK-NEXT: %[[W:.*]] = enc.packed_param ["a", "b"] {source_shapes = [array<i64: 4, 16>, array<i64: 4, 16>]} : tensor<8x16xf32>
// CHECK-NEXT: %[[AB:.*]] = enc.linear %[[X]], %[[W]] : (tensor<?x?x16xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[D0:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG: %[[D1:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK: %[[A:.*]] = tensor.extract_slice %[[AB]][0, 0, 0] [%[[D0]], %[[D1]], 4] [1, 1, 1] : tensor<?x?x8xf32> to tensor<?x?x4xf32>
// CHECK-NEXT: %[[B:.*]] = tensor.extract_slice %[[AB]][0, 0, 4] [%[[D0]], %[[D1]], 4] [1, 1, 1] : tensor<?x?x8xf32> to tensor<?x?x4xf32>
// CHECK-NEXT: arith.addf %[[A]], %[[B]]
func.func @dynamic(%x: tensor<?x?x16xf32>) -> tensor<?x?x4xf32> {
  %wa = enc.param "a" : tensor<4x16xf32>
  %wb = enc.param "b" : tensor<4x16xf32>
  %a = enc.linear %x, %wa : (tensor<?x?x16xf32>, tensor<4x16xf32>) -> tensor<?x?x4xf32>
  %b = enc.linear %x, %wb : (tensor<?x?x16xf32>, tensor<4x16xf32>) -> tensor<?x?x4xf32>
  %s = arith.addf %a, %b : tensor<?x?x4xf32>
  return %s : tensor<?x?x4xf32>
}

// -----

// Rank-1 input (a pooled vector).
// CHECK-LABEL: func.func @vector
// CHECK: %[[AB:.*]] = enc.linear %{{.*}}, %{{.*}} : (tensor<16xf32>, tensor<12x16xf32>) -> tensor<12xf32>
// CHECK-NEXT: tensor.extract_slice %[[AB]][0] [4] [1] : tensor<12xf32> to tensor<4xf32>
// CHECK-NEXT: tensor.extract_slice %[[AB]][4] [8] [1] : tensor<12xf32> to tensor<8xf32>
func.func @vector(%x: tensor<16xf32>) -> (tensor<4xf32>, tensor<8xf32>) {
  %wa = enc.param "a" : tensor<4x16xf32>
  %wb = enc.param "b" : tensor<8x16xf32>
  %a = enc.linear %x, %wa : (tensor<16xf32>, tensor<4x16xf32>) -> tensor<4xf32>
  %b = enc.linear %x, %wb : (tensor<16xf32>, tensor<8x16xf32>) -> tensor<8xf32>
  return %a, %b : tensor<4xf32>, tensor<8xf32>
}

// -----

// Biases all present or all absent: with K unbiased (Whisper), Q and V are
// merged and K stays alone. A weight that is not a parameter, a linear with
// an epilogue and a linear on another input are not merged.
// CHECK-LABEL: func.func @partial
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[Y:.*]]: tensor<4x16xf32>, %[[WARG:.*]]: tensor<16x16xf32>)
// CHECK-DAG: %[[WK:.*]] = enc.param "k.weight"
// CHECK-DAG: %[[WO:.*]] = enc.param "o.weight"
// CHECK-DAG: %[[WQV:.*]] = enc.packed_param ["q.weight", "v.weight"]
// CHECK-DAG: %[[BQV:.*]] = enc.packed_param ["q.bias", "v.bias"]
// CHECK: %[[QV:.*]] = enc.linear %[[X]], %[[WQV]], %[[BQV]] : (tensor<4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<4x32xf32>
// CHECK-DAG: tensor.extract_slice %[[QV]][0, 0] [4, 16] [1, 1]
// CHECK-DAG: tensor.extract_slice %[[QV]][0, 16] [4, 16] [1, 1]
// CHECK-DAG: enc.linear %[[X]], %[[WK]] :
// CHECK-DAG: enc.linear %[[X]], %[[WARG]] :
// CHECK-DAG: enc.linear %[[X]], %[[WO]] {activation = #enc<activation relu>}
// CHECK-DAG: enc.linear %[[Y]], %[[WO]] :
func.func @partial(%x: tensor<4x16xf32>, %y: tensor<4x16xf32>, %warg: tensor<16x16xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) {
  %wq = enc.param "q.weight" : tensor<16x16xf32>
  %bq = enc.param "q.bias" : tensor<16xf32>
  %wk = enc.param "k.weight" : tensor<16x16xf32>
  %wv = enc.param "v.weight" : tensor<16x16xf32>
  %bv = enc.param "v.bias" : tensor<16xf32>
  %wo = enc.param "o.weight" : tensor<16x16xf32>
  %q = enc.linear %x, %wq, %bq : (tensor<4x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %k = enc.linear %x, %wk : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %v = enc.linear %x, %wv, %bv : (tensor<4x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %a = enc.linear %x, %warg : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %r = enc.linear %x, %wo {activation = #enc<activation relu>} : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %o = enc.linear %y, %wo : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  return %q, %k, %v, %a, %r, %o : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// Linears in different blocks are not merged, those within one nested
// block are.
// CHECK-LABEL: func.func @blocks
// CHECK: enc.linear %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
// CHECK: scf.for
// CHECK: enc.packed_param ["a", "b"]
// CHECK: enc.linear %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<32x16xf32>) -> tensor<4x32xf32>
// CHECK-COUNT-2: tensor.extract_slice
// CHECK: scf.yield
func.func @blocks(%x: tensor<4x16xf32>, %n: index) -> tensor<4x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %wa = enc.param "a" : tensor<16x16xf32>
  %wb = enc.param "b" : tensor<16x16xf32>
  %a = enc.linear %x, %wa : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %a) -> tensor<4x16xf32> {
    %p = enc.linear %acc, %wa : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
    %q = enc.linear %acc, %wb : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
    %b = enc.linear %x, %wb : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
    %s = arith.addf %p, %q : tensor<4x16xf32>
    %t = arith.addf %s, %b : tensor<4x16xf32>
    scf.yield %t : tensor<4x16xf32>
  }
  return %r : tensor<4x16xf32>
}

// -----

// A single projection is left alone.
// CHECK-LABEL: func.func @single
// CHECK-NOT: packed_param
// CHECK: enc.linear
// CHECK-NOT: packed_param
// CHECK: return
func.func @single(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %w = enc.param "w" : tensor<16x16xf32>
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// A result typed more statically than the input (allowed by the verifier)
// would need a cast: that linear is not merged.
// CHECK-LABEL: func.func @result_type
// CHECK-NOT: packed_param
// CHECK: return
func.func @result_type(%x: tensor<?x16xf32>) -> (tensor<4x4xf32>, tensor<?x4xf32>) {
  %wa = enc.param "a" : tensor<4x16xf32>
  %wb = enc.param "b" : tensor<4x16xf32>
  %a = enc.linear %x, %wa : (tensor<?x16xf32>, tensor<4x16xf32>) -> tensor<4x4xf32>
  %b = enc.linear %x, %wb : (tensor<?x16xf32>, tensor<4x16xf32>) -> tensor<?x4xf32>
  return %a, %b : tensor<4x4xf32>, tensor<?x4xf32>
}
