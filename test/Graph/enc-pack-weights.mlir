// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-pack-weights | FileCheck %s
// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-pack-weights=panel=16 | FileCheck %s --check-prefix=P16

// A parameter weight [out, in] becomes a packed parameter [out / p, in, p]
// built from it at bind time; the bias is untouched.
// CHECK-LABEL: func.func @linear
// CHECK: %[[W:.*]] = enc.packed_param ["w"] {panel = 32 : i64, source_shapes = [array<i64: 64, 48>]} : tensor<2x48x32xf32>
// CHECK: enc.linear %{{.*}}, %[[W]], %{{.*}} : (tensor<?x48xf32>, tensor<2x48x32xf32>, tensor<64xf32>) -> tensor<?x64xf32>
// P16-LABEL: func.func @linear
// P16: enc.packed_param ["w"] {panel = 16 : i64, source_shapes = [array<i64: 64, 48>]} : tensor<4x48x16xf32>
func.func @linear(%x: tensor<?x48xf32>) -> tensor<?x64xf32> {
  %w = enc.param "w" : tensor<64x48xf32>
  %b = enc.param "b" : tensor<64xf32>
  %y = enc.linear %x, %w, %b : (tensor<?x48xf32>, tensor<64x48xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Merged projections (an unpacked concatenation) are packed as a whole.
// CHECK-LABEL: func.func @merged
// CHECK: enc.packed_param ["q", "k"] {panel = 32 : i64, source_shapes = [array<i64: 32, 16>, array<i64: 32, 16>]} : tensor<2x16x32xf32>
func.func @merged(%x: tensor<4x16xf32>) -> tensor<4x64xf32> {
  %w = enc.packed_param ["q", "k"] {source_shapes = [array<i64: 32, 16>, array<i64: 32, 16>]} : tensor<64x16xf32>
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<64x16xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// A convolution weight [dim, c, ph, pw] packs as the [dim, c * ph * pw]
// matrix of the im2col matmul.
// CHECK-LABEL: func.func @patch_embed
// CHECK: %[[W:.*]] = enc.packed_param ["patch"] {panel = 32 : i64, source_shapes = [array<i64: 64, 3, 4, 4>]} : tensor<2x48x32xf32>
// CHECK: enc.patch_embed %{{.*}}, %[[W]], %{{.*}} {patch_size = array<i64: 4, 4>} : (tensor<?x3x8x8xf32>, tensor<2x48x32xf32>, tensor<64xf32>) -> tensor<?x4x64xf32>
func.func @patch_embed(%pixels: tensor<?x3x8x8xf32>) -> tensor<?x4x64xf32> {
  %w = enc.param "patch" : tensor<64x3x4x4xf32>
  %b = enc.param "patch.bias" : tensor<64xf32>
  %y = enc.patch_embed %pixels, %w, %b {patch_size = array<i64: 4, 4>} : (tensor<?x3x8x8xf32>, tensor<64x3x4x4xf32>, tensor<64xf32>) -> tensor<?x4x64xf32>
  return %y : tensor<?x4x64xf32>
}

// -----

// Left alone: a weight that is an argument (not bound by name), a row count
// that no panel divides, and f64.
// CHECK-LABEL: func.func @unpackable
// CHECK-NOT: enc.packed_param
// CHECK: return
func.func @unpackable(%x: tensor<4x16xf32>, %w: tensor<64x16xf32>, %y: tensor<4x16xf64>)
    -> (tensor<4x64xf32>, tensor<4x40xf32>, tensor<4x64xf64>) {
  %a = enc.linear %x, %w : (tensor<4x16xf32>, tensor<64x16xf32>) -> tensor<4x64xf32>
  %w40 = enc.param "w40" : tensor<40x16xf32>
  %b = enc.linear %x, %w40 : (tensor<4x16xf32>, tensor<40x16xf32>) -> tensor<4x40xf32>
  %w64 = enc.param "w64" : tensor<64x16xf64>
  %c = enc.linear %y, %w64 : (tensor<4x16xf64>, tensor<64x16xf64>) -> tensor<4x64xf64>
  return %a, %b, %c : tensor<4x64xf32>, tensor<4x40xf32>, tensor<4x64xf64>
}

// -----

// The op's own panel (enc.tile_sizes = [rows, panel]) wins over the pass's.
// CHECK-LABEL: func.func @knob
// CHECK: enc.packed_param ["w"] {panel = 64 : i64, source_shapes = [array<i64: 64, 16>]} : tensor<1x16x64xf32>
func.func @knob(%x: tensor<4x16xf32>) -> tensor<4x64xf32> {
  %w = enc.param "w" : tensor<64x16xf32>
  %y = enc.linear %x, %w {enc.tile_sizes = array<i64: 4, 64>} : (tensor<4x16xf32>, tensor<64x16xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

func.func @bad_knob(%x: tensor<4x16xf32>) -> tensor<4x64xf32> {
  %w = enc.param "w" : tensor<64x16xf32>
  // expected-error @below {{enc.tile_sizes panel -8 must be positive}}
  %y = enc.linear %x, %w {enc.tile_sizes = array<i64: 4, -8>} : (tensor<4x16xf32>, tensor<64x16xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
