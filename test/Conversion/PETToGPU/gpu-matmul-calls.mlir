// RUN: pet-opt %s -split-input-file --pet-gpu-matmul-calls | FileCheck %s

// A projection with its bias, a residual and GELU (tanh): one call, flags
// bias | residual | GELU = 7, the operands' buffers as 1 x M x K views, the
// bias as N values, the output a new buffer overwritten.
// (Numerics: gpu_check's case "attention" and the runtime's self-test, on
// the GPU.)

// CHECK-LABEL: func.func @projection
// CHECK-SAME:    (%[[X:.*]]: tensor<8x32xf32>, %[[W:.*]]: tensor<32x16xf32>, %[[B:.*]]: tensor<1x16xf32>, %[[R:.*]]: tensor<8x16xf32>)
// CHECK:       %[[OUT:.*]] = memref.alloc() : memref<8x16xf32>
// CHECK:       %[[OV:.*]] = memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [1, 8, 16], strides: [128, 16, 1]
// CHECK:       %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:       memref.reinterpret_cast %[[XB]] to offset: [0], sizes: [1, 8, 32], strides: [256, 32, 1]
// CHECK:       %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK:       memref.reinterpret_cast %[[WB]] to offset: [0], sizes: [1, 32, 16], strides: [512, 16, 1]
// CHECK:       %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK:       memref.reinterpret_cast %[[BB]] to offset: [0], sizes: [16], strides: [1]
// CHECK:       %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only
// CHECK:       memref.reinterpret_cast %[[RB]] to offset: [0], sizes: [1, 8, 16], strides: [128, 16, 1]
// CHECK:       %[[FLAGS:.*]] = arith.constant 7 : i64
// CHECK:       call @pet_rt_gemm_f32({{.*}}, %[[FLAGS]])
// CHECK:       %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT:   pet.
// CHECK:       return %[[T]]
func.func @projection(%x: tensor<8x32xf32>, %w: tensor<32x16xf32>,
                      %b: tensor<1x16xf32>, %r: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = pet.matmul %x, %w : (tensor<8x32xf32>, tensor<32x16xf32>) -> tensor<8x16xf32>
  %1 = pet.add %0, %b : (tensor<8x16xf32>, tensor<1x16xf32>) -> tensor<8x16xf32>
  %2 = pet.add %r, %1 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %3 = pet.gelu %2 approximate : tensor<8x16xf32>
  return %3 : tensor<8x16xf32>
}

// -----

// Attention scores and context: the queries and keys read out of the
// projections' 8 x 32 matrices (4 heads of 8 side by side: strides 8, 32,
// 1; the keys transposed in place: 8, 1, 32), no copy of either; the
// context written into an 8 x 32 matrix the same way; the transposes and
// reshapes gone.

// CHECK-LABEL: func.func @attention
// CHECK-SAME:    (%[[Q:.*]]: tensor<8x32xf32>, %[[K:.*]]: tensor<8x32xf32>, %[[V:.*]]: tensor<4x8x8xf32>)
// CHECK:       %[[S:.*]] = memref.alloc() : memref<4x8x8xf32>
// CHECK:       %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only
// CHECK:       memref.reinterpret_cast %[[QB]] to offset: [0], sizes: [4, 8, 8], strides: [8, 32, 1]
// CHECK:       %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK:       memref.reinterpret_cast %[[KB]] to offset: [0], sizes: [4, 8, 8], strides: [8, 1, 32]
// CHECK:       arith.constant 0 : i64
// CHECK:       call @pet_rt_gemm_f32
// CHECK:       %[[ST:.*]] = bufferization.to_tensor %[[S]]
// CHECK:       %[[C:.*]] = memref.alloc() : memref<8x32xf32>
// CHECK:       memref.reinterpret_cast %[[C]] to offset: [0], sizes: [4, 8, 8], strides: [8, 32, 1]
// CHECK:       bufferization.to_buffer %[[ST]] read_only
// CHECK:       call @pet_rt_gemm_f32
// CHECK:       %[[CT:.*]] = bufferization.to_tensor %[[C]]
// CHECK-NOT:   pet.
// CHECK:       return %[[ST]], %[[CT]]
func.func @attention(%q: tensor<8x32xf32>, %k: tensor<8x32xf32>, %v: tensor<4x8x8xf32>)
    -> (tensor<4x8x8xf32>, tensor<8x32xf32>) {
  %q1 = pet.reshape %q : tensor<8x32xf32> -> tensor<8x4x8xf32>
  %q2 = pet.transpose %q1 perm [1, 0, 2] : tensor<8x4x8xf32> -> tensor<4x8x8xf32>
  %k1 = pet.reshape %k : tensor<8x32xf32> -> tensor<8x4x8xf32>
  %k2 = pet.transpose %k1 perm [1, 0, 2] : tensor<8x4x8xf32> -> tensor<4x8x8xf32>
  %s = pet.batch_matmul %q2, %k2 transpose_rhs : (tensor<4x8x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %c = pet.batch_matmul %s, %v : (tensor<4x8x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %c1 = pet.transpose %c perm [1, 0, 2] : tensor<4x8x8xf32> -> tensor<8x4x8xf32>
  %c2 = pet.reshape %c1 : tensor<8x4x8xf32> -> tensor<8x32xf32>
  return %s, %c2 : tensor<4x8x8xf32>, tensor<8x32xf32>
}

// -----

// What stays outside the call: GELU with erf (cuBLASLt's is the tanh
// approximation) and what follows it; a residual addition read twice is in
// the call (flags 2), the product of it is not. The quarters of a split of
// a split are read in place (offsets 16 and 24, row stride 32).

// CHECK-LABEL: func.func @kept
// CHECK:       memref.reinterpret_cast %{{.*}} to offset: [16], sizes: [1, 16, 8], strides: [128, 32, 1]
// CHECK:       %[[FLAGS:.*]] = arith.constant 1 : i64
// CHECK:       call @pet_rt_gemm_f32({{.*}}, %[[FLAGS]])
// CHECK:       %[[T:.*]] = bufferization.to_tensor
// CHECK:       %[[G:.*]] = pet.gelu %[[T]] : tensor<4x8xf32>
// CHECK:       %[[A:.*]] = pet.add %[[G]], %{{.*}}
// CHECK:       memref.reinterpret_cast %{{.*}} to offset: [24], sizes: [1, 16, 8], strides: [128, 32, 1]
// CHECK:       %[[FLAGS2:.*]] = arith.constant 2 : i64
// CHECK:       call @pet_rt_gemm_f32({{.*}}, %[[FLAGS2]])
// CHECK:       %[[T2:.*]] = bufferization.to_tensor
// CHECK-NEXT:  pet.mul %[[T2]], %[[T2]]
func.func @kept(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %b: tensor<1x8xf32>,
                %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %s:2 = pet.split %w axis 1 sizes [16, 16] : (tensor<16x32xf32>) -> (tensor<16x16xf32>, tensor<16x16xf32>)
  %ws:2 = pet.split %s#1 axis 1 sizes [8, 8] : (tensor<16x16xf32>) -> (tensor<16x8xf32>, tensor<16x8xf32>)
  %0 = pet.matmul %x, %ws#0 : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %1 = pet.add %0, %b : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %2 = pet.gelu %1 : tensor<4x8xf32>
  %3 = pet.add %2, %b : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %4 = pet.matmul %x, %ws#1 : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %5 = pet.add %4, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = pet.mul %5, %5 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %3, %6 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Merged projections (PET's mutant of the keys' and values' products) as
// --pet-merge-split-biases leaves them: the pieces' biases concatenated and
// added before the split. The call adds that bias (flags 1), the pieces are
// the split of its output, and the keys' heads are read out of it in place
// (a reshape of a piece with row stride 64: strides 8, 64, 1; transposed
// for the scores: 8, 1, 64).

// CHECK-LABEL: func.func @merged
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf32>, %[[W:.*]]: tensor<16x64xf32>, %[[BK:.*]]: tensor<1x32xf32>, %[[BV:.*]]: tensor<1x32xf32>, %[[Q:.*]]: tensor<4x8x8xf32>)
// CHECK:       %[[B:.*]] = pet.concat %[[BK]], %[[BV]] axis 1
// CHECK:       %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK:       memref.reinterpret_cast %[[BB]] to offset: [0], sizes: [64], strides: [1]
// CHECK:       %[[FLAGS:.*]] = arith.constant 1 : i64
// CHECK:       call @pet_rt_gemm_f32({{.*}}, %[[FLAGS]])
// CHECK:       %[[T:.*]] = bufferization.to_tensor
// CHECK:       %[[S:.*]]:2 = pet.split %[[T]] axis 1 sizes [32, 32]
// CHECK-NOT:   pet.add
// CHECK:       %[[KB:.*]] = bufferization.to_buffer %[[T]] read_only
// CHECK:       memref.reinterpret_cast %[[KB]] to offset: [0], sizes: [4, 8, 8], strides: [8, 1, 64]
// CHECK:       call @pet_rt_gemm_f32
// CHECK:       return %{{.*}}, %[[S]]#1
func.func @merged(%x: tensor<8x16xf32>, %w: tensor<16x64xf32>, %bk: tensor<1x32xf32>,
                  %bv: tensor<1x32xf32>, %q: tensor<4x8x8xf32>)
    -> (tensor<4x8x8xf32>, tensor<8x32xf32>) {
  %b = pet.concat %bk, %bv axis 1 : (tensor<1x32xf32>, tensor<1x32xf32>) -> tensor<1x64xf32>
  %0 = pet.matmul %x, %w : (tensor<8x16xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  %a = pet.add %0, %b : (tensor<8x64xf32>, tensor<1x64xf32>) -> tensor<8x64xf32>
  %1:2 = pet.split %a axis 1 sizes [32, 32] : (tensor<8x64xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>)
  %4 = pet.reshape %1#0 : tensor<8x32xf32> -> tensor<8x4x8xf32>
  %5 = pet.transpose %4 perm [1, 0, 2] : tensor<8x4x8xf32> -> tensor<4x8x8xf32>
  %6 = pet.batch_matmul %q, %5 transpose_rhs : (tensor<4x8x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  return %6, %1#1 : tensor<4x8x8xf32>, tensor<8x32xf32>
}

// -----

// A residual that is a transpose: cuBLASLt reads C with contiguous rows, so
// the transpose is computed (not viewed) and the call reads its result.

// CHECK-LABEL: func.func @transposed_residual
// CHECK:       %[[RT:.*]] = pet.transpose %{{.*}} perm [1, 0]
// CHECK:       %[[RB:.*]] = bufferization.to_buffer %[[RT]] read_only
// CHECK:       memref.reinterpret_cast %[[RB]] to offset: [0], sizes: [1, 8, 16], strides: [128, 16, 1]
// CHECK:       arith.constant 2 : i64
// CHECK:       call @pet_rt_gemm_f32
func.func @transposed_residual(%x: tensor<8x32xf32>, %w: tensor<32x16xf32>,
                               %r: tensor<16x8xf32>) -> tensor<8x16xf32> {
  %0 = pet.matmul %x, %w : (tensor<8x32xf32>, tensor<32x16xf32>) -> tensor<8x16xf32>
  %1 = pet.transpose %r perm [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %2 = pet.add %0, %1 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %2 : tensor<8x16xf32>
}

// -----

// A context as torch-mlir's decomposition lays it out: the product's batch
// split by a reshape (4 -> 1 x 4) before the transpose and the reshape to
// the 8 x 32 matrix. Written straight into that matrix (strides 8, 32, 1),
// the reshapes and the transpose gone.

// CHECK-LABEL: func.func @context_4d
// CHECK:       %[[C:.*]] = memref.alloc() : memref<8x32xf32>
// CHECK:       memref.reinterpret_cast %[[C]] to offset: [0], sizes: [4, 8, 8], strides: [8, 32, 1]
// CHECK:       call @pet_rt_gemm_f32
// CHECK:       %[[CT:.*]] = bufferization.to_tensor %[[C]]
// CHECK-NOT:   pet.
// CHECK:       return %[[CT]]
func.func @context_4d(%p: tensor<4x8x8xf32>, %v: tensor<4x8x8xf32>) -> tensor<8x32xf32> {
  %c = pet.batch_matmul %p, %v : (tensor<4x8x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %c0 = pet.reshape %c : tensor<4x8x8xf32> -> tensor<1x4x8x8xf32>
  %c1 = pet.transpose %c0 perm [0, 2, 1, 3] : tensor<1x4x8x8xf32> -> tensor<1x8x4x8xf32>
  %c2 = pet.reshape %c1 : tensor<1x8x4x8xf32> -> tensor<8x32xf32>
  return %c2 : tensor<8x32xf32>
}
