// enc.rms_norm with and without the scale; rows with a nonzero mean, which
// RMS norm keeps (it subtracts none).
func.func @main(%x: tensor<4x6x48xf32> {enc.name = "x"}) -> (tensor<4x6x48xf32>, tensor<4x6x48xf32>) {
  %g = enc.param "weight" : tensor<48xf32>
  %0 = enc.rms_norm %x scale %g {epsilon = 1.0e-6 : f64} : (tensor<4x6x48xf32>, tensor<48xf32>) -> tensor<4x6x48xf32>
  %1 = enc.rms_norm %x {epsilon = 1.0e-3 : f64} : (tensor<4x6x48xf32>) -> tensor<4x6x48xf32>
  return %0, %1 : tensor<4x6x48xf32>, tensor<4x6x48xf32>
}
