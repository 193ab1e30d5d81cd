// RUN: pet-opt %s -split-input-file --pet-gpu-conv-calls | FileCheck %s

// A convolution, its bias, a residual and a ReLU become one call of the
// runtime's fused cuDNN convolution, which pads the image itself (numerics:
// pet-runtime-test's fused cases, and python -m pet_mlir.gpu_check on the GPU
// machine, bench/README.md).

// CHECK-LABEL: func.func private @pet_rt_conv2d_fused_f32(memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x8xf32>, %[[W:.*]]: tensor<16x8x3x3xf32> {pet.weight}, %[[B:.*]]: tensor<1x16x1x1xf32> {pet.weight}, %[[R:.*]]: tensor<1x16x4x4xf32>)
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<1x16x4x4xf32>
// CHECK-DAG: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<1x8x8x8xf32> to memref<1x8x8x8xf32>
// CHECK-DAG: %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK-DAG: %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK-DAG: %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only
// CHECK-DAG: %[[XC:.*]] = memref.cast %[[XB]]
// CHECK-DAG: %[[WC:.*]] = memref.cast %[[WB]]
// CHECK-DAG: %[[BC:.*]] = memref.cast %[[BB]]
// CHECK-DAG: %[[RC:.*]] = memref.cast %[[RB]]
// CHECK-DAG: %[[OC:.*]] = memref.cast %[[OUT]]
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : i64
// CHECK: call @pet_rt_conv2d_fused_f32(%[[XC]], %[[WC]], %[[BC]], %[[RC]], %[[OC]], %[[C2]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C7]])
// CHECK-NEXT: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NEXT: return %[[T]]
func.func @block(%x: tensor<1x8x8x8xf32>, %w: tensor<16x8x3x3xf32> {pet.weight}, %b: tensor<1x16x1x1xf32> {pet.weight}, %r: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %0 = pet.conv2d %x, %w strides [2, 2] pad_low [1, 1] pad_high [1, 1] : (tensor<1x8x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x4x4xf32>
  %1 = pet.add %b, %0 : (tensor<1x16x1x1xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %2 = pet.add %1, %r : (tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %3 = pet.relu %2 : tensor<1x16x4x4xf32>
  return %3 : tensor<1x16x4x4xf32>
}

// -----

// The residual before the bias, no ReLU: flags 3 (bias | residual). The
// ReLU after the second convolution is fused although its input is the
// first call's result.

// CHECK-LABEL: func.func @residual_first
// CHECK: %[[C3:.*]] = arith.constant 3 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C3]])
// CHECK-NEXT: %[[T:.*]] = bufferization.to_tensor
// CHECK: bufferization.to_buffer %[[T]] read_only
// CHECK: %[[C4:.*]] = arith.constant 4 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C4]])
// CHECK-NOT: pet.
func.func @residual_first(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x1x1xf32>, %b: tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %0 = pet.conv2d %x, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %1 = pet.add %0, %x : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %2 = pet.add %1, %b : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %3 = pet.conv2d %2, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %4 = pet.relu %3 : tensor<1x4x6x6xf32>
  return %4 : tensor<1x4x6x6xf32>
}

// -----

// What does not fuse: a convolution read twice (its bias stays a pet.add),
// and a factor per position is no bias. Uneven padding: cuDNN pads by the
// smaller side (1 row and 0 columns here), the image by the rest first.

// CHECK-LABEL: func.func @partial
// CHECK: %[[C0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C0]])
// CHECK-NEXT: %[[T:.*]] = bufferization.to_tensor
// CHECK: pet.add %[[T]], %{{.*}} : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>)
// CHECK: %[[C0B:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C0B]])
// CHECK: pet.add %{{.*}}, %{{.*}} : (tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>)
// CHECK: %[[P:.*]] = pet.pad %{{.*}} low [0, 0, 1, 0] high [0, 0, 0, 2] : tensor<1x4x6x6xf32> -> tensor<1x4x7x8xf32>
// CHECK: bufferization.to_buffer %[[P]]
// CHECK: call @pet_rt_conv2d_fused_f32(%{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}},
// CHECK-NOT: pet.conv2d
func.func @partial(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<1x4x1x1xf32>, %p: tensor<1x1x6x6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x7x6xf32>) {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = pet.add %0, %b : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %2 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %3 = pet.add %2, %p : (tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>) -> tensor<1x4x6x6xf32>
  %4 = pet.conv2d %x, %w pad_low [2, 0] pad_high [1, 2] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x6xf32>
  return %0, %1, %3, %4 : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x7x6xf32>
}
