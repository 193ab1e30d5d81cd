// RUN: pet-opt %s -split-input-file --pet-fold-channel-scales | FileCheck %s

// Inference batch-norm's scale after a convolution moves into the filter:
// one factor per output channel, reshaped to F x 1 x 1 x 1. Numerics:
// unittests/Transforms/FoldChannelScalesTest.cpp evaluates every case here
// before and after (exactly, in Z_q, where multi-linear).

// CHECK-LABEL: func.func @channel_scale
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32> {pet.weight}, %[[S:.*]]: tensor<1x4x1x1xf32> {pet.weight}, %[[B:.*]]: tensor<1x4x1x1xf32> {pet.weight})
// CHECK-NEXT: %[[R:.*]] = pet.reshape %[[S]] : tensor<1x4x1x1xf32> -> tensor<4x1x1x1xf32>
// CHECK-NEXT: %[[F:.*]] = pet.mul %[[W]], %[[R]] : (tensor<4x3x3x3xf32>, tensor<4x1x1x1xf32>) -> tensor<4x3x3x3xf32>
// CHECK-NEXT: %[[C:.*]] = pet.conv2d %[[X]], %[[F]] strides [2, 2] pad_low [1, 1] pad_high [1, 1]
// CHECK-NEXT: %[[A:.*]] = pet.add %[[C]], %[[B]]
// CHECK-NEXT: return %[[A]]
func.func @channel_scale(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32> {pet.weight}, %s: tensor<1x4x1x1xf32> {pet.weight}, %b: tensor<1x4x1x1xf32> {pet.weight}) -> tensor<1x4x4x4xf32> {
  %0 = pet.conv2d %x, %w strides [2, 2] pad_low [1, 1] pad_high [1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  %1 = pet.mul %s, %0 : (tensor<1x4x1x1xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %2 = pet.add %1, %b : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %2 : tensor<1x4x4x4xf32>
}

// -----

// A rank-3 scale (F x 1 x 1) of a grouped convolution, and a pet.scale of
// another, computed from a weight: both fold.

// CHECK-LABEL: func.func @rank3_and_scale
// CHECK: %[[R:.*]] = pet.reshape %{{.*}} : tensor<4x1x1xf32> -> tensor<4x1x1x1xf32>
// CHECK: %[[F:.*]] = pet.mul %{{.*}}, %[[R]] : (tensor<4x2x3x3xf32>, tensor<4x1x1x1xf32>)
// CHECK: pet.conv2d %{{.*}}, %[[F]] pad_low [1, 1] pad_high [1, 1] groups 2
// CHECK: %[[G:.*]] = pet.scale %{{.*}} by 5.000000e-01 : tensor<4x4x1x1xf32>
// CHECK: pet.conv2d %{{.*}}, %[[G]] :
// CHECK-NOT: pet.scale
func.func @rank3_and_scale(%x: tensor<1x4x6x6xf32>, %w: tensor<4x2x3x3xf32> {pet.weight}, %t: tensor<4x1x1xf32> {pet.weight}, %v: tensor<4x4x1x1xf32> {pet.weight}) -> tensor<1x4x6x6xf32> {
  %s = pet.scale %t by 2.0 : tensor<4x1x1xf32>
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] groups 2 : (tensor<1x4x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = pet.mul %0, %s : (tensor<1x4x6x6xf32>, tensor<4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %2 = pet.conv2d %1, %v : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %3 = pet.scale %2 by 0.5 : tensor<1x4x6x6xf32>
  return %3 : tensor<1x4x6x6xf32>
}

// -----

// What stays: a scale computed from the activations (folding it would
// scale the filter on every run), a convolution with another reader, and a
// factor per position rather than per channel.

// CHECK-LABEL: func.func @not_folded
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>, %[[W:.*]]: tensor<2x2x3x3xf32> {pet.weight}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NEXT: pet.conv2d %[[X]], %[[W]]
// CHECK-NEXT: pet.mul
// CHECK-NEXT: pet.conv2d %[[X]], %[[W]]
// CHECK-NEXT: pet.mul
// CHECK-NEXT: pet.conv2d %[[X]], %[[W]]
// CHECK-NEXT: pet.mul
// CHECK-NEXT: return
func.func @not_folded(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32> {pet.weight}, %a: tensor<1x2x1x1xf32>, %p: tensor<1x1x4x4xf32> {pet.weight}, %c: tensor<1x2x1x1xf32> {pet.weight}) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = pet.mul %0, %a : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %2 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %3 = pet.mul %2, %c : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %4 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %5 = pet.mul %4, %p : (tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %1, %3, %5, %2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
