// RUN: pet-opt %s -split-input-file --pet-gpu-attention-calls | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-gpu-attention-calls=max-keys=4 | FileCheck %s --check-prefix=SHORT

// BERT's attention as torch-mlir's decomposition reaches it: queries, keys
// and values read out of one merged projection (12 x 3 heads of 4 side by
// side: strides 4, 48, 1 at offsets 0, 16, 32), the scale and a safe
// softmax, the context written straight into the 8 x 16 matrix its reader
// takes (strides 4, 16, 1). One call: the scale's double bits
// (0.5 = 0x3FE0000000000000 = 4602678819172646912) and flags safe = 1.
// (Numerics: gpu_check's case "attention-fused" and the runtime's
// self-test, on the GPU.)

// CHECK-LABEL: func.func @bert_attention
// CHECK-SAME:    (%[[QKV:.*]]: tensor<8x48xf32>)
// CHECK:       %[[OUT:.*]] = memref.alloc() : memref<8x16xf32>
// CHECK:       %[[OV:.*]] = memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [4, 8, 4], strides: [4, 16, 1]
// CHECK:       %[[B0:.*]] = bufferization.to_buffer %[[QKV]] read_only
// CHECK:       memref.reinterpret_cast %[[B0]] to offset: [0], sizes: [4, 8, 4], strides: [4, 48, 1]
// CHECK:       %[[B1:.*]] = bufferization.to_buffer %[[QKV]] read_only
// CHECK:       memref.reinterpret_cast %[[B1]] to offset: [16], sizes: [4, 8, 4], strides: [4, 48, 1]
// CHECK:       %[[B2:.*]] = bufferization.to_buffer %[[QKV]] read_only
// CHECK:       memref.reinterpret_cast %[[B2]] to offset: [32], sizes: [4, 8, 4], strides: [4, 48, 1]
// CHECK-DAG:   %[[SCALE:.*]] = arith.constant 4602678819172646912 : i64
// CHECK-DAG:   %[[SAFE:.*]] = arith.constant 1 : i64
// CHECK:       call @pet_rt_attention_f32({{.*}}, %[[SCALE]], %[[SAFE]])
// CHECK:       %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT:   pet.
// CHECK:       return %[[T]]

// Over max-keys (8 keys > 4): left as it was.
// SHORT-LABEL: func.func @bert_attention
// SHORT:       pet.batch_matmul
// SHORT:       pet.softmax
// SHORT-NOT:   pet_rt_attention_f32
func.func @bert_attention(%qkv: tensor<8x48xf32>) -> tensor<8x16xf32> {
  %p:3 = pet.split %qkv axis 1 sizes [16, 16, 16] : (tensor<8x48xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>)
  %q0 = pet.reshape %p#0 : tensor<8x16xf32> -> tensor<8x4x4xf32>
  %q = pet.transpose %q0 perm [1, 0, 2] : tensor<8x4x4xf32> -> tensor<4x8x4xf32>
  %k0 = pet.reshape %p#1 : tensor<8x16xf32> -> tensor<8x4x4xf32>
  %k = pet.transpose %k0 perm [1, 0, 2] : tensor<8x4x4xf32> -> tensor<4x8x4xf32>
  %v0 = pet.reshape %p#2 : tensor<8x16xf32> -> tensor<8x4x4xf32>
  %v = pet.transpose %v0 perm [1, 0, 2] : tensor<8x4x4xf32> -> tensor<4x8x4xf32>
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<4x8x4xf32>, tensor<4x8x4xf32>) -> tensor<4x8x8xf32>
  %t = pet.scale %s by 5.000000e-01 : tensor<4x8x8xf32>
  %w = pet.softmax %t axis 2 safe : tensor<4x8x8xf32>
  %c = pet.batch_matmul %w, %v : (tensor<4x8x8xf32>, tensor<4x8x4xf32>) -> tensor<4x8x4xf32>
  %c1 = pet.transpose %c perm [1, 0, 2] : tensor<4x8x4xf32> -> tensor<8x4x4xf32>
  %c2 = pet.reshape %c1 : tensor<8x4x4xf32> -> tensor<8x16xf32>
  return %c2 : tensor<8x16xf32>
}

// -----

// As torch-mlir's decomposition of scaled_dot_product_attention writes it:
// the scores reshaped to 1 x heads x rows x keys around the scale and the
// softmax (axis 3) and back; the context's batch split before its
// transpose. One call, the reshapes gone.

// CHECK-LABEL: func.func @torch_attention
// SHORT-LABEL: func.func @torch_attention
// CHECK:       %[[OUT:.*]] = memref.alloc() : memref<8x16xf32>
// CHECK:       memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [4, 8, 4], strides: [4, 16, 1]
// CHECK:       call @pet_rt_attention_f32
// CHECK:       %[[T:.*]] = bufferization.to_tensor %[[OUT]]
// CHECK-NOT:   pet.
// CHECK:       return %[[T]]
func.func @torch_attention(%q: tensor<4x8x4xf32>, %k: tensor<4x8x4xf32>, %v: tensor<4x8x4xf32>) -> tensor<8x16xf32> {
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<4x8x4xf32>, tensor<4x8x4xf32>) -> tensor<4x8x8xf32>
  %s4 = pet.reshape %s : tensor<4x8x8xf32> -> tensor<1x4x8x8xf32>
  %t = pet.scale %s4 by 5.000000e-01 : tensor<1x4x8x8xf32>
  %w4 = pet.softmax %t axis 3 safe : tensor<1x4x8x8xf32>
  %w = pet.reshape %w4 : tensor<1x4x8x8xf32> -> tensor<4x8x8xf32>
  %c = pet.batch_matmul %w, %v : (tensor<4x8x8xf32>, tensor<4x8x4xf32>) -> tensor<4x8x4xf32>
  %c0 = pet.reshape %c : tensor<4x8x4xf32> -> tensor<1x4x8x4xf32>
  %c1 = pet.transpose %c0 perm [0, 2, 1, 3] : tensor<1x4x8x4xf32> -> tensor<1x8x4x4xf32>
  %c2 = pet.reshape %c1 : tensor<1x8x4x4xf32> -> tensor<8x16xf32>
  return %c2 : tensor<8x16xf32>
}

// -----

// Stacked: the second attention's queries are the first's context. Two
// calls, the second reading the first's buffer.

// CHECK-LABEL: func.func @chained
// CHECK:       %[[C1:.*]] = memref.alloc() : memref<2x4x8xf32>
// CHECK:       call @pet_rt_attention_f32
// CHECK:       %[[T1:.*]] = bufferization.to_tensor %[[C1]]
// CHECK:       bufferization.to_buffer %[[T1]] read_only
// CHECK:       call @pet_rt_attention_f32
// CHECK-NOT:   pet.
func.func @chained(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x4xf32>
  %w = pet.softmax %s axis 2 : tensor<2x4x4xf32>
  %c = pet.batch_matmul %w, %v : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %s2 = pet.batch_matmul %c, %k transpose_rhs : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x4xf32>
  %w2 = pet.softmax %s2 axis 2 : tensor<2x4x4xf32>
  %c2 = pet.batch_matmul %w2, %v : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %c2 : tensor<2x4x8xf32>
}

// -----

// One head as matrices, no scale, keys not transposed by the product
// (k is D x Lk: read as its transpose, strides 1, 6), values transposed
// (v^T is Dv x Lk: read with strides 1, 6); softmax not safe (flags 0),
// scale 1.0 (0x3FF0000000000000 = 4607182418800017408); the output is
// the result (no layout to write through).

// CHECK-LABEL: func.func @one_head
// CHECK-SAME:    (%[[Q:.*]]: tensor<4x5xf32>, %[[K:.*]]: tensor<5x6xf32>, %[[V:.*]]: tensor<3x6xf32>)
// CHECK:       %[[OUT:.*]] = memref.alloc() : memref<4x3xf32>
// CHECK:       memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [1, 4, 3], strides: [12, 3, 1]
// CHECK:       memref.reinterpret_cast {{.*}} to offset: [0], sizes: [1, 4, 5], strides: [20, 5, 1]
// CHECK:       memref.reinterpret_cast {{.*}} to offset: [0], sizes: [1, 6, 5], strides: [30, 1, 6]
// CHECK:       memref.reinterpret_cast {{.*}} to offset: [0], sizes: [1, 6, 3], strides: [18, 1, 6]
// CHECK-DAG:   %[[SCALE:.*]] = arith.constant 4607182418800017408 : i64
// CHECK-DAG:   %[[FLAGS:.*]] = arith.constant 0 : i64
// CHECK:       call @pet_rt_attention_f32({{.*}}, %[[SCALE]], %[[FLAGS]])
// CHECK-NOT:   pet.
func.func @one_head(%q: tensor<4x5xf32>, %k: tensor<5x6xf32>, %v: tensor<3x6xf32>) -> tensor<4x3xf32> {
  %s = pet.matmul %q, %k : (tensor<4x5xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
  %w = pet.softmax %s axis 1 : tensor<4x6xf32>
  %c = pet.matmul %w, %v transpose_rhs : (tensor<4x6xf32>, tensor<3x6xf32>) -> tensor<4x3xf32>
  return %c : tensor<4x3xf32>
}

// -----

// Not fused: the scores are also returned (a second reader), and a softmax
// along another axis than the last.

// CHECK-LABEL: func.func @scores_returned
// CHECK-NOT:   pet_rt_attention_f32
// CHECK:       pet.softmax
func.func @scores_returned(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> (tensor<2x4x4xf32>, tensor<2x4x8xf32>) {
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x4xf32>
  %w = pet.softmax %s axis 2 : tensor<2x4x4xf32>
  %c = pet.batch_matmul %w, %v : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %s, %c : tensor<2x4x4xf32>, tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @other_axis
// CHECK-NOT:   pet_rt_attention_f32
// CHECK:       pet.softmax
func.func @other_axis(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x4xf32>
  %w = pet.softmax %s axis 1 : tensor<2x4x4xf32>
  %c = pet.batch_matmul %w, %v : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %c : tensor<2x4x8xf32>
}

// -----

// Rows of more than 128 values stay with the products (cuBLASLt).

// CHECK-LABEL: func.func @long_rows
// CHECK-NOT:   pet_rt_attention_f32
func.func @long_rows(%q: tensor<1x4x160xf32>, %k: tensor<1x4x160xf32>, %v: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<1x4x160xf32>, tensor<1x4x160xf32>) -> tensor<1x4x4xf32>
  %w = pet.softmax %s axis 2 : tensor<1x4x4xf32>
  %c = pet.batch_matmul %w, %v : (tensor<1x4x4xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %c : tensor<1x4x8xf32>
}

// -----

// Scores reshaped so that rows change (8 x 8 -> 4 x 16 keys): not fused.

// CHECK-LABEL: func.func @rows_changed
// CHECK-NOT:   pet_rt_attention_f32
func.func @rows_changed(%q: tensor<1x8x4xf32>, %k: tensor<1x8x4xf32>, %v: tensor<1x8x4xf32>) -> tensor<1x8x4xf32> {
  %s = pet.batch_matmul %q, %k transpose_rhs : (tensor<1x8x4xf32>, tensor<1x8x4xf32>) -> tensor<1x8x8xf32>
  %s2 = pet.reshape %s : tensor<1x8x8xf32> -> tensor<1x4x16xf32>
  %w2 = pet.softmax %s2 axis 2 : tensor<1x4x16xf32>
  %w = pet.reshape %w2 : tensor<1x4x16xf32> -> tensor<1x8x8xf32>
  %c = pet.batch_matmul %w, %v : (tensor<1x8x8xf32>, tensor<1x8x4xf32>) -> tensor<1x8x4xf32>
  return %c : tensor<1x8x4xf32>
}
