// Image pooling on an odd-sized NCHW input (11 x 12): ResNet's 3x3/2 max
// pool with padding, a dilated ceil-mode max pool, a rectangular one;
// average pools with and without the padding in the divisor (ceil mode), a
// default-stride one; adaptive average pooling to 1 x 1 and to uneven
// 3 x 4 bins.
func.func @main(%x: tensor<?x3x11x12xf32> {enc.name = "x"})
    -> (tensor<?x3x6x6xf32>, tensor<?x3x5x6xf32>, tensor<?x3x12x7xf32>, tensor<?x3x6x6xf32>,
        tensor<?x3x6x7xf32>, tensor<?x3x5x6xf32>, tensor<?x3x1x1xf32>, tensor<?x3x3x4xf32>) {
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
      : (tensor<?x3x11x12xf32>) -> tensor<?x3x6x6xf32>
  %1 = enc.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
                          dilation = array<i64: 2, 2>, ceil_mode}
      : (tensor<?x3x11x12xf32>) -> tensor<?x3x5x6xf32>
  %2 = enc.max_pool2d %x {kernel_size = array<i64: 2, 3>, stride = array<i64: 1, 2>, padding = array<i64: 1, 1>, ceil_mode}
      : (tensor<?x3x11x12xf32>) -> tensor<?x3x12x7xf32>
  %3 = enc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
      : (tensor<?x3x11x12xf32>) -> tensor<?x3x6x6xf32>
  %4 = enc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
                          ceil_mode, count_include_pad = false}
      : (tensor<?x3x11x12xf32>) -> tensor<?x3x6x7xf32>
  %5 = enc.avg_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x3x11x12xf32>) -> tensor<?x3x5x6xf32>
  %6 = enc.adaptive_avg_pool2d %x : (tensor<?x3x11x12xf32>) -> tensor<?x3x1x1xf32>
  %7 = enc.adaptive_avg_pool2d %x : (tensor<?x3x11x12xf32>) -> tensor<?x3x3x4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<?x3x6x6xf32>, tensor<?x3x5x6xf32>, tensor<?x3x12x7xf32>,
      tensor<?x3x6x6xf32>, tensor<?x3x6x7xf32>, tensor<?x3x5x6xf32>, tensor<?x3x1x1xf32>, tensor<?x3x3x4xf32>
}
