// enc.binary_cross_entropy: ELECTRA's form (i64 0/1 targets, attention mask,
// mean over the real tokens), soft float targets summed, i32 targets with
// an i1 mask and no reduction, and the unmasked mean.
func.func @main(%x: tensor<?x?xf32> {enc.name = "logits"}, %t: tensor<?x?xi64> {enc.name = "replaced"},
                %m: tensor<?x?xi64> {enc.name = "attention_mask"}, %soft: tensor<?x?xf32> {enc.name = "soft"},
                %t32: tensor<?x?xi32> {enc.name = "targets32"}, %keep: tensor<?x?xi1> {enc.name = "keep"})
    -> (tensor<f32>, tensor<f32>, tensor<?x?xf32>, tensor<f32>) {
  %0 = enc.binary_cross_entropy %x, %t mask %m
      : (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xi64>) -> tensor<f32>
  %1 = enc.binary_cross_entropy %x, %soft {reduction = #enc<reduction sum>}
      : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<f32>
  %2 = enc.binary_cross_entropy %x, %t32 mask %keep {reduction = #enc<reduction none>}
      : (tensor<?x?xf32>, tensor<?x?xi32>, tensor<?x?xi1>) -> tensor<?x?xf32>
  %3 = enc.binary_cross_entropy %x, %t : (tensor<?x?xf32>, tensor<?x?xi64>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<?x?xf32>, tensor<f32>
}
