// The autoencoder ops: masking and Gaussian corruption from given noise,
// the L1 and KL sparsity penalties, and the contractive penalty of an
// encoder layer h = act(x Wᵀ + b) for sigmoid, tanh and relu.
func.func @main(%x: tensor<?x12xf32> {enc.name = "x"}, %u: tensor<?x12xf32> {enc.name = "uniform"},
                %n: tensor<?x12xf32> {enc.name = "normal"})
    -> (tensor<?x12xf32>, tensor<?x12xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %w = enc.param "encoder.weight" : tensor<8x12xf32>
  %b = enc.param "encoder.bias" : tensor<8xf32>
  %0 = enc.mask_noise %x noise %u {rate = 0.3 : f64} : (tensor<?x12xf32>, tensor<?x12xf32>) -> tensor<?x12xf32>
  %1 = enc.gaussian_noise %x noise %n {std = 0.5 : f64} : (tensor<?x12xf32>, tensor<?x12xf32>) -> tensor<?x12xf32>
  %pre = enc.linear %x, %w, %b : (tensor<?x12xf32>, tensor<8x12xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %hs = enc.activation sigmoid %pre : tensor<?x8xf32>
  %ht = enc.activation tanh %pre : tensor<?x8xf32>
  %hr = enc.activation relu %pre : tensor<?x8xf32>
  %2 = enc.l1_penalty %hr : (tensor<?x8xf32>) -> tensor<f32>
  %3 = enc.kl_sparsity %hs {target = 0.1 : f64} : (tensor<?x8xf32>) -> tensor<f32>
  %4 = enc.contractive_penalty %hs, %w {activation = #enc<activation sigmoid>} : (tensor<?x8xf32>, tensor<8x12xf32>) -> tensor<f32>
  %5 = enc.contractive_penalty %ht, %w {activation = #enc<activation tanh>} : (tensor<?x8xf32>, tensor<8x12xf32>) -> tensor<f32>
  %6 = enc.contractive_penalty %hr, %w {activation = #enc<activation relu>} : (tensor<?x8xf32>, tensor<8x12xf32>) -> tensor<f32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?x12xf32>, tensor<?x12xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}
