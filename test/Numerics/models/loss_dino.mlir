// enc.dino_loss with DINO's default temperatures and momentum on a dynamic
// batch, and other settings on a static one.
func.func @main(%s: tensor<?x64xf32> {enc.name = "student"}, %t: tensor<?x64xf32> {enc.name = "teacher"},
                %c: tensor<64xf32> {enc.name = "center"}, %s2: tensor<3x10xf32> {enc.name = "student2"},
                %t2: tensor<3x10xf32> {enc.name = "teacher2"}, %c2: tensor<10xf32> {enc.name = "center2"})
    -> (tensor<f32>, tensor<64xf32>, tensor<f32>, tensor<10xf32>) {
  %0, %1 = enc.dino_loss %s, %t, %c
      : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<64xf32>) -> (tensor<f32>, tensor<64xf32>)
  %2, %3 = enc.dino_loss %s2, %t2, %c2
      {student_temperature = 0.2 : f64, teacher_temperature = 0.07 : f64, center_momentum = 0.5 : f64}
      : (tensor<3x10xf32>, tensor<3x10xf32>, tensor<10xf32>) -> (tensor<f32>, tensor<10xf32>)
  return %0, %1, %2, %3 : tensor<f32>, tensor<64xf32>, tensor<f32>, tensor<10xf32>
}
