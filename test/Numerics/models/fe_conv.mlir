// enc.conv1d: wav2vec 2.0's first feature layer (kernel 10, stride 5, no
// bias), a padded strided convolution with bias on dynamic batch and time,
// and a grouped convolution (groups 4, even kernel, padding 2).
func.func @main(%audio: tensor<2x1x400xf32> {enc.name = "audio"}, %x: tensor<?x4x?xf32> {enc.name = "x"},
                %h: tensor<2x8x16xf32> {enc.name = "hidden"})
    -> (tensor<2x6x79xf32>, tensor<?x5x?xf32>, tensor<2x8x17xf32>) {
  %w0 = enc.param "conv0.weight" : tensor<6x1x10xf32>
  %w1 = enc.param "conv1.weight" : tensor<5x4x3xf32>
  %b1 = enc.param "conv1.bias" : tensor<5xf32>
  %w2 = enc.param "conv2.weight" : tensor<8x2x4xf32>
  %b2 = enc.param "conv2.bias" : tensor<8xf32>
  %0 = enc.conv1d %audio, %w0 {stride = 5 : i64} : (tensor<2x1x400xf32>, tensor<6x1x10xf32>) -> tensor<2x6x79xf32>
  %1 = enc.conv1d %x, %w1 bias %b1 {stride = 2 : i64, padding = 1 : i64}
      : (tensor<?x4x?xf32>, tensor<5x4x3xf32>, tensor<5xf32>) -> tensor<?x5x?xf32>
  %2 = enc.conv1d %h, %w2 bias %b2 {padding = 2 : i64, groups = 4 : i64}
      : (tensor<2x8x16xf32>, tensor<8x2x4xf32>, tensor<8xf32>) -> tensor<2x8x17xf32>
  return %0, %1, %2 : tensor<2x6x79xf32>, tensor<?x5x?xf32>, tensor<2x8x17xf32>
}
