// Linears that enc-pack-weights packs and that lower to the micro-kernel:
// row counts that are not a multiple of the register block (13 rows of a
// [1, 13, 40] input, 3 rows, 1 row of a vector), three panels of output, a
// bias, every epilogue (gelu then a residual add), and a convolution weight
// packed for enc.patch_embed (im2col).
func.func @main(%x: tensor<1x13x40xf32> {enc.name = "x"},
                %r: tensor<1x13x96xf32> {enc.name = "residual"},
                %y: tensor<3x40xf32> {enc.name = "y"},
                %v: tensor<40xf32> {enc.name = "v"},
                %pixels: tensor<2x3x12x8xf32> {enc.name = "pixels"})
    -> (tensor<1x13x96xf32>, tensor<3x96xf32>, tensor<96xf32>, tensor<2x7x32xf32>) {
  %w = enc.param "w" : tensor<96x40xf32>
  %b = enc.param "b" : tensor<96xf32>
  %fused = enc.linear %x, %w, %b residual %r {activation = #enc<activation gelu>}
      : (tensor<1x13x40xf32>, tensor<96x40xf32>, tensor<96xf32>, tensor<1x13x96xf32>) -> tensor<1x13x96xf32>
  %plain = enc.linear %y, %w : (tensor<3x40xf32>, tensor<96x40xf32>) -> tensor<3x96xf32>
  %vector = enc.linear %v, %w, %b : (tensor<40xf32>, tensor<96x40xf32>, tensor<96xf32>) -> tensor<96xf32>
  %pw = enc.param "patch.weight" : tensor<32x3x4x4xf32>
  %pb = enc.param "patch.bias" : tensor<32xf32>
  %cls = enc.param "cls" : tensor<1x1x32xf32>
  %tokens = enc.patch_embed %pixels, %pw, %pb class_token %cls {patch_size = array<i64: 4, 4>}
      : (tensor<2x3x12x8xf32>, tensor<32x3x4x4xf32>, tensor<32xf32>, tensor<1x1x32xf32>) -> tensor<2x7x32xf32>
  return %fused, %plain, %vector, %tokens : tensor<1x13x96xf32>, tensor<3x96xf32>, tensor<96xf32>, tensor<2x7x32xf32>
}
