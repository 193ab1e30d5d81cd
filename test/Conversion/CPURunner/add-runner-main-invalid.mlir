// RUN: pet-opt %s -split-input-file -verify-diagnostics --pet-add-runner-main
// expected-error @+1 {{pet-add-runner-main: no single public function; name one with func=}}
module {
  func.func @g(%a: tensor<2xf32>) -> tensor<2xf32> {
    return %a : tensor<2xf32>
  }
  func.func @h(%a: tensor<2xf32>) -> tensor<2xf32> {
    return %a : tensor<2xf32>
  }
}

// -----

// expected-error @+1 {{pet-add-runner-main: arguments and results must be statically shaped f32 tensors}}
func.func @f64(%a: tensor<2xf64>) -> tensor<2xf64> {
  return %a : tensor<2xf64>
}
