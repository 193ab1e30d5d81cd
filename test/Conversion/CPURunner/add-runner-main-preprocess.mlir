// RUN: pet-opt %s --pet-add-runner-main="print=false" | FileCheck %s

// A function whose weights --pet-preprocess transformed: its entry point takes
// the original arguments, computes the preprocessed weight with @f_preprocess
// (as a runtime does once, at load) and calls the function; print=false adds
// no @main (what IREE runs).
// CHECK-LABEL: func.func @f_entry(%arg0: tensor<2x3xf32>, %arg1: tensor<3x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT:  %[[W:.*]] = call @f_preprocess(%arg1) : (tensor<3x2xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:  %[[R:.*]] = call @f(%arg0, %arg1, %[[W]])
// CHECK-NEXT:  return %[[R]]
// CHECK-NOT:   @main
func.func @f_preprocess(%w: tensor<3x2xf32>) -> tensor<2x3xf32> {
  %t = pet.transpose %w perm [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}
func.func @f(%x: tensor<2x3xf32>, %w: tensor<3x2xf32> {pet.weight}, %t: tensor<2x3xf32> {pet.preprocessed, pet.weight}) -> tensor<2x2xf32> attributes {pet.preprocess = @f_preprocess} {
  %y = pet.matmul %x, %t transpose_rhs : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
