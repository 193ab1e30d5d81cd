// RUN: pet-opt %s -split-input-file --pet-gpu-conv-calls=channels-last=1 --pet-gpu-channels-last-pools | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-gpu-conv-calls --pet-gpu-channels-last-pools | FileCheck %s --check-prefix=NCHW

// A max pool of a convolution's NHWC output (with padding, as ResNet's
// stem): the padded image an NHWC buffer filled with -inf around a copy of
// the image, the pool writing an NHWC buffer of its own (filled with -inf
// first), which the next convolution call reads as it lies. Without
// channels-last outputs the pool stays PET's (the linalg lowering's).
// Numerics: gpu_check's -nhwc cases on the GPU machine (resnet18-32-nhwc,
// inception-v3-nhwc-krsc, resnet18-224-measured-nhwc-krsc) against the CPU
// path.

// CHECK-LABEL: func.func @padded
// CHECK:       %[[CONV:.*]] = memref.transpose %{{.*}} (d0, d1, d2, d3) -> (d0, d3, d1, d2) : memref<1x16x16x16xf32> to memref<1x16x16x16xf32, strided<[4096, 1, 256, 16]>>
// CHECK:       call @pet_rt_conv2d_fused_f32
// CHECK:       %[[T:.*]] = bufferization.to_tensor %[[CONV]]
// CHECK:       %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK:       %[[IN:.*]] = bufferization.to_buffer %[[T]] read_only : tensor<1x16x16x16xf32> to memref<1x16x16x16xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK:       %[[PADDED:.*]] = memref.transpose %{{.*}} : memref<1x18x18x16xf32> to memref<1x16x18x18xf32, strided<[5184, 1, 288, 16]>>
// CHECK:       linalg.fill ins(%[[NEG]] : f32) outs(%[[PADDED]]
// CHECK:       %[[INTERIOR:.*]] = memref.subview %[[PADDED]][0, 0, 1, 1] [1, 16, 16, 16] [1, 1, 1, 1]
// CHECK:       linalg.copy ins(%[[IN]] : {{.*}}) outs(%[[INTERIOR]] :
// CHECK:       %[[OUT:.*]] = memref.transpose %{{.*}} : memref<1x8x8x16xf32> to memref<1x16x8x8xf32, strided<[1024, 1, 128, 16]>>
// CHECK:       linalg.fill ins(%[[NEG]] : f32) outs(%[[OUT]]
// CHECK:       %[[WINDOW:.*]] = memref.alloca() : memref<3x3xf32>
// CHECK:       linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PADDED]], %[[WINDOW]] : {{.*}}) outs(%[[OUT]] :
// CHECK:       %[[POOLED:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:       bufferization.to_buffer %[[POOLED]] read_only
// CHECK:       call @pet_rt_conv2d_fused_f32
// CHECK-NOT:   pet.max_pool2d
// NCHW-LABEL:  func.func @padded
// NCHW:        pet.max_pool2d
// NCHW-NOT:    linalg.pooling_nchw_max
func.func @padded(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>,
                  %w2: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  %1 = pet.max_pool2d %0 kernel [3, 3] strides [2, 2] pad_low [1, 1] pad_high [1, 1] : tensor<1x16x16x16xf32> -> tensor<1x16x8x8xf32>
  %2 = pet.conv2d %1, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %2 : tensor<1x16x8x8xf32>
}

// -----

// Without padding (CSRNet's 2 x 2 pools): no padded copy. A pool of an image
// that is not a convolution's output (an argument) stays PET's.

// CHECK-LABEL: func.func @unpadded
// CHECK:       call @pet_rt_conv2d_fused_f32
// CHECK-NOT:   linalg.copy
// CHECK:       linalg.fill
// CHECK-NOT:   linalg.copy
// CHECK:       linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : memref<1x16x16x16xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<2x2xf32>)
// CHECK:       pet.max_pool2d %{{.*}} kernel [2, 2]
func.func @unpadded(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>)
    -> (tensor<1x16x8x8xf32>, tensor<1x8x8x8xf32>) {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  %1 = pet.max_pool2d %0 kernel [2, 2] strides [2, 2] : tensor<1x16x16x16xf32> -> tensor<1x16x8x8xf32>
  %2 = pet.max_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %1, %2 : tensor<1x16x8x8xf32>, tensor<1x8x8x8xf32>
}

// -----

// ResNet's first block: the pool's result is the residual of a chain, which
// therefore writes NHWC too (--pet-gpu-conv-calls counts on this pass).

// CHECK-LABEL: func.func @residual
// CHECK:       call @pet_rt_conv2d_fused_f32
// CHECK:       %[[OUT:.*]] = memref.transpose %{{.*}} : memref<1x8x8x16xf32> to memref<1x16x8x8xf32, strided<[1024, 1, 128, 16]>>
// CHECK:       linalg.pooling_nchw_max {{.*}} outs(%[[OUT]] :
// CHECK:       %[[POOLED:.*]] = bufferization.to_tensor %[[OUT]]
// CHECK:       %[[SUM:.*]] = memref.transpose %{{.*}} : memref<1x8x8x16xf32> to memref<1x16x8x8xf32, strided<[1024, 1, 128, 16]>>
// CHECK:       bufferization.to_buffer %[[POOLED]] read_only
// CHECK:       call @pet_rt_conv2d_fused_f32
// CHECK:       %[[R:.*]] = bufferization.to_tensor %[[SUM]]
// CHECK:       return %[[R]]
func.func @residual(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>,
                    %w2: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  %1 = pet.max_pool2d %0 kernel [2, 2] strides [2, 2] : tensor<1x16x16x16xf32> -> tensor<1x16x8x8xf32>
  %2 = pet.conv2d %1, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %3 = pet.add %2, %1 : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %3 : tensor<1x16x8x8xf32>
}
