// RUN: pet-opt %s --pet-add-inference-api="header=%t.h" | FileCheck %s
// RUN: FileCheck %s --input-file=%t.h --check-prefix=HEADER
// RUN: not pet-opt %s --pet-add-inference-api="func=nope" 2>&1 | FileCheck %s --check-prefix=BAD

// Load/run entry points for a function whose weight --pet-preprocess
// transformed (numerics: the GPU check runs a ResNet-18 through them,
// bench/README.md). Load computes the preprocessed weight into a caller's
// buffer; run takes the original arguments, that buffer, and a buffer for
// the result.
// CHECK-LABEL: func.func @f_load(%arg0: tensor<3x2xf32>, %arg1: memref<2x3xf32>) attributes {llvm.emit_c_interface}
// CHECK-NEXT:  %[[P:.*]] = call @f_preprocess(%arg0)
// CHECK-NEXT:  bufferization.materialize_in_destination %[[P]] in restrict writable %arg1
// CHECK-LABEL: func.func @f_run(%arg0: tensor<2x3xf32>, %arg1: tensor<3x2xf32>, %arg2: memref<2x3xf32>, %arg3: memref<2x2xf32>) attributes {llvm.emit_c_interface}
// CHECK-NEXT:  %[[T:.*]] = bufferization.to_tensor %arg2 restrict
// CHECK-NEXT:  %[[R:.*]] = call @f(%arg0, %arg1, %[[T]])
// CHECK-NEXT:  bufferization.materialize_in_destination %[[R]] in restrict writable %arg3
// HEADER:      void _mlir_ciface_f_load(pet_memref_2 *, pet_memref_2 *);
// HEADER:      void _mlir_ciface_f_run(pet_memref_2 *, pet_memref_2 *, pet_memref_2 *, pet_memref_2 *);
// HEADER:      static const int64_t pet_f_preprocessed_elements[] = {6};
// Errors are returned: every buffer is checked (a live pet_rt_alloc buffer
// with room for its elements), then the call's status is the runtime's.
// HEADER:      static inline int pet_f_load(float *w1, float *p2) {
// HEADER-NEXT:   pet_rt_set_abort_on_error(false);
// HEADER-NEXT:   pet_rt_clear_error();
// HEADER-NEXT:   if (pet_rt_check_buffer(w1, 6 * sizeof(float), "pet_f_load's w1") != PET_RT_OK)
// HEADER-NEXT:     return pet_rt_last_error();
// HEADER-NEXT:   if (pet_rt_check_buffer(p2, 6 * sizeof(float), "pet_f_load's p2") != PET_RT_OK)
// HEADER-NEXT:     return pet_rt_last_error();
// HEADER-NEXT:   pet_memref_2 d_w1 = {w1, w1, 0, {3, 2}, {2, 1}};
// HEADER:        _mlir_ciface_f_load(&d_w1, &d_p2);
// HEADER-NEXT:   return pet_rt_last_error();
// HEADER:      static inline int pet_f_run(float *a0, float *a1, float *p2, float *r0) {
// HEADER:        if (pet_rt_check_buffer(r0, 4 * sizeof(float), "pet_f_run's r0") != PET_RT_OK)
// HEADER:      static const int pet_f_run_kinds[] = {0, 0, 1, 2};
// HEADER:      static inline int pet_f_run_v(float *const *buffers) {
// HEADER-NEXT:   return pet_f_run(buffers[0], buffers[1], buffers[2], buffers[3]);
// HEADER:      static inline void pet_f_free(float *p2) {
// HEADER-NEXT:   pet_rt_free(p2);
// BAD: error: pet-add-inference-api: name one function with func=
func.func @f_preprocess(%w: tensor<3x2xf32>) -> tensor<2x3xf32> {
  %t = pet.transpose %w perm [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}
func.func @f(%x: tensor<2x3xf32>, %w: tensor<3x2xf32> {pet.weight}, %t: tensor<2x3xf32> {pet.preprocessed, pet.weight}) -> tensor<2x2xf32> attributes {pet.preprocess = @f_preprocess} {
  %y = pet.matmul %x, %t transpose_rhs : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
