// enc.triplet with the default margin on a dynamic batch, and a static case
// with margin 0.3.
func.func @main(%a: tensor<?x16xf32> {enc.name = "anchor"}, %p: tensor<?x16xf32> {enc.name = "positive"},
                %n: tensor<?x16xf32> {enc.name = "negative"}, %a2: tensor<6x10xf32> {enc.name = "anchor2"},
                %p2: tensor<6x10xf32> {enc.name = "positive2"}, %n2: tensor<6x10xf32> {enc.name = "negative2"})
    -> (tensor<f32>, tensor<f32>) {
  %0 = enc.triplet %a, %p, %n : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<f32>
  %1 = enc.triplet %a2, %p2, %n2 {margin = 0.3 : f64}
      : (tensor<6x10xf32>, tensor<6x10xf32>, tensor<6x10xf32>) -> tensor<f32>
  return %0, %1 : tensor<f32>, tensor<f32>
}
