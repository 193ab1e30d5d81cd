/*===- pet_runtime.h - PET-MLIR's GPU runtime, C ABI -------------*- C -*-===*\
|*                                                                            *|
|* What code compiled by PET's GPU pipeline calls:                            *|
|*  - the mgpu* functions MLIR's gpu-to-llvm lowering emits (modules, *|
|*    kernels, streams, memory), over the CUDA driver API;                    *|
|*  - memrefCopy, for strided copies the host code makes;                     *|
|*  - convolution and matrix products through cuDNN and cuBLAS, as            *|
|*    _mlir_ciface_ functions taking MLIR memref descriptors; *|
|*  - whole-forward CUDA graph capture and replay.                            *|
|* All work goes to one stream. By default errors print the failing call and *|
|* the shapes involved and abort: never a silent wrong result. A library     *|
|* user calls pet_rt_set_abort_on_error(false) (the generated C API does):   *|
|* errors are then recorded and returned instead (below). Without a GPU,     *|
|* pet_rt_init() says so and returns non-zero.                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef PET_RUNTIME_H
#define PET_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors. A failing call records the first error since the last
 * pet_rt_clear_error(): its status and a message naming the call and the
 * shapes. With abort_on_error (the default) it then prints the message and
 * aborts; without, it returns (a pointer result is NULL) and every later
 * call does nothing until pet_rt_clear_error(), except that pet_rt_alloc
 * hands out host memory (so host code has somewhere to write) and
 * pet_rt_free still frees. A CUDA error that breaks the context (an
 * illegal address) is not undone by clearing. */
typedef enum {
  PET_RT_OK = 0,
  /* No NVIDIA GPU or driver. */
  PET_RT_ERROR_NO_GPU = 1,
  /* Operands the call cannot take (shapes, layouts, null or foreign
   * pointers, buffers too small), or calls out of order. */
  PET_RT_ERROR_INVALID_ARGUMENT = 2,
  /* GPU memory ran out (CUDA, cuDNN or cuBLAS). */
  PET_RT_ERROR_OUT_OF_MEMORY = 3,
  /* CUDA, cuDNN or cuBLAS failed otherwise. */
  PET_RT_ERROR_LIBRARY = 4
} pet_rt_status;
void pet_rt_set_abort_on_error(bool abort_on_error);
/* The recorded status (PET_RT_OK if none) and its message ("" if none). */
int pet_rt_last_error(void);
const char *pet_rt_error_message(void);
void pet_rt_clear_error(void);
/* Whether `ptr` points into a live pet_rt_alloc buffer with at least
 * `bytes` from there: PET_RT_OK, or records and returns
 * PET_RT_ERROR_INVALID_ARGUMENT naming `what` (or returns the error already
 * recorded). */
int pet_rt_check_buffer(const void *ptr, size_t bytes, const char *what);

/* Initializes the CUDA context on device 0. Returns 0, or prints why there
 * is no usable GPU and returns 1. Every other function initializes lazily
 * and aborts with that message instead. */
int pet_rt_init(void);

/* The stream everything runs on. */
void *pet_rt_stream(void);
/* Waits for the stream. */
void pet_rt_synchronize(void);
/* Memory that host code and kernels both use (CUDA managed memory). */
void *pet_rt_alloc(size_t bytes);
void pet_rt_free(void *ptr);

/* CUDA graphs: between begin and end, work on the stream is recorded, not
 * run; replay runs it again (same buffers, same shapes). */
void pet_rt_graph_begin(void);
void pet_rt_graph_end(void);
void pet_rt_graph_replay(void);
void pet_rt_graph_destroy(void);
/* Replays the captured graph `runs` times, each waited for, and prints
 * "pet-time: median M ms, min m ms over N CUDA graph runs". With the
 * environment variable PET_GRAPH_PROFILE=FILE ("-": stderr), it then replays
 * the graph 20 times more with CUPTI tracing kernels and writes each
 * kernel's launches and GPU time per replay to FILE (what the kernels add
 * up to against the timed replay in its first line). */
void pet_rt_time_graph(int64_t runs);
/* The same timing, returned instead of printed: the median milliseconds of
 * `runs` replays of the captured graph, each waited for (-1 on an error:
 * no graph, PET_PROFILE set, a failed launch). */
double pet_rt_graph_median_ms(int64_t runs);

/* Replays the captured graph, which holds `calls` calls of one function,
 * `runs` times (after 3 untimed replays), each timed with CUDA events, and
 * prints "pet-time[label]: median M us per call over N replays of C calls"
 * (what `python -m pet_mlir.measure` reads). */
void pet_rt_time_graph_calls(int64_t label, int64_t runs, int64_t calls);

/* Profiling: with the environment variable PET_PROFILE=FILE ("-": stderr),
 * every kernel launch and library call is timed with CUDA events, and the
 * sums per kernel/call (name and shape) are written as
 * "kind<TAB>name<TAB>calls<TAB>ms" lines at exit, or now by this call.
 * Graphs are not captured then: pet_rt_graph_begin drops what was recorded
 * before (the warm-up run) and the pass it would capture runs eagerly;
 * replays and pet_rt_time_graph do nothing. */
void pet_rt_profile_write(void);

/* TF32 tensor cores for cuDNN/cuBLAS (off by default: exact FP32; the
 * environment variable PET_TF32=1 turns them on for any program). */
void pet_rt_set_tf32(bool enabled);

/* MLIR's gpu-to-llvm ABI. */
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuSetDefaultDevice(int32_t device);

/* An MLIR unranked memref: rank and a pointer to the ranked descriptor. */
typedef struct {
  int64_t rank;
  void *descriptor;
} PetUnrankedMemRef;

/* Copies between strided memrefs (MLIR's memref.copy on the host). */
void memrefCopy(int64_t elemSize, PetUnrankedMemRef *src,
                PetUnrankedMemRef *dst);

/* MLIR ranked memref descriptors of f32. */
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} PetMemRef1D;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} PetMemRef2D;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
} PetMemRef3D;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} PetMemRef4D;

/* out += conv2d(input, filter), NCHW/FCHW, with the given strides,
 * dilations and groups, no padding (the input comes padded). cuDNN's
 * algorithm is found once per shape and cached; the workspace is the
 * runtime's. The filter must be contiguous; input and output may be
 * strided views (a slice of a larger tensor, images of one tensor's rows as
 * a batch), the output without overlapping positions. For views, the
 * runtime times cuDNN on them against dense copies (cudnnTransformTensor
 * in and out) once per shape and runs the faster (stored in
 * PET_CUDNN_ALGORITHMS's file; PET_CUDNN_VIEWS=view or =copy forces one);
 * an operand that starts less than 256-byte aligned (a slice of channels)
 * counts as a view, and the alignment is part of the shape's key. */
void _mlir_ciface_pet_rt_conv2d_f32(PetMemRef4D *input, PetMemRef4D *filter,
                                    PetMemRef4D *output, int64_t strideH,
                                    int64_t strideW, int64_t dilationH,
                                    int64_t dilationW, int64_t groups);
/* Flags of pet_rt_conv2d_fused_f32. */
enum {
  PET_RT_CONV_BIAS = 1,
  PET_RT_CONV_RESIDUAL = 2,
  PET_RT_CONV_RELU = 4,
};
/* out = relu?(conv2d(input, filter) + bias? + residual?), NCHW/FCHW, zero
 * padding padH/padW on both sides of the image, with the given strides,
 * dilations and groups. `flags` say which of bias (F values, 1xFx1x1),
 * residual (out's shape) and ReLU apply; an unused operand may be any
 * memref (out, say). In FP32 mode, PET_FP32_SPLIT=1 also times running it
 * on TF32 tensor cores with input and filter split into TF32 parts
 * ("3xTF32": FP32's products, but summed with tensor cores' truncation,
 * so between TF32's accuracy and FP32's; runtime/src/SplitTF32.h). One cuDNN
 * call (cudnnConvolutionBiasActivationForward) with ReLU; conv, then bias and
 * residual adds, without. Filter and bias must be contiguous; input and output
 * may be strided views (as for pet_rt_conv2d_f32), the residual with the
 * output's strides; out is overwritten. */
void _mlir_ciface_pet_rt_conv2d_fused_f32(
    PetMemRef4D *input, PetMemRef4D *filter, PetMemRef4D *bias,
    PetMemRef4D *residual, PetMemRef4D *output, int64_t strideH,
    int64_t strideW, int64_t padH, int64_t padW, int64_t dilationH,
    int64_t dilationW, int64_t groups, int64_t flags);
/* Flags of pet_rt_gemm_f32. */
enum {
  PET_RT_GEMM_BIAS = 1,
  PET_RT_GEMM_RESIDUAL = 2,
  PET_RT_GEMM_GELU_TANH = 4,
};
/* out[b] = gelu_tanh?(lhs[b] x rhs[b] + bias? + residual[b]?), one
 * cuBLASLt call (bias and GELU as its epilogue, the residual as its C
 * operand). Operands are 3-d strided views [batch, rows, cols] whose
 * matrices have unit stride along rows or columns (a transposed operand,
 * attention heads side by side in one matrix); the output and residual
 * with contiguous rows; the bias has the output's columns (N values).
 * `flags` say which of bias, residual and GELU (tanh approximation) apply;
 * an unused operand may be any memref. out is overwritten. cuBLASLt's
 * heuristic candidates are timed on the first call of a shape and the
 * fastest kept (stored in PET_CUDNN_ALGORITHMS's file, like the
 * convolutions' choices, and taken from it when there). */
void _mlir_ciface_pet_rt_gemm_f32(PetMemRef3D *lhs, PetMemRef3D *rhs,
                                  PetMemRef1D *bias, PetMemRef3D *residual,
                                  PetMemRef3D *output, int64_t flags);
/* Flags of pet_rt_attention_f32. */
enum {
  PET_RT_ATTENTION_SAFE = 1,
};
/* out[b] = softmax(scale * q[b] k[b]^T, along the keys) v[b] for each
 * batch b, in one kernel (the scores are not stored): q is [batch, Lq, D],
 * k [batch, Lk, D], v [batch, Lk, Dv], out [batch, Lq, Dv], each a strided
 * view of any strides, D and Dv at most 128. `scaleBits` holds the scale's
 * IEEE double bits (rounded to float, as the product is scaled in f32).
 * With PET_RT_ATTENTION_SAFE, a row whose scores are all -inf gives zeros
 * (PyTorch's safe softmax), otherwise NaN. FP32 arithmetic in TF32 mode
 * too; out is overwritten. */
void _mlir_ciface_pet_rt_attention_f32(PetMemRef3D *q, PetMemRef3D *k,
                                       PetMemRef3D *v, PetMemRef3D *out,
                                       int64_t scaleBits, int64_t flags);
/* out += lhs x rhs (cuBLAS SGEMM), row-major, contiguous. */
void _mlir_ciface_pet_rt_matmul_f32(PetMemRef2D *lhs, PetMemRef2D *rhs,
                                    PetMemRef2D *output);
/* out[b] += lhs[b] x rhs[b] (cuBLAS strided batched SGEMM). */
void _mlir_ciface_pet_rt_batch_matmul_f32(PetMemRef3D *lhs, PetMemRef3D *rhs,
                                          PetMemRef3D *output);

#ifdef __cplusplus
}
#endif

#endif /* PET_RUNTIME_H */
