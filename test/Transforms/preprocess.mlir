// RUN: pet-opt %s -split-input-file --pet-preprocess | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-preprocess 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

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

// -----

// Weights passed as arguments: what depends only on them moves into
// @weights_preprocess (numerics: unittests/Transforms/PreprocessTest.cpp),
// which the function names; the function reads its results as new
// arguments. The bias, read directly, stays an argument as it is.
// CHECK-LABEL: func.func @weights_preprocess(
// CHECK-SAME:    %[[W1:.*]]: tensor<2x2x1x1xf32>, %[[W3:.*]]: tensor<3x2x3x3xf32>, %{{.*}}: tensor<1x2x1x1xf32>) -> tensor<5x2x3x3xf32>
// CHECK-NEXT:  %[[P:.*]] = pet.pad %[[W1]]
// CHECK-NEXT:  %[[C:.*]] = pet.concat %[[P]], %[[W3]] axis 0
// CHECK-NEXT:  return %[[C]]
// CHECK-LABEL: func.func @weights(
// CHECK-SAME:    %[[X:.*]]: tensor<1x2x4x4xf32>, %{{.*}}: tensor<2x2x1x1xf32> {pet.weight}, %{{.*}}: tensor<3x2x3x3xf32> {pet.weight}, %[[B:.*]]: tensor<1x2x1x1xf32> {pet.weight}, %[[W:.*]]: tensor<5x2x3x3xf32> {pet.preprocessed, pet.weight})
// CHECK-SAME:    attributes {pet.preprocess = @weights_preprocess}
// CHECK-NEXT:  %[[Y:.*]] = pet.conv2d %[[X]], %[[W]]
// CHECK-NEXT:  %[[S:.*]]:2 = pet.split %[[Y]]
// CHECK-NEXT:  pet.add %[[S]]#0, %[[B]]
func.func @weights(%x: tensor<1x2x4x4xf32>, %w1: tensor<2x2x1x1xf32> {pet.weight},
                   %w3: tensor<3x2x3x3xf32> {pet.weight}, %b: tensor<1x2x1x1xf32> {pet.weight})
    -> (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) {
  %p = pet.pad %w1 low [0, 0, 1, 1] high [0, 0, 1, 1] : tensor<2x2x1x1xf32> -> tensor<2x2x3x3xf32>
  %w = pet.concat %p, %w3 axis 0 : (tensor<2x2x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<5x2x3x3xf32>
  %y = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x4x4xf32>
  %s:2 = pet.split %y axis 1 sizes [2, 3] : (tensor<1x5x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>)
  %z = pet.add %s#0, %b : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %z, %s#1 : tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// Preprocessed already, and since then a concatenation of preprocessed
// biases (a mutant's, merged after preprocessing): the existing
// preprocessing function computes it too, and the biases nothing else
// reads stop being arguments.
// CHECK-LABEL: func.func @again_preprocess(
// CHECK-SAME:    %[[B1:.*]]: tensor<2xf32>, %[[B2:.*]]: tensor<3xf32>) -> (tensor<1x5xf32>, tensor<1x5xf32>)
// CHECK-NEXT:  %[[R1:.*]] = pet.reshape %[[B1]]
// CHECK-NEXT:  %[[R2:.*]] = pet.reshape %[[B2]]
// CHECK-NEXT:  %[[C:.*]] = pet.concat %[[R1]], %[[R2]] axis 1
// CHECK-NEXT:  %[[D:.*]] = pet.scale %[[C]] by 2.000000e+00
// CHECK-NEXT:  return %[[C]], %[[D]]
// CHECK-LABEL: func.func @again(
// CHECK-SAME:    %[[X:.*]]: tensor<4x5xf32>, %{{.*}}: tensor<2xf32> {pet.weight}, %{{.*}}: tensor<3xf32> {pet.weight}, %[[C:.*]]: tensor<1x5xf32> {pet.preprocessed, pet.weight}, %[[D:.*]]: tensor<1x5xf32> {pet.preprocessed, pet.weight})
// CHECK-SAME:    attributes {pet.preprocess = @again_preprocess}
// CHECK-NEXT:  %[[Y:.*]] = pet.add %[[X]], %[[C]]
// CHECK-NEXT:  %[[Z:.*]] = pet.add %[[Y]], %[[D]]
// CHECK-NEXT:  return %[[Z]]
func.func @again_preprocess(%b1: tensor<2xf32>, %b2: tensor<3xf32>) -> (tensor<1x2xf32>, tensor<1x3xf32>) {
  %r1 = pet.reshape %b1 : tensor<2xf32> -> tensor<1x2xf32>
  %r2 = pet.reshape %b2 : tensor<3xf32> -> tensor<1x3xf32>
  return %r1, %r2 : tensor<1x2xf32>, tensor<1x3xf32>
}
func.func @again(%x: tensor<4x5xf32>, %b1: tensor<2xf32> {pet.weight}, %b2: tensor<3xf32> {pet.weight},
                 %r1: tensor<1x2xf32> {pet.weight, pet.preprocessed}, %r2: tensor<1x3xf32> {pet.weight, pet.preprocessed})
    -> tensor<4x5xf32> attributes {pet.preprocess = @again_preprocess} {
  %c = pet.concat %r1, %r2 axis 1 : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
  %y = pet.add %x, %c : (tensor<4x5xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
  %d = pet.scale %c by 2.0 : tensor<1x5xf32>
  %z = pet.add %y, %d : (tensor<4x5xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
  return %z : tensor<4x5xf32>
}

// -----

// A function called in the module keeps its signature: its weights are not
// preprocessed, and a remark says why.
// REMARK: preprocess.mlir:[[@LINE+4]]:1: remark: weights are not preprocessed: @callee is called in the module, and preprocessing changes its arguments
// CHECK-LABEL: func.func @callee
// CHECK-NEXT:  pet.transpose
// CHECK-NOT:   pet.preprocess
func.func @callee(%x: tensor<2x3xf32>, %w: tensor<2x3xf32> {pet.weight}) -> tensor<2x2xf32> {
  %t = pet.transpose %w perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = pet.matmul %x, %t : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
func.func @caller(%x: tensor<2x3xf32>, %w: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %y = func.call @callee(%x, %w) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
