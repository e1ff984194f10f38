// Every enc.activation kind on the same input.
func.func @main(%x: tensor<16x64xf32> {enc.name = "x"})
    -> (tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>,
        tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>) {
  %0 = enc.activation gelu %x : tensor<16x64xf32>
  %1 = enc.activation gelu_tanh %x : tensor<16x64xf32>
  %2 = enc.activation quick_gelu %x : tensor<16x64xf32>
  %3 = enc.activation relu %x : tensor<16x64xf32>
  %4 = enc.activation silu %x : tensor<16x64xf32>
  %5 = enc.activation sigmoid %x : tensor<16x64xf32>
  %6 = enc.activation tanh %x : tensor<16x64xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>,
      tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>
}
