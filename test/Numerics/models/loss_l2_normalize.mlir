// enc.l2_normalize: dynamic rows (one of them zero, so the epsilon clamp
// decides), and rank 3 with a custom epsilon.
func.func @main(%x: tensor<?x16xf32> {enc.name = "x"}, %y: tensor<2x3x8xf32> {enc.name = "y"})
    -> (tensor<?x16xf32>, tensor<2x3x8xf32>) {
  %0 = enc.l2_normalize %x : tensor<?x16xf32>
  %1 = enc.l2_normalize %y {epsilon = 1.0e-3 : f64} : tensor<2x3x8xf32>
  return %0, %1 : tensor<?x16xf32>, tensor<2x3x8xf32>
}
