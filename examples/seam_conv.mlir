// A convolution that PET rewrites when the cost database says that the same
// convolution on a batch of two half images is faster: the image is split
// along H into the batch, and the two rows at the seam, which the halves
// compute from zero padding, are recomputed by the original convolution.
//
//   pet-opt examples/seam_conv.mlir \
//     --pet-optimize="cost-db=examples/split-conv-costs.json report=report.json"
func.func @conv(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1]
      : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
  %1 = pet.relu %0 : tensor<1x3x8x7xf32>
  return %1 : tensor<1x3x8x7xf32>
}
