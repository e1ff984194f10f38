// A tiny model for the tool tests: ids -> embedding -> mean pool -> linear.
func.func @main(%ids: tensor<2x3xi64> {enc.name = "ids"}, %x: tensor<2x3xf32> {enc.name = "x"})
    -> (tensor<2x4xf32> {enc.name = "logits"}, tensor<2x2xf32> {enc.name = "pooled"}) {
  %w = enc.param "fc.weight" : tensor<4x3xf32>
  %b = enc.param "fc.bias" : tensor<4xf32>
  %table = enc.param "emb" : tensor<5x2xf32>
  %y = enc.linear %x, %w, %b : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %e = enc.embedding %ids, %table : (tensor<2x3xi64>, tensor<5x2xf32>) -> tensor<2x3x2xf32>
  %p = enc.pool mean %e : (tensor<2x3x2xf32>) -> tensor<2x2xf32>
  return %y, %p : tensor<2x4xf32>, tensor<2x2xf32>
}

func.func @double(%x: tensor<?xf32> {enc.name = "x"}) -> tensor<?xf32> {
  %0 = arith.addf %x, %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}
