// RUN: pet-opt %s -split-input-file --pet-estimate-cost -verify-diagnostics | FileCheck %s --check-prefix=ROOF
// RUN: pet-opt %s -split-input-file --pet-estimate-cost="cost-db=%S/Inputs/cost-db.json emit-keys=true" 2>&1 | FileCheck %s --check-prefix=DB
// RUN: not pet-opt %s --pet-estimate-cost="cost-db=%S/Inputs/missing.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not pet-opt %s --pet-estimate-cost="cost-db=%S/Inputs/bad-cost-db.json" 2>&1 | FileCheck %s --check-prefix=BAD

// Roofline on an H100 (67 TFLOP/s FP32, 3.35 TB/s, 70% of peak, 2 us per
// launch): the 3x3 convolution does 2 * 64*56*56 * 64*9 = 231 MFLOP, 4.93 us
// of arithmetic against 0.75 us of memory traffic; the ReLU moves 1.6 MB
// (0.68 us); the reshape is a view.

// ROOF-LABEL: func.func @stage
// ROOF: pet.conv2d {{.*}}pet.cost_us = 6.929{{[0-9]*}} : f64
// ROOF: pet.relu {{.*}}pet.cost_us = 2.684{{[0-9]*}} : f64
// ROOF: pet.reshape {{.*}}pet.cost_us = 0.000000e+00 : f64

// With the database, the ReLU's time is the measured one; the convolution,
// which it does not list, keeps the roofline.
// DB: remark: estimated 8.43 us in 2 kernel(s), 1 measured
// DB-LABEL: func.func @stage
// DB: pet.conv2d {{.*}}pet.cost_key = "pet.conv2d {pad_high = array<i64: 1, 1>, pad_low = array<i64: 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> (tensor<1x64x56x56xf32>)", pet.cost_us = 6.929
// DB-NOT: pet.measured
// DB: pet.relu {{.*}}pet.cost_us = 1.500000e+00 : f64, pet.measured}

// expected-remark @+1 {{estimated 9.61 us in 2 kernel(s), 0 measured}}
func.func @stage(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<64x3136xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %1 = pet.relu %0 : tensor<1x64x56x56xf32>
  %2 = pet.reshape %1 : tensor<1x64x56x56xf32> -> tensor<64x3136xf32>
  return %2 : tensor<64x3136xf32>
}

// MISSING: error: cannot read cost database '{{.*}}missing.json': No such file or directory
// BAD: error: cost database '{{.*}}bad-cost-db.json': entry 0 needs a "key" string and a non-negative "time_us"
