// RUN: pet-opt %s -split-input-file -verify-diagnostics --pet-evaluate="seed=1" -o /dev/null | FileCheck %s

// The reference evaluator on the generated inputs of --pet-add-runner-main:
// element k of argument 0 is (((k * 2654435761 + 40503121509) >> 16) mod
// 2^16) / 2^16 - 0.5 (scaled by 1 / sqrt(1)); argument 1 is scaled by
// 1 / sqrt(3) and transposed.
// CHECK: pet-evaluate result 0 sizes = [2] data = -0.0696411133 -0.451599121
// CHECK: pet-evaluate result 1 sizes = [3, 2] data = [[B00:[^ ]+]] [[B10:[^ ]+]] [[B01:[^ ]+]]
func.func @f(%a: tensor<2xf32>, %b: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  %0 = pet.scale %a by 1.0 : tensor<2xf32>
  %1 = pet.transpose %b perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %1 : tensor<2xf32>, tensor<3x2xf32>
}

// -----

// expected-error @+1 {{pet-evaluate: name one public function with func=}}
module {
  func.func @g(%a: tensor<2xf32>) -> tensor<2xf32> {
    return %a : tensor<2xf32>
  }
  func.func @h(%a: tensor<2xf32>) -> tensor<2xf32> {
    return %a : tensor<2xf32>
  }
}
