// enc.random_mask without a noise operand: the noise is a hash of the seed,
// the sample and the patch. Two seeds on dynamic batch and patch counts;
// FrontEndOpsTest.cpp checks the permutation structure and determinism.
func.func @main(%tokens: tensor<?x?x8xf32> {enc.name = "tokens"})
    -> (tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>) {
  %k0, %m0, %r0 = enc.random_mask %tokens {mask_ratio = 0.75 : f64, seed = 0 : i64}
      : (tensor<?x?x8xf32>) -> (tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>)
  %k1, %m1, %r1 = enc.random_mask %tokens {mask_ratio = 0.75 : f64, seed = 1 : i64}
      : (tensor<?x?x8xf32>) -> (tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>)
  return %k0, %m0, %r0, %k1, %m1, %r1
      : tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x?xi64>
}
