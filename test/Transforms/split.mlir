// RUN: pet-opt %s -split-input-file --pet-split | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-split=outline=true | FileCheck %s --check-prefix=OUTLINE

// A residual block: the ReLUs cut it into two multi-linear subprograms; the
// residual input of the second is the function argument.

// CHECK-LABEL: func.func @block
// CHECK: pet.conv2d {{.*}} {pet.subprogram = 0 : i64}
// CHECK: pet.mul {{.*}} {pet.subprogram = 0 : i64}
// CHECK: pet.relu
// CHECK-NOT: pet.subprogram
// CHECK-SAME: tensor
// CHECK: pet.conv2d {{.*}} {pet.subprogram = 1 : i64}
// CHECK: pet.add {{.*}} {pet.subprogram = 1 : i64}

// OUTLINE-LABEL: func.func @block
// OUTLINE-SAME: (%[[X:.*]]: tensor<1x4x6x6xf32>, %[[W1:.*]]: tensor<4x4x3x3xf32>, %[[S:.*]]: tensor<1x4x1x1xf32>, %[[W2:.*]]: tensor<4x4x3x3xf32>)
// OUTLINE:   %[[A:.*]] = call @block_sub0(%[[X]], %[[W1]], %[[S]])
// OUTLINE:   %[[R:.*]] = pet.relu %[[A]]
// OUTLINE:   %[[B:.*]] = call @block_sub1(%[[R]], %[[W2]], %[[X]])
// OUTLINE:   %[[OUT:.*]] = pet.relu %[[B]]
// OUTLINE:   return %[[OUT]]
// OUTLINE: func.func private @block_sub0(%{{.*}}: tensor<1x4x6x6xf32>, %{{.*}}: tensor<4x4x3x3xf32>, %{{.*}}: tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
// OUTLINE-NEXT: pet.conv2d
// OUTLINE-NEXT: pet.mul
// OUTLINE-NEXT: return
// OUTLINE: func.func private @block_sub1(%{{.*}}: tensor<1x4x6x6xf32>, %{{.*}}: tensor<4x4x3x3xf32>, %{{.*}}: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
// OUTLINE-NEXT: pet.conv2d
// OUTLINE-NEXT: pet.add
// OUTLINE-NEXT: return
func.func @block(%x: tensor<1x4x6x6xf32>, %w1: tensor<4x4x3x3xf32>, %s: tensor<1x4x1x1xf32>,
                 %w2: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %c1 = pet.conv2d %x, %w1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %n1 = pet.mul %c1, %s : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %r1 = pet.relu %n1 : tensor<1x4x6x6xf32>
  %c2 = pet.conv2d %r1, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %sum = pet.add %c2, %x : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %out = pet.relu %sum : tensor<1x4x6x6xf32>
  return %out : tensor<1x4x6x6xf32>
}

// -----

// %a feeds the tanh and, directly, %b, which also reads the tanh's result:
// {%a, %b} cannot be one subprogram (it would run before and after the
// tanh). %c, before the tanh, joins %a. A constant defined late is moved up
// when the subprogram is outlined.

// CHECK-LABEL: func.func @side_path
// CHECK: %[[A:.*]] = pet.scale {{.*}} {pet.subprogram = 0 : i64}
// CHECK: pet.tanh
// CHECK: pet.scale {{.*}} {pet.subprogram = 1 : i64}
// CHECK: pet.add {{.*}} {pet.subprogram = 1 : i64}
// CHECK: pet.mul {{.*}} {pet.subprogram = 0 : i64}

// OUTLINE-LABEL: func.func @side_path
// OUTLINE:   %[[W:.*]] = arith.constant
// OUTLINE:   %[[A:.*]]:2 = call @side_path_sub0(%{{.*}}, %[[W]])
// OUTLINE:   %[[T:.*]] = pet.tanh %[[A]]#0
// OUTLINE:   %[[B:.*]] = call @side_path_sub1(%[[T]], %[[A]]#0)
// OUTLINE:   return %[[B]], %[[A]]#1
func.func @side_path(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = pet.scale %x by 2.0 : tensor<4xf32>
  %r = pet.tanh %a : tensor<4xf32>
  %s = pet.scale %r by 3.0 : tensor<4xf32>
  %b = pet.add %a, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %w = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c = pet.mul %a, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %b, %c : tensor<4xf32>, tensor<4xf32>
}

// -----

// Operators of other dialects pass through and cut subprograms like
// non-linear ones.

// CHECK-LABEL: func.func @foreign
// CHECK: pet.scale {{.*}} {pet.subprogram = 0 : i64}
// CHECK: tensor.collapse_shape
// CHECK-NOT: pet.subprogram
// CHECK: pet.scale {{.*}} {pet.subprogram = 1 : i64}
func.func @foreign(%x: tensor<2x2xf32>) -> tensor<4xf32> {
  %a = pet.scale %x by 2.0 : tensor<2x2xf32>
  %f = tensor.collapse_shape %a [[0, 1]] : tensor<2x2xf32> into tensor<4xf32>
  %b = pet.scale %f by 3.0 : tensor<4xf32>
  return %b : tensor<4xf32>
}
