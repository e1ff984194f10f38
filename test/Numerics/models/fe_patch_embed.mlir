// enc.patch_embed: ViT's embedding with a class token on a non-square image,
// and rectangular patches without one on dynamic batch, height and width.
func.func @main(%p: tensor<2x3x8x12xf32> {enc.name = "pixels"}, %q: tensor<?x2x?x?xf32> {enc.name = "dynamic_pixels"})
    -> (tensor<2x7x6xf32>, tensor<?x?x5xf32>) {
  %w = enc.param "patch_embeddings.projection.weight" : tensor<6x3x4x4xf32>
  %b = enc.param "patch_embeddings.projection.bias" : tensor<6xf32>
  %cls = enc.param "cls_token" : tensor<1x1x6xf32>
  %w2 = enc.param "rect.weight" : tensor<5x2x4x2xf32>
  %b2 = enc.param "rect.bias" : tensor<5xf32>
  %0 = enc.patch_embed %p, %w, %b class_token %cls {patch_size = array<i64: 4, 4>}
      : (tensor<2x3x8x12xf32>, tensor<6x3x4x4xf32>, tensor<6xf32>, tensor<1x1x6xf32>) -> tensor<2x7x6xf32>
  %1 = enc.patch_embed %q, %w2, %b2 {patch_size = array<i64: 4, 2>}
      : (tensor<?x2x?x?xf32>, tensor<5x2x4x2xf32>, tensor<5xf32>) -> tensor<?x?x5xf32>
  return %0, %1 : tensor<2x7x6xf32>, tensor<?x?x5xf32>
}
