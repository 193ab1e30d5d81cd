// A ResNet-18 basic block (64 channels, 56x56), as PET-MLIR represents it:
// inference batch-norm is folded to a per-channel scale (pet.mul) and shift
// (pet.add); the non-linear ReLUs split the block into multi-linear pieces.
func.func @basic_block(%x: tensor<1x64x56x56xf32>,
                       %w1: tensor<64x64x3x3xf32>, %s1: tensor<1x64x1x1xf32>, %b1: tensor<1x64x1x1xf32>,
                       %w2: tensor<64x64x3x3xf32>, %s2: tensor<1x64x1x1xf32>, %b2: tensor<1x64x1x1xf32>)
    -> tensor<1x64x56x56xf32> {
  %c1 = pet.conv2d %x, %w1 pad_low [1, 1] pad_high [1, 1]
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %n1 = pet.mul %c1, %s1 : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
  %a1 = pet.add %n1, %b1 : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
  %r1 = pet.relu %a1 : tensor<1x64x56x56xf32>
  %c2 = pet.conv2d %r1, %w2 pad_low [1, 1] pad_high [1, 1]
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %n2 = pet.mul %c2, %s2 : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
  %a2 = pet.add %n2, %b2 : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
  %sum = pet.add %a2, %x : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %out = pet.relu %sum : tensor<1x64x56x56xf32>
  return %out : tensor<1x64x56x56xf32>
}
