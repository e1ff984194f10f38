// enc.mse: the plain mean over a dynamic batch, and MAE's masked form
// (per-patch mean, averaged over the removed patches).
func.func @main(%p: tensor<?x7x5xf32> {enc.name = "prediction"}, %t: tensor<?x7x5xf32> {enc.name = "target"},
                %pm: tensor<?x6x8xf32> {enc.name = "patches_pred"}, %tm: tensor<?x6x8xf32> {enc.name = "patches_target"},
                %mask: tensor<?x6xf32> {enc.name = "mask"})
    -> (tensor<f32>, tensor<f32>) {
  %0 = enc.mse %p, %t : (tensor<?x7x5xf32>, tensor<?x7x5xf32>) -> tensor<f32>
  %1 = enc.mse %pm, %tm mask %mask
      : (tensor<?x6x8xf32>, tensor<?x6x8xf32>, tensor<?x6xf32>) -> tensor<f32>
  return %0, %1 : tensor<f32>, tensor<f32>
}
