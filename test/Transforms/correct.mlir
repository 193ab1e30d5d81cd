// RUN: pet-opt %s -split-input-file --pet-correct | FileCheck %s

// The seam rows of an H-split mutant, recorded as six boxes, are merged into
// one box and recomputed from the input rows they read (2 to 5), zero-padded
// on the left and right as the original's padding, by a convolution without
// padding; the result overwrites the mutant's rows 3 and 4.

// CHECK-LABEL: func.func @seam
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x8x7xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>, %[[M:.*]]: tensor<1x3x8x7xf32>)
// CHECK-NEXT: %[[S:.*]] = pet.slice %[[X]] offsets [0, 0, 2, 0] sizes [1, 2, 4, 7] strides [1, 1, 1, 1]
// CHECK-NEXT: %[[P:.*]] = pet.pad %[[S]] low [0, 0, 0, 1] high [0, 0, 0, 1] : tensor<1x2x4x7xf32> -> tensor<1x2x4x9xf32>
// CHECK-NEXT: %[[C:.*]] = pet.conv2d %[[P]], %[[W]] : (tensor<1x2x4x9xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x7xf32>
// CHECK-NEXT: %[[R:.*]] = pet.insert %[[C]] into %[[M]] offsets [0, 0, 3, 0] : tensor<1x3x2x7xf32> into tensor<1x3x8x7xf32>
// CHECK-NEXT: return %[[R]]
func.func @seam(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>, %m: tensor<1x3x8x7xf32>) -> tensor<1x3x8x7xf32> {
  %y = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:3, 3:4, 0:1]>, #pet.box<[0:1, 0:3, 3:4, 1:6]>, #pet.box<[0:1, 0:3, 3:4, 6:7]>, #pet.box<[0:1, 0:3, 4:5, 0:1]>, #pet.box<[0:1, 0:3, 4:5, 1:6]>, #pet.box<[0:1, 0:3, 4:5, 6:7]>]]
      : tensor<1x3x8x7xf32> from tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32> {
  ^bb0(%a: tensor<1x2x8x7xf32>, %b: tensor<3x2x3x3xf32>):
    %0 = pet.conv2d %a, %b pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
    pet.yield %0 : tensor<1x3x8x7xf32>
  }
  return %y : tensor<1x3x8x7xf32>
}

// -----

// A chain: matmul restricted to two rows, the scale on them; the reshape
// has no restriction rule, so it is computed whole and sliced.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3x6xf32>, %[[M:.*]]: tensor<4x6xf32>, %[[N:.*]]: tensor<6x4xf32>)
// CHECK-DAG: %[[AR:.*]] = pet.slice %[[A]] offsets [1, 0] sizes [2, 3]
// CHECK-DAG: %[[MM:.*]] = pet.matmul %[[AR]], %[[B]] : (tensor<2x3xf32>, tensor<3x6xf32>) -> tensor<2x6xf32>
// CHECK: %[[SC:.*]] = pet.scale %[[MM]] by 2.000000e+00 : tensor<2x6xf32>
// CHECK: %[[I0:.*]] = pet.insert %[[SC]] into %[[M]] offsets [1, 0]
// CHECK: %[[FULL:.*]] = pet.matmul %[[A]], %[[B]] : (tensor<4x3xf32>, tensor<3x6xf32>) -> tensor<4x6xf32>
// CHECK: %[[SCF:.*]] = pet.scale %[[FULL]]
// CHECK: %[[RS:.*]] = pet.reshape %[[SCF]] : tensor<4x6xf32> -> tensor<6x4xf32>
// CHECK: %[[CUT:.*]] = pet.slice %[[RS]] offsets [5, 0] sizes [1, 4]
// CHECK: %[[I1:.*]] = pet.insert %[[CUT]] into %[[N]] offsets [5, 0]
// CHECK: return %[[I0]], %[[I1]]
func.func @chain(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>, %m: tensor<4x6xf32>, %n: tensor<6x4xf32>) -> (tensor<4x6xf32>, tensor<6x4xf32>) {
  %y:2 = pet.correct %m, %n from(%a, %b) boxes [[#pet.box<[1:3, 0:6]>], [#pet.box<[5:6, 0:4]>]]
      : tensor<4x6xf32>, tensor<6x4xf32> from tensor<4x3xf32>, tensor<3x6xf32> {
  ^bb0(%p: tensor<4x3xf32>, %q: tensor<3x6xf32>):
    %0 = pet.matmul %p, %q : (tensor<4x3xf32>, tensor<3x6xf32>) -> tensor<4x6xf32>
    %1 = pet.scale %0 by 2.0 : tensor<4x6xf32>
    %2 = pet.reshape %1 : tensor<4x6xf32> -> tensor<6x4xf32>
    pet.yield %1, %2 : tensor<4x6xf32>, tensor<6x4xf32>
  }
  return %y#0, %y#1 : tensor<4x6xf32>, tensor<6x4xf32>
}

// -----

// No boxes: the mutant as it is.
// CHECK-LABEL: func.func @nothing_wrong
// CHECK-NEXT: return %arg1
func.func @nothing_wrong(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  %y = pet.correct %m from(%x) boxes [[]] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    pet.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}
