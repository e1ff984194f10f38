func.func @main(%x: tensor<64x96xf32> {enc.name = "x"}) -> tensor<64x128xf32> {
  %w = enc.param "w" : tensor<128x96xf32>
  %b = enc.param "b" : tensor<128xf32>
  %y = enc.linear %x, %w, %b : (tensor<64x96xf32>, tensor<128x96xf32>, tensor<128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}
