// A partially equivalent transformation: the image is split in two halves
// along H, which go through the convolution as a batch of two and are put
// back together. Rows 3 and 4, at the seam, read zero padding instead of the
// other half. Run: pet-opt examples/split_conv.mlir --pet-verify
func.func @conv(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1]
      : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// The candidate: same signature, marked with the function it replaces.

func.func @split_h(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
    attributes {pet.candidate_of = @conv} {
  %a, %b = pet.split %x axis 2 sizes [4, 4]
      : (tensor<1x2x8x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
  %x2 = pet.concat %a, %b axis 0 : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<2x2x4x8xf32>
  %y2 = pet.conv2d %x2, %w pad_low [1, 1] pad_high [1, 1]
      : (tensor<2x2x4x8xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x4x8xf32>
  %c, %d = pet.split %y2 axis 0 sizes [1, 1]
      : (tensor<2x3x4x8xf32>) -> (tensor<1x3x4x8xf32>, tensor<1x3x4x8xf32>)
  %y = pet.concat %c, %d axis 2 : (tensor<1x3x4x8xf32>, tensor<1x3x4x8xf32>) -> tensor<1x3x8x8xf32>
  return %y : tensor<1x3x8x8xf32>
}
