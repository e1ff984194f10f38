// enc.reparameterize with given noise (a reference can reproduce it).
func.func @main(%mu: tensor<?x8xf32> {enc.name = "mu"}, %logvar: tensor<?x8xf32> {enc.name = "logvar"},
                %noise: tensor<?x8xf32> {enc.name = "noise"}) -> tensor<?x8xf32> {
  %0 = enc.reparameterize %mu, %logvar noise %noise
      : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
