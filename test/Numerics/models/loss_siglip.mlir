// SigLIP's objective end to end: cosine logits with the learned log scale and
// bias, then the pairwise sigmoid loss.
func.func @main(%text: tensor<?x24xf32> {enc.name = "text_embeds"}, %image: tensor<?x24xf32> {enc.name = "image_embeds"})
    -> tensor<f32> {
  %scale = enc.param "logit_scale" : tensor<1xf32>
  %bias = enc.param "logit_bias" : tensor<1xf32>
  %logits = enc.similarity cosine %text, %image scale %scale bias %bias {exp_scale}
      : (tensor<?x24xf32>, tensor<?x24xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?xf32>
  %loss = enc.sigmoid_contrastive %logits : (tensor<?x?xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
