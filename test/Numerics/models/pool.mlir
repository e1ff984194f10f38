// enc.pool: cls, mean, max and last, with and without padding masks.
func.func @main(%h: tensor<3x7x10xf32> {enc.name = "hidden"}, %mask: tensor<3x7xi64> {enc.name = "mask"},
                %weights: tensor<3x7xf32> {enc.name = "float_mask"})
    -> (tensor<3x10xf32>, tensor<3x10xf32>, tensor<3x10xf32>, tensor<3x10xf32>, tensor<3x10xf32>,
        tensor<3x10xf32>, tensor<3x10xf32>) {
  %0 = enc.pool cls %h : (tensor<3x7x10xf32>) -> tensor<3x10xf32>
  %1 = enc.pool mean %h : (tensor<3x7x10xf32>) -> tensor<3x10xf32>
  %2 = enc.pool mean %h mask %mask : (tensor<3x7x10xf32>, tensor<3x7xi64>) -> tensor<3x10xf32>
  %3 = enc.pool max %h : (tensor<3x7x10xf32>) -> tensor<3x10xf32>
  %4 = enc.pool max %h mask %weights : (tensor<3x7x10xf32>, tensor<3x7xf32>) -> tensor<3x10xf32>
  %5 = enc.pool last %h : (tensor<3x7x10xf32>) -> tensor<3x10xf32>
  %6 = enc.pool last %h mask %mask : (tensor<3x7x10xf32>, tensor<3x7xi64>) -> tensor<3x10xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<3x10xf32>, tensor<3x10xf32>, tensor<3x10xf32>, tensor<3x10xf32>, tensor<3x10xf32>,
      tensor<3x10xf32>, tensor<3x10xf32>
}
