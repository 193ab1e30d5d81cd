// RUN: pet-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: pet-opt %s -split-input-file -verify-diagnostics | pet-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @corrected
// CHECK: %[[C:.*]] = pet.correct %{{.*}} from(%{{.*}}, %{{.*}}) boxes {{\[}}[#pet.box<[0:1, 0:3, 3:5, 0:8]>]] : tensor<1x3x8x8xf32> from tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<1x2x8x8xf32>, %[[B:.*]]: tensor<3x2x3x3xf32>):
// CHECK-NEXT:   %[[O:.*]] = pet.conv2d %[[A]], %[[B]]
// CHECK-NEXT:   pet.yield %[[O]] : tensor<1x3x8x8xf32>
// CHECK-NEXT: }
func.func @corrected(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>, %m: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %y = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:3, 3:5, 0:8]>]]
      : tensor<1x3x8x8xf32> from tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32> {
  ^bb0(%a: tensor<1x2x8x8xf32>, %b: tensor<3x2x3x3xf32>):
    %0 = pet.conv2d %a, %b pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
    pet.yield %0 : tensor<1x3x8x8xf32>
  }
  return %y : tensor<1x3x8x8xf32>
}

// -----

// Two results, one without boxes.
// CHECK-LABEL: func.func @two
// CHECK: pet.correct %{{.*}}, %{{.*}} from(%{{.*}}) boxes {{\[}}[], [#pet.box<[0:1]>, #pet.box<[3:4]>]]
func.func @two(%x: tensor<4xf32>, %m0: tensor<4xf32>, %m1: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y:2 = pet.correct %m0, %m1 from(%x) boxes [[], [#pet.box<[0:1]>, #pet.box<[3:4]>]]
      : tensor<4xf32>, tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %0 = pet.scale %a by 2.0 : tensor<4xf32>
    pet.yield %a, %0 : tensor<4xf32>, tensor<4xf32>
  }
  return %y#0, %y#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @wrong_box_count(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.correct' op expects one list of boxes per mutant value, got 2 for 1}}
  %y = pet.correct %m from(%x) boxes [[], []] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    pet.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @box_outside(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.correct' op box #pet.box<[2:6]> is not inside result #0 of shape 'tensor<4xf32>'}}
  %y = pet.correct %m from(%x) boxes [[#pet.box<[2:6]>]] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    pet.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// An empty box (a fuzzed program: --convert-pet-to-linalg made a slice of no
// elements of it and aborted).
func.func @empty_box(%x: tensor<2x4xf32>, %m: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'pet.correct' op box #pet.box<[0:0, 0:4]> of result #0 is empty}}
  %y = pet.correct %m from(%x) boxes [[#pet.box<[0:0, 0:4]>]] : tensor<2x4xf32> from tensor<2x4xf32> {
  ^bb0(%a: tensor<2x4xf32>):
    pet.yield %a : tensor<2x4xf32>
  }
  return %y : tensor<2x4xf32>
}

// -----

func.func @not_a_box(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.correct' op boxes #0 holds 3 : i64, not a #pet.box}}
  %y = pet.correct %m from(%x) boxes [[3]] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    pet.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// The boxes attribute holds one list per mutant value, not the boxes directly.
func.func @boxes_not_a_list(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.correct' op boxes #0 is not a list of #pet.box}}
  %y = pet.correct %m from(%x) boxes [#pet.box<[0:1]>] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    pet.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// A terminator of another dialect (one with no parent constraint of its own).
func.func @not_yield(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.correct' op region must end in pet.yield}}
  %y = pet.correct %m from(%x) boxes [[]] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    llvm.unreachable
  }
  return %y : tensor<4xf32>
}

// -----

func.func @wrong_yield(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.correct' op region must yield one value per mutant value, of the same type}}
  %y = pet.correct %m from(%x) boxes [[]] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %s = pet.slice %a offsets [0] sizes [2] : tensor<4xf32> -> tensor<2xf32>
    pet.yield %s : tensor<2xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @wrong_arguments(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.correct' op region arguments must have the types of the inputs}}
  %y = pet.correct %m from(%x) boxes [[]] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<5xf32>):
    %s = pet.slice %a offsets [0] sizes [4] : tensor<5xf32> -> tensor<4xf32>
    pet.yield %s : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @yield_outside(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pet.yield' op expects parent op 'pet.correct'}}
  pet.yield %x : tensor<4xf32>
}

// -----

func.func @dynamic_mutant(%m: tensor<?xf32>, %x: tensor<4xf32>) {
  // expected-error @+1 {{'pet.correct' op operand #0 must be variadic of statically shaped tensor of floating-point values, but got 'tensor<?xf32>'}}
  %0 = pet.correct %m from(%x) boxes [[#pet.box<[0:1]>]] : tensor<?xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %s = pet.reshape %a : tensor<4xf32> -> tensor<4xf32>
    pet.yield %s : tensor<4xf32>
  }
  return
}

// -----

func.func @integer_mutant(%m: tensor<4xi32>, %x: tensor<4xi32>) {
  // expected-error @+1 {{'pet.correct' op operand #0 must be variadic of statically shaped tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = pet.correct %m from(%x) boxes [[#pet.box<[0:1]>]] : tensor<4xi32> from tensor<4xi32> {
  ^bb0(%a: tensor<4xi32>):
    pet.yield %a : tensor<4xi32>
  }
  return
}

// -----

func.func @empty_mutant(%m: tensor<0x4xf32>, %x: tensor<0x4xf32>) {
  // expected-error @+1 {{'pet.correct' op expects tensors without a dimension of size 0, got 'tensor<0x4xf32>' as operand #0}}
  %0 = pet.correct %m from(%x) boxes [[]] : tensor<0x4xf32> from tensor<0x4xf32> {
  ^bb0(%a: tensor<0x4xf32>):
    pet.yield %a : tensor<0x4xf32>
  }
  return
}
