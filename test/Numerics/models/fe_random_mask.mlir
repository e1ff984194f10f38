// enc.random_mask with the noise given (as Hugging Face's ViTMAE takes it),
// then MAE's gathers: the visible tokens (ids_keep) and the decoder's
// unshuffle (ids_restore, i32). A second call has a dynamic patch count, so
// keep = floor(patches · (1 - mask_ratio)) is computed at run time.
func.func @main(%tokens: tensor<?x10x4xf32> {enc.name = "tokens"}, %noise: tensor<?x10xf32> {enc.name = "noise"},
                %shuffled: tensor<?x10x4xf32> {enc.name = "decoder_tokens"},
                %t2: tensor<?x?x3xf32> {enc.name = "tokens2"}, %n2: tensor<?x?xf32> {enc.name = "noise2"})
    -> (tensor<?x2xi64>, tensor<?x10xf32>, tensor<?x10xi64>, tensor<?x2x4xf32>, tensor<?x10x4xf32>,
        tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>) {
  %keep, %mask, %restore = enc.random_mask %tokens noise %noise {mask_ratio = 0.75 : f64}
      : (tensor<?x10x4xf32>, tensor<?x10xf32>) -> (tensor<?x2xi64>, tensor<?x10xf32>, tensor<?x10xi32>)
  %visible = enc.gather_visible %tokens, %keep : (tensor<?x10x4xf32>, tensor<?x2xi64>) -> tensor<?x2x4xf32>
  %unshuffled = enc.gather_visible %shuffled, %restore : (tensor<?x10x4xf32>, tensor<?x10xi32>) -> tensor<?x10x4xf32>
  %restore64 = arith.extsi %restore : tensor<?x10xi32> to tensor<?x10xi64>
  %keep2, %mask2, %restore2 = enc.random_mask %t2 noise %n2 {mask_ratio = 0.6 : f64}
      : (tensor<?x?x3xf32>, tensor<?x?xf32>) -> (tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>)
  return %keep, %mask, %restore64, %visible, %unshuffled, %keep2, %mask2, %restore2
      : tensor<?x2xi64>, tensor<?x10xf32>, tensor<?x10xi64>, tensor<?x2x4xf32>, tensor<?x10x4xf32>,
        tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>
}
