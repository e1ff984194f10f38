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
                     %m: tensor<2x1x1x6xf32>, %bm: tensor<1x4x8x6xi1>) -> (tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>) {
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {scale = 1.250000e-01 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<2x1x1x6xf32>) -> tensor<2x4x8x32xf32>
  %0 = enc.attention %q, %k, %v mask %m {scale = 0.125 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<2x1x1x6xf32>) -> tensor<2x4x8x32xf32>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} {causal} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>) -> tensor<2x4x8x32xf32>
  %1 = enc.attention %q, %k, %v {causal} : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>) -> tensor<2x4x8x32xf32>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : ({{.*}}, tensor<1x4x8x6xi1>) -> tensor<2x4x8x32xf32>
  %2 = enc.attention %q, %k, %v mask %bm : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<1x4x8x6xi1>) -> tensor<2x4x8x32xf32>
  %im = tensor.empty() : tensor<2x1x1x6xi64>
  // CHECK: enc.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : ({{.*}}, tensor<2x1x1x6xi64>) -> tensor<2x4x8x32xf32>
  %3 = enc.attention %q, %k, %v mask %im : (tensor<2x4x8x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x32xf32>, tensor<2x1x1x6xi64>) -> tensor<2x4x8x32xf32>
  return %0, %1, %3 : tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>, tensor<2x4x8x32xf32>
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
