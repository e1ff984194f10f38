// enc.similarity: plain dot products, cosine with a linear scale and a [1]
// bias, and dot with CLIP/SigLIP's log-stored scale and a 0-d bias.
func.func @main(%a: tensor<?x12xf32> {enc.name = "a"}, %b: tensor<?x12xf32> {enc.name = "b"},
                %scale: tensor<1xf32> {enc.name = "scale"}, %bias: tensor<1xf32> {enc.name = "bias"},
                %log_scale: tensor<f32> {enc.name = "log_scale"}, %bias0: tensor<f32> {enc.name = "bias0"})
    -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = enc.similarity dot %a, %b : (tensor<?x12xf32>, tensor<?x12xf32>) -> tensor<?x?xf32>
  %1 = enc.similarity cosine %a, %b scale %scale bias %bias
      : (tensor<?x12xf32>, tensor<?x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?xf32>
  %2 = enc.similarity dot %a, %b scale %log_scale bias %bias0 {exp_scale}
      : (tensor<?x12xf32>, tensor<?x12xf32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return %0, %1, %2 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}
