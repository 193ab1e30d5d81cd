// RUN: pet-opt %s -split-input-file --pet-gpu-channels-last-arguments | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-gpu-channels-last-arguments --pet-gpu-conv-calls=channels-last=1 | FileCheck %s --check-prefix=CALLS

// An image argument is copied into an NHWC buffer (seen as NCHW through
// memref.transpose) at entry, and the function reads the copy; the filter
// (a weight) is left alone.
// CHECK-LABEL: func.func @conv
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8x6x6xf32>, %[[W:.*]]: tensor<4x8x3x3xf32> {pet.weight})
// CHECK-NEXT:    %[[SRC:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<1x8x6x6xf32> to memref<1x8x6x6xf32>
// CHECK-NEXT:    %[[NHWC:.*]] = memref.alloc() : memref<1x6x6x8xf32>
// CHECK-NEXT:    %[[VIEW:.*]] = memref.transpose %[[NHWC]] (d0, d1, d2, d3) -> (d0, d3, d1, d2)
// CHECK-NEXT:    linalg.copy ins(%[[SRC]] : memref<1x8x6x6xf32>) outs(%[[VIEW]]
// CHECK-NEXT:    %[[COPY:.*]] = bufferization.to_tensor %[[VIEW]] restrict writable
// CHECK-NEXT:    pet.conv2d %[[COPY]], %[[W]]
// The convolution call reads the NHWC copy through its strides.
// CALLS-LABEL: func.func @conv
// CALLS:         %[[VIEW:.*]] = memref.transpose
// CALLS:         linalg.copy ins({{.*}}) outs(%[[VIEW]]
// CALLS:         call @pet_rt_conv2d_fused_f32
func.func @conv(%x: tensor<1x8x6x6xf32>, %w: tensor<4x8x3x3xf32> {pet.weight}) -> tensor<1x4x6x6xf32> {
  %y = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x8x6x6xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// Not images: other ranks, unread arguments, other element types.
// CHECK-LABEL: func.func @others
// CHECK-NOT:     memref.alloc
// CHECK:         return
func.func @others(%a: tensor<4x8xf32>, %b: tensor<1x2x3x4xf32>, %c: tensor<1x2x3x4xf16>) -> (tensor<4x8xf32>, tensor<1x2x3x4xf16>) {
  return %a, %c : tensor<4x8xf32>, tensor<1x2x3x4xf16>
}

// -----

// A declaration has no body to copy in.
// CHECK-LABEL: func.func private @external(tensor<1x2x3x4xf32>)
func.func private @external(tensor<1x2x3x4xf32>)
