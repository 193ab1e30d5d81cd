// RUN: pet-opt %s -canonicalize -split-input-file | FileCheck %s

// The folders of the pet operators, and cases they must leave alone.

//===----------------------------------------------------------------------===//
// pet.transpose
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @transpose_identity(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3x4xf32>
// CHECK-NOT:     pet.transpose
// CHECK:         return %[[X]] : tensor<2x3x4xf32>
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = pet.transpose %x perm [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_rank0(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<f32>
// CHECK-NOT:     pet.transpose
// CHECK:         return %[[X]] : tensor<f32>
func.func @transpose_rank0(%x: tensor<f32>) -> tensor<f32> {
  %0 = pet.transpose %x perm [] : tensor<f32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Result dimension i of the pair is input dimension inner[outer[i]]:
// [1, 2, 0] after [1, 2, 0] is [2, 0, 1]. The first transpose is dead then.
// CHECK-LABEL: func.func @transpose_of_transpose(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3x4xf32>
// CHECK-NEXT:    %[[R:.*]] = pet.transpose %[[X]] perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x2x3xf32>
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = pet.transpose %x perm [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = pet.transpose %0 perm [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Not an involution: [0, 2, 1, 3] after [2, 0, 3, 1] is [2, 3, 0, 1].
// The inner transpose stays, since it has another use.
// CHECK-LABEL: func.func @transpose_of_transpose_shared(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3x4x5xf32>
// CHECK-NEXT:    %[[A:.*]] = pet.transpose %[[X]] perm [2, 0, 3, 1] : tensor<2x3x4x5xf32> -> tensor<4x2x5x3xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.transpose %[[X]] perm [2, 3, 0, 1] : tensor<2x3x4x5xf32> -> tensor<4x5x2x3xf32>
// CHECK-NEXT:    return %[[A]], %[[B]] : tensor<4x2x5x3xf32>, tensor<4x5x2x3xf32>
func.func @transpose_of_transpose_shared(%x: tensor<2x3x4x5xf32>) -> (tensor<4x2x5x3xf32>, tensor<4x5x2x3xf32>) {
  %0 = pet.transpose %x perm [2, 0, 3, 1] : tensor<2x3x4x5xf32> -> tensor<4x2x5x3xf32>
  %1 = pet.transpose %0 perm [0, 2, 1, 3] : tensor<4x2x5x3xf32> -> tensor<4x5x2x3xf32>
  return %0, %1 : tensor<4x2x5x3xf32>, tensor<4x5x2x3xf32>
}

// -----

// A chain of three composes into one.
// CHECK-LABEL: func.func @transpose_chain(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3x4xf32>
// CHECK-NEXT:    %[[R:.*]] = pet.transpose %[[X]] perm [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<3x2x4xf32>
func.func @transpose_chain(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = pet.transpose %x perm [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = pet.transpose %0 perm [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  %2 = pet.transpose %1 perm [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return %2 : tensor<3x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_pair_to_identity(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32>, %[[Y:[^:]*]]: tensor<2x3x4xf32>
// CHECK-NOT:     pet.transpose
// CHECK:         return %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<2x3x4xf32>
func.func @transpose_pair_to_identity(%x: tensor<2x3xf32>, %y: tensor<2x3x4xf32>) -> (tensor<2x3xf32>, tensor<2x3x4xf32>) {
  %0 = pet.transpose %x perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = pet.transpose %0 perm [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  %2 = pet.transpose %y perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %3 = pet.transpose %2 perm [1, 2, 0] : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
  return %1, %3 : tensor<2x3xf32>, tensor<2x3x4xf32>
}

// -----

// A square transpose keeps the type but is no identity.
// CHECK-LABEL: func.func @transpose_not_identity(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<3x3xf32>
// CHECK-NEXT:    %[[R:.*]] = pet.transpose %[[X]] perm [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
// CHECK-NEXT:    return %[[R]] : tensor<3x3xf32>
func.func @transpose_not_identity(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = pet.transpose %x perm [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// pet.reshape
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape_same_type(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x6xf32>
// CHECK-NOT:     pet.reshape
// CHECK:         return %[[X]] : tensor<2x6xf32>
func.func @reshape_same_type(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %0 = pet.reshape %x : tensor<2x6xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x6xf32>
// CHECK-NEXT:    %[[R:.*]] = pet.reshape %[[X]] : tensor<2x6xf32> -> tensor<3x4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<3x4xf32>
func.func @reshape_of_reshape(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %0 = pet.reshape %x : tensor<2x6xf32> -> tensor<12xf32>
  %1 = pet.reshape %0 : tensor<12xf32> -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_pair_to_original(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x6xf16>
// CHECK-NOT:     pet.reshape
// CHECK:         return %[[X]] : tensor<2x6xf16>
func.func @reshape_pair_to_original(%x: tensor<2x6xf16>) -> tensor<2x6xf16> {
  %0 = pet.reshape %x : tensor<2x6xf16> -> tensor<3x2x2xf16>
  %1 = pet.reshape %0 : tensor<3x2x2xf16> -> tensor<2x6xf16>
  return %1 : tensor<2x6xf16>
}

// -----

// CHECK-LABEL: func.func @reshape_kept(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x6xf32>
// CHECK-NEXT:    %[[R:.*]] = pet.reshape %[[X]] : tensor<2x6xf32> -> tensor<6x2xf32>
// CHECK-NEXT:    return %[[R]] : tensor<6x2xf32>
func.func @reshape_kept(%x: tensor<2x6xf32>) -> tensor<6x2xf32> {
  %0 = pet.reshape %x : tensor<2x6xf32> -> tensor<6x2xf32>
  return %0 : tensor<6x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// pet.slice
//===----------------------------------------------------------------------===//

// Strides do not matter in dimensions of size 1.
// CHECK-LABEL: func.func @slice_identity(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x6xf32>, %[[Y:[^:]*]]: tensor<4x1xf32>
// CHECK-NOT:     pet.slice
// CHECK:         return %[[X]], %[[Y]] : tensor<4x6xf32>, tensor<4x1xf32>
func.func @slice_identity(%x: tensor<4x6xf32>, %y: tensor<4x1xf32>) -> (tensor<4x6xf32>, tensor<4x1xf32>) {
  %0 = pet.slice %x offsets [0, 0] sizes [4, 6] : tensor<4x6xf32> -> tensor<4x6xf32>
  %1 = pet.slice %y offsets [0, 0] sizes [4, 1] strides [1, 3] : tensor<4x1xf32> -> tensor<4x1xf32>
  return %0, %1 : tensor<4x6xf32>, tensor<4x1xf32>
}

// -----

// A nonzero offset, or a size smaller than the input's, keeps the slice.
// CHECK-LABEL: func.func @slice_nonzero_offset(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x6xf32>
// CHECK-NEXT:    %[[A:.*]] = pet.slice %[[X]] offsets [1, 0] sizes [3, 6] : tensor<4x6xf32> -> tensor<3x6xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.slice %[[X]] offsets [0, 0] sizes [4, 5] : tensor<4x6xf32> -> tensor<4x5xf32>
// CHECK-NEXT:    return %[[A]], %[[B]] : tensor<3x6xf32>, tensor<4x5xf32>
func.func @slice_nonzero_offset(%x: tensor<4x6xf32>) -> (tensor<3x6xf32>, tensor<4x5xf32>) {
  %0 = pet.slice %x offsets [1, 0] sizes [3, 6] : tensor<4x6xf32> -> tensor<3x6xf32>
  %1 = pet.slice %x offsets [0, 0] sizes [4, 5] : tensor<4x6xf32> -> tensor<4x5xf32>
  return %0, %1 : tensor<3x6xf32>, tensor<4x5xf32>
}

// -----

// Same type as the input, but a different window: not an identity.
// CHECK-LABEL: func.func @slice_same_type_offset(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x1xf32>, %[[Y:[^:]*]]: tensor<2x1xf32>
// CHECK-NEXT:    %[[A:.*]] = pet.slice %[[X]] offsets [2, 0] sizes [2, 1] : tensor<4x1xf32> -> tensor<2x1xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.add %[[A]], %[[Y]]
// CHECK-NEXT:    return %[[B]] : tensor<2x1xf32>
func.func @slice_same_type_offset(%x: tensor<4x1xf32>, %y: tensor<2x1xf32>) -> tensor<2x1xf32> {
  %0 = pet.slice %x offsets [2, 0] sizes [2, 1] : tensor<4x1xf32> -> tensor<2x1xf32>
  %1 = pet.add %0, %y : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x1xf32>
  return %1 : tensor<2x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// pet.pad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pad_zero(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x6xf32>
// CHECK-NOT:     pet.pad
// CHECK:         return %[[X]] : tensor<4x6xf32>
func.func @pad_zero(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = pet.pad %x low [0, 0] high [0, 0] : tensor<4x6xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func.func @pad_nonzero(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x6xf32>
// CHECK-NEXT:    %[[A:.*]] = pet.pad %[[X]] low [0, 1] high [0, 0] : tensor<4x6xf32> -> tensor<4x7xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.pad %[[X]] low [0, 0] high [2, 0] : tensor<4x6xf32> -> tensor<6x6xf32>
// CHECK-NEXT:    return %[[A]], %[[B]] : tensor<4x7xf32>, tensor<6x6xf32>
func.func @pad_nonzero(%x: tensor<4x6xf32>) -> (tensor<4x7xf32>, tensor<6x6xf32>) {
  %0 = pet.pad %x low [0, 1] high [0, 0] : tensor<4x6xf32> -> tensor<4x7xf32>
  %1 = pet.pad %x low [0, 0] high [2, 0] : tensor<4x6xf32> -> tensor<6x6xf32>
  return %0, %1 : tensor<4x7xf32>, tensor<6x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// pet.concat and pet.split
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @concat_one_input(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32>
// CHECK-NOT:     pet.concat
// CHECK:         return %[[X]] : tensor<2x3xf32>
func.func @concat_one_input(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = pet.concat %x axis 1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_two_inputs(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32>
// CHECK-NEXT:    %[[R:.*]] = pet.concat %[[X]], %[[X]] axis 1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2x6xf32>
func.func @concat_two_inputs(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  %0 = pet.concat %x, %x axis 1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// CHECK-LABEL: func.func @split_one_piece(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32>
// CHECK-NOT:     pet.split
// CHECK:         return %[[X]] : tensor<2x3xf32>
func.func @split_one_piece(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = pet.split %x axis 0 sizes [2] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @split_two_pieces(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32>
// CHECK-NEXT:    %[[R:.*]]:2 = pet.split %[[X]] axis 1 sizes [1, 2] : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1 : tensor<2x1xf32>, tensor<2x2xf32>
func.func @split_two_pieces(%x: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>) {
  %0:2 = pet.split %x axis 1 sizes [1, 2] : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  return %0#0, %0#1 : tensor<2x1xf32>, tensor<2x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// pet.scale
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scale_one(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4xbf16>
// CHECK-NOT:     pet.scale
// CHECK:         return %[[X]] : tensor<4xbf16>
func.func @scale_one(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = pet.scale %x by 1.0 : tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// Scales other than 1 stay (two of them combine into one).
// CHECK-LABEL: func.func @scale_not_one(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4xf32>
// CHECK-NEXT:    %[[A:.*]] = pet.scale %[[X]] by -2.000000e+00 : tensor<4xf32>
// CHECK-NEXT:    return %[[A]] : tensor<4xf32>
func.func @scale_not_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = pet.scale %x by 2.0 : tensor<4xf32>
  %1 = pet.scale %0 by -1.0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Folds that chain
//===----------------------------------------------------------------------===//

// Everything here is an identity once the folds have run.
// CHECK-LABEL: func.func @chain(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32>
// CHECK-NOT:     pet.
// CHECK:         return %[[X]] : tensor<2x3xf32>
func.func @chain(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = pet.transpose %x perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = pet.scale %0 by 1.0 : tensor<3x2xf32>
  %2 = pet.pad %1 low [0, 0] high [0, 0] : tensor<3x2xf32> -> tensor<3x2xf32>
  %3 = pet.transpose %2 perm [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  %4 = pet.concat %3 axis 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %4 : tensor<2x3xf32>
}

// -----

// Inverse layout pairs: a split whose pieces are concatenated back in order,
// and a concatenation split back into its parts, disappear (this is how the
// moves of consecutive mutants cancel).

// CHECK-LABEL: func.func @split_then_concat
// CHECK-NEXT: return %arg0
func.func @split_then_concat(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %a, %b = pet.split %x axis 1 sizes [3, 5] : (tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x5xf32>)
  %y = pet.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @concat_then_split
// CHECK-NEXT: return %arg1, %arg0
func.func @concat_then_split(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %c = pet.concat %a, %b axis 0 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %p, %q = pet.split %c axis 0 sizes [1, 1] : (tensor<2x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
  return %q, %p : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// Not inverses: pieces out of order, another axis, other sizes.
// CHECK-LABEL: func.func @not_inverse
// CHECK: pet.split
// CHECK: pet.concat
// CHECK: pet.concat
// CHECK: pet.split
func.func @not_inverse(%x: tensor<2x8xf32>, %u: tensor<2x4xf32>) -> (tensor<2x8xf32>, tensor<2x3xf32>) {
  %a, %b = pet.split %x axis 1 sizes [4, 4] : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  %y = pet.concat %b, %a axis 1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  %c = pet.concat %u, %u axis 1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  %p, %q = pet.split %c axis 1 sizes [3, 5] : (tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x5xf32>)
  return %y, %p : tensor<2x8xf32>, tensor<2x3xf32>
}

// -----

// Scales of scales combine into one where a factor is a power of two (so
// that floating-point results do not change either; numerics:
// CanonicalizeNumericsTest); 0.1 then 3 stays two scales.
// CHECK-LABEL: func.func @scale_chain
// CHECK-NEXT:  %[[S:.*]] = pet.scale %arg0 by -3.750000e-01 : tensor<4xf32>
// CHECK-NEXT:  %[[A:.*]] = pet.scale %arg0 by 1.000000e-01 : tensor<4xf32>
// CHECK-NEXT:  %[[B:.*]] = pet.scale %[[A]] by 3.000000e+00 : tensor<4xf32>
// CHECK-NEXT:  return %[[S]], %[[B]]
func.func @scale_chain(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = pet.scale %x by 0.5 : tensor<4xf32>
  %1 = pet.scale %0 by 3.0 : tensor<4xf32>
  %2 = pet.scale %1 by -0.25 : tensor<4xf32>
  %3 = pet.scale %x by 0.1 : tensor<4xf32>
  %4 = pet.scale %3 by 3.0 : tensor<4xf32>
  return %2, %4 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A zero padding of the image moves into the convolution; one that pads the
// channels does not.
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-NEXT:  %[[Y:.*]] = pet.conv2d %arg0, %arg1 strides [2, 2] pad_low [2, 1] pad_high [0, 2] : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
// CHECK-NEXT:  %[[P:.*]] = pet.pad %arg0 low [0, 1, 0, 0]
// CHECK-NEXT:  pet.conv2d %[[P]]
func.func @pad_into_conv(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %v: tensor<3x3x3x3xf32>) -> (tensor<1x3x3x3xf32>, tensor<1x3x2x2xf32>) {
  %p = pet.pad %x low [0, 0, 1, 0] high [0, 0, 0, 2] : tensor<1x2x5x5xf32> -> tensor<1x2x6x7xf32>
  %y = pet.conv2d %p, %w strides [2, 2] pad_low [1, 1] pad_high [0, 0] : (tensor<1x2x6x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  %q = pet.pad %x low [0, 1, 0, 0] high [0, 0, 0, 0] : tensor<1x2x5x5xf32> -> tensor<1x3x5x5xf32>
  %z = pet.conv2d %q, %v strides [2, 2] pad_low [1, 1] pad_high [0, 0] : (tensor<1x3x5x5xf32>, tensor<3x3x3x3xf32>) -> tensor<1x3x2x2xf32>
  return %y, %z : tensor<1x3x3x3xf32>, tensor<1x3x2x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Transposes of matrix products
//===----------------------------------------------------------------------===//

// (w x^T)^T = x w^T: the transposes of x cancel, one of w is left (of a
// weight: computed once, at load); the product's attributes stay. Without
// a transposed operand the transpose stays (it would add one).
// CHECK-LABEL: func.func @transpose_of_matmul
// CHECK-NEXT:  %[[WT:.*]] = pet.transpose %arg1 perm [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT:  %[[P:.*]] = pet.matmul %arg0, %[[WT]] {pet.mutant = 0 : i64} : (tensor<3x4xf32>, tensor<4x6xf32>) -> tensor<3x6xf32>
// CHECK-NEXT:  %[[Q:.*]] = pet.matmul %arg1, %arg2 : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
// CHECK-NEXT:  %[[QT:.*]] = pet.transpose %[[Q]] perm [1, 0]
// CHECK-NEXT:  return %[[P]], %[[QT]]
func.func @transpose_of_matmul(%x: tensor<3x4xf32>, %w: tensor<6x4xf32>, %y: tensor<4x3xf32>) -> (tensor<3x6xf32>, tensor<3x6xf32>) {
  %xt = pet.transpose %x perm [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %p = pet.matmul %w, %xt {pet.mutant = 0 : i64} : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %pt = pet.transpose %p perm [1, 0] : tensor<6x3xf32> -> tensor<3x6xf32>
  %q = pet.matmul %w, %y : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %qt = pet.transpose %q perm [1, 0] : tensor<6x3xf32> -> tensor<3x6xf32>
  return %pt, %qt : tensor<3x6xf32>, tensor<3x6xf32>
}
