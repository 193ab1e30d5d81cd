// RUN: pet-opt %s -split-input-file --pet-tile-parallel-loops="threads=256" | FileCheck %s
// RUN: not pet-opt %s --pet-tile-parallel-loops="threads=0" 2>&1 | FileCheck %s --check-prefix=BAD

// The innermost dimension of each outermost parallel loop in tiles of 256
// (guarded, for a block's threads); the others in tiles of one; dimensions
// listed innermost first (so that it maps to x). Numerics:
// the GPU equality check (bench/README.md) runs programs tiled this way.
// CHECK-LABEL: func.func @relu
// CHECK-DAG:   %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:   %[[C256:.*]] = arith.constant 256 : index
// CHECK:       %[[S0:.*]] = arith.muli %{{.*}}, %[[C1]]
// CHECK:       %[[S1:.*]] = arith.muli %{{.*}}, %[[C256]]
// CHECK:       scf.parallel (%[[J:.*]], %[[I:.*]]) = (%c0, %c0) to (%c1000, %c4) step (%[[S1]], %[[S0]])
// CHECK:       scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%[[S1]], %[[S0]]) step (%c1, %c1)
// CHECK:       arith.cmpi ult, %{{.*}}, %c1000
// CHECK:       scf.if
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
