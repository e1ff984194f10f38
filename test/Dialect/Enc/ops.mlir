// RUN: encoder-opt %s | encoder-opt | FileCheck %s
// RUN: encoder-opt %s --mlir-print-op-generic | encoder-opt | FileCheck %s

// CHECK-LABEL: func.func @param
func.func @param() -> tensor<4x3xf32> {
  // CHECK: enc.param "encoder.layer.0.weight" : tensor<4x3xf32>
  %w = enc.param "encoder.layer.0.weight" : tensor<4x3xf32>
  return %w : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<2x5x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>,
                  %d: tensor<?x?x3xf32>) -> (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<?x?x4xf32>, tensor<4xf32>) {
  // CHECK: enc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x5x4xf32>
  %0 = enc.linear %x, %w, %b : (tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x5x4xf32>
  // CHECK: enc.linear %{{.*}}, %{{.*}} : (tensor<2x5x3xf32>, tensor<4x3xf32>) -> tensor<2x5x4xf32>
  %1 = enc.linear %x, %w : (tensor<2x5x3xf32>, tensor<4x3xf32>) -> tensor<2x5x4xf32>
  // CHECK: enc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  %2 = enc.linear %d, %w, %b : (tensor<?x?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  %v = tensor.extract_slice %b[0] [3] [1] : tensor<4xf32> to tensor<3xf32>
  // CHECK: enc.linear %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4xf32>
  %3 = enc.linear %v, %w : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<?x?x4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @layer_norm
func.func @layer_norm(%x: tensor<2x5x3xbf16>, %g: tensor<3xbf16>, %b: tensor<3xbf16>) -> (tensor<2x5x3xbf16>, tensor<2x5x3xbf16>, tensor<2x5x3xbf16>) {
  // CHECK: enc.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} {epsilon = 9.9999999999999998E-13 : f64}
  %0 = enc.layer_norm %x scale %g bias %b {epsilon = 1.0e-12 : f64} : (tensor<2x5x3xbf16>, tensor<3xbf16>, tensor<3xbf16>) -> tensor<2x5x3xbf16>
  // CHECK: enc.layer_norm %{{.*}} : (tensor<2x5x3xbf16>) -> tensor<2x5x3xbf16>
  %1 = enc.layer_norm %x : (tensor<2x5x3xbf16>) -> tensor<2x5x3xbf16>
  // CHECK: enc.layer_norm %{{.*}} scale %{{.*}} : (tensor<2x5x3xbf16>, tensor<3xbf16>) -> tensor<2x5x3xbf16>
  %2 = enc.layer_norm %x scale %g : (tensor<2x5x3xbf16>, tensor<3xbf16>) -> tensor<2x5x3xbf16>
  return %0, %1, %2 : tensor<2x5x3xbf16>, tensor<2x5x3xbf16>, tensor<2x5x3xbf16>
}

// CHECK-LABEL: func.func @rms_norm
func.func @rms_norm(%x: tensor<2x?x3xf32>, %g: tensor<3xf32>) -> (tensor<2x?x3xf32>, tensor<2x?x3xf32>) {
  // CHECK: enc.rms_norm %{{.*}} scale %{{.*}} {epsilon = 1.000000e-05 : f64} : (tensor<2x?x3xf32>, tensor<3xf32>) -> tensor<2x?x3xf32>
  %0 = enc.rms_norm %x scale %g {epsilon = 1.0e-5 : f64} : (tensor<2x?x3xf32>, tensor<3xf32>) -> tensor<2x?x3xf32>
  // CHECK: enc.rms_norm %{{.*}} : (tensor<2x?x3xf32>) -> tensor<2x?x3xf32>
  %1 = enc.rms_norm %x : (tensor<2x?x3xf32>) -> tensor<2x?x3xf32>
  return %0, %1 : tensor<2x?x3xf32>, tensor<2x?x3xf32>
}

// CHECK-LABEL: func.func @activation
func.func @activation(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  // CHECK: enc.activation gelu %{{.*}} : tensor<2x?xf32>
  %0 = enc.activation gelu %x : tensor<2x?xf32>
  // CHECK: enc.activation gelu_tanh
  %1 = enc.activation gelu_tanh %0 : tensor<2x?xf32>
  // CHECK: enc.activation quick_gelu
  %2 = enc.activation quick_gelu %1 : tensor<2x?xf32>
  // CHECK: enc.activation relu
  %3 = enc.activation relu %2 : tensor<2x?xf32>
  // CHECK: enc.activation silu
  %4 = enc.activation silu %3 : tensor<2x?xf32>
  // CHECK: enc.activation sigmoid
  %5 = enc.activation sigmoid %4 : tensor<2x?xf32>
  // CHECK: enc.activation tanh
  %6 = enc.activation tanh %5 : tensor<2x?xf32>
  return %6 : tensor<2x?xf32>
}

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x6x16xf32>, %v: tensor<2x4x6x32xf32>,
                     %m: tensor<2x1x1x6xf32>, %bm: tensor<1x4x8x6xi1>) -> (tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>) {
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {scale = 1.250000e-01 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<2x1x1x6xf32>) -> tensor<2x4x8x32xf32>
  %0 = enc.attention %q, %k, %v mask %m {scale = 0.125 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<2x1x1x6xf32>) -> tensor<2x4x8x32xf32>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} {causal} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>) -> tensor<2x4x8x32xf32>
  %1 = enc.attention %q, %k, %v {causal} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>) -> tensor<2x4x8x32xf32>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : ({{.*}}, tensor<1x4x8x6xi1>) -> tensor<2x4x8x32xf32>
  %2 = enc.attention %q, %k, %v mask %bm : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<1x4x8x6xi1>) -> tensor<2x4x8x32xf32>
  %im = tensor.empty() : tensor<2x1x1x6xi64>
  %fb = tensor.empty() : tensor<1x4x8x6xf32>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : ({{.*}}, tensor<2x1x1x6xi64>) -> tensor<2x4x8x32xf32>
  %3 = enc.attention %q, %k, %v mask %im : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<2x1x1x6xi64>) -> tensor<2x4x8x32xf32>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} mask %{{.*}} : ({{.*}}, tensor<1x4x8x6xf32>, tensor<2x1x1x6xi64>) -> tensor<2x4x8x32xf32>
  %b0 = enc.attention %q, %k, %v bias %fb mask %im : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<1x4x8x6xf32>, tensor<2x1x1x6xi64>) -> tensor<2x4x8x32xf32>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {causal} : ({{.*}}, tensor<1x4x8x6xf32>) -> tensor<2x4x8x32xf32>
  %b1 = enc.attention %q, %k, %v bias %fb {causal} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<1x4x8x6xf32>) -> tensor<2x4x8x32xf32>
  return %0, %1, %3, %b0, %b1 : tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>
}

// CHECK-LABEL: func.func @disentangled_attention
func.func @disentangled_attention(%q: tensor<?x4x?x16xf32>, %p: tensor<1x4x16x16xf32>, %m: tensor<?x1x?x?xi1>) -> tensor<?x4x?x16xf32> {
  // CHECK: enc.disentangled_attention %{{.*}}, %{{.*}}, %{{.*}} positions %{{.*}}, %{{.*}} mask %{{.*}} {content_to_position, max_relative_positions = 24 : i64, position_buckets = 8 : i64, position_to_content, scale = 1.440000e-01 : f64}
  %0 = enc.disentangled_attention %q, %q, %q positions %p, %p mask %m {position_buckets = 8 : i64, max_relative_positions = 24 : i64, content_to_position, position_to_content, scale = 0.144 : f64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>, tensor<?x1x?x?xi1>) -> tensor<?x4x?x16xf32>
  return %0 : tensor<?x4x?x16xf32>
}

// CHECK-LABEL: func.func @relative_attention
func.func @relative_attention(%q: tensor<?x4x?x16xf32>, %r: tensor<1x4x?x16xf32>, %u: tensor<4x16xf32>, %ids: tensor<?x?xi64>, %e: tensor<2x4x16xf32>, %m: tensor<?x1x?x?xi1>) -> (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) {
  // CHECK: enc.relative_attention %{{.*}}, %{{.*}}, %{{.*}} positions %{{.*}} biases %{{.*}}, %{{.*}} segments %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {scale = 2.500000e-01 : f64}
  %0 = enc.relative_attention %q, %q, %q positions %r biases %u, %u segments %ids, %e, %u mask %m {scale = 0.25 : f64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<?x?xi64>, tensor<2x4x16xf32>, tensor<4x16xf32>, tensor<?x1x?x?xi1>) -> tensor<?x4x?x16xf32>
  // CHECK: enc.relative_attention %{{.*}}, %{{.*}}, %{{.*}} positions %{{.*}} biases %{{.*}}, %{{.*}} {scale = 2.500000e-01 : f64}
  %1 = enc.relative_attention %q, %q, %q positions %r biases %u, %u {scale = 0.25 : f64} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<?x4x?x16xf32>
  return %0, %1 : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>
}

// CHECK-LABEL: func.func @relative_sinusoid
func.func @relative_sinusoid(%q: index, %k: index) -> (tensor<?x16xf32>, tensor<?x8xf32>) {
  // CHECK: enc.relative_sinusoid %{{.*}}, %{{.*}} : (index, index) -> tensor<?x16xf32>
  %0 = enc.relative_sinusoid %q, %k : (index, index) -> tensor<?x16xf32>
  // CHECK: enc.relative_sinusoid %{{.*}}, %{{.*}} {base = 1.000000e+02 : f64, clamp = 3 : i64} : (index, index) -> tensor<?x8xf32>
  %1 = enc.relative_sinusoid %q, %k {clamp = 3 : i64, base = 100.0 : f64} : (index, index) -> tensor<?x8xf32>
  return %0, %1 : tensor<?x16xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @span_corruption
func.func @span_corruption(%ids: tensor<?x?xi64>, %fixed: tensor<2x40xi32>, %seed: tensor<i64>) -> (tensor<?x?xi64>, tensor<2x37xi32>) {
  // CHECK: enc.span_corruption %{{.*}} seed %{{.*}} {noise_density = 1.500000e-01 : f64, sentinel_id = 32099 : i64} : (tensor<?x?xi64>, tensor<i64>) -> (tensor<?x?xi64>, tensor<?x?xi64>)
  %0:2 = enc.span_corruption %ids seed %seed {noise_density = 0.15 : f64, sentinel_id = 32099 : i64} : (tensor<?x?xi64>, tensor<i64>) -> (tensor<?x?xi64>, tensor<?x?xi64>)
  // 40 tokens: 6 noise in 2 spans; inputs 34 + 2 + 1, targets 6 + 2 + 1.
  // CHECK: enc.span_corruption %{{.*}} seed %{{.*}} {eos_id = 2 : i64, mean_noise_span_length = 2.500000e+00 : f64, noise_density = 1.500000e-01 : f64, sentinel_id = 99 : i64} : (tensor<2x40xi32>, tensor<i64>) -> (tensor<2x37xi32>, tensor<2x9xi32>)
  %1:2 = enc.span_corruption %fixed seed %seed {noise_density = 0.15 : f64, mean_noise_span_length = 2.5 : f64, sentinel_id = 99 : i64, eos_id = 2 : i64} : (tensor<2x40xi32>, tensor<i64>) -> (tensor<2x37xi32>, tensor<2x9xi32>)
  return %0#0, %1#0 : tensor<?x?xi64>, tensor<2x37xi32>
}

// CHECK-LABEL: func.func @embedding
func.func @embedding(%ids: tensor<2x?xi64>, %ids32: tensor<7xi32>, %table: tensor<100x16xf32>) -> (tensor<2x?x16xf32>, tensor<7x16xf32>) {
  // CHECK: enc.embedding %{{.*}}, %{{.*}} : (tensor<2x?xi64>, tensor<100x16xf32>) -> tensor<2x?x16xf32>
  %0 = enc.embedding %ids, %table : (tensor<2x?xi64>, tensor<100x16xf32>) -> tensor<2x?x16xf32>
  // CHECK: enc.embedding %{{.*}}, %{{.*}} : (tensor<7xi32>, tensor<100x16xf32>) -> tensor<7x16xf32>
  %1 = enc.embedding %ids32, %table : (tensor<7xi32>, tensor<100x16xf32>) -> tensor<7x16xf32>
  return %0, %1 : tensor<2x?x16xf32>, tensor<7x16xf32>
}

// CHECK-LABEL: func.func @pool
func.func @pool(%h: tensor<2x8x16xf32>, %mask: tensor<2x8xi64>, %fmask: tensor<2x8xf32>) -> (tensor<2x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>) {
  // CHECK: enc.pool cls %{{.*}} : (tensor<2x8x16xf32>) -> tensor<2x16xf32>
  %0 = enc.pool cls %h : (tensor<2x8x16xf32>) -> tensor<2x16xf32>
  // CHECK: enc.pool mean %{{.*}} mask %{{.*}} : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<2x16xf32>
  %1 = enc.pool mean %h mask %mask : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<2x16xf32>
  // CHECK: enc.pool max %{{.*}} mask %{{.*}} : (tensor<2x8x16xf32>, tensor<2x8xf32>) -> tensor<2x16xf32>
  %2 = enc.pool max %h mask %fmask : (tensor<2x8x16xf32>, tensor<2x8xf32>) -> tensor<2x16xf32>
  // CHECK: enc.pool mean %{{.*}} : (tensor<2x8x16xf32>) -> tensor<2x16xf32>
  %3 = enc.pool mean %h : (tensor<2x8x16xf32>) -> tensor<2x16xf32>
  // CHECK: enc.pool last %{{.*}} mask %{{.*}} : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<2x16xf32>
  %4 = enc.pool last %h mask %mask : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<2x16xf32>
  return %0, %1, %2, %3 : tensor<2x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>
}

// CHECK-LABEL: func.func @cross_entropy
func.func @cross_entropy(%logits: tensor<2x8x30xf32>, %labels: tensor<2x8xi64>) -> (tensor<f32>, tensor<f32>, tensor<2x8xf32>) {
  // CHECK: enc.cross_entropy %{{.*}}, %{{.*}} : (tensor<2x8x30xf32>, tensor<2x8xi64>) -> tensor<f32>
  %0 = enc.cross_entropy %logits, %labels : (tensor<2x8x30xf32>, tensor<2x8xi64>) -> tensor<f32>
  // CHECK: enc.cross_entropy %{{.*}}, %{{.*}} {ignore_index = 0 : i64, reduction = #enc<reduction sum>}
  %1 = enc.cross_entropy %logits, %labels {ignore_index = 0 : i64, reduction = #enc<reduction sum>} : (tensor<2x8x30xf32>, tensor<2x8xi64>) -> tensor<f32>
  // CHECK: enc.cross_entropy %{{.*}}, %{{.*}} {reduction = #enc<reduction none>} : (tensor<2x8x30xf32>, tensor<2x8xi64>) -> tensor<2x8xf32>
  %2 = enc.cross_entropy %logits, %labels {reduction = #enc<reduction none>} : (tensor<2x8x30xf32>, tensor<2x8xi64>) -> tensor<2x8xf32>
  return %0, %1, %2 : tensor<f32>, tensor<f32>, tensor<2x8xf32>
}

// CHECK-LABEL: func.func @group_norm_conv
func.func @group_norm_conv(%audio: tensor<2x1x400xf32>, %w: tensor<8x1x10xf32>, %g: tensor<8xf32>,
                           %pw_g: tensor<1x1x4xf32>, %pw_v: tensor<8x2x4xf32>, %pb: tensor<8xf32>)
    -> (tensor<2x8x79xf32>, tensor<2x8x80xf32>) {
  // CHECK: enc.conv1d %{{.*}}, %{{.*}} {stride = 5 : i64} : (tensor<2x1x400xf32>, tensor<8x1x10xf32>) -> tensor<2x8x79xf32>
  %0 = enc.conv1d %audio, %w {stride = 5 : i64} : (tensor<2x1x400xf32>, tensor<8x1x10xf32>) -> tensor<2x8x79xf32>
  // CHECK: enc.group_norm %{{.*}} scale %{{.*}} bias %{{.*}} {num_groups = 8 : i64}
  %1 = enc.group_norm %0 scale %g bias %g {num_groups = 8 : i64} : (tensor<2x8x79xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x79xf32>
  // CHECK: enc.weight_norm %{{.*}}, %{{.*}} {dim = 2 : i64} : (tensor<1x1x4xf32>, tensor<8x2x4xf32>) -> tensor<8x2x4xf32>
  %w2 = enc.weight_norm %pw_g, %pw_v {dim = 2 : i64} : (tensor<1x1x4xf32>, tensor<8x2x4xf32>) -> tensor<8x2x4xf32>
  // CHECK: enc.conv1d %{{.*}}, %{{.*}} bias %{{.*}} {groups = 4 : i64, padding = 2 : i64}
  %2 = enc.conv1d %1, %w2 bias %pb {groups = 4 : i64, padding = 2 : i64} : (tensor<2x8x79xf32>, tensor<8x2x4xf32>, tensor<8xf32>) -> tensor<2x8x80xf32>
  return %1, %2 : tensor<2x8x79xf32>, tensor<2x8x80xf32>
}

// CHECK-LABEL: func.func @positions
func.func @positions(%x: tensor<?x?x64xf32>, %table: tensor<514x64xf32>, %q: tensor<2x4x?x16xf32>,
                     %rel: tensor<32x4xf32>, %n: index)
    -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<2x4x?x16xf32>, tensor<1x4x?x?xf32>) {
  // CHECK: enc.positional_encoding learned %{{.*}} table %{{.*}} {offset = 2 : i64}
  %0 = enc.positional_encoding learned %x table %table {offset = 2 : i64} : (tensor<?x?x64xf32>, tensor<514x64xf32>) -> tensor<?x?x64xf32>
  // CHECK: enc.positional_encoding sinusoidal %{{.*}} : (tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  %1 = enc.positional_encoding sinusoidal %x : (tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  // CHECK: enc.positional_encoding sinusoidal_concat
  %2 = enc.positional_encoding sinusoidal_concat %x : (tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  // CHECK: enc.rotary %{{.*}} {rotary_dim = 8 : i64} : tensor<2x4x?x16xf32>
  %3 = enc.rotary %q {rotary_dim = 8 : i64} : tensor<2x4x?x16xf32>
  // CHECK: enc.relative_position_bias %{{.*}}, %{{.*}}, %{{.*}} {bidirectional, max_distance = 128 : i64, num_buckets = 32 : i64}
  %4 = enc.relative_position_bias %rel, %n, %n {num_buckets = 32 : i64, max_distance = 128 : i64, bidirectional} : (tensor<32x4xf32>, index, index) -> tensor<1x4x?x?xf32>
  return %0, %1, %2, %3, %4 : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<2x4x?x16xf32>, tensor<1x4x?x?xf32>
}

// CHECK-LABEL: func.func @patches
func.func @patches(%pixels: tensor<?x3x32x32xf32>, %w: tensor<64x3x8x8xf32>, %b: tensor<64xf32>,
                   %cls: tensor<1x1x64xf32>, %noise: tensor<?x16xf32>)
    -> (tensor<?x17x64xf32>, tensor<?x16x192xf32>, tensor<?x4x64xf32>, tensor<?x16xf32>, tensor<?x16x64xf32>) {
  // CHECK: enc.patch_embed %{{.*}}, %{{.*}}, %{{.*}} class_token %{{.*}} {patch_size = array<i64: 8, 8>}
  %0 = enc.patch_embed %pixels, %w, %b class_token %cls {patch_size = array<i64: 8, 8>} : (tensor<?x3x32x32xf32>, tensor<64x3x8x8xf32>, tensor<64xf32>, tensor<1x1x64xf32>) -> tensor<?x17x64xf32>
  %t = enc.patch_embed %pixels, %w, %b {patch_size = array<i64: 8, 8>} : (tensor<?x3x32x32xf32>, tensor<64x3x8x8xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  // CHECK: enc.patchify %{{.*}} {normalize, patch_size = array<i64: 8, 8>} : (tensor<?x3x32x32xf32>) -> tensor<?x16x192xf32>
  %1 = enc.patchify %pixels {patch_size = array<i64: 8, 8>, normalize} : (tensor<?x3x32x32xf32>) -> tensor<?x16x192xf32>
  // CHECK: enc.random_mask %{{.*}} noise %{{.*}} {mask_ratio = 7.500000e-01 : f64}
  %keep, %mask, %restore = enc.random_mask %t noise %noise {mask_ratio = 0.75 : f64} : (tensor<?x16x64xf32>, tensor<?x16xf32>) -> (tensor<?x4xi64>, tensor<?x16xf32>, tensor<?x16xi64>)
  // CHECK: enc.random_mask %{{.*}} {mask_ratio = 7.500000e-01 : f64, seed = 3 : i64}
  %k2, %m2, %r2 = enc.random_mask %t {mask_ratio = 0.75 : f64, seed = 3 : i64} : (tensor<?x16x64xf32>) -> (tensor<?x4xi64>, tensor<?x16xf32>, tensor<?x16xi64>)
  // CHECK: enc.gather_visible %{{.*}}, %{{.*}} : (tensor<?x16x64xf32>, tensor<?x4xi64>) -> tensor<?x4x64xf32>
  %2 = enc.gather_visible %t, %keep : (tensor<?x16x64xf32>, tensor<?x4xi64>) -> tensor<?x4x64xf32>
  %3 = enc.gather_visible %t, %restore : (tensor<?x16x64xf32>, tensor<?x16xi64>) -> tensor<?x16x64xf32>
  return %0, %1, %2, %mask, %3 : tensor<?x17x64xf32>, tensor<?x16x192xf32>, tensor<?x4x64xf32>, tensor<?x16xf32>, tensor<?x16x64xf32>
}

// CHECK-LABEL: func.func @log_mel
func.func @log_mel(%audio: tensor<?x?xf32>, %fixed: tensor<1x16000xf32>) -> (tensor<?x80x?xf32>, tensor<1x80x100xf32>) {
  // CHECK: enc.log_mel %{{.*}} : (tensor<?x?xf32>) -> tensor<?x80x?xf32>
  %0 = enc.log_mel %audio : (tensor<?x?xf32>) -> tensor<?x80x?xf32>
  // CHECK: enc.log_mel %{{.*}} : (tensor<1x16000xf32>) -> tensor<1x80x100xf32>
  %1 = enc.log_mel %fixed {n_fft = 400 : i64, hop_length = 160 : i64} : (tensor<1x16000xf32>) -> tensor<1x80x100xf32>
  return %0, %1 : tensor<?x80x?xf32>, tensor<1x80x100xf32>
}

// CHECK-LABEL: func.func @similarity
func.func @similarity(%text: tensor<?x32xf32>, %image: tensor<?x32xf32>, %scale: tensor<f32>, %bias: tensor<1xf32>)
    -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x32xf32>) {
  // CHECK: enc.l2_normalize %{{.*}} : tensor<?x32xf32>
  %n = enc.l2_normalize %text : tensor<?x32xf32>
  // CHECK: enc.similarity dot %{{.*}}, %{{.*}} scale %{{.*}} {exp_scale}
  %0 = enc.similarity dot %n, %image scale %scale {exp_scale} : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<f32>) -> tensor<?x?xf32>
  // CHECK: enc.similarity cosine %{{.*}}, %{{.*}} scale %{{.*}} bias %{{.*}} :
  %1 = enc.similarity cosine %text, %image scale %scale bias %bias : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<f32>, tensor<1xf32>) -> tensor<?x?xf32>
  return %0, %1, %n : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x32xf32>
}

// CHECK-LABEL: func.func @losses
func.func @losses(%logits: tensor<?x?xf32>, %pred: tensor<2x16x48xf32>, %mask: tensor<2x16xf32>,
                  %mu: tensor<4x8xf32>, %rtd: tensor<2x9xf32>, %labels: tensor<2x9xi64>, %am: tensor<2x9xi64>,
                  %emb: tensor<4x8xf32>, %center: tensor<8xf32>)
    -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<8xf32>, tensor<4xf32>) {
  // CHECK: enc.contrastive %{{.*}} {symmetric} : (tensor<?x?xf32>) -> tensor<f32>
  %0 = enc.contrastive %logits {symmetric} : (tensor<?x?xf32>) -> tensor<f32>
  // CHECK: enc.sigmoid_contrastive %{{.*}} : (tensor<?x?xf32>) -> tensor<f32>
  %1 = enc.sigmoid_contrastive %logits : (tensor<?x?xf32>) -> tensor<f32>
  // CHECK: enc.mse %{{.*}}, %{{.*}} mask %{{.*}} :
  %2 = enc.mse %pred, %pred mask %mask : (tensor<2x16x48xf32>, tensor<2x16x48xf32>, tensor<2x16xf32>) -> tensor<f32>
  // CHECK: enc.kl_divergence %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<f32>
  %3 = enc.kl_divergence %mu, %mu : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<f32>
  // CHECK: enc.kl_divergence %{{.*}}, %{{.*}} {reduction = #enc<reduction none>} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  %9 = enc.kl_divergence %mu, %mu {reduction = #enc<reduction none>} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  // CHECK: enc.reparameterize %{{.*}}, %{{.*}} noise %{{.*}} :
  %4 = enc.reparameterize %mu, %mu noise %emb : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: enc.binary_cross_entropy %{{.*}}, %{{.*}} mask %{{.*}} : (tensor<2x9xf32>, tensor<2x9xi64>, tensor<2x9xi64>) -> tensor<f32>
  %5 = enc.binary_cross_entropy %rtd, %labels mask %am : (tensor<2x9xf32>, tensor<2x9xi64>, tensor<2x9xi64>) -> tensor<f32>
  // CHECK: enc.triplet %{{.*}}, %{{.*}}, %{{.*}} {margin = 5.000000e-01 : f64}
  %6 = enc.triplet %emb, %mu, %mu {margin = 0.5 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<f32>
  // CHECK: enc.dino_loss %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<f32>, tensor<8xf32>)
  %7, %8 = enc.dino_loss %emb, %mu, %center : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<f32>, tensor<8xf32>)
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<8xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @fused_and_packed
func.func @fused_and_packed(%x: tensor<2x5x8xf32>, %r: tensor<2x5x8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x8xf32>) {
  // CHECK: enc.packed_param ["q", "k"] {panel = 4 : i64, source_shapes = [array<i64: 4, 8>, array<i64: 4, 8>]} : tensor<2x8x4xf32>
  %w = enc.packed_param ["q", "k"] {source_shapes = [array<i64: 4, 8>, array<i64: 4, 8>], concat_dim = 0 : i64, panel = 4 : i64} : tensor<2x8x4xf32>
  // CHECK: enc.packed_param ["q.bias", "k.bias"] {source_shapes = [array<i64: 4>, array<i64: 4>]} : tensor<8xf32>
  %b = enc.packed_param ["q.bias", "k.bias"] {source_shapes = [array<i64: 4>, array<i64: 4>]} : tensor<8xf32>
  // CHECK: enc.linear %{{.*}}, %{{.*}}, %{{.*}} residual %{{.*}} {activation = #enc<activation gelu>} : (tensor<2x5x8xf32>, tensor<2x8x4xf32>, tensor<8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %y = enc.linear %x, %w, %b residual %r {activation = #enc<activation gelu>} : (tensor<2x5x8xf32>, tensor<2x8x4xf32>, tensor<8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  // CHECK: enc.layer_norm %{{.*}} residual %{{.*}} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %n = enc.layer_norm %y residual %r : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %y, %n : tensor<2x5x8xf32>, tensor<2x5x8xf32>
}

// A convolution weight packed as the matrix of its im2col matmul.
// CHECK-LABEL: func.func @packed_patch_embed
func.func @packed_patch_embed(%pixels: tensor<?x3x32x32xf32>, %b: tensor<64xf32>) -> tensor<?x16x64xf32> {
  // CHECK: enc.packed_param ["patch.weight"] {panel = 32 : i64, source_shapes = [array<i64: 64, 3, 8, 8>]} : tensor<2x192x32xf32>
  %w = enc.packed_param ["patch.weight"] {source_shapes = [array<i64: 64, 3, 8, 8>], panel = 32 : i64} : tensor<2x192x32xf32>
  // CHECK: enc.patch_embed %{{.*}}, %{{.*}}, %{{.*}} {patch_size = array<i64: 8, 8>} : (tensor<?x3x32x32xf32>, tensor<2x192x32xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  %t = enc.patch_embed %pixels, %w, %b {patch_size = array<i64: 8, 8>} : (tensor<?x3x32x32xf32>, tensor<2x192x32xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  return %t : tensor<?x16x64xf32>
}

// CHECK-LABEL: func.func @kernel_info
// CHECK: enc.kernel_info "linear" ["enc.linear", "enc.activation"] flops(%{{.*}}) bytes(%{{.*}})
func.func @kernel_info(%n: index) {
  %bytes = arith.constant 64 : index
  scf.forall (%i) in (%n) {
    enc.kernel_info "linear" ["enc.linear", "enc.activation"] flops(%n) bytes(%bytes)
  }
  return
}

// Swin's windows: partition and merge of a rolled grid, and the window bias.
// CHECK-LABEL: func.func @windows
func.func @windows(%x: tensor<?x8x12x16xf32>, %table: tensor<49x2xf32>)
    -> (tensor<?x8x12x16xf32>, tensor<1x12x16x16xf32>) {
  // CHECK: enc.window_partition %{{.*}} {shift = 2 : i64, window_size = 4 : i64} : (tensor<?x8x12x16xf32>) -> tensor<?x6x16x16xf32>
  %w = enc.window_partition %x {window_size = 4 : i64, shift = 2 : i64} : (tensor<?x8x12x16xf32>) -> tensor<?x6x16x16xf32>
  // CHECK: enc.window_merge %{{.*}} {shift = 2 : i64, window_size = 4 : i64} : (tensor<?x6x16x16xf32>) -> tensor<?x8x12x16xf32>
  %y = enc.window_merge %w {window_size = 4 : i64, shift = 2 : i64} : (tensor<?x6x16x16xf32>) -> tensor<?x8x12x16xf32>
  // CHECK: enc.window_bias %{{.*}} {grid = array<i64: 8, 12>, window_size = 4 : i64} : (tensor<49x2xf32>) -> tensor<1x12x16x16xf32>
  %b = enc.window_bias %table {window_size = 4 : i64, grid = array<i64: 8, 12>} : (tensor<49x2xf32>) -> tensor<1x12x16x16xf32>
  return %y, %b : tensor<?x8x12x16xf32>, tensor<1x12x16x16xf32>
}

// SimCLR's and MoCo's contrastive losses.
// CHECK-LABEL: func.func @contrastive_pretraining
func.func @contrastive_pretraining(%z: tensor<?x128xf32>, %q: tensor<?x128xf32>, %k: tensor<?x128xf32>,
                                   %queue: tensor<128x4096xf32>) -> (tensor<f32>, tensor<f32>) {
  // CHECK: enc.nt_xent %{{.*}} {temperature = 1.000000e-01 : f64} : (tensor<?x128xf32>) -> tensor<f32>
  %0 = enc.nt_xent %z {temperature = 0.1 : f64} : (tensor<?x128xf32>) -> tensor<f32>
  // CHECK: enc.queue_info_nce %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x128xf32>, tensor<?x128xf32>, tensor<128x4096xf32>) -> tensor<f32>
  %1 = enc.queue_info_nce %q, %k, %queue : (tensor<?x128xf32>, tensor<?x128xf32>, tensor<128x4096xf32>) -> tensor<f32>
  return %0, %1 : tensor<f32>, tensor<f32>
}

// Autoencoders: corruption, and the sparse and contractive penalties.
// CHECK-LABEL: func.func @autoencoders
func.func @autoencoders(%x: tensor<?x784xf32>, %u: tensor<?x784xf32>, %h: tensor<?x64xf32>, %w: tensor<64x784xf32>)
    -> (tensor<?x784xf32>, tensor<?x784xf32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: enc.mask_noise %{{.*}} noise %{{.*}} {rate = 2.500000e-01 : f64} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<?x784xf32>
  %0 = enc.mask_noise %x noise %u {rate = 0.25 : f64} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<?x784xf32>
  // CHECK: enc.gaussian_noise %{{.*}} {seed = 3 : i64, std = 1.000000e-01 : f64} : (tensor<?x784xf32>) -> tensor<?x784xf32>
  %1 = enc.gaussian_noise %x {std = 0.1 : f64, seed = 3 : i64} : (tensor<?x784xf32>) -> tensor<?x784xf32>
  // CHECK: enc.l1_penalty %{{.*}} : (tensor<?x64xf32>) -> tensor<f32>
  %2 = enc.l1_penalty %h : (tensor<?x64xf32>) -> tensor<f32>
  // CHECK: enc.kl_sparsity %{{.*}} : (tensor<?x64xf32>) -> tensor<f32>
  %3 = enc.kl_sparsity %h : (tensor<?x64xf32>) -> tensor<f32>
  // CHECK: enc.contractive_penalty %{{.*}}, %{{.*}} {activation = #enc<activation tanh>}
  %4 = enc.contractive_penalty %h, %w {activation = #enc<activation tanh>} : (tensor<?x64xf32>, tensor<64x784xf32>) -> tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<?x784xf32>, tensor<?x784xf32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// Bahdanau's additive attention over padded encoder states.
// CHECK-LABEL: func.func @additive_attention
func.func @additive_attention(%q: tensor<?x32xf32>, %k: tensor<?x?x32xf32>, %h: tensor<?x?x64xf32>,
                              %v: tensor<32xf32>, %m: tensor<?x?xi64>) -> (tensor<?x64xf32>, tensor<?x?xf32>) {
  // CHECK: enc.additive_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : (tensor<?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x64xf32>, tensor<32xf32>, tensor<?x?xi64>) -> (tensor<?x64xf32>, tensor<?x?xf32>)
  %c, %w = enc.additive_attention %q, %k, %h, %v mask %m
      : (tensor<?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x64xf32>, tensor<32xf32>, tensor<?x?xi64>)
      -> (tensor<?x64xf32>, tensor<?x?xf32>)
  return %c, %w : tensor<?x64xf32>, tensor<?x?xf32>
}

// NCHW image pooling.
// CHECK-LABEL: func.func @image_pooling
func.func @image_pooling(%x: tensor<?x64x112x112xf32>) -> (tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>, tensor<?x64x1x1xf32>) {
  // CHECK: enc.max_pool2d %{{.*}} {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
      : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
  // CHECK: enc.avg_pool2d %{{.*}} {count_include_pad = false, kernel_size = array<i64: 2, 2>}
  %1 = enc.avg_pool2d %x {kernel_size = array<i64: 2, 2>, count_include_pad = false}
      : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
  // CHECK: enc.adaptive_avg_pool2d %{{.*}} : (tensor<?x64x112x112xf32>) -> tensor<?x64x1x1xf32>
  %2 = enc.adaptive_avg_pool2d %x : (tensor<?x64x112x112xf32>) -> tensor<?x64x1x1xf32>
  return %0, %1, %2 : tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>, tensor<?x64x1x1xf32>
}

// CHECK-LABEL: func.func @upsample
func.func @upsample(%x: tensor<?x64x28x28xf32>) -> (tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>) {
  // CHECK: enc.upsample2d %{{.*}} {mode = #enc<upsample nearest>} : (tensor<?x64x28x28xf32>) -> tensor<?x64x56x56xf32>
  %0 = enc.upsample2d %x {mode = #enc<upsample nearest>} : (tensor<?x64x28x28xf32>) -> tensor<?x64x56x56xf32>
  // CHECK: enc.upsample2d %{{.*}} {align_corners, mode = #enc<upsample bilinear>}
  %1 = enc.upsample2d %x {mode = #enc<upsample bilinear>, align_corners} : (tensor<?x64x28x28xf32>) -> tensor<?x64x56x56xf32>
  return %0, %1 : tensor<?x64x56x56xf32>, tensor<?x64x56x56xf32>
}
