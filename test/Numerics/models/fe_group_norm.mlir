// enc.group_norm: three groups of two channels with the affine transform,
// one group per channel (wav2vec 2.0's first feature layer) on dynamic batch
// and time without it, and a rank-4 input in a single group.
func.func @main(%x: tensor<2x6x10xf32> {enc.name = "x"}, %d: tensor<?x8x?xf32> {enc.name = "dynamic"},
                %img: tensor<2x4x3x5xf32> {enc.name = "image"})
    -> (tensor<2x6x10xf32>, tensor<?x8x?xf32>, tensor<2x4x3x5xf32>) {
  %g = enc.param "weight" : tensor<6xf32>
  %b = enc.param "bias" : tensor<6xf32>
  %0 = enc.group_norm %x scale %g bias %b {num_groups = 3 : i64, epsilon = 1.0e-5 : f64}
      : (tensor<2x6x10xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x10xf32>
  %1 = enc.group_norm %d {num_groups = 8 : i64} : (tensor<?x8x?xf32>) -> tensor<?x8x?xf32>
  %2 = enc.group_norm %img {num_groups = 1 : i64, epsilon = 1.0e-6 : f64} : (tensor<2x4x3x5xf32>) -> tensor<2x4x3x5xf32>
  return %0, %1, %2 : tensor<2x6x10xf32>, tensor<?x8x?xf32>, tensor<2x4x3x5xf32>
}
