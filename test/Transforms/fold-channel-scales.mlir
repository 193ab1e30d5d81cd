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

// -----

// Inference batch normalization as PyTorch's modules compute it (imported
// from torch-mlir with the statistics as weights):
// (conv - mean) * rsqrt(var + eps) * gamma + beta. The mean becomes an
// offset, each factor moves into the filter and through the offsets, and
// the offsets add up to one bias: the convolution is followed by its bias
// and ReLU only.

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32> {pet.weight}, %[[G:.*]]: tensor<4xf32> {pet.weight}, %[[B:.*]]: tensor<4xf32> {pet.weight}, %[[M:.*]]: tensor<4xf32> {pet.weight}, %[[V:.*]]: tensor<4xf32> {pet.weight})
// CHECK:     %[[INV:.*]] = pet.rsqrt
// CHECK:     %[[NEG:.*]] = pet.scale %{{.*}} by -1.000000e+00 : tensor<1x4x1x1xf32>
// CHECK-DAG: %[[F1:.*]] = pet.mul %[[W]], %{{.*}} : (tensor<4x3x3x3xf32>, tensor<4x1x1x1xf32>)
// CHECK-DAG: %[[O1:.*]] = pet.mul %[[NEG]], %{{.*}} : (tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>)
// CHECK:     %[[F2:.*]] = pet.mul %[[F1]], %{{.*}} : (tensor<4x3x3x3xf32>, tensor<4x1x1x1xf32>)
// CHECK:     %[[C:.*]] = pet.conv2d %[[X]], %[[F2]] pad_low [1, 1] pad_high [1, 1]
// CHECK:     %[[O2:.*]] = pet.mul %[[O1]], %{{.*}} : (tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>)
// CHECK:     %[[BIAS:.*]] = pet.add %[[O2]], %{{.*}} : (tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>)
// CHECK-NEXT: %[[A:.*]] = pet.add %[[C]], %[[BIAS]] : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>)
// CHECK-NEXT: %[[R:.*]] = pet.relu %[[A]]
// CHECK-NEXT: return %[[R]]
func.func @batch_norm(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32> {pet.weight}, %g: tensor<4xf32> {pet.weight}, %b: tensor<4xf32> {pet.weight}, %m: tensor<4xf32> {pet.weight}, %v: tensor<4xf32> {pet.weight}) -> tensor<1x4x8x8xf32> {
  %eps = arith.constant dense<1.0e-05> : tensor<1xf32>
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  // A variance that is positive for any weights the test draws.
  %var = pet.mul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = pet.add %var, %eps : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %2 = pet.rsqrt %1 : tensor<4xf32>
  %3 = pet.reshape %m : tensor<4xf32> -> tensor<1x4x1x1xf32>
  %4 = pet.sub %0, %3 : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %5 = pet.reshape %2 : tensor<4xf32> -> tensor<1x4x1x1xf32>
  %6 = pet.mul %4, %5 : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %7 = pet.reshape %g : tensor<4xf32> -> tensor<1x4x1x1xf32>
  %8 = pet.mul %6, %7 : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %9 = pet.reshape %b : tensor<4xf32> -> tensor<1x4x1x1xf32>
  %10 = pet.add %8, %9 : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %11 = pet.relu %10 : tensor<1x4x8x8xf32>
  return %11 : tensor<1x4x8x8xf32>
}

// -----

// What stays: an offset computed from the activations, an offset of a
// convolution that something else reads, and a difference whose
// convolution is the subtrahend.

// CHECK-LABEL: func.func @offsets_not_folded
// CHECK-NEXT: pet.conv2d
// CHECK-NEXT: pet.sub
// CHECK-NEXT: pet.mul
// CHECK-NEXT: pet.conv2d
// CHECK-NEXT: pet.sub
// CHECK-NEXT: pet.mul
// CHECK-NEXT: pet.conv2d
// CHECK-NEXT: pet.sub
// CHECK-NEXT: return
func.func @offsets_not_folded(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32> {pet.weight}, %a: tensor<1x2x1x1xf32>, %c: tensor<1x2x1x1xf32> {pet.weight}) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = pet.sub %0, %a : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %2 = pet.mul %1, %c : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %3 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %4 = pet.sub %3, %c : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %5 = pet.mul %4, %c : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %6 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %7 = pet.sub %c, %6 : (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %2, %5, %3, %7 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
