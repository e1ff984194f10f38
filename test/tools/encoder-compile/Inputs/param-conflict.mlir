func.func @main() -> (tensor<4xf32>, tensor<5xf32>) {
  %a = enc.param "w" : tensor<4xf32>
  %b = enc.param "w" : tensor<4xf32>
  %c = enc.param "w" : tensor<5xf32>
  return %a, %c : tensor<4xf32>, tensor<5xf32>
}
