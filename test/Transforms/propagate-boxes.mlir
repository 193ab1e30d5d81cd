// RUN: pet-opt %s -split-input-file --pet-propagate-boxes | FileCheck %s

// A 3x3 convolution with padding 1: the border rows and columns see fewer
// taps, so each plane has 9 boxes (corners, edges, interior); channels and
// batch are not cut.
// CHECK-LABEL: func.func @conv3x3_pad1
// CHECK: pet.conv2d
// CHECK-SAME: pet.boxes = [#pet.partition<[1, 3, 8, 8] : [0:1, 0:3, 0:1, 0:1], [0:1, 0:3, 0:1, 1:7], [0:1, 0:3, 0:1, 7:8], [0:1, 0:3, 1:7, 0:1], [0:1, 0:3, 1:7, 1:7], [0:1, 0:3, 1:7, 7:8], [0:1, 0:3, 7:8, 0:1], [0:1, 0:3, 7:8, 1:7], [0:1, 0:3, 7:8, 7:8]>]
func.func @conv3x3_pad1(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// 5x5 with padding 2: rows and columns cut at 1, 2, 6, 7: 25 boxes.
// CHECK-LABEL: func.func @conv5x5_pad2
// CHECK: pet.boxes = [#pet.partition<[1, 1, 8, 8] : [0:1, 0:1, 0:1, 0:1], [0:1, 0:1, 0:1, 1:2], [0:1, 0:1, 0:1, 2:6], [0:1, 0:1, 0:1, 6:7], [0:1, 0:1, 0:1, 7:8], [0:1, 0:1, 1:2, 0:1], [0:1, 0:1, 1:2, 1:2], [0:1, 0:1, 1:2, 2:6], [0:1, 0:1, 1:2, 6:7], [0:1, 0:1, 1:2, 7:8], [0:1, 0:1, 2:6, 0:1], [0:1, 0:1, 2:6, 1:2], [0:1, 0:1, 2:6, 2:6], [0:1, 0:1, 2:6, 6:7], [0:1, 0:1, 2:6, 7:8], [0:1, 0:1, 6:7, 0:1], [0:1, 0:1, 6:7, 1:2], [0:1, 0:1, 6:7, 2:6], [0:1, 0:1, 6:7, 6:7], [0:1, 0:1, 6:7, 7:8], [0:1, 0:1, 7:8, 0:1], [0:1, 0:1, 7:8, 1:2], [0:1, 0:1, 7:8, 2:6], [0:1, 0:1, 7:8, 6:7], [0:1, 0:1, 7:8, 7:8]>]
func.func @conv5x5_pad2(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x5x5xf32>) -> tensor<1x1x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [2, 2] pad_high [2, 2] : (tensor<1x1x8x8xf32>, tensor<1x1x5x5xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// Stride 2 over 8 rows with padding 1 gives 4 output rows; only the first
// reads the padding (the last window ends on row 7), so each spatial
// dimension has 2 boxes.
// CHECK-LABEL: func.func @conv_strided
// CHECK: pet.boxes = [#pet.partition<[1, 1, 4, 4] : [0:1, 0:1, 0:1, 0:1], [0:1, 0:1, 0:1, 1:4], [0:1, 0:1, 1:4, 0:1], [0:1, 0:1, 1:4, 1:4]>]
func.func @conv_strided(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32> {
  %0 = pet.conv2d %x, %w strides [2, 2] pad_low [1, 1] pad_high [1, 1] : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Dilation 2, padding 2: rows 0-1 miss the top tap, rows 6-7 the bottom one.
// CHECK-LABEL: func.func @conv_dilated
// CHECK: pet.boxes = [#pet.partition<[1, 1, 8, 1] : [0:1, 0:1, 0:2, 0:1], [0:1, 0:1, 2:6, 0:1], [0:1, 0:1, 6:8, 0:1]>]
func.func @conv_dilated(%x: tensor<1x1x8x1xf32>, %w: tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32> {
  %0 = pet.conv2d %x, %w pad_low [2, 0] pad_high [2, 0] dilations [2, 1] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  return %0 : tensor<1x1x8x1xf32>
}

// -----

// Boxes compose through a chain: a second 3x3 conv cuts where its taps
// cross the first conv's boxes, so rows/columns 0, 1, 6, 7 are separate.
// CHECK-LABEL: func.func @two_convs
// CHECK: pet.conv2d
// CHECK: pet.conv2d
// CHECK-SAME: pet.boxes = [#pet.partition<[1, 1, 8, 1] : [0:1, 0:1, 0:1, 0:1], [0:1, 0:1, 1:2, 0:1], [0:1, 0:1, 2:6, 0:1], [0:1, 0:1, 6:7, 0:1], [0:1, 0:1, 7:8, 0:1]>]
func.func @two_convs(%x: tensor<1x1x8x1xf32>, %w: tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 0] pad_high [1, 0] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  %1 = pet.conv2d %0, %w pad_low [1, 0] pad_high [1, 0] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  return %1 : tensor<1x1x8x1xf32>
}

// -----

// A non-linear operator starts a new subprogram: its result is one box.
// CHECK-LABEL: func.func @relu_resets
// CHECK: pet.relu
// CHECK-SAME: pet.boxes = [#pet.partition<[1, 1, 8, 1] : [0:1, 0:1, 0:8, 0:1]>]
func.func @relu_resets(%x: tensor<1x1x8x1xf32>, %w: tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 0] pad_high [1, 0] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  %1 = pet.relu %0 : tensor<1x1x8x1xf32>
  return %1 : tensor<1x1x8x1xf32>
}

// -----

// Layout operators: pad adds its zero border as boxes, slice restricts,
// concat places its inputs' boxes side by side, transpose permutes them,
// element-wise operators intersect.
// CHECK-LABEL: func.func @layout
// CHECK: pet.pad
// CHECK-SAME: pet.boxes = [#pet.partition<[4, 7] : [0:1, 0:2], [0:1, 2:5], [0:1, 5:7], [1:4, 0:2], [1:4, 2:5], [1:4, 5:7]>]
// CHECK: pet.slice
// CHECK-SAME: pet.boxes = [#pet.partition<[3, 4] : [0:3, 0:2], [0:3, 2:4]>]
// CHECK: pet.concat
// CHECK-SAME: pet.boxes = [#pet.partition<[6, 4] : [0:3, 0:2], [0:3, 2:4], [3:6, 0:2], [3:6, 2:4]>]
// CHECK: pet.transpose
// CHECK-SAME: pet.boxes = [#pet.partition<[4, 6] : [0:2, 0:3], [0:2, 3:6], [2:4, 0:3], [2:4, 3:6]>]
// CHECK: pet.pad
// CHECK-SAME: pet.boxes = [#pet.partition<[4, 6] : [0:2, 0:6], [2:4, 0:6]>]
// CHECK: pet.add
// CHECK-SAME: pet.boxes = [#pet.partition<[4, 6] : [0:2, 0:3], [0:2, 3:6], [2:4, 0:3], [2:4, 3:6]>]
func.func @layout(%x: tensor<3x3xf32>, %y: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = pet.pad %x low [1, 2] high [0, 2] : tensor<3x3xf32> -> tensor<4x7xf32>
  %1 = pet.slice %0 offsets [1, 3] sizes [3, 4] strides [1, 1] : tensor<4x7xf32> -> tensor<3x4xf32>
  %2 = pet.concat %1, %1 axis 0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<6x4xf32>
  %3 = pet.transpose %2 perm [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
  %4 = pet.slice %y offsets [2, 0] sizes [2, 6] : tensor<4x6xf32> -> tensor<2x6xf32>
  %5 = pet.pad %4 low [2, 0] high [0, 0] : tensor<2x6xf32> -> tensor<4x6xf32>
  %6 = pet.add %3, %5 : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %6 : tensor<4x6xf32>
}

// -----

// Reshapes: an aligned split of a dimension keeps one box; flattening a
// 12x64 tensor cuts the flat one every 64 (the row changes); 2x6 -> 4x3 is
// affine on each half (rows 0-1 read input row 0, rows 2-3 input row 1).
// CHECK-LABEL: func.func @reshapes
// CHECK: pet.reshape
// CHECK-SAME: pet.boxes = [#pet.partition<[1, 12, 64] : [0:1, 0:12, 0:64]>]
// CHECK: pet.reshape
// CHECK-SAME: pet.boxes = [#pet.partition<[768] : [0:64], [64:128], [128:192], [192:256], [256:320], [320:384], [384:448], [448:512], [512:576], [576:640], [640:704], [704:768]>]
// CHECK: pet.reshape
// CHECK-SAME: pet.boxes = [#pet.partition<[4, 3] : [0:2, 0:3], [2:4, 0:3]>]
func.func @reshapes(%x: tensor<1x768xf32>, %y: tensor<2x6xf32>) -> (tensor<768xf32>, tensor<4x3xf32>) {
  %0 = pet.reshape %x : tensor<1x768xf32> -> tensor<1x12x64xf32>
  %1 = pet.reshape %0 : tensor<1x12x64xf32> -> tensor<768xf32>
  %2 = pet.reshape %y : tensor<2x6xf32> -> tensor<4x3xf32>
  return %1, %2 : tensor<768xf32>, tensor<4x3xf32>
}

// -----

// Operators of other dialects pass through untouched, dynamic shapes
// included; their results start new subprograms like non-linear ones.
// CHECK-LABEL: func.func @foreign
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x4xf32>
// CHECK: pet.scale
// CHECK-SAME: pet.boxes = [#pet.partition<[2, 4] : [0:2, 0:4]>]
// CHECK: return %[[E]]
func.func @foreign(%n: index, %x: tensor<2x4xf32>) -> (tensor<?x4xf32>, tensor<2x4xf32>) {
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %c = arith.constant dense<1.0> : tensor<2x4xf32>
  %s = pet.scale %c by 2.0 : tensor<2x4xf32>
  return %e, %s : tensor<?x4xf32>, tensor<2x4xf32>
}
