// enc.embedding with i64 and i32 ids.
func.func @main(%ids: tensor<2x6xi64> {enc.name = "ids"}, %ids32: tensor<5xi32> {enc.name = "ids32"})
    -> (tensor<2x6x12xf32>, tensor<5x12xf32>) {
  %table = enc.param "table" : tensor<30x12xf32>
  %0 = enc.embedding %ids, %table : (tensor<2x6xi64>, tensor<30x12xf32>) -> tensor<2x6x12xf32>
  %1 = enc.embedding %ids32, %table : (tensor<5xi32>, tensor<30x12xf32>) -> tensor<5x12xf32>
  return %0, %1 : tensor<2x6x12xf32>, tensor<5x12xf32>
}
