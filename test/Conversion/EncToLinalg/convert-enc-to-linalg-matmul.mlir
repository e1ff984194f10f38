// RUN: encoder-opt %s -split-input-file -verify-diagnostics -convert-enc-to-linalg -canonicalize -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -verify-diagnostics -convert-enc-to-linalg=vector-bits=256 -canonicalize -cse | FileCheck %s --check-prefix=AVX2

// A linear with a packed weight [n / 32, k, 32] is the micro-kernel: one
// scf.forall over chunks of panels (a kernel, with its FLOPs 2 * rows * n * k
// and bytes), for each panel and each block of 8 rows a reduction over k
// that keeps 8 x 2 vector accumulators as loop values, initialised from the
// bias, then the activation and the residual, and one store per vector,
// masked for rows past the end.
// CHECK-LABEL: func.func @packed
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>, %[[W:.*]]: tensor<2x16x32xf32>, %[[B:.*]]: tensor<64xf32>, %[[R:.*]]: tensor<?x64xf32>)
// CHECK-DAG: %[[C2048:.*]] = arith.constant 2048 : index
// CHECK: %[[ROWS:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[FLOPS:.*]] = arith.muli %[[ROWS]], %[[C2048]] : index
// CHECK: scf.forall (%{{.*}}) in (%{{.*}}) shared_outs
// CHECK-NEXT: enc.kernel_info "linear" ["enc.linear", "enc.activation", "residual add"] flops(%[[FLOPS]]) bytes(%{{.*}})
// CHECK: scf.for %[[J:.*]] = {{.*}} iter_args
// CHECK: scf.for %{{.*}} = %c0 to %[[ROWS]] step %c8 iter_args
// CHECK: %[[BIAS0:.*]] = vector.transfer_read %[[B]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<64xf32>, vector<16xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.transfer_read %[[W]][%[[J]], %[[K]], %c0]
// CHECK: vector.transfer_read %[[W]][%[[J]], %[[K]], %c16]
// CHECK: %[[A:.*]] = tensor.extract %[[X]][%{{.*}}, %[[K]]]
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[A]] : f32 to vector<16xf32>
// CHECK: vector.fma %[[SPLAT]]
// CHECK-COUNT-15: vector.fma
// CHECK: scf.yield
// CHECK: arith.maximumf
// CHECK: vector.transfer_read %[[R]]
// CHECK: vector.create_mask
// CHECK: vector.transfer_write
func.func @packed(%x: tensor<?x16xf32>, %w: tensor<2x16x32xf32>, %b: tensor<64xf32>, %r: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %y = enc.linear %x, %w, %b residual %r {activation = #enc<activation relu>} : (tensor<?x16xf32>, tensor<2x16x32xf32>, tensor<64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// With AVX2's 16 registers and its panels of 16 (2 vectors of 8) the block
// is 6 rows; enc.tile_sizes sets it (here 2 rows).
// AVX2-LABEL: func.func @avx2
// AVX2: scf.for %{{.*}} = %c0 to %{{.*}} step %c6 iter_args
// AVX2: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2: scf.for %{{.*}} = %c0 to %{{.*}} step %c2 iter_args
// AVX2: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
func.func @avx2(%x: tensor<?x16xf32>, %w: tensor<2x16x16xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %y = enc.linear %x, %w : (tensor<?x16xf32>, tensor<2x16x16xf32>) -> tensor<?x32xf32>
  %z = enc.linear %x, %w {enc.tile_sizes = array<i64: 2, 16>} : (tensor<?x16xf32>, tensor<2x16x16xf32>) -> tensor<?x32xf32>
  return %y, %z : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

func.func @too_many_rows(%x: tensor<3x16xf32>, %w: tensor<1x16x32xf32>) -> tensor<3x32xf32> {
  // expected-error @below {{a register block of 20 rows x 32 columns does not fit the}}
  // expected-error @below {{failed to legalize operation 'enc.linear'}}
  %y = enc.linear %x, %w {enc.tile_sizes = array<i64: 20, 32>} : (tensor<3x16xf32>, tensor<1x16x32xf32>) -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}

// -----

// enc.patch_embed with a packed weight: im2col in (channel, row, column)
// order, then the same micro-kernel; the class token goes in front.
// CHECK-LABEL: func.func @patch_embed
// CHECK: %[[COLUMNS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x2x2x3x4x4xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[COLUMNS]] {{\[}}[0, 1, 2], [3, 4, 5]] : tensor<?x2x2x3x4x4xf32> into tensor<?x48xf32>
// CHECK: scf.forall
// CHECK-NEXT: enc.kernel_info "patch_embed" ["enc.patch_embed"]
// CHECK: vector.fma
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [%{{.*}}, 4, 32] : tensor<?x32xf32> into tensor<?x4x32xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 0] [%{{.*}}, 4, 32] [1, 1, 1] : tensor<?x4x32xf32> into tensor<?x5x32xf32>
func.func @patch_embed(%pixels: tensor<?x3x8x8xf32>, %w: tensor<1x48x32xf32>, %b: tensor<32xf32>, %cls: tensor<1x1x32xf32>) -> tensor<?x5x32xf32> {
  %y = enc.patch_embed %pixels, %w, %b class_token %cls {patch_size = array<i64: 4, 4>} : (tensor<?x3x8x8xf32>, tensor<1x48x32xf32>, tensor<32xf32>, tensor<1x1x32xf32>) -> tensor<?x5x32xf32>
  return %y : tensor<?x5x32xf32>
}
