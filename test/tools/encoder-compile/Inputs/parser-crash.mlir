// Crashes the Debian LLVM 22 parser of linalg.transpose (found by
// scripts/fuzz.sh; docs/reliability.md): encoder-compile reports it.
func.func @f(%k: tensor<6x7x8xf32>) -> tensor<6x8x7xf32> {
  %kt_init = tensor.empty() : tensor<6x8x7xf32>
  %kt = linalg.transpose ins(%k : tensor<6x7x8xf32>) outs(%kt_init : tensor<6x8x7xf32>) permutation = [0, 2 1 ,%]
  return %kt : tensor<6x8x7xf32>
}
