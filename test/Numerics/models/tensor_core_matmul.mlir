// The contractions the GPU's tensor-core kernel takes (M a multiple of 32,
// N of 32, K of 16, so that both TF32 and bf16 take them): a linear layer with dynamic rows (x·Wᵀ), a batched
// product and a plain one (B as K x N); and a linear layer whose 15 rows
// leave it to the fallback kernel.
func.func @main(%x: tensor<?x?x64xf32> {enc.name = "x"}, %small: tensor<3x5x64xf32> {enc.name = "small"},
                %a: tensor<3x64x48xf32> {enc.name = "a"}, %b: tensor<3x48x32xf32> {enc.name = "b"},
                %p: tensor<32x32xf32> {enc.name = "p"}, %q: tensor<32x64xf32> {enc.name = "q"})
    -> (tensor<?x?x96xf32>, tensor<3x5x96xf32>, tensor<3x64x32xf32>, tensor<32x64xf32>) {
  %w = enc.param "w" : tensor<96x64xf32>
  %bias = enc.param "bias" : tensor<96xf32>
  %0 = enc.linear %x, %w, %bias : (tensor<?x?x64xf32>, tensor<96x64xf32>, tensor<96xf32>) -> tensor<?x?x96xf32>
  %1 = enc.linear %small, %w, %bias : (tensor<3x5x64xf32>, tensor<96x64xf32>, tensor<96xf32>) -> tensor<3x5x96xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<3x64x32xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x64x32xf32>) -> tensor<3x64x32xf32>
  %2 = linalg.batch_matmul ins(%a, %b : tensor<3x64x48xf32>, tensor<3x48x32xf32>) outs(%f2 : tensor<3x64x32xf32>) -> tensor<3x64x32xf32>
  %e3 = tensor.empty() : tensor<32x64xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %3 = linalg.matmul ins(%p, %q : tensor<32x32xf32>, tensor<32x64xf32>) outs(%f3 : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %0, %1, %2, %3 : tensor<?x?x96xf32>, tensor<3x5x96xf32>, tensor<3x64x32xf32>, tensor<32x64xf32>
}
