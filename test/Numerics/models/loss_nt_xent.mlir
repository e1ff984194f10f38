// enc.nt_xent on a dynamic number of pairs (two views of 5 samples) at
// SimCLR's temperature 0.5, and 3 pairs at 0.1; enc.queue_info_nce (MoCo)
// with a queue of 24 negative keys ([dim, k]) at 0.07, and an empty queue.
func.func @main(%z: tensor<?x16xf32> {enc.name = "views"}, %z2: tensor<6x8xf32> {enc.name = "views2"},
                %q: tensor<?x16xf32> {enc.name = "query"}, %k: tensor<?x16xf32> {enc.name = "key"},
                %queue: tensor<16x24xf32> {enc.name = "queue"}, %empty: tensor<16x0xf32> {enc.name = "empty_queue"})
    -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %0 = enc.nt_xent %z : (tensor<?x16xf32>) -> tensor<f32>
  %1 = enc.nt_xent %z2 {temperature = 0.1 : f64} : (tensor<6x8xf32>) -> tensor<f32>
  %2 = enc.queue_info_nce %q, %k, %queue : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<16x24xf32>) -> tensor<f32>
  %3 = enc.queue_info_nce %q, %k, %empty {temperature = 0.2 : f64}
      : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<16x0xf32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}
