// enc.reparameterize drawing its own noise: LossOpsTest.cpp checks that it
// is deterministic and standard normal (no PyTorch reference).
func.func @main(%mu: tensor<?x?xf32> {enc.name = "mu"}, %logvar: tensor<?x?xf32> {enc.name = "logvar"})
    -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = enc.reparameterize %mu, %logvar {seed = 7 : i64}
      : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = enc.reparameterize %mu, %logvar {seed = 8 : i64}
      : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0, %1 : tensor<?x?xf32>, tensor<?x?xf32>
}
