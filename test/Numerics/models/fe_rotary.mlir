// enc.rotary: every feature rotated, a partial rotary_dim with an offset,
// dynamic batch and sequence with another base, and a large offset (the
// angles of position ~4000 need the reduction in f64).
func.func @main(%x: tensor<2x3x7x8xf32> {enc.name = "x"}, %d: tensor<?x2x?x6xf32> {enc.name = "dynamic"})
    -> (tensor<2x3x7x8xf32>, tensor<2x3x7x8xf32>, tensor<?x2x?x6xf32>, tensor<2x3x7x8xf32>) {
  %0 = enc.rotary %x : tensor<2x3x7x8xf32>
  %1 = enc.rotary %x {rotary_dim = 4 : i64, offset = 5 : i64} : tensor<2x3x7x8xf32>
  %2 = enc.rotary %d {base = 500.0 : f64} : tensor<?x2x?x6xf32>
  %3 = enc.rotary %x {offset = 4000 : i64} : tensor<2x3x7x8xf32>
  return %0, %1, %2, %3 : tensor<2x3x7x8xf32>, tensor<2x3x7x8xf32>, tensor<?x2x?x6xf32>, tensor<2x3x7x8xf32>
}
