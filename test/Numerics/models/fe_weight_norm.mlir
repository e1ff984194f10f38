// enc.weight_norm over dim 2 and dim 0, and wav2vec 2.0's positional
// convolution: a weight-normed (dim 2) grouped convolution with padding
// kernel / 2, on dynamic batch and sequence.
func.func @main(%h: tensor<?x8x?xf32> {enc.name = "hidden"})
    -> (tensor<6x3x5xf32>, tensor<4x3x2xf32>, tensor<?x8x?xf32>) {
  %g0 = enc.param "w0.weight_g" : tensor<1x1x5xf32>
  %v0 = enc.param "w0.weight_v" : tensor<6x3x5xf32>
  %g1 = enc.param "w1.weight_g" : tensor<4x1x1xf32>
  %v1 = enc.param "w1.weight_v" : tensor<4x3x2xf32>
  %gc = enc.param "pos_conv.weight_g" : tensor<1x1x6xf32>
  %vc = enc.param "pos_conv.weight_v" : tensor<8x2x6xf32>
  %bc = enc.param "pos_conv.bias" : tensor<8xf32>
  %0 = enc.weight_norm %g0, %v0 {dim = 2 : i64} : (tensor<1x1x5xf32>, tensor<6x3x5xf32>) -> tensor<6x3x5xf32>
  %1 = enc.weight_norm %g1, %v1 {dim = 0 : i64} : (tensor<4x1x1xf32>, tensor<4x3x2xf32>) -> tensor<4x3x2xf32>
  %wc = enc.weight_norm %gc, %vc {dim = 2 : i64} : (tensor<1x1x6xf32>, tensor<8x2x6xf32>) -> tensor<8x2x6xf32>
  %2 = enc.conv1d %h, %wc bias %bc {padding = 3 : i64, groups = 4 : i64}
      : (tensor<?x8x?xf32>, tensor<8x2x6xf32>, tensor<8xf32>) -> tensor<?x8x?xf32>
  return %0, %1, %2 : tensor<6x3x5xf32>, tensor<4x3x2xf32>, tensor<?x8x?xf32>
}
