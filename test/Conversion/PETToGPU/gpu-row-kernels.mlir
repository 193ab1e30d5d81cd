// RUN: pet-opt %s -split-input-file --pet-gpu-row-kernels="max-per-thread=0 warp-rows=0" | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-gpu-row-kernels=warp-rows=0 | FileCheck %s --check-prefix=REG
// RUN: pet-opt %s -split-input-file --pet-gpu-row-kernels="max-threads=32 warp-rows=0" | FileCheck %s --check-prefix=NARROW
// RUN: pet-opt %s -split-input-file --pet-gpu-row-kernels | FileCheck %s --check-prefix=WARP
// RUN: not pet-opt %s --pet-gpu-row-kernels=max-threads=16 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not pet-opt %s --pet-gpu-row-kernels=max-per-thread=-1 2>&1 | FileCheck %s --check-prefix=BAD-PER-THREAD
// BAD: error: pet-gpu-row-kernels needs 32 <= max-threads <= 1024
// BAD-PER-THREAD: error: pet-gpu-row-kernels needs max-per-thread >= 0

// Prefixes: rows read in loops (max-per-thread=0) checked as CHECK, rows
// held in registers (up to 16 elements per thread) as REG, both with a block
// per row (warp-rows=0); the default, rows of one warp's eight to a block, as
// WARP.

// Layer norm of BERT's shape with the bias and residual additions before it
// and the affine part after it: one kernel of a block per row (128 blocks of
// 192 threads: about four of the 768 elements each), three passes over the
// row (sum, squared deviations, result), the additions computed at each
// pass, the bias and the affine operands read at row 0 (broadcast).
// In registers: each thread reads its four elements once (columns tid,
// tid + 192, ...; no loop) and the affine operands' before the reductions,
// the reductions and the result from registers.
// (The numerics of the kernels: gpu_check's case "row-ops" on the GPU.)

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME:    (%[[X:.*]]: tensor<128x768xf32>, %[[B:.*]]: tensor<1x768xf32>, %[[R:.*]]: tensor<128x768xf32>, %[[G:.*]]: tensor<1x768xf32>, %[[BE:.*]]: tensor<1x768xf32>)
// CHECK-DAG:   %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK-DAG:   %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK-DAG:   %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only
// CHECK-DAG:   %[[GB:.*]] = bufferization.to_buffer %[[G]] read_only
// CHECK-DAG:   %[[BEB:.*]] = bufferization.to_buffer %[[BE]] read_only
// CHECK:       %[[OUT:.*]] = memref.alloc() : memref<128x768xf32>
// CHECK-DAG:   %[[ROWS:.*]] = arith.constant 128 : index
// CHECK-DAG:   %[[THREADS:.*]] = arith.constant 192 : index
// CHECK:       gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[THREADS]],
// CHECK:         %[[SUM:.*]] = scf.for %[[C:.*]] = %[[TID]] to %c768 step %c192
// CHECK:           memref.load %[[XB]][%[[ROW]], %[[C]]]
// CHECK:           memref.load %[[BB]][%c0, %[[C]]]
// CHECK:           memref.load %[[RB]][%[[ROW]], %[[C]]]
// CHECK:         gpu.all_reduce add %[[SUM]] uniform
// CHECK:         scf.for
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:         gpu.all_reduce add
// CHECK:         math.rsqrt
// CHECK:         scf.for
// CHECK:           memref.load %[[GB]]
// CHECK:           memref.load %[[BEB]]
// CHECK:           memref.store %{{.*}}, %[[OUT]][%[[ROW]], %{{.*}}]
// CHECK:         gpu.terminator
// CHECK:       %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT:   pet.
// CHECK:       return %[[T]]
// REG-LABEL:   func.func @layer_norm
// REG-SAME:      (%[[X:.*]]: tensor<128x768xf32>, %[[B:.*]]: tensor<1x768xf32>, %[[R:.*]]: tensor<128x768xf32>, %[[G:.*]]: tensor<1x768xf32>, %[[BE:.*]]: tensor<1x768xf32>)
// REG-DAG:     %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// REG-DAG:     %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only
// REG-DAG:     %[[GB:.*]] = bufferization.to_buffer %[[G]] read_only
// REG-DAG:     %[[BEB:.*]] = bufferization.to_buffer %[[BE]] read_only
// REG:         gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in ({{.*}}) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c192,
// REG-NOT:       scf.for
// REG:           memref.load %[[XB]][%[[ROW]], %{{.*}}]
// REG:           memref.load %[[RB]][%[[ROW]], %{{.*}}]
// REG:           %[[C3:.*]] = arith.addi %[[TID]], %c576
// REG:           memref.load %[[XB]][%[[ROW]], %[[C3]]]
// REG:           memref.load %[[RB]][%[[ROW]], %[[C3]]]
// REG-NEXT:      %[[X3:.*]] = arith.addf
// REG:           %[[G3:.*]] = memref.load %[[GB]][%{{.*}}, %[[C3]]]
// REG:           %[[BE3:.*]] = memref.load %[[BEB]][%{{.*}}, %[[C3]]]
// REG-NOT:       memref.load
// REG:           %[[SUM:.*]] = gpu.all_reduce add
// REG:           %[[MEAN:.*]] = arith.divf %[[SUM]]
// REG:           %[[D3:.*]] = arith.subf %[[X3]], %[[MEAN]]
// REG:           gpu.all_reduce add
// REG:           %[[INV:.*]] = math.rsqrt
// REG-NOT:       memref.load
// REG:           %[[N3:.*]] = arith.mulf %[[D3]], %[[INV]]
// REG:           %[[S3:.*]] = arith.mulf %[[N3]], %[[G3]]
// REG-NEXT:      %[[Y3:.*]] = arith.addf %[[S3]], %[[BE3]]
// REG-NEXT:      memref.store %[[Y3]], %{{.*}}[%[[ROW]], %[[C3]]]
// REG:         gpu.terminator
func.func @layer_norm(%x: tensor<128x768xf32>, %b: tensor<1x768xf32>,
                      %r: tensor<128x768xf32>, %g: tensor<1x768xf32>,
                      %be: tensor<1x768xf32>) -> tensor<128x768xf32> {
  %0 = pet.add %x, %b : (tensor<128x768xf32>, tensor<1x768xf32>) -> tensor<128x768xf32>
  %1 = pet.add %0, %r : (tensor<128x768xf32>, tensor<128x768xf32>) -> tensor<128x768xf32>
  %2 = pet.layer_norm %1 axis 1 epsilon 1.0e-12 : tensor<128x768xf32>
  %3 = pet.mul %2, %g : (tensor<128x768xf32>, tensor<1x768xf32>) -> tensor<128x768xf32>
  %4 = pet.add %3, %be : (tensor<128x768xf32>, tensor<1x768xf32>) -> tensor<128x768xf32>
  return %4 : tensor<128x768xf32>
}

// -----

// Softmax of attention scores with their scaling: 12 x 128 rows of 128, a
// warp each; the row index split into its two dimensions; maximum, then the
// sum of exponentials, then the quotients.

// CHECK-LABEL: func.func @softmax
// CHECK-DAG:   %[[ROWS:.*]] = arith.constant 1536 : index
// CHECK-DAG:   %[[THREADS:.*]] = arith.constant 32 : index
// CHECK:       gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[THREADS]],
// CHECK:         scf.for
// CHECK:           arith.remui %[[ROW]], %c128
// CHECK:           arith.divui %[[ROW]], %c128
// CHECK:           arith.constant 1.250000e-01 : f32
// CHECK:           arith.maximumf
// CHECK:         %[[MAX:.*]] = gpu.all_reduce maximumf %{{.*}} uniform
// CHECK:         scf.for
// CHECK:           arith.subf %{{.*}}, %[[MAX]]
// CHECK:           math.exp
// CHECK:         %[[SUM:.*]] = gpu.all_reduce add %{{.*}} uniform
// CHECK:         scf.for
// CHECK:           arith.divf %{{.*}}, %[[SUM]]
// CHECK:           memref.store
// REG-LABEL:   func.func @softmax
// REG-NOT:       scf.for
// REG-COUNT-4:   math.exp
// REG-NOT:       math.exp
// REG:           gpu.terminator
// NARROW-LABEL: func.func @softmax
// NARROW:       arith.constant 32 : index
// With warp-rows=1: 192 blocks of 32 x 8 threads, row = block * 8 + thread
// y (1536 rows: no block has warps past the last row), each reduction five
// xor shuffles of the warp.
// WARP-LABEL:  func.func @softmax
// WARP-DAG:    %[[BLOCKS:.*]] = arith.constant 192 : index
// WARP-DAG:    %[[EIGHT:.*]] = arith.constant 8 : index
// WARP:        gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], {{.*}}) threads(%{{.*}}, %[[TY:.*]], %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %[[EIGHT]],
// WARP:          %[[R0:.*]] = arith.muli %[[B]], %{{.*}}
// WARP:          arith.addi %[[R0]], %[[TY]]
// WARP-NOT:      scf.if
// WARP-NOT:      gpu.all_reduce
// WARP-COUNT-5:  gpu.shuffle xor {{.*}} : f32
// WARP-NOT:      gpu.all_reduce
// WARP-COUNT-5:  gpu.shuffle xor {{.*}} : f32
// WARP-NOT:      gpu.shuffle
// WARP:          gpu.terminator
func.func @softmax(%x: tensor<12x128x128xf32>) -> tensor<12x128x128xf32> {
  %0 = pet.scale %x by 0.125 : tensor<12x128x128xf32>
  %1 = pet.softmax %0 axis 2 : tensor<12x128x128xf32>
  return %1 : tensor<12x128x128xf32>
}

// -----

// A safe softmax (PyTorch's _safe_softmax): each quotient replaced by zero
// where its row's maximum is -inf, in both kernel forms.

// CHECK-LABEL: func.func @safe_softmax
// CHECK:         %[[MAX:.*]] = gpu.all_reduce maximumf %{{.*}} uniform
// CHECK:         %[[SUM:.*]] = gpu.all_reduce add %{{.*}} uniform
// CHECK:         scf.for
// CHECK:           %[[Q:.*]] = arith.divf %{{.*}}, %[[SUM]]
// CHECK:           %[[EMPTY:.*]] = arith.cmpf oeq, %[[MAX]], %{{.*}} : f32
// CHECK:           arith.select %[[EMPTY]], %{{.*}}, %[[Q]] : f32
// REG-LABEL:   func.func @safe_softmax
// REG-COUNT-4:   arith.select
// WARP-LABEL:  func.func @safe_softmax
// WARP:          arith.cmpf oeq
// WARP:          arith.select
func.func @safe_softmax(%x: tensor<12x128x128xf32>) -> tensor<12x128x128xf32> {
  %0 = pet.softmax %x axis 2 safe : tensor<12x128x128xf32>
  return %0 : tensor<12x128x128xf32>
}

// -----

// Long rows get at most max-threads threads (256 by default): 16 elements
// per thread held in registers, more read in loops.

// CHECK-LABEL: func.func @long_rows
// CHECK:       arith.constant 256 : index
// CHECK:       gpu.launch
// REG-LABEL:   func.func @long_rows
// REG-NOT:       scf.for
// REG:         gpu.terminator
// NARROW-LABEL: func.func @long_rows
// NARROW:       arith.constant 32 : index
// NARROW:       gpu.launch
// NARROW:         scf.for
func.func @long_rows(%x: tensor<2x4096xf32>) -> tensor<2x4096xf32> {
  %0 = pet.layer_norm %x axis 1 epsilon 1.0e-5 : tensor<2x4096xf32>
  return %0 : tensor<2x4096xf32>
}

// -----

// Operators read elsewhere stay outside the kernel (read as they are): the
// addition's result is returned too; the ReLU after the softmax is in the
// kernel, the product that reads its result twice is not. A softmax along
// the middle dimension keeps the linalg lowering.

// CHECK-LABEL: func.func @shared
// CHECK:       %[[A:.*]] = pet.add
// CHECK:       bufferization.to_buffer %[[A]]
// CHECK:       gpu.launch
// CHECK-NOT:     pet.add
// CHECK:         math.exp
// CHECK:         arith.maximumf
// CHECK:         memref.store
// CHECK:       gpu.terminator
// CHECK:       %[[T:.*]] = bufferization.to_tensor
// CHECK-NOT:   pet.relu
// CHECK:       pet.mul %[[T]], %[[T]]
// CHECK:       pet.softmax %{{.*}} axis 1
// CHECK-NOT:   gpu.launch
func.func @shared(%x: tensor<4x64xf32>, %y: tensor<4x64xf32>, %z: tensor<2x8x4xf32>)
    -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<2x8x4xf32>) {
  %0 = pet.add %x, %y : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %1 = pet.softmax %0 axis 1 : tensor<4x64xf32>
  %2 = pet.relu %1 : tensor<4x64xf32>
  %3 = pet.mul %2, %2 : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %4 = pet.softmax %z axis 1 : tensor<2x8x4xf32>
  return %0, %3, %4 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<2x8x4xf32>
}

// -----

// A row that is no multiple of the threads: 100 elements, 32 threads, four
// each; the fourth (columns 96 + tid) is read, reduced and written only
// where it is in the row: read as 0 elsewhere, left out of the sum and of
// the squared deviations (selected), not stored.

// CHECK-LABEL: func.func @ragged
// CHECK:       scf.for
// REG-LABEL:   func.func @ragged
// REG:         gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c32,
// REG:           %[[C3:.*]] = arith.addi %{{.*}}, %c96
// REG:           %[[IN:.*]] = arith.cmpi ult, %[[C3]], %c100
// REG:           %[[X3:.*]] = scf.if %[[IN]] -> (f32) {
// REG:             memref.load
// REG:           } else {
// REG:             arith.constant 0.000000e+00 : f32
// REG:           %[[S3:.*]] = arith.addf %{{.*}}, %[[X3]]
// REG:           arith.select %[[IN]], %[[S3]], %{{.*}}
// REG:           gpu.all_reduce add
// REG:           arith.select %[[IN]]
// REG:           gpu.all_reduce add
// REG:           scf.if %[[IN]] {
// REG-NEXT:        memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[C3]]]
// REG:         gpu.terminator
func.func @ragged(%x: tensor<3x100xf32>) -> tensor<3x100xf32> {
  %0 = pet.layer_norm %x axis 1 epsilon 1.0e-5 : tensor<3x100xf32>
  return %0 : tensor<3x100xf32>
}

// -----

// 20 rows of one warp's, eight to a block: the third block's last four
// warps are past the last row and skip the kernel's body.

// WARP-LABEL:  func.func @warp_rows_ragged
// WARP:        gpu.launch {{.*}} in (%{{.*}} = %c3, {{.*}}) threads({{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c8,
// WARP:          %[[ROW:.*]] = arith.addi
// WARP:          %[[IN:.*]] = arith.cmpi ult, %[[ROW]], %c20
// WARP:          scf.if %[[IN]] {
// WARP:            gpu.shuffle xor
// WARP:            memref.store %{{.*}}, %{{.*}}[%[[ROW]], %{{.*}}]
// WARP:          gpu.terminator
// CHECK-LABEL: func.func @warp_rows_ragged
// CHECK:       gpu.all_reduce
func.func @warp_rows_ragged(%x: tensor<20x50xf32>) -> tensor<20x50xf32> {
  %0 = pet.softmax %x axis 1 : tensor<20x50xf32>
  return %0 : tensor<20x50xf32>
}
