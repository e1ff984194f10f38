// enc.attention variants: an additive float mask broadcast over heads and
// queries, causal self-attention, causal with more keys than queries, a
// boolean mask per head, an integer padding mask with an explicit scale,
// and a bias shared by the batch (T5's positions) beside a padding mask or a
// causal cut.
func.func @main(%q: tensor<2x3x6x8xf32> {enc.name = "q"}, %k: tensor<2x3x6x8xf32> {enc.name = "k"},
                %v: tensor<2x3x6x5xf32> {enc.name = "v"}, %kl: tensor<2x3x9x8xf32> {enc.name = "k_long"},
                %vl: tensor<2x3x9x5xf32> {enc.name = "v_long"}, %additive: tensor<2x1x1x6xf32> {enc.name = "additive_mask"},
                %keep: tensor<1x3x6x6xi1> {enc.name = "bool_mask"}, %padding: tensor<2x1x1x6xi64> {enc.name = "padding_mask"},
                %bias: tensor<1x3x6x6xf32> {enc.name = "bias"}, %query_bias: tensor<1x1x6x9xf32> {enc.name = "query_bias"})
    -> (tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>) {
  %0 = enc.attention %q, %k, %v mask %additive : (tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x5xf32>, tensor<2x1x1x6xf32>) -> tensor<2x3x6x5xf32>
  %1 = enc.attention %q, %k, %v {causal} : (tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x5xf32>) -> tensor<2x3x6x5xf32>
  %2 = enc.attention %q, %kl, %vl {causal} : (tensor<2x3x6x8xf32>, tensor<2x3x9x8xf32>, tensor<2x3x9x5xf32>) -> tensor<2x3x6x5xf32>
  %3 = enc.attention %q, %k, %v mask %keep : (tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x5xf32>, tensor<1x3x6x6xi1>) -> tensor<2x3x6x5xf32>
  %4 = enc.attention %q, %k, %v mask %padding {scale = 0.3 : f64} : (tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x5xf32>, tensor<2x1x1x6xi64>) -> tensor<2x3x6x5xf32>
  %5 = enc.attention %q, %k, %v bias %bias mask %padding {scale = 1.0 : f64} : (tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x5xf32>, tensor<1x3x6x6xf32>, tensor<2x1x1x6xi64>) -> tensor<2x3x6x5xf32>
  %6 = enc.attention %q, %kl, %vl bias %query_bias {causal} : (tensor<2x3x6x8xf32>, tensor<2x3x9x8xf32>, tensor<2x3x9x5xf32>, tensor<1x1x6x9xf32>) -> tensor<2x3x6x5xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>, tensor<2x3x6x5xf32>
}
