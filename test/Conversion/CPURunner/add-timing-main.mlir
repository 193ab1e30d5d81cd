// RUN: pet-opt %s -split-input-file --pet-add-timing-main="runs=7 calls=3" | FileCheck %s

// Functions with a program key (what --pet-mutate=candidates= writes) are
// timed in module order, labels 0, 1, ...; the preprocessing function runs
// once, outside the graph; the function is called once to warm up, then
// `calls` times inside one CUDA graph.
// CHECK-LABEL: func.func @pet_main()
// CHECK:       %[[X:.*]] = linalg.generic
// CHECK:       call @a(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:  call @pet_rt_graph_begin() : () -> ()
// CHECK-NEXT:  call @a(%[[X]])
// CHECK-NEXT:  call @a(%[[X]])
// CHECK-NEXT:  call @a(%[[X]])
// CHECK-NEXT:  call @pet_rt_graph_end() : () -> ()
// CHECK-DAG:   %[[L0:.*]] = arith.constant 0 : i64
// CHECK-DAG:   %[[R:.*]] = arith.constant 7 : i64
// CHECK-DAG:   %[[C:.*]] = arith.constant 3 : i64
// CHECK:       call @pet_rt_time_graph_calls(%[[L0]], %[[R]], %[[C]])
// CHECK-NEXT:  call @pet_rt_graph_destroy() : () -> ()
// CHECK:       %[[X2:.*]] = linalg.generic
// CHECK:       %[[W:.*]] = linalg.generic
// CHECK:       %[[P:.*]] = call @b_preprocess(%[[W]])
// CHECK-NEXT:  call @b(%[[X2]], %[[W]], %[[P]])
// CHECK:       call @pet_rt_time_graph_calls(%{{.*}}, %[[R2:.*]], %[[C2:.*]])
// CHECK-NOT:   call @untimed
// CHECK:       return
func.func @a(%x: tensor<4xf32>) -> tensor<4xf32> attributes {pet.program_key = "program:1"} {
  return %x : tensor<4xf32>
}
func.func @b(%x: tensor<4xf32>, %w: tensor<4xf32> {pet.weight}, %p: tensor<4xf32> {pet.weight, pet.preprocessed}) -> tensor<4xf32> attributes {pet.program_key = "program:2", pet.preprocess = @b_preprocess} {
  return %p : tensor<4xf32>
}
func.func @b_preprocess(%w: tensor<4xf32> {pet.weight}) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
func.func @untimed(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// Without program keys every public function but preprocessing is timed.
// CHECK-LABEL: func.func @pet_main()
// CHECK:       call @only(
// CHECK:       call @pet_rt_time_graph_calls(
// CHECK-NOT:   call @hidden
func.func @only(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
func.func private @hidden(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
