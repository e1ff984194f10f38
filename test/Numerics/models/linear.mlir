// enc.linear on rank 3 with bias, rank 1 without, and dynamic leading
// dimensions (run with the shape the reference picks).
func.func @main(%x: tensor<3x5x7xf32> {enc.name = "x"}, %v: tensor<7xf32> {enc.name = "v"},
                %d: tensor<?x?x7xf32> {enc.name = "dynamic"})
    -> (tensor<3x5x4xf32>, tensor<4xf32>, tensor<?x?x4xf32>) {
  %w = enc.param "w" : tensor<4x7xf32>
  %b = enc.param "b" : tensor<4xf32>
  %0 = enc.linear %x, %w, %b : (tensor<3x5x7xf32>, tensor<4x7xf32>, tensor<4xf32>) -> tensor<3x5x4xf32>
  %1 = enc.linear %v, %w : (tensor<7xf32>, tensor<4x7xf32>) -> tensor<4xf32>
  %2 = enc.linear %d, %w, %b : (tensor<?x?x7xf32>, tensor<4x7xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  return %0, %1, %2 : tensor<3x5x4xf32>, tensor<4xf32>, tensor<?x?x4xf32>
}
