func.func @main(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %w = enc.param "w" : tensor<4x5xf32>
  %y = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
