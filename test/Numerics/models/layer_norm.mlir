// enc.layer_norm with and without the affine transform; the reference feeds
// rows with a large mean, where a one-pass variance would lose precision.
func.func @main(%x: tensor<4x6x48xf32> {enc.name = "x"}) -> (tensor<4x6x48xf32>, tensor<4x6x48xf32>) {
  %g = enc.param "weight" : tensor<48xf32>
  %b = enc.param "bias" : tensor<48xf32>
  %0 = enc.layer_norm %x scale %g bias %b {epsilon = 1.0e-5 : f64} : (tensor<4x6x48xf32>, tensor<48xf32>, tensor<48xf32>) -> tensor<4x6x48xf32>
  %1 = enc.layer_norm %x {epsilon = 1.0e-6 : f64} : (tensor<4x6x48xf32>) -> tensor<4x6x48xf32>
  return %0, %1 : tensor<4x6x48xf32>, tensor<4x6x48xf32>
}
