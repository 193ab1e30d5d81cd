//===- Library.cpp - Convolutions (cuDNN) and matrix products (cuBLAS) ----===//
//
// The operators PET's GPU lowering hands to vendor libraries, called with
// MLIR memref descriptors. Descriptors, algorithm choice (cuDNN's find, once
// per shape, cached) and the workspace live here, not in generated code.
// FP32 by default: cuDNN's FMA math and cuBLAS's pedantic mode, so that no
// TF32 rounding happens unless pet_rt_set_tf32(true) asks for it.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupport.h"
#include "pet_runtime.h"

#include <cublas_v2.h>
#include <cudnn.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <vector>

using namespace pet_rt;

namespace {

bool tf32 = [] {
  const char *value = std::getenv("PET_TF32");
  return value && value[0] == '1';
}();

void checkCudnn(cudnnStatus_t status, const char *call,
                const std::string &detail) {
  if (status != CUDNN_STATUS_SUCCESS)
    fail("%s failed: %s; %s", call, cudnnGetErrorString(status),
         detail.c_str());
}

void checkCublas(cublasStatus_t status, const char *call,
                 const std::string &detail) {
  if (status != CUBLAS_STATUS_SUCCESS)
    fail("%s failed: %s (%d); %s", call, cublasGetStatusName(status),
         int(status), detail.c_str());
}

cudnnHandle_t cudnn() {
  static cudnnHandle_t handle = [] {
    ensureInitialized();
    cudnnHandle_t h;
    checkCudnn(cudnnCreate(&h), "cudnnCreate", "initialization");
    return h;
  }();
  checkCudnn(cudnnSetStream(handle, reinterpret_cast<cudaStream_t>(stream())),
             "cudnnSetStream", "");
  return handle;
}

cublasHandle_t cublas() {
  static cublasHandle_t handle = [] {
    ensureInitialized();
    cublasHandle_t h;
    checkCublas(cublasCreate(&h), "cublasCreate", "initialization");
    return h;
  }();
  checkCublas(cublasSetStream(handle, reinterpret_cast<cudaStream_t>(stream())),
              "cublasSetStream", "");
  checkCublas(cublasSetMathMode(handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                             : CUBLAS_PEDANTIC_MATH),
              "cublasSetMathMode", "");
  return handle;
}

/// Grows as needed; never shrinks (a graph may have recorded its address).
void *workspace(size_t bytes) {
  static void *ptr = nullptr;
  static size_t size = 0;
  if (bytes <= size)
    return ptr;
  if (isCapturing())
    fail("cuDNN needs a larger workspace (%zu bytes) while a CUDA graph is "
         "captured: run the forward pass once before capturing",
         bytes);
  pet_rt_free(ptr);
  ptr = pet_rt_alloc(bytes);
  size = bytes;
  return ptr;
}

std::string shape4(const int64_t *s) {
  char text[96];
  std::snprintf(text, sizeof(text), "%ldx%ldx%ldx%ld", long(s[0]), long(s[1]),
                long(s[2]), long(s[3]));
  return text;
}

template <typename MemRef> bool isContiguous(const MemRef *m, int rank) {
  int64_t expected = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (m->sizes[i] != 1 && m->strides[i] != expected)
      return false;
    expected *= m->sizes[i];
  }
  return true;
}

/// Runs of each algorithm timed when choosing one (after a warm-up run).
constexpr int kTimingRuns = 5;

/// Everything cuDNN needs for one convolution shape, found once.
struct ConvPlan {
  cudnnTensorDescriptor_t x, y, bias;
  cudnnFilterDescriptor_t w;
  cudnnConvolutionDescriptor_t conv;
  cudnnConvolutionFwdAlgo_t algo;
  size_t workspaceBytes;
  /// A zero bias (1 x F x 1 x 1) for fused calls without one, and whether
  /// cuDNN fuses this shape with the chosen algorithm at all.
  float *zeros = nullptr;
  bool fusedUnsupported = false;
};

/// PET_CUDNN_ALGORITHMS=FILE: the algorithm chosen per convolution shape,
/// shared by every process that names the file: a shape found there is not
/// timed again, one chosen here is appended. Programs compared in separate
/// processes (PET off and on) then run their common shapes alike; cuDNN's
/// timings otherwise choose differently from process to process.
struct AlgorithmChoice {
  cudnnConvolutionFwdAlgo_t algo;
  size_t workspaceBytes;
};

const char *algorithmFile() {
  const char *file = std::getenv("PET_CUDNN_ALGORITHMS");
  return file && *file ? file : nullptr;
}

/// The choices in the file, read once: lines "key<TAB>algorithm<TAB>bytes".
std::map<std::string, AlgorithmChoice> &storedAlgorithms() {
  static std::map<std::string, AlgorithmChoice> stored = [] {
    std::map<std::string, AlgorithmChoice> choices;
    const char *file = algorithmFile();
    FILE *in = file ? std::fopen(file, "r") : nullptr;
    if (!in)
      return choices;
    char line[512];
    while (std::fgets(line, sizeof line, in)) {
      std::string text(line);
      size_t tab1 = text.find('\t'), tab2 = text.rfind('\t');
      if (tab1 == std::string::npos || tab2 == tab1)
        continue;
      int algo = std::atoi(text.c_str() + tab1 + 1);
      if (algo < 0 || algo >= CUDNN_CONVOLUTION_FWD_ALGO_COUNT)
        continue;
      choices[text.substr(0, tab1)] = {
          static_cast<cudnnConvolutionFwdAlgo_t>(algo),
          static_cast<size_t>(
              std::strtoull(text.c_str() + tab2 + 1, nullptr, 10))};
    }
    std::fclose(in);
    return choices;
  }();
  return stored;
}

void storeAlgorithm(const std::string &key, const AlgorithmChoice &choice) {
  storedAlgorithms()[key] = choice;
  if (FILE *out =
          algorithmFile() ? std::fopen(algorithmFile(), "a") : nullptr) {
    std::fprintf(out, "%s\t%d\t%zu\n", key.c_str(), int(choice.algo),
                 choice.workspaceBytes);
    std::fclose(out);
  }
}

ConvPlan &planFor(PetMemRef4D *input, PetMemRef4D *filter, PetMemRef4D *output,
                  int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh,
                  int64_t dw, int64_t groups, const std::string &detail) {
  // Shapes, strides, paddings, dilations, groups and precision: the key of
  // the plans here and of the choices in PET_CUDNN_ALGORITHMS's file.
  static std::map<std::string, ConvPlan> plans;
  std::string key = shape4(input->sizes) + " " + shape4(filter->sizes) + " " +
                    shape4(output->sizes) + " s" + std::to_string(sh) + "," +
                    std::to_string(sw) + " p" + std::to_string(ph) + "," +
                    std::to_string(pw) + " d" + std::to_string(dh) + "," +
                    std::to_string(dw) + " g" + std::to_string(groups) +
                    (tf32 ? " tf32" : " fp32");
  auto it = plans.find(key);
  if (it != plans.end())
    return it->second;
  ConvPlan plan;
  auto dims = [](const int64_t *s) {
    return std::make_tuple(int(s[0]), int(s[1]), int(s[2]), int(s[3]));
  };
  checkCudnn(cudnnCreateTensorDescriptor(&plan.x),
             "cudnnCreateTensorDescriptor", detail);
  checkCudnn(cudnnCreateTensorDescriptor(&plan.y),
             "cudnnCreateTensorDescriptor", detail);
  checkCudnn(cudnnCreateTensorDescriptor(&plan.bias),
             "cudnnCreateTensorDescriptor", detail);
  checkCudnn(cudnnCreateFilterDescriptor(&plan.w),
             "cudnnCreateFilterDescriptor", detail);
  checkCudnn(cudnnCreateConvolutionDescriptor(&plan.conv),
             "cudnnCreateConvolutionDescriptor", detail);
  auto [n, c, h, w] = dims(input->sizes);
  checkCudnn(cudnnSetTensor4dDescriptor(plan.x, CUDNN_TENSOR_NCHW,
                                        CUDNN_DATA_FLOAT, n, c, h, w),
             "cudnnSetTensor4dDescriptor(input)", detail);
  auto [f, fc, kh, kw] = dims(filter->sizes);
  checkCudnn(cudnnSetFilter4dDescriptor(plan.w, CUDNN_DATA_FLOAT,
                                        CUDNN_TENSOR_NCHW, f, fc, kh, kw),
             "cudnnSetFilter4dDescriptor", detail);
  auto [on, oc, oh, ow] = dims(output->sizes);
  checkCudnn(cudnnSetTensor4dDescriptor(plan.y, CUDNN_TENSOR_NCHW,
                                        CUDNN_DATA_FLOAT, on, oc, oh, ow),
             "cudnnSetTensor4dDescriptor(output)", detail);
  checkCudnn(cudnnSetTensor4dDescriptor(plan.bias, CUDNN_TENSOR_NCHW,
                                        CUDNN_DATA_FLOAT, 1, oc, 1, 1),
             "cudnnSetTensor4dDescriptor(bias)", detail);
  checkCudnn(cudnnSetConvolution2dDescriptor(
                 plan.conv, int(ph), int(pw), int(sh), int(sw), int(dh),
                 int(dw), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
             "cudnnSetConvolution2dDescriptor", detail);
  checkCudnn(cudnnSetConvolutionGroupCount(plan.conv, int(groups)),
             "cudnnSetConvolutionGroupCount", detail);
  checkCudnn(cudnnSetConvolutionMathType(plan.conv, tf32 ? CUDNN_TENSOR_OP_MATH
                                                         : CUDNN_FMA_MATH),
             "cudnnSetConvolutionMathType", detail);
  // The output cuDNN computes must be the one we were given.
  int en, ec, eh, ew;
  checkCudnn(cudnnGetConvolution2dForwardOutputDim(plan.conv, plan.x, plan.w,
                                                   &en, &ec, &eh, &ew),
             "cudnnGetConvolution2dForwardOutputDim", detail);
  if (en != on || ec != oc || eh != oh || ew != ow)
    fail("convolution output shape %dx%dx%dx%d expected by cuDNN; %s", en, ec,
         eh, ew, detail.c_str());
  if (algorithmFile()) {
    auto stored = storedAlgorithms().find(key);
    if (stored != storedAlgorithms().end()) {
      plan.algo = stored->second.algo;
      plan.workspaceBytes = stored->second.workspaceBytes;
      if (const char *log = std::getenv("PET_LOG_ALGORITHMS"); log && *log)
        std::fprintf(stderr, "pet-runtime: %s: algorithm %d (stored)\n",
                     detail.c_str(), int(plan.algo));
      return plans.emplace(key, plan).first->second;
    }
  }
  if (isCapturing())
    fail("first convolution of this shape while a CUDA graph is captured "
         "(its algorithm search would be recorded): run the forward pass "
         "once before capturing; %s",
         detail.c_str());
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int returned = 0;
  checkCudnn(cudnnFindConvolutionForwardAlgorithm(
                 cudnn(), plan.x, plan.w, plan.conv, plan.y,
                 CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf),
             "cudnnFindConvolutionForwardAlgorithm", detail);
  // cudnnFind runs each algorithm once, on the first forward pass (cold
  // clocks, operands still migrating to the GPU), so its ranking changes
  // from process to process, and a program's time with it by up to 1.8x.
  // Every algorithm it found is timed again: a warm-up run, then the median
  // of several, into a scratch output (the real one holds what the call
  // adds to).
  std::vector<cudnnConvolutionFwdAlgoPerf_t> candidates;
  for (int i = 0; i < returned; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS &&
        (tf32 || perf[i].mathType != CUDNN_TENSOR_OP_MATH))
      candidates.push_back(perf[i]);
  if (candidates.empty())
    fail("cuDNN found no FP32 algorithm; %s", detail.c_str());
  auto *scratch = static_cast<float *>(
      pet_rt_alloc(size_t(on) * oc * oh * ow * sizeof(float)));
  float best = 0;
  for (const cudnnConvolutionFwdAlgoPerf_t &candidate : candidates) {
    void *space = workspace(candidate.memory);
    float alpha = 1.0f, beta = 0.0f;
    auto run = [&] {
      checkCudnn(cudnnConvolutionForward(
                     cudnn(), &alpha, plan.x, input->aligned + input->offset,
                     plan.w, filter->aligned + filter->offset, plan.conv,
                     candidate.algo, space, candidate.memory, &beta, plan.y,
                     scratch),
                 "cudnnConvolutionForward (timing an algorithm)", detail);
    };
    run();
    float ms = medianMillis(run, kTimingRuns);
    if (&candidate == &candidates[0] || ms < best) {
      best = ms;
      plan.algo = candidate.algo;
      plan.workspaceBytes = candidate.memory;
    }
  }
  pet_rt_free(scratch);
  // PET_LOG_ALGORITHMS=1: the algorithm chosen per shape, and its time.
  if (const char *log = std::getenv("PET_LOG_ALGORITHMS"); log && *log)
    std::fprintf(stderr, "pet-runtime: %s: algorithm %d, %.4f ms\n",
                 detail.c_str(), int(plan.algo), double(best));
  if (algorithmFile())
    storeAlgorithm(key, {plan.algo, plan.workspaceBytes});
  return plans.emplace(key, plan).first->second;
}

} // namespace

extern "C" void pet_rt_set_tf32(bool enabled) { tf32 = enabled; }

extern "C" void
_mlir_ciface_pet_rt_conv2d_f32(PetMemRef4D *input, PetMemRef4D *filter,
                               PetMemRef4D *output, int64_t strideH,
                               int64_t strideW, int64_t dilationH,
                               int64_t dilationW, int64_t groups) {
  std::string detail = "conv2d input " + shape4(input->sizes) + ", filter " +
                       shape4(filter->sizes) + ", output " +
                       shape4(output->sizes);
  if (!isContiguous(input, 4) || !isContiguous(filter, 4) ||
      !isContiguous(output, 4))
    fail("conv2d operands must be contiguous; %s", detail.c_str());
  ConvPlan &plan = planFor(input, filter, output, strideH, strideW, 0, 0,
                           dilationH, dilationW, groups, detail);
  ProfileScope scope("cudnn", detail);
  // output += conv: beta = 1 (the output holds the init, zeros or a bias).
  float alpha = 1.0f, beta = 1.0f;
  checkCudnn(cudnnConvolutionForward(
                 cudnn(), &alpha, plan.x, input->aligned + input->offset,
                 plan.w, filter->aligned + filter->offset, plan.conv, plan.algo,
                 workspace(plan.workspaceBytes), plan.workspaceBytes, &beta,
                 plan.y, output->aligned + output->offset),
             "cudnnConvolutionForward", detail);
}

namespace {
cudnnActivationDescriptor_t relu() {
  static cudnnActivationDescriptor_t descriptor = [] {
    cudnnActivationDescriptor_t d;
    checkCudnn(cudnnCreateActivationDescriptor(&d),
               "cudnnCreateActivationDescriptor", "");
    checkCudnn(cudnnSetActivationDescriptor(d, CUDNN_ACTIVATION_RELU,
                                            CUDNN_NOT_PROPAGATE_NAN, 0.0),
               "cudnnSetActivationDescriptor", "");
    return d;
  }();
  return descriptor;
}

const float *data(const PetMemRef4D *m) { return m->aligned + m->offset; }
float *data(PetMemRef4D *m) { return m->aligned + m->offset; }
} // namespace

extern "C" void _mlir_ciface_pet_rt_conv2d_fused_f32(
    PetMemRef4D *input, PetMemRef4D *filter, PetMemRef4D *bias,
    PetMemRef4D *residual, PetMemRef4D *output, int64_t strideH,
    int64_t strideW, int64_t padH, int64_t padW, int64_t dilationH,
    int64_t dilationW, int64_t groups, int64_t flags) {
  bool hasBias = flags & PET_RT_CONV_BIAS;
  bool hasResidual = flags & PET_RT_CONV_RESIDUAL;
  bool hasRelu = flags & PET_RT_CONV_RELU;
  char pads[64];
  std::snprintf(pads, sizeof(pads), ", padding %ldx%ld", long(padH),
                long(padW));
  std::string detail =
      "conv2d input " + shape4(input->sizes) + ", filter " +
      shape4(filter->sizes) + ", output " + shape4(output->sizes) + pads +
      (hasBias ? ", bias" : "") + (hasResidual ? ", residual" : "") +
      (hasRelu ? ", relu" : "");
  if (!isContiguous(input, 4) || !isContiguous(filter, 4) ||
      !isContiguous(output, 4) || (hasBias && !isContiguous(bias, 4)) ||
      (hasResidual && !isContiguous(residual, 4)))
    fail("conv2d operands must be contiguous; %s", detail.c_str());
  if (hasBias &&
      (bias->sizes[0] * bias->sizes[1] * bias->sizes[2] * bias->sizes[3] !=
       output->sizes[1]))
    fail("conv2d bias must have one value per output channel; bias %s, %s",
         shape4(bias->sizes).c_str(), detail.c_str());
  if (hasResidual && shape4(residual->sizes) != shape4(output->sizes))
    fail("conv2d residual must have the output's shape; residual %s, %s",
         shape4(residual->sizes).c_str(), detail.c_str());
  ConvPlan &plan = planFor(input, filter, output, strideH, strideW, padH, padW,
                           dilationH, dilationW, groups, detail);
  ProfileScope scope("cudnn", detail);
  void *space = workspace(plan.workspaceBytes);
  float one = 1.0f, zero = 0.0f;
  // One cuDNN call where it fuses: act(conv + residual + bias).
  if (hasRelu && !plan.fusedUnsupported) {
    const float *biasData = hasBias ? data(bias) : plan.zeros;
    if (!biasData) {
      if (isCapturing())
        fail("first fused convolution of this shape without a bias while a "
             "CUDA graph is captured: run the forward pass once before "
             "capturing; %s",
             detail.c_str());
      plan.zeros = static_cast<float *>(
          pet_rt_alloc(sizeof(float) * size_t(output->sizes[1])));
      checkCudnn(cudnnSetTensor(cudnn(), plan.bias, plan.zeros, &zero),
                 "cudnnSetTensor", detail);
      biasData = plan.zeros;
    }
    float alpha2 = hasResidual ? 1.0f : 0.0f;
    const float *z = hasResidual ? data(residual) : data(output);
    cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
        cudnn(), &one, plan.x, data(input), plan.w, data(filter), plan.conv,
        plan.algo, space, plan.workspaceBytes, &alpha2, plan.y, z, plan.bias,
        biasData, relu(), plan.y, data(output));
    if (status == CUDNN_STATUS_SUCCESS)
      return;
    if (status != CUDNN_STATUS_NOT_SUPPORTED)
      checkCudnn(status, "cudnnConvolutionBiasActivationForward", detail);
    plan.fusedUnsupported = true;
  }
  // Otherwise step by step: output = residual; output += conv; + bias; relu.
  float beta = 0.0f;
  if (hasResidual) {
    if (data(residual) != data(output))
      checkCudnn(cudnnTransformTensor(cudnn(), &one, plan.y, data(residual),
                                      &zero, plan.y, data(output)),
                 "cudnnTransformTensor", detail);
    beta = 1.0f;
  }
  checkCudnn(cudnnConvolutionForward(cudnn(), &one, plan.x, data(input), plan.w,
                                     data(filter), plan.conv, plan.algo, space,
                                     plan.workspaceBytes, &beta, plan.y,
                                     data(output)),
             "cudnnConvolutionForward", detail);
  if (hasBias)
    checkCudnn(cudnnAddTensor(cudnn(), &one, plan.bias, data(bias), &one,
                              plan.y, data(output)),
               "cudnnAddTensor", detail);
  if (hasRelu)
    checkCudnn(cudnnActivationForward(cudnn(), relu(), &one, plan.y,
                                      data(output), &zero, plan.y,
                                      data(output)),
               "cudnnActivationForward", detail);
}

namespace {
/// C[m x n] += A[m x k] B[k x n], row-major, `batch` times with the given
/// batch strides (elements).
void gemm(const float *a, const float *b, float *c, int64_t m, int64_t n,
          int64_t k, int64_t batch, int64_t strideA, int64_t strideB,
          int64_t strideC, const std::string &detail) {
  ProfileScope scope("cublas", detail);
  float alpha = 1.0f, beta = 1.0f;
  // Row-major C = A B is column-major C^T = B^T A^T.
  if (batch == 1)
    checkCublas(cublasSgemm(cublas(), CUBLAS_OP_N, CUBLAS_OP_N, int(n), int(m),
                            int(k), &alpha, b, int(n), a, int(k), &beta, c,
                            int(n)),
                "cublasSgemm", detail);
  else
    checkCublas(cublasSgemmStridedBatched(
                    cublas(), CUBLAS_OP_N, CUBLAS_OP_N, int(n), int(m), int(k),
                    &alpha, b, int(n), strideB, a, int(k), strideA, &beta, c,
                    int(n), strideC, int(batch)),
                "cublasSgemmStridedBatched", detail);
}
} // namespace

extern "C" void _mlir_ciface_pet_rt_matmul_f32(PetMemRef2D *lhs,
                                               PetMemRef2D *rhs,
                                               PetMemRef2D *output) {
  char text[160];
  std::snprintf(text, sizeof(text), "matmul %ldx%ld by %ldx%ld into %ldx%ld",
                long(lhs->sizes[0]), long(lhs->sizes[1]), long(rhs->sizes[0]),
                long(rhs->sizes[1]), long(output->sizes[0]),
                long(output->sizes[1]));
  if (!isContiguous(lhs, 2) || !isContiguous(rhs, 2) ||
      !isContiguous(output, 2))
    fail("matmul operands must be contiguous; %s", text);
  gemm(lhs->aligned + lhs->offset, rhs->aligned + rhs->offset,
       output->aligned + output->offset, lhs->sizes[0], rhs->sizes[1],
       lhs->sizes[1], 1, 0, 0, 0, text);
}

extern "C" void _mlir_ciface_pet_rt_batch_matmul_f32(PetMemRef3D *lhs,
                                                     PetMemRef3D *rhs,
                                                     PetMemRef3D *output) {
  char text[200];
  std::snprintf(text, sizeof(text),
                "batch_matmul %ldx%ldx%ld by %ldx%ldx%ld into %ldx%ldx%ld",
                long(lhs->sizes[0]), long(lhs->sizes[1]), long(lhs->sizes[2]),
                long(rhs->sizes[0]), long(rhs->sizes[1]), long(rhs->sizes[2]),
                long(output->sizes[0]), long(output->sizes[1]),
                long(output->sizes[2]));
  if (!isContiguous(lhs, 3) || !isContiguous(rhs, 3) ||
      !isContiguous(output, 3))
    fail("batch_matmul operands must be contiguous; %s", text);
  int64_t m = lhs->sizes[1], k = lhs->sizes[2], n = rhs->sizes[2];
  gemm(lhs->aligned + lhs->offset, rhs->aligned + rhs->offset,
       output->aligned + output->offset, m, n, k, lhs->sizes[0], m * k, k * n,
       m * n, text);
}
