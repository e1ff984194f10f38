// enc.sigmoid_contrastive (SigLIP) on moderate and on large logits, where a
// naive log(sigmoid(x)) would give -inf.
func.func @main(%logits: tensor<?x?xf32> {enc.name = "logits"}, %large: tensor<6x6xf32> {enc.name = "large"})
    -> (tensor<f32>, tensor<f32>) {
  %0 = enc.sigmoid_contrastive %logits : (tensor<?x?xf32>) -> tensor<f32>
  %1 = enc.sigmoid_contrastive %large : (tensor<6x6xf32>) -> tensor<f32>
  return %0, %1 : tensor<f32>, tensor<f32>
}
