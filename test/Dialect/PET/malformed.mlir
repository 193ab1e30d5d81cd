// RUN: not pet-opt %s -split-input-file 2>&1 | FileCheck %s
// RUN: not pet-opt %s -split-input-file 2>/dev/null | FileCheck %s --check-prefix=OUT
// RUN: pet-opt %s -split-input-file > /dev/null 2>&1; test $? -eq 1

// Malformed input is reported as an error at its source location (in this
// file, despite -split-input-file), the other chunks are still processed,
// and pet-opt exits with status 1 rather than crashing.

func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:8: error: custom op 'pet.frobnicate' is unknown
  %0 = pet.frobnicate %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unknown_op_generic(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:8: error: unregistered operation 'pet.frobnicate' found in dialect ('pet') that does not allow unknown operations
  %0 = "pet.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unregistered_dialect(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:22: error: operation being parsed with an unregistered dialect. If this is intended, please use -allow-unregistered-dialect with the MLIR tool used
  %0 = "nodialect.op"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unregistered_dialect_custom(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:8: error: Dialect `nodialect' not found for custom op 'nodialect.op'
  %0 = nodialect.op %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @conv2d_wrong_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+2]]:8: error: 'pet.conv2d' op expects a 4-D input (N x C x H x W), got 'tensor<3x8x8xf32>'
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:8: error: 'pet.conv2d' op failed to infer returned types
  %0 = pet.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv2d_bad_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:8: error: 'pet.conv2d' op expects `strides` values of at least 1, got 0
  %0 = pet.conv2d %x, %w strides [0, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @bad_epsilon(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:8: error: 'pet.layer_norm' op expects a non-negative epsilon, got -1.000000e+00
  %0 = pet.layer_norm %x axis 1 epsilon -1.0 : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// The error points at the attribute body.
// CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:41: error: box interval [3, 1) of dimension 0 has its lower bound above its upper bound
module attributes {pet.region = #pet.box<[3:1]>} {}

// -----

// CHECK: {{^.*}}malformed.mlir:[[@LINE+1]]:51: error: expected ':'
module attributes {pet.region = #pet.partition<[4] [0:4]>} {}

// -----

// A valid chunk among the broken ones is still printed.
// OUT:      func.func @valid(%arg0: tensor<4xf32>) -> tensor<4xf32> {
// OUT-NEXT:   %0 = pet.relu %arg0 : tensor<4xf32>
// OUT-NEXT:   return %0 : tensor<4xf32>
func.func @valid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = pet.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// The errors above are all there is: no crash, nothing after them.
// CHECK-NOT: error:
// CHECK-NOT: {{Stack dump|PLEASE submit}}
