// enc.attention with wide heads, which the tensor-core kernel walks in
// smaller key blocks (head size 128: 32 keys in bf16, 16 in TF32; 256: 16
// and 16): 77 queries and 141 keys (dynamic), causal with a padding mask,
// a head of 256 with values of 80 (five 16-wide value tiles), and keys and
// values that are every other element of wider rows (strided views: the
// kernel stages them element by element instead of 4 at a time).
func.func @main(%q: tensor<1x2x?x128xf32> {enc.name = "q"},
                %k: tensor<1x2x?x128xf32> {enc.name = "k"},
                %v: tensor<1x2x?x128xf32> {enc.name = "v"},
                %padding: tensor<1x1x1x?xi64> {enc.name = "padding_mask"},
                %q2: tensor<1x2x?x256xf32> {enc.name = "q2"},
                %k2: tensor<1x2x?x256xf32> {enc.name = "k2"},
                %v2: tensor<1x2x?x80xf32> {enc.name = "v2"},
                %q3: tensor<1x2x?x64xf32> {enc.name = "q3"},
                %wide: tensor<1x2x?x128xf32> {enc.name = "wide"})
    -> (tensor<1x2x?x128xf32>, tensor<1x2x?x80xf32>, tensor<1x2x?x64xf32>) {
  %0 = enc.attention %q, %k, %v mask %padding {causal}
      : (tensor<1x2x?x128xf32>, tensor<1x2x?x128xf32>, tensor<1x2x?x128xf32>, tensor<1x1x1x?xi64>) -> tensor<1x2x?x128xf32>
  %1 = enc.attention %q2, %k2, %v2
      : (tensor<1x2x?x256xf32>, tensor<1x2x?x256xf32>, tensor<1x2x?x80xf32>) -> tensor<1x2x?x80xf32>
  %c2 = arith.constant 2 : index
  %keys = tensor.dim %wide, %c2 : tensor<1x2x?x128xf32>
  %k3 = tensor.extract_slice %wide[0, 0, 0, 0] [1, 2, %keys, 64] [1, 1, 1, 2]
      : tensor<1x2x?x128xf32> to tensor<1x2x?x64xf32>
  %v3 = tensor.extract_slice %wide[0, 0, 0, 1] [1, 2, %keys, 64] [1, 1, 1, 2]
      : tensor<1x2x?x128xf32> to tensor<1x2x?x64xf32>
  %2 = enc.attention %q3, %k3, %v3 {causal}
      : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  return %0, %1, %2 : tensor<1x2x?x128xf32>, tensor<1x2x?x80xf32>, tensor<1x2x?x64xf32>
}
