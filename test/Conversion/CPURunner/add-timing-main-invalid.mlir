// RUN: pet-opt %s -split-input-file -verify-diagnostics --pet-add-timing-main
// RUN: not pet-opt %s -split-input-file --pet-add-timing-main="runs=0" 2>&1 | FileCheck %s --check-prefix=RUNS

// RUNS: error: pet-add-timing-main needs runs >= 1 and calls >= 1

// expected-error @+1 {{pet-add-timing-main: no public function to time}}
module {
  func.func private @g(%a: tensor<2xf32>) -> tensor<2xf32> {
    return %a : tensor<2xf32>
  }
}

// -----

// expected-error @+1 {{pet-add-timing-main: arguments and results must be statically shaped f32 tensors}}
func.func @f64(%a: tensor<2xf64>) -> tensor<2xf64> {
  return %a : tensor<2xf64>
}

// -----

// expected-error @+1 {{pet-add-timing-main: the module has a @pet_main already}}
module {
  func.func @pet_main() {
    return
  }
}

