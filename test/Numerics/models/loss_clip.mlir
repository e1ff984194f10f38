// CLIP's objective end to end: normalize both embedding batches, logits =
// exp(logit_scale) * text · imageᵀ, symmetric contrastive loss. The 0-d
// logit_scale comes in as an input, as from a training loop.
func.func @main(%text: tensor<?x32xf32> {enc.name = "text_embeds"}, %image: tensor<?x32xf32> {enc.name = "image_embeds"},
                %scale: tensor<f32> {enc.name = "logit_scale"})
    -> (tensor<f32>, tensor<?x?xf32>) {
  %t = enc.l2_normalize %text : tensor<?x32xf32>
  %i = enc.l2_normalize %image : tensor<?x32xf32>
  %logits = enc.similarity dot %t, %i scale %scale {exp_scale}
      : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<f32>) -> tensor<?x?xf32>
  %loss = enc.contrastive %logits {symmetric} : (tensor<?x?xf32>) -> tensor<f32>
  return %loss, %logits : tensor<f32>, tensor<?x?xf32>
}
