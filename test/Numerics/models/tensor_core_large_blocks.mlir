// Contractions large enough for the staged kernel's 128x128 blocks (M a
// multiple of 64 and at least 256 such blocks): a linear layer with bias,
// GELU and a residual (x·Wᵀ, 4096 rows), the same layer on 4128 rows
// (M % 64 != 0: 64x64 blocks at run time) and on 128 rows (too few
// blocks: 64x64), and a batched product with B as K x N (4 x 1024 x 1024).
func.func @main(%x: tensor<?x?x64xf32> {enc.name = "x"},
                %r: tensor<?x?x1024xf32> {enc.name = "residual"},
                %odd: tensor<?x?x64xf32> {enc.name = "odd"},
                %few: tensor<?x?x64xf32> {enc.name = "few"},
                %a: tensor<4x1024x64xf32> {enc.name = "a"},
                %b: tensor<4x64x1024xf32> {enc.name = "b"})
    -> (tensor<?x?x1024xf32>, tensor<?x?x1024xf32>, tensor<?x?x1024xf32>, tensor<4x1024x1024xf32>) {
  %w = enc.param "w" : tensor<1024x64xf32>
  %bias = enc.param "bias" : tensor<1024xf32>
  %0 = enc.linear %x, %w, %bias residual %r {activation = #enc<activation gelu>}
      : (tensor<?x?x64xf32>, tensor<1024x64xf32>, tensor<1024xf32>, tensor<?x?x1024xf32>) -> tensor<?x?x1024xf32>
  %1 = enc.linear %odd, %w, %bias : (tensor<?x?x64xf32>, tensor<1024x64xf32>, tensor<1024xf32>) -> tensor<?x?x1024xf32>
  %2 = enc.linear %few, %w, %bias : (tensor<?x?x64xf32>, tensor<1024x64xf32>, tensor<1024xf32>) -> tensor<?x?x1024xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x1024x1024xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x1024x1024xf32>) -> tensor<4x1024x1024xf32>
  %3 = linalg.batch_matmul ins(%a, %b : tensor<4x1024x64xf32>, tensor<4x64x1024xf32>) outs(%f : tensor<4x1024x1024xf32>) -> tensor<4x1024x1024xf32>
  return %0, %1, %2, %3 : tensor<?x?x1024xf32>, tensor<?x?x1024xf32>, tensor<?x?x1024xf32>, tensor<4x1024x1024xf32>
}
