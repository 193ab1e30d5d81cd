// An attention block in small (gpu_check's case "attention"): products
// whose operands --pet-gpu-matmul-calls reads as views (heads side by side
// in the projections, keys transposed in place, the pieces of a split of a
// merged projection, each with its bias), whose context is written into the
// layout a transpose and a reshape make, with bias, residual and GELU (tanh)
// fused.
func.func @attn(%x: tensor<8x32xf32>, %wq: tensor<32x32xf32>, %bq: tensor<1x32xf32>, %wk: tensor<32x64xf32>, %bk: tensor<1x32xf32>, %bv: tensor<1x32xf32>, %wo: tensor<32x32xf32>, %bo: tensor<1x32xf32>) -> (tensor<4x8x8xf32>, tensor<8x32xf32>) {
  %q0 = pet.matmul %x, %wq : (tensor<8x32xf32>, tensor<32x32xf32>) -> tensor<8x32xf32>
  %q1 = pet.add %q0, %bq : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %q2 = pet.reshape %q1 : tensor<8x32xf32> -> tensor<8x4x8xf32>
  %q = pet.transpose %q2 perm [1, 0, 2] : tensor<8x4x8xf32> -> tensor<4x8x8xf32>
  %kv = pet.matmul %x, %wk : (tensor<8x32xf32>, tensor<32x64xf32>) -> tensor<8x64xf32>
  %k0:2 = pet.split %kv axis 1 sizes [32, 32] : (tensor<8x64xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>)
  %k1 = pet.add %k0#0, %bk : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %k2 = pet.reshape %k1 : tensor<8x32xf32> -> tensor<8x4x8xf32>
  %k = pet.transpose %k2 perm [1, 0, 2] : tensor<8x4x8xf32> -> tensor<4x8x8xf32>
  %v1 = pet.add %k0#1, %bv : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %v2 = pet.reshape %v1 : tensor<8x32xf32> -> tensor<8x4x8xf32>
  %v = pet.transpose %v2 perm [1, 0, 2] : tensor<8x4x8xf32> -> tensor<4x8x8xf32>
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<4x8x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %c = pet.batch_matmul %s, %v : (tensor<4x8x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %c1 = pet.transpose %c perm [1, 0, 2] : tensor<4x8x8xf32> -> tensor<8x4x8xf32>
  %c2 = pet.reshape %c1 : tensor<8x4x8xf32> -> tensor<8x32xf32>
  %o = pet.matmul %c2, %wo : (tensor<8x32xf32>, tensor<32x32xf32>) -> tensor<8x32xf32>
  %o1 = pet.add %o, %bo : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %o2 = pet.add %o1, %x : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %o3 = pet.gelu %o2 approximate : tensor<8x32xf32>
  return %s, %o3 : tensor<4x8x8xf32>, tensor<8x32xf32>
}
