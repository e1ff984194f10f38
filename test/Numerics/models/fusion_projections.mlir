// Linears that enc-merge-projections merges: three biased projections of
// different widths on one dynamic [batch, seq, 16] input, two unbiased
// ones on the same input (a second group), two on a vector (rank 1). Each
// group becomes one linear on an enc.packed_param built at bind time,
// sliced back along the last dimension.
func.func @main(%x: tensor<?x?x16xf32> {enc.name = "x"}, %u: tensor<16xf32> {enc.name = "u"})
    -> (tensor<?x?x8xf32>, tensor<?x?x4xf32>, tensor<?x?x12xf32>, tensor<?x?x4xf32>,
        tensor<?x?x6xf32>, tensor<5xf32>, tensor<3xf32>) {
  %wa = enc.param "a.weight" : tensor<8x16xf32>
  %ba = enc.param "a.bias" : tensor<8xf32>
  %wb = enc.param "b.weight" : tensor<4x16xf32>
  %bb = enc.param "b.bias" : tensor<4xf32>
  %wc = enc.param "c.weight" : tensor<12x16xf32>
  %bc = enc.param "c.bias" : tensor<12xf32>
  %wd = enc.param "d.weight" : tensor<4x16xf32>
  %we = enc.param "e.weight" : tensor<6x16xf32>
  %a = enc.linear %x, %wa, %ba : (tensor<?x?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %d = enc.linear %x, %wd : (tensor<?x?x16xf32>, tensor<4x16xf32>) -> tensor<?x?x4xf32>
  %b = enc.linear %x, %wb, %bb : (tensor<?x?x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  %e = enc.linear %x, %we : (tensor<?x?x16xf32>, tensor<6x16xf32>) -> tensor<?x?x6xf32>
  %c = enc.linear %x, %wc, %bc : (tensor<?x?x16xf32>, tensor<12x16xf32>, tensor<12xf32>) -> tensor<?x?x12xf32>
  %wf = enc.param "f.weight" : tensor<5x16xf32>
  %bf = enc.param "f.bias" : tensor<5xf32>
  %wg = enc.param "g.weight" : tensor<3x16xf32>
  %bg = enc.param "g.bias" : tensor<3xf32>
  %f = enc.linear %u, %wf, %bf : (tensor<16xf32>, tensor<5x16xf32>, tensor<5xf32>) -> tensor<5xf32>
  %g = enc.linear %u, %wg, %bg : (tensor<16xf32>, tensor<3x16xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %a, %b, %c, %d, %e, %f, %g
      : tensor<?x?x8xf32>, tensor<?x?x4xf32>, tensor<?x?x12xf32>, tensor<?x?x4xf32>,
        tensor<?x?x6xf32>, tensor<5xf32>, tensor<3xf32>
}
