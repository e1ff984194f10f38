// enc.patchify: MAE's reconstruction target, plain and normalized per patch,
// and normalized with rectangular patches on dynamic batch, height and width.
func.func @main(%p: tensor<2x3x8x8xf32> {enc.name = "pixels"}, %q: tensor<?x2x?x?xf32> {enc.name = "dynamic_pixels"})
    -> (tensor<2x4x48xf32>, tensor<2x4x48xf32>, tensor<?x?x16xf32>) {
  %0 = enc.patchify %p {patch_size = array<i64: 4, 4>} : (tensor<2x3x8x8xf32>) -> tensor<2x4x48xf32>
  %1 = enc.patchify %p {patch_size = array<i64: 4, 4>, normalize} : (tensor<2x3x8x8xf32>) -> tensor<2x4x48xf32>
  %2 = enc.patchify %q {patch_size = array<i64: 2, 4>, normalize} : (tensor<?x2x?x?xf32>) -> tensor<?x?x16xf32>
  return %0, %1, %2 : tensor<2x4x48xf32>, tensor<2x4x48xf32>, tensor<?x?x16xf32>
}
