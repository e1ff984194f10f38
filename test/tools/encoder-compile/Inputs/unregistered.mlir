// An op of a dialect encoder-compile does not have.
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = "foo.bar"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
