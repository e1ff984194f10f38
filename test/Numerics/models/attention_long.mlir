// enc.attention at sequence lengths that are no multiple of the flash
// lowering's blocks (333 queries, 517 keys), all of them dynamic: a padding
// mask that hides the first key blocks of one sequence entirely, causal
// with fewer queries than keys, causal with a per-head boolean mask, causal
// with more queries than keys and an explicit scale, and an additive mask
// that varies along queries and keys.
func.func @main(%q: tensor<2x4x?x64xf32> {enc.name = "q"},
                %k: tensor<2x4x?x64xf32> {enc.name = "k"},
                %v: tensor<2x4x?x48xf32> {enc.name = "v"},
                %padding: tensor<2x1x1x?xi64> {enc.name = "padding_mask"},
                %keep: tensor<1x4x?x?xi1> {enc.name = "bool_mask"},
                %additive: tensor<2x1x?x?xf32> {enc.name = "additive_mask"})
    -> (tensor<2x4x?x48xf32>, tensor<2x4x?x48xf32>, tensor<2x4x?x48xf32>,
        tensor<2x4x?x64xf32>, tensor<2x4x?x48xf32>) {
  %0 = enc.attention %q, %k, %v mask %padding
      : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x48xf32>, tensor<2x1x1x?xi64>) -> tensor<2x4x?x48xf32>
  %1 = enc.attention %q, %k, %v {causal}
      : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x48xf32>) -> tensor<2x4x?x48xf32>
  %2 = enc.attention %q, %k, %v mask %keep {causal}
      : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x48xf32>, tensor<1x4x?x?xi1>) -> tensor<2x4x?x48xf32>
  %3 = enc.attention %k, %q, %q {causal, scale = 0.1 : f64}
      : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>) -> tensor<2x4x?x64xf32>
  %4 = enc.attention %q, %k, %v mask %additive
      : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x48xf32>, tensor<2x1x?x?xf32>) -> tensor<2x4x?x48xf32>
  return %0, %1, %2, %3, %4 : tensor<2x4x?x48xf32>, tensor<2x4x?x48xf32>, tensor<2x4x?x48xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x48xf32>
}
