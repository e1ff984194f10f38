// enc.contrastive: CLIP's symmetric loss and one-directional InfoNCE on
// dynamic logits (large enough that exp would overflow without the max
// shift), and a static case.
func.func @main(%logits: tensor<?x?xf32> {enc.name = "logits"}, %small: tensor<5x5xf32> {enc.name = "small"})
    -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %0 = enc.contrastive %logits {symmetric} : (tensor<?x?xf32>) -> tensor<f32>
  %1 = enc.contrastive %logits : (tensor<?x?xf32>) -> tensor<f32>
  %2 = enc.contrastive %small {symmetric} : (tensor<5x5xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<f32>, tensor<f32>, tensor<f32>
}
