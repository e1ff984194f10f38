// Contractions with few 64x64 blocks and a long K, which the staged kernel
// splits along K (a block a tile of C and a slice of K-tiles, then a
// kernel summing the slices with the fused init and epilogue): a linear
// layer with bias, GELU and a residual on 64 rows (dynamic) and K = 448 (14
// K-tiles: slices of 5, 5 and 4), a batched product with B as K x N and
// K = 320 (two slices of 5), and a linear layer with N = 128 on 64 rows
// (dynamic), where the 128x128 block, the split and the unsplit 64x64
// block are all written and the run-time choice falls on the split.
func.func @main(%x: tensor<?x?x448xf32> {enc.name = "x"},
                %r: tensor<?x?x96xf32> {enc.name = "residual"},
                %a: tensor<3x32x320xf32> {enc.name = "a"},
                %b: tensor<3x320x32xf32> {enc.name = "b"},
                %h: tensor<?x?x256xf32> {enc.name = "h"})
    -> (tensor<?x?x96xf32>, tensor<3x32x32xf32>, tensor<?x?x128xf32>) {
  %w = enc.param "w" : tensor<96x448xf32>
  %bias = enc.param "bias" : tensor<96xf32>
  %0 = enc.linear %x, %w, %bias residual %r {activation = #enc<activation gelu>}
      : (tensor<?x?x448xf32>, tensor<96x448xf32>, tensor<96xf32>, tensor<?x?x96xf32>) -> tensor<?x?x96xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x32x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<3x32x32xf32>) -> tensor<3x32x32xf32>
  %1 = linalg.batch_matmul ins(%a, %b : tensor<3x32x320xf32>, tensor<3x320x32xf32>) outs(%f : tensor<3x32x32xf32>) -> tensor<3x32x32xf32>
  %w2 = enc.param "w2" : tensor<128x256xf32>
  %2 = enc.linear %h, %w2 : (tensor<?x?x256xf32>, tensor<128x256xf32>) -> tensor<?x?x128xf32>
  return %0, %1, %2 : tensor<?x?x96xf32>, tensor<3x32x32xf32>, tensor<?x?x128xf32>
}
