// enc.upsample2d: U-Net's 2x nearest and bilinear up path, bilinear with
// align_corners, and uneven factors (5 x 7 -> 8 x 10, and down to 3 x 4).
func.func @main(%x: tensor<?x2x5x7xf32> {enc.name = "x"})
    -> (tensor<?x2x10x14xf32>, tensor<?x2x10x14xf32>, tensor<?x2x10x14xf32>, tensor<?x2x8x10xf32>,
        tensor<?x2x8x10xf32>, tensor<?x2x3x4xf32>) {
  %0 = enc.upsample2d %x {mode = #enc<upsample nearest>} : (tensor<?x2x5x7xf32>) -> tensor<?x2x10x14xf32>
  %1 = enc.upsample2d %x {mode = #enc<upsample bilinear>} : (tensor<?x2x5x7xf32>) -> tensor<?x2x10x14xf32>
  %2 = enc.upsample2d %x {mode = #enc<upsample bilinear>, align_corners} : (tensor<?x2x5x7xf32>) -> tensor<?x2x10x14xf32>
  %3 = enc.upsample2d %x {mode = #enc<upsample nearest>} : (tensor<?x2x5x7xf32>) -> tensor<?x2x8x10xf32>
  %4 = enc.upsample2d %x {mode = #enc<upsample bilinear>} : (tensor<?x2x5x7xf32>) -> tensor<?x2x8x10xf32>
  %5 = enc.upsample2d %x {mode = #enc<upsample bilinear>} : (tensor<?x2x5x7xf32>) -> tensor<?x2x3x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<?x2x10x14xf32>, tensor<?x2x10x14xf32>, tensor<?x2x10x14xf32>,
      tensor<?x2x8x10xf32>, tensor<?x2x8x10xf32>, tensor<?x2x3x4xf32>
}
