// enc.cross_entropy with MLM-shaped logits (class dimension last) and
// ignored positions, in each reduction, and a 2-D case with ignore_index 0.
func.func @main(%logits: tensor<2x6x11xf32> {enc.name = "logits"}, %labels: tensor<2x6xi64> {enc.name = "labels"},
                %logits2: tensor<5x4xf32> {enc.name = "logits2"}, %labels2: tensor<5xi32> {enc.name = "labels2"})
    -> (tensor<f32>, tensor<f32>, tensor<2x6xf32>, tensor<f32>) {
  %0 = enc.cross_entropy %logits, %labels : (tensor<2x6x11xf32>, tensor<2x6xi64>) -> tensor<f32>
  %1 = enc.cross_entropy %logits, %labels {reduction = #enc<reduction sum>} : (tensor<2x6x11xf32>, tensor<2x6xi64>) -> tensor<f32>
  %2 = enc.cross_entropy %logits, %labels {reduction = #enc<reduction none>} : (tensor<2x6x11xf32>, tensor<2x6xi64>) -> tensor<2x6xf32>
  %3 = enc.cross_entropy %logits2, %labels2 {ignore_index = 0 : i64} : (tensor<5x4xf32>, tensor<5xi32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<2x6xf32>, tensor<f32>
}
