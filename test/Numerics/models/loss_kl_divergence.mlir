// enc.kl_divergence of N(mu, exp(logvar)) from N(0, I): each reduction on
// a dynamic batch, and rank 3 (the sum runs over both non-batch dims).
func.func @main(%mu: tensor<?x16xf32> {enc.name = "mu"}, %logvar: tensor<?x16xf32> {enc.name = "logvar"},
                %mu3: tensor<2x3x4xf32> {enc.name = "mu3"}, %logvar3: tensor<2x3x4xf32> {enc.name = "logvar3"})
    -> (tensor<f32>, tensor<f32>, tensor<?xf32>, tensor<f32>) {
  %0 = enc.kl_divergence %mu, %logvar : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<f32>
  %1 = enc.kl_divergence %mu, %logvar {reduction = #enc<reduction sum>}
      : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<f32>
  %2 = enc.kl_divergence %mu, %logvar {reduction = #enc<reduction none>}
      : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?xf32>
  %3 = enc.kl_divergence %mu3, %logvar3 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<?xf32>, tensor<f32>
}
