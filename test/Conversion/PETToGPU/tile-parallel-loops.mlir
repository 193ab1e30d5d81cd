// RUN: pet-opt %s -split-input-file --pet-tile-parallel-loops="threads=256" | FileCheck %s
// RUN: not pet-opt %s --pet-tile-parallel-loops="threads=0" 2>&1 | FileCheck %s --check-prefix=BAD

// Each outermost parallel loop nest, its dimensions combined into one
// (delinearized inside), in tiles of 256 (guarded, for a block's threads),
// so that a block covers 256 consecutive elements however small the
// innermost dimension is. Numerics: the GPU equality check
// (bench/README.md) runs programs tiled this way.
// CHECK-LABEL: func.func @relu
// CHECK:       %[[N:.*]] = arith.muli %{{.*}}, %c1000{{.*}} : index
// CHECK:       %[[S:.*]] = arith.muli %{{.*}}, %c256
// CHECK:       scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[N]]) step (%[[S]])
// CHECK:       scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[S]]) step (%{{.*}})
// CHECK:       %[[I:.*]] = arith.addi %[[T]], %[[B]]
// CHECK:       arith.cmpi ult, %{{.*}}, %[[N]]
// CHECK:       scf.if
// CHECK-DAG:   %[[COL:.*]] = arith.remsi %[[I]], %c1000
// CHECK-DAG:   %[[ROW:.*]] = arith.divsi %[[I]], %c1000
// CHECK:       memref.load %{{.*}}[%[[ROW]], %[[COL]]]
// CHECK:       arith.maximumf
// BAD: error: pet-tile-parallel-loops needs threads >= 1
func.func @relu(%x: memref<4x1000xf32>, %y: memref<4x1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c1000 = arith.constant 1000 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c1000) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<4x1000xf32>
    %r = arith.maximumf %v, %zero : f32
    memref.store %r, %y[%i, %j] : memref<4x1000xf32>
    scf.reduce
  }
  return
}

// -----

// A buffer stored NHWC behind its NCHW view (convolution outputs with
// --pet-gpu-conv-calls=channels-last=1): the channels, contiguous there,
// vary fastest across the threads (the remainder of the combined index by
// 8), so that warps read consecutive elements; the loop's semantics are
// the same (its dimensions are unordered).
// CHECK-LABEL: func.func @nhwc_pool
// CHECK:       %[[I:.*]] = arith.addi
// CHECK:       scf.if
// CHECK-DAG:   %[[C:.*]] = arith.remsi %[[I]], %c8
// CHECK-DAG:   %[[R1:.*]] = arith.divsi %[[I]], %c8
// CHECK-DAG:   %[[W:.*]] = arith.remsi %[[R1]], %c2
// CHECK:       memref.load %{{.*}}[%{{.*}}, %[[C]], %{{.*}}, %{{.*}}] : memref<1x8x4x4xf32, strided<[128, 1, 32, 8]>>
// CHECK:       memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[C]], %{{.*}}, %[[W]]] : memref<1x8x2x2xf32>
func.func @nhwc_pool(%x: memref<1x8x4x4xf32, strided<[128, 1, 32, 8]>>, %y: memref<1x8x2x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%n, %c, %h, %w) = (%c0, %c0, %c0, %c0) to (%c1, %c8, %c2, %c2) step (%c1, %c1, %c1, %c1) {
    %h2 = arith.muli %h, %c2 : index
    %w2 = arith.muli %w, %c2 : index
    %v = memref.load %x[%n, %c, %h2, %w2] : memref<1x8x4x4xf32, strided<[128, 1, 32, 8]>>
    memref.store %v, %y[%n, %c, %h, %w] : memref<1x8x2x2xf32>
    scf.reduce
  }
  return
}
