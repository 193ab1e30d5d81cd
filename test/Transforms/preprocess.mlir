// RUN: pet-opt %s -split-input-file --pet-preprocess | FileCheck %s

// The merged filter of a 1x1 and a 3x3 convolution, made from constant
// weights, becomes one constant: only the convolution is left per inference.

// CHECK-LABEL: func.func @merged_filters
// CHECK-NEXT: %[[W:.*]] = arith.constant dense<{{\[}}[{{\[}}[0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 2.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]]], {{\[}}[{{\[}}1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00]]]]> : tensor<2x1x3x3xf32>
// CHECK-NEXT: %[[Y:.*]] = pet.conv2d %arg0, %[[W]]
// CHECK-NEXT: return %[[Y]]
func.func @merged_filters(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w1 = arith.constant dense<2.0> : tensor<1x1x1x1xf32>
  %w3 = arith.constant dense<1.0> : tensor<1x1x3x3xf32>
  %p = pet.pad %w1 low [0, 0, 1, 1] high [0, 0, 1, 1] : tensor<1x1x1x1xf32> -> tensor<1x1x3x3xf32>
  %w = pet.concat %p, %w3 axis 0 : (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<2x1x3x3xf32>
  %y = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Operators reading a non-constant value stay.
// CHECK-LABEL: func.func @mixed
// CHECK: arith.constant dense<[1.500000e+00, 3.000000e+00]>
// CHECK: pet.mul %arg0
func.func @mixed(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %s = pet.scale %c by 3.0 : tensor<2xf32>
  %y = pet.mul %x, %s : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
