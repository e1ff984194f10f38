// Swin's windows on a rectangular grid (8 x 12 tokens, windows of 4, 3
// heads): the shifted partition of one input, the shifted merge of another,
// and the window bias with and without the shift's region mask.
func.func @main(%x: tensor<?x8x12x5xf32> {enc.name = "grid"},
                %w: tensor<?x6x16x5xf32> {enc.name = "windows"})
    -> (tensor<?x6x16x5xf32>, tensor<?x8x12x5xf32>, tensor<1x18x16x16xf32>,
        tensor<1x18x16x16xf32>) {
  %t = enc.param "relative_position_bias_table" : tensor<49x3xf32>
  %0 = enc.window_partition %x {window_size = 4 : i64, shift = 2 : i64}
      : (tensor<?x8x12x5xf32>) -> tensor<?x6x16x5xf32>
  %1 = enc.window_merge %w {window_size = 4 : i64, shift = 2 : i64}
      : (tensor<?x6x16x5xf32>) -> tensor<?x8x12x5xf32>
  %2 = enc.window_bias %t {window_size = 4 : i64, shift = 2 : i64, grid = array<i64: 8, 12>}
      : (tensor<49x3xf32>) -> tensor<1x18x16x16xf32>
  %3 = enc.window_bias %t {window_size = 4 : i64, grid = array<i64: 8, 12>}
      : (tensor<49x3xf32>) -> tensor<1x18x16x16xf32>
  return %0, %1, %2, %3 : tensor<?x6x16x5xf32>, tensor<?x8x12x5xf32>,
      tensor<1x18x16x16xf32>, tensor<1x18x16x16xf32>
}
