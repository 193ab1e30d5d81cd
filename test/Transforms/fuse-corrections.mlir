// RUN: pet-opt %s -split-input-file --pet-fuse-corrections | FileCheck %s

// A bias and a ReLU after a corrected mutant: both move through the insert,
// so the mutant's convolution is followed by its bias and ReLU, and so is the
// correction's, on its box (the bias sliced to the box's channels). Numerics:
// unittests/Transforms/FuseCorrectionsTest.cpp.
// CHECK-LABEL: func.func @bias_relu
// CHECK:       %[[M:.*]] = pet.conv2d %arg0, %arg1 {{.*}} -> tensor<1x4x6x6xf32>
// CHECK:       %[[C:.*]] = pet.conv2d %arg2, %arg3 : {{.*}} -> tensor<1x2x2x6xf32>
// CHECK:       %[[BS:.*]] = pet.slice %arg4 offsets [0, 1, 0, 0] sizes [1, 2, 1, 1]
// CHECK:       %[[CB:.*]] = pet.add %[[C]], %[[BS]]
// CHECK:       %[[MB:.*]] = pet.add %[[M]], %arg4
// CHECK:       %[[CR:.*]] = pet.relu %[[CB]] : tensor<1x2x2x6xf32>
// CHECK:       %[[MR:.*]] = pet.relu %[[MB]] : tensor<1x4x6x6xf32>
// CHECK:       %[[I:.*]] = pet.insert %[[CR]] into %[[MR]] offsets [0, 1, 3, 0]
// CHECK-NEXT:  return %[[I]]
func.func @bias_relu(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %xc: tensor<1x2x4x8xf32>, %wc: tensor<2x2x3x3xf32>, %b: tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %m = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  %c = pet.conv2d %xc, %wc : (tensor<1x2x4x8xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x2x6xf32>
  %i = pet.insert %c into %m offsets [0, 1, 3, 0] : tensor<1x2x2x6xf32> into tensor<1x4x6x6xf32>
  %y = pet.add %i, %b : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %r = pet.relu %y : tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// Two corrected boxes (nested inserts) and a scale: it reaches the mutant.
// CHECK-LABEL: func.func @nested
// CHECK-DAG:   %[[A:.*]] = pet.scale %arg1 by 2.000000e+00 : tensor<1x4xf32>
// CHECK-DAG:   %[[B:.*]] = pet.scale %arg2 by 2.000000e+00 : tensor<2x1xf32>
// CHECK-DAG:   %[[M:.*]] = pet.scale %arg0 by 2.000000e+00 : tensor<4x4xf32>
// CHECK:       %[[I:.*]] = pet.insert %[[A]] into %[[M]] offsets [0, 0]
// CHECK:       pet.insert %[[B]] into %[[I]] offsets [2, 3]
func.func @nested(%m: tensor<4x4xf32>, %a: tensor<1x4xf32>, %b: tensor<2x1xf32>) -> tensor<4x4xf32> {
  %0 = pet.insert %a into %m offsets [0, 0] : tensor<1x4xf32> into tensor<4x4xf32>
  %1 = pet.insert %b into %0 offsets [2, 3] : tensor<2x1xf32> into tensor<4x4xf32>
  %2 = pet.scale %1 by 2.0 : tensor<4x4xf32>
  return %2 : tensor<4x4xf32>
}

// -----

// Left as they are: an insert read twice, a softmax (not element-wise), and
// an operand broadcast across ranks.
// CHECK-LABEL: func.func @kept
// CHECK:       %[[I:.*]] = pet.insert
// CHECK-NEXT:  pet.relu %[[I]]
// CHECK-NEXT:  pet.tanh %[[I]]
// CHECK:       %[[J:.*]] = pet.insert
// CHECK-NEXT:  pet.softmax %[[J]]
// CHECK:       %[[K:.*]] = pet.insert
// CHECK-NEXT:  pet.add %[[K]], %arg2
func.func @kept(%m: tensor<4x4xf32>, %a: tensor<1x4xf32>, %v: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %0 = pet.insert %a into %m offsets [0, 0] : tensor<1x4xf32> into tensor<4x4xf32>
  %1 = pet.relu %0 : tensor<4x4xf32>
  %2 = pet.tanh %0 : tensor<4x4xf32>
  %3 = pet.insert %a into %m offsets [1, 0] : tensor<1x4xf32> into tensor<4x4xf32>
  %4 = pet.softmax %3 axis 1 : tensor<4x4xf32>
  %5 = pet.insert %a into %m offsets [2, 0] : tensor<1x4xf32> into tensor<4x4xf32>
  %6 = pet.add %5, %v : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return %1, %2, %4, %6 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
