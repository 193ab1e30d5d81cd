// Softmax and layer norm in the shapes the row kernels of
// --pet-gpu-row-kernels meet (gpu_check's case "row-ops"): element-wise
// operators before and after them, broadcast operands, rows shorter than a
// warp's share, a row of 3,000 elements, layer norm over two dimensions, a
// softmax along a dimension that is not the last (the linalg lowering).
// Rows of up to 16 elements per thread are held in registers, each of these
// with a last element only some threads have; the row of 5,000 (20 per
// thread of 256) is read in loops. Rows of one warp's threads (77, 50 and
// 100 elements) go eight to a block with warp-rows=1 (case "row-ops-warp"):
// 20 rows make a last block with four warps past the last row.
func.func @row_ops(%x: tensor<6x77xf32>, %y: tensor<4x3000xf32>,
                   %b: tensor<1x3000xf32>, %r: tensor<4x3000xf32>,
                   %z: tensor<3x5x64xf32>, %g: tensor<5x64xf32>,
                   %w: tensor<8x16x4xf32>, %l: tensor<2x5000xf32>,
                   %s: tensor<20x50xf32>, %n: tensor<1x20x100xf32>)
    -> (tensor<6x77xf32>, tensor<4x3000xf32>, tensor<3x5x64xf32>,
        tensor<8x16x4xf32>, tensor<2x5000xf32>, tensor<20x50xf32>,
        tensor<1x20x100xf32>) {
  %0 = pet.scale %x by 2.5 : tensor<6x77xf32>
  %1 = pet.softmax %0 axis 1 : tensor<6x77xf32>
  %2 = pet.add %y, %b : (tensor<4x3000xf32>, tensor<1x3000xf32>) -> tensor<4x3000xf32>
  %3 = pet.add %2, %r : (tensor<4x3000xf32>, tensor<4x3000xf32>) -> tensor<4x3000xf32>
  %4 = pet.layer_norm %3 axis 1 epsilon 1.0e-5 : tensor<4x3000xf32>
  %5 = pet.mul %4, %b : (tensor<4x3000xf32>, tensor<1x3000xf32>) -> tensor<4x3000xf32>
  %6 = pet.gelu %5 : tensor<4x3000xf32>
  %7 = pet.tanh %z : tensor<3x5x64xf32>
  %8 = pet.layer_norm %7 axis 1 epsilon 1.0e-3 : tensor<3x5x64xf32>
  %9 = pet.sub %8, %g : (tensor<3x5x64xf32>, tensor<5x64xf32>) -> tensor<3x5x64xf32>
  %10 = pet.softmax %w axis 1 : tensor<8x16x4xf32>
  %11 = pet.scale %l by 0.5 : tensor<2x5000xf32>
  %12 = pet.layer_norm %11 axis 1 epsilon 1.0e-5 : tensor<2x5000xf32>
  %13 = pet.scale %s by 3.0 : tensor<20x50xf32>
  %14 = pet.softmax %13 axis 1 : tensor<20x50xf32>
  %15 = pet.layer_norm %n axis 2 epsilon 1.0e-5 : tensor<1x20x100xf32>
  return %1, %6, %9, %10, %12, %14, %15 : tensor<6x77xf32>, tensor<4x3000xf32>, tensor<3x5x64xf32>, tensor<8x16x4xf32>, tensor<2x5000xf32>, tensor<20x50xf32>, tensor<1x20x100xf32>
}
