// Attention as torch-mlir's decomposition of scaled_dot_product_attention
// reaches PET (gpu_check's case "attention-fused"): a merged QKV
// projection with its bias, 4 heads of 16 values read out of it, the
// scores reshaped around the scale and the safe softmax, the context's
// batch split before its transpose, then the output projection. 40 rows:
// a partial tile of keys and a partial block of queries in the fused
// kernel (--pet-gpu-attention-calls).
func.func @attn(%x: tensor<40x64xf32>, %w: tensor<64x192xf32>, %b: tensor<1x192xf32>, %wo: tensor<64x64xf32>) -> tensor<40x64xf32> {
  %p0 = pet.matmul %x, %w : (tensor<40x64xf32>, tensor<64x192xf32>) -> tensor<40x192xf32>
  %p = pet.add %p0, %b : (tensor<40x192xf32>, tensor<1x192xf32>) -> tensor<40x192xf32>
  %s:3 = pet.split %p axis 1 sizes [64, 64, 64] : (tensor<40x192xf32>) -> (tensor<40x64xf32>, tensor<40x64xf32>, tensor<40x64xf32>)
  %q0 = pet.reshape %s#0 : tensor<40x64xf32> -> tensor<1x40x4x16xf32>
  %q1 = pet.transpose %q0 perm [0, 2, 1, 3] : tensor<1x40x4x16xf32> -> tensor<1x4x40x16xf32>
  %q = pet.reshape %q1 : tensor<1x4x40x16xf32> -> tensor<4x40x16xf32>
  %k0 = pet.reshape %s#1 : tensor<40x64xf32> -> tensor<1x40x4x16xf32>
  %k1 = pet.transpose %k0 perm [0, 2, 1, 3] : tensor<1x40x4x16xf32> -> tensor<1x4x40x16xf32>
  %k = pet.reshape %k1 : tensor<1x4x40x16xf32> -> tensor<4x40x16xf32>
  %v0 = pet.reshape %s#2 : tensor<40x64xf32> -> tensor<1x40x4x16xf32>
  %v1 = pet.transpose %v0 perm [0, 2, 1, 3] : tensor<1x40x4x16xf32> -> tensor<1x4x40x16xf32>
  %v = pet.reshape %v1 : tensor<1x4x40x16xf32> -> tensor<4x40x16xf32>
  %sc = pet.batch_matmul %q, %k transpose_rhs : (tensor<4x40x16xf32>, tensor<4x40x16xf32>) -> tensor<4x40x40xf32>
  %sc4 = pet.reshape %sc : tensor<4x40x40xf32> -> tensor<1x4x40x40xf32>
  %t = pet.scale %sc4 by 2.500000e-01 : tensor<1x4x40x40xf32>
  %a4 = pet.softmax %t axis 3 safe : tensor<1x4x40x40xf32>
  %a = pet.reshape %a4 : tensor<1x4x40x40xf32> -> tensor<4x40x40xf32>
  %c = pet.batch_matmul %a, %v : (tensor<4x40x40xf32>, tensor<4x40x16xf32>) -> tensor<4x40x16xf32>
  %c0 = pet.reshape %c : tensor<4x40x16xf32> -> tensor<1x4x40x16xf32>
  %c1 = pet.transpose %c0 perm [0, 2, 1, 3] : tensor<1x4x40x16xf32> -> tensor<1x40x4x16xf32>
  %c2 = pet.reshape %c1 : tensor<1x40x4x16xf32> -> tensor<40x64xf32>
  %o = pet.matmul %c2, %wo : (tensor<40x64xf32>, tensor<64x64xf32>) -> tensor<40x64xf32>
  return %o : tensor<40x64xf32>
}
