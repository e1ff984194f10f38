func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = enc.activation gelu %x : tensor<2x3xf32
  return %y : tensor<2x3xf32>
}
