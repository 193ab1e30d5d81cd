// RUN: pet-opt %s -split-input-file --pet-merge-split-biases | FileCheck %s

// A merged projection's pieces, each added its own bias (in either operand
// order), become one addition of the biases side by side before the split.
// Numerics: test_cpu's test_merged_split_biases_compute_the_same_on_cpu
// (this file's functions on the CPU with and without the pass).

// CHECK-LABEL: func.func @merged
// CHECK-SAME:    (%[[X:.*]]: tensor<8x64xf32>, %[[BK:.*]]: tensor<1x32xf32>, %[[BV:.*]]: tensor<1x32xf32>)
// CHECK-NEXT:  %[[B:.*]] = pet.concat %[[BK]], %[[BV]] axis 1 : (tensor<1x32xf32>, tensor<1x32xf32>) -> tensor<1x64xf32>
// CHECK-NEXT:  %[[A:.*]] = pet.add %[[X]], %[[B]] : (tensor<8x64xf32>, tensor<1x64xf32>) -> tensor<8x64xf32>
// CHECK-NEXT:  %[[S:.*]]:2 = pet.split %[[A]] axis 1 sizes [32, 32]
// CHECK-NEXT:  return %[[S]]#0, %[[S]]#1
func.func @merged(%x: tensor<8x64xf32>, %bk: tensor<1x32xf32>, %bv: tensor<1x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %0:2 = pet.split %x axis 1 sizes [32, 32] : (tensor<8x64xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>)
  %1 = pet.add %0#0, %bk : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %2 = pet.add %bv, %0#1 : (tensor<1x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  return %1, %2 : tensor<8x32xf32>, tensor<8x32xf32>
}

// -----

// Left as they are: a piece read by something else too, a bias that varies
// along another axis, a split along another axis, and a bias defined after
// the split.

// CHECK-LABEL: func.func @kept
// CHECK-COUNT-4: pet.split
// CHECK-NOT:   pet.concat
func.func @kept(%x: tensor<8x64xf32>, %b: tensor<1x32xf32>, %c: tensor<8x1xf32>, %y: tensor<64x8xf32>, %d: tensor<1x8xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<32x8xf32>, tensor<32x8xf32>, tensor<8x32xf32>, tensor<8x32xf32>) {
  %0:2 = pet.split %x axis 1 sizes [32, 32] : (tensor<8x64xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>)
  %1 = pet.add %0#0, %b : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %2 = pet.add %0#1, %b : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %3:2 = pet.split %x axis 1 sizes [32, 32] : (tensor<8x64xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>)
  %4 = pet.add %3#0, %c : (tensor<8x32xf32>, tensor<8x1xf32>) -> tensor<8x32xf32>
  %5 = pet.add %3#1, %b : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %6:2 = pet.split %y axis 0 sizes [32, 32] : (tensor<64x8xf32>) -> (tensor<32x8xf32>, tensor<32x8xf32>)
  %7 = pet.add %6#0, %d : (tensor<32x8xf32>, tensor<1x8xf32>) -> tensor<32x8xf32>
  %8 = pet.add %6#1, %d : (tensor<32x8xf32>, tensor<1x8xf32>) -> tensor<32x8xf32>
  %9:2 = pet.split %x axis 1 sizes [32, 32] : (tensor<8x64xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>)
  %10 = pet.relu %b : tensor<1x32xf32>
  %11 = pet.add %9#0, %10 : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  %12 = pet.add %9#1, %10 : (tensor<8x32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  return %1, %2, %0#0, %4, %5, %7, %8, %11, %12 : tensor<8x32xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<32x8xf32>, tensor<32x8xf32>, tensor<8x32xf32>, tensor<8x32xf32>
}
