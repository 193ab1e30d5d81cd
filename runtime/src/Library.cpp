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

#include <algorithm>
#include <array>
#include <cstdint>
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

/// `to` = `from`, two descriptions of tensors of one shape (strides may
/// differ): one cudnnTransformTensor.
void copyTensor(cudnnTensorDescriptor_t fromDesc, const float *from,
                cudnnTensorDescriptor_t toDesc, float *to, const char *what,
                const std::string &detail) {
  float one = 1.0f, zero = 0.0f;
  checkCudnn(
      cudnnTransformTensor(cudnn(), &one, fromDesc, from, &zero, toDesc, to),
      what, detail);
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

/// The strides cuDNN is given for a 4-d view: a dimension of size 1 gets
/// the stride a dense layout would give it (its own is never used, and may
/// be anything), the others keep theirs.
std::array<int, 4> viewStrides(const PetMemRef4D *m) {
  std::array<int, 4> strides;
  int64_t dense = 1;
  for (int i = 3; i >= 0; --i) {
    strides[i] = int(m->sizes[i] == 1 ? dense : m->strides[i]);
    dense *= m->sizes[i];
  }
  return strides;
}

/// Whether distinct positions of a 4-d view are distinct elements: with its
/// dimensions of size > 1 sorted by stride, each stride is at least the
/// extent of the ones below it (what an output written by cuDNN needs).
bool isNonOverlapping(const PetMemRef4D *m) {
  std::vector<std::pair<int64_t, int64_t>> dims; // (stride, size)
  for (int i = 0; i < 4; ++i) {
    if (m->sizes[i] > 1)
      dims.push_back({m->strides[i], m->sizes[i]});
  }
  std::sort(dims.begin(), dims.end());
  int64_t extent = 1;
  for (auto [stride, size] : dims) {
    if (stride < extent)
      return false;
    extent = stride * (size - 1) + extent;
  }
  return true;
}

const float *data(const PetMemRef4D *m) { return m->aligned + m->offset; }
float *data(PetMemRef4D *m) { return m->aligned + m->offset; }

/// Elements from a view's first to its last, inclusive.
size_t viewSpan(const PetMemRef4D *m) {
  size_t span = 1;
  for (int i = 0; i < 4; ++i)
    span += size_t(m->sizes[i] - 1) * size_t(m->strides[i]);
  return span;
}

/// The largest power of two, up to 256, that the address of a view's first
/// element is a multiple of (in bytes): a slice of channels starts wherever
/// the channels before it end.
int alignmentOf(const PetMemRef4D *m) {
  auto address = reinterpret_cast<uintptr_t>(data(m));
  int alignment = 256;
  while (alignment > 1 && address % alignment)
    alignment /= 2;
  return alignment;
}

/// Whether cuDNN gets `m` as other than a whole buffer of its own: strided,
/// or starting at an address less aligned than an allocation's (cuDNN's
/// kernels and their speed depend on both).
bool isView(const PetMemRef4D *m) {
  return !isContiguous(m, 4) || alignmentOf(m) < 256;
}

/// " x@s0,s1,s2,s3" for a view that is not contiguous, " x%A" for one
/// aligned to A < 256 bytes, "" otherwise: the part of a plan's key that
/// tells views apart.
std::string layoutKey(const char *name, const PetMemRef4D *m) {
  std::string key;
  char text[96];
  if (!isContiguous(m, 4)) {
    std::array<int, 4> s = viewStrides(m);
    std::snprintf(text, sizeof(text), " %s@%d,%d,%d,%d", name, s[0], s[1], s[2],
                  s[3]);
    key += text;
  }
  if (int alignment = alignmentOf(m); alignment < 256) {
    std::snprintf(text, sizeof(text), " %s%%%d", name, alignment);
    key += text;
  }
  return key;
}

/// A tensor descriptor of a 4-d view (NCHW dimensions, its own strides).
void setViewDescriptor(cudnnTensorDescriptor_t descriptor, const PetMemRef4D *m,
                       const char *what, const std::string &detail) {
  std::array<int, 4> s = viewStrides(m);
  checkCudnn(cudnnSetTensor4dDescriptorEx(descriptor, CUDNN_DATA_FLOAT,
                                          int(m->sizes[0]), int(m->sizes[1]),
                                          int(m->sizes[2]), int(m->sizes[3]),
                                          s[0], s[1], s[2], s[3]),
             what, detail);
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
  /// Views (strided operands) that cuDNN runs slower than dense tensors:
  /// the strided input is copied into `xScratch` (dense descriptor `xd`)
  /// and the output computed in `yScratch` (`yd`) and copied out, each
  /// copy one cudnnTransformTensor. Null where the operand is used as is.
  cudnnTensorDescriptor_t xd = nullptr, yd = nullptr;
  float *xScratch = nullptr, *yScratch = nullptr;
};

/// PET_CUDNN_ALGORITHMS=FILE: the algorithm chosen per convolution shape,
/// shared by every process that names the file: a shape found there is not
/// timed again, one chosen here is appended. Programs compared in separate
/// processes (PET off and on) then run their common shapes alike; cuDNN's
/// timings otherwise choose differently from process to process.
struct AlgorithmChoice {
  cudnnConvolutionFwdAlgo_t algo;
  size_t workspaceBytes;
  /// Views run through dense copies (ConvPlan::xd, yd).
  bool dense = false;
};

/// The choices in the file, read once: lines
/// "key<TAB>algorithm<TAB>bytes[<TAB>dense]" (dense: 1 where views run
/// through dense copies).
std::map<std::string, AlgorithmChoice> &storedAlgorithms() {
  static std::map<std::string, AlgorithmChoice> stored = [] {
    std::map<std::string, AlgorithmChoice> choices;
    const char *file = algorithmFile();
    FILE *in = file ? std::fopen(file, "r") : nullptr;
    if (!in)
      return choices;
    char line[512];
    while (std::fgets(line, sizeof line, in)) {
      std::vector<std::string> fields;
      std::string text(line);
      for (size_t start = 0;;) {
        size_t tab = text.find('\t', start);
        fields.push_back(text.substr(start, tab - start));
        if (tab == std::string::npos)
          break;
        start = tab + 1;
      }
      if (fields.size() < 3)
        continue;
      int algo = std::atoi(fields[1].c_str());
      if (algo < 0 || algo >= CUDNN_CONVOLUTION_FWD_ALGO_COUNT)
        continue;
      choices[fields[0]] = {
          static_cast<cudnnConvolutionFwdAlgo_t>(algo),
          static_cast<size_t>(std::strtoull(fields[2].c_str(), nullptr, 10)),
          fields.size() > 3 && std::atoi(fields[3].c_str()) == 1};
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
    if (choice.dense)
      std::fprintf(out, "%s\t%d\t%zu\t1\n", key.c_str(), int(choice.algo),
                   choice.workspaceBytes);
    else
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
                    (tf32 ? " tf32" : " fp32") + layoutKey("x", input) +
                    layoutKey("y", output);
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
  setViewDescriptor(plan.x, input, "cudnnSetTensor4dDescriptorEx(input)",
                    detail);
  auto [f, fc, kh, kw] = dims(filter->sizes);
  checkCudnn(cudnnSetFilter4dDescriptor(plan.w, CUDNN_DATA_FLOAT,
                                        CUDNN_TENSOR_NCHW, f, fc, kh, kw),
             "cudnnSetFilter4dDescriptor", detail);
  auto [on, oc, oh, ow] = dims(output->sizes);
  setViewDescriptor(plan.y, output, "cudnnSetTensor4dDescriptorEx(output)",
                    detail);
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
  bool inputView = isView(input), outputView = isView(output);
  // Dense descriptors and scratch buffers for the views, where the plan
  // copies them.
  auto makeDense = [&] {
    auto dense = [&](cudnnTensorDescriptor_t &d, float *&buffer,
                     const int64_t *s) {
      checkCudnn(cudnnCreateTensorDescriptor(&d), "cudnnCreateTensorDescriptor",
                 detail);
      checkCudnn(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW,
                                            CUDNN_DATA_FLOAT, int(s[0]),
                                            int(s[1]), int(s[2]), int(s[3])),
                 "cudnnSetTensor4dDescriptor(dense copy)", detail);
      buffer = static_cast<float *>(
          pet_rt_alloc(size_t(s[0] * s[1] * s[2] * s[3]) * sizeof(float)));
    };
    if (inputView)
      dense(plan.xd, plan.xScratch, input->sizes);
    if (outputView)
      dense(plan.yd, plan.yScratch, output->sizes);
  };
  if (algorithmFile()) {
    auto stored = storedAlgorithms().find(key);
    if (stored != storedAlgorithms().end()) {
      plan.algo = stored->second.algo;
      plan.workspaceBytes = stored->second.workspaceBytes;
      if (stored->second.dense)
        makeDense();
      if (const char *log = std::getenv("PET_LOG_ALGORITHMS"); log && *log)
        std::fprintf(stderr, "pet-runtime: %s: algorithm %d%s (stored)\n",
                     detail.c_str(), int(plan.algo),
                     stored->second.dense ? ", dense copies" : "");
      return plans.emplace(key, plan).first->second;
    }
  }
  if (isCapturing())
    fail("first convolution of this shape while a CUDA graph is captured "
         "(its algorithm search would be recorded): run the forward pass "
         "once before capturing; %s",
         detail.c_str());
  // The fastest algorithm for operands described by `x` and `y` at `in`,
  // writing a scratch output: cudnnFind runs each algorithm once, on the
  // first forward pass (cold clocks, operands still migrating to the GPU),
  // so its ranking changes from process to process, and a program's time
  // with it by up to 1.8x. Every algorithm it found is timed again: a
  // warm-up run, then the median of several, into a scratch output (the
  // real one holds what the call adds to).
  auto fastest = [&](cudnnTensorDescriptor_t x, const float *in,
                     cudnnTensorDescriptor_t y, size_t outputSpan,
                     AlgorithmChoice &choice) {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int returned = 0;
    checkCudnn(cudnnFindConvolutionForwardAlgorithm(
                   cudnn(), x, plan.w, plan.conv, y,
                   CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf),
               "cudnnFindConvolutionForwardAlgorithm", detail);
    std::vector<cudnnConvolutionFwdAlgoPerf_t> candidates;
    for (int i = 0; i < returned; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS &&
          (tf32 || perf[i].mathType != CUDNN_TENSOR_OP_MATH))
        candidates.push_back(perf[i]);
    if (candidates.empty())
      fail("cuDNN found no FP32 algorithm; %s", detail.c_str());
    auto *scratch =
        static_cast<float *>(pet_rt_alloc(outputSpan * sizeof(float)));
    float best = 0;
    for (const cudnnConvolutionFwdAlgoPerf_t &candidate : candidates) {
      void *space = workspace(candidate.memory);
      float alpha = 1.0f, beta = 0.0f;
      auto run = [&] {
        checkCudnn(cudnnConvolutionForward(cudnn(), &alpha, x, in, plan.w,
                                           filter->aligned + filter->offset,
                                           plan.conv, candidate.algo, space,
                                           candidate.memory, &beta, y, scratch),
                   "cudnnConvolutionForward (timing an algorithm)", detail);
      };
      run();
      float ms = medianMillis(run, kTimingRuns);
      if (&candidate == &candidates[0] || ms < best) {
        best = ms;
        choice.algo = candidate.algo;
        choice.workspaceBytes = candidate.memory;
      }
    }
    pet_rt_free(scratch);
    return best;
  };
  AlgorithmChoice choice;
  float best = fastest(plan.x, data(input), plan.y, viewSpan(output), choice);
  // PET_CUDNN_VIEWS=view or =copy: views always passed as they are, or
  // always through dense copies (tests); otherwise the faster, measured.
  const char *views = std::getenv("PET_CUDNN_VIEWS");
  std::string forced = views ? views : "";
  if ((inputView || outputView) && forced != "view") {
    // Views against dense copies: the fastest algorithm on dense operands,
    // plus copying the input view in and the output out.
    makeDense();
    AlgorithmChoice denseChoice;
    denseChoice.dense = true;
    cudnnTensorDescriptor_t x = inputView ? plan.xd : plan.x;
    const float *in = inputView ? plan.xScratch : data(input);
    float copies = 0;
    if (inputView) {
      auto copyIn = [&] {
        copyTensor(plan.x, data(input), plan.xd, plan.xScratch,
                   "cudnnTransformTensor (input view)", detail);
      };
      copyIn();
      copies += medianMillis(copyIn, kTimingRuns);
    }
    if (outputView) {
      auto copyOut = [&] {
        copyTensor(plan.yd, plan.yScratch, plan.y, data(output),
                   "cudnnTransformTensor (output view)", detail);
      };
      copyOut();
      copies += medianMillis(copyOut, kTimingRuns);
    }
    float dense =
        fastest(x, in, outputView ? plan.yd : plan.y,
                outputView ? size_t(on) * oc * oh * ow : viewSpan(output),
                denseChoice) +
        copies;
    if (dense < best || forced == "copy") {
      choice = denseChoice;
      best = dense;
    } else {
      for (cudnnTensorDescriptor_t *d : {&plan.xd, &plan.yd})
        if (*d)
          cudnnDestroyTensorDescriptor(*d);
      pet_rt_free(plan.xScratch);
      pet_rt_free(plan.yScratch);
      plan.xd = plan.yd = nullptr;
      plan.xScratch = plan.yScratch = nullptr;
    }
  }
  plan.algo = choice.algo;
  plan.workspaceBytes = choice.workspaceBytes;
  // PET_LOG_ALGORITHMS=1: the algorithm chosen per shape, and its time.
  if (const char *log = std::getenv("PET_LOG_ALGORITHMS"); log && *log)
    std::fprintf(stderr, "pet-runtime: %s: algorithm %d%s, %.4f ms\n",
                 detail.c_str(), int(plan.algo),
                 choice.dense ? ", dense copies" : "", double(best));
  if (algorithmFile())
    storeAlgorithm(key, choice);
  return plans.emplace(key, plan).first->second;
}

/// What a plan's cuDNN call reads and writes: the views themselves, or
/// their dense copies (ConvPlan::xd, yd).
struct ConvOperands {
  cudnnTensorDescriptor_t x, y;
  const float *in;
  float *out;
};

/// The call's operands, the input view copied in where the plan says so;
/// with `readOutput`, what the output holds too (the call adds to it).
ConvOperands operandsFor(ConvPlan &plan, PetMemRef4D *input,
                         PetMemRef4D *output, bool readOutput,
                         const std::string &detail) {
  ConvOperands ops{plan.x, plan.y, data(input), data(output)};
  if (plan.xd) {
    copyTensor(plan.x, data(input), plan.xd, plan.xScratch,
               "cudnnTransformTensor (input view)", detail);
    ops.x = plan.xd;
    ops.in = plan.xScratch;
  }
  if (plan.yd) {
    if (readOutput)
      copyTensor(plan.y, data(output), plan.yd, plan.yScratch,
                 "cudnnTransformTensor (output view)", detail);
    ops.y = plan.yd;
    ops.out = plan.yScratch;
  }
  return ops;
}

/// Copies a dense copy of the output into the output view, if there is one.
void finishOutput(ConvPlan &plan, PetMemRef4D *output,
                  const std::string &detail) {
  if (plan.yd)
    copyTensor(plan.yd, plan.yScratch, plan.y, data(output),
               "cudnnTransformTensor (output view)", detail);
}

} // namespace

extern "C" void pet_rt_set_tf32(bool enabled) { tf32 = enabled; }

bool pet_rt::useTF32() { return tf32; }

const char *pet_rt::algorithmFile() {
  const char *file = std::getenv("PET_CUDNN_ALGORITHMS");
  return file && *file ? file : nullptr;
}

void pet_rt::checkCublas(cublasStatus_t status, const char *call,
                         const std::string &detail) {
  if (status != CUBLAS_STATUS_SUCCESS)
    fail("%s failed: %s (%d); %s", call, cublasGetStatusName(status),
         int(status), detail.c_str());
}

extern "C" void
_mlir_ciface_pet_rt_conv2d_f32(PetMemRef4D *input, PetMemRef4D *filter,
                               PetMemRef4D *output, int64_t strideH,
                               int64_t strideW, int64_t dilationH,
                               int64_t dilationW, int64_t groups) {
  std::string detail = "conv2d input " + shape4(input->sizes) + ", filter " +
                       shape4(filter->sizes) + ", output " +
                       shape4(output->sizes);
  if (!isContiguous(filter, 4) || !isNonOverlapping(output))
    fail("conv2d filter must be contiguous, output without overlaps; %s",
         detail.c_str());
  ConvPlan &plan = planFor(input, filter, output, strideH, strideW, 0, 0,
                           dilationH, dilationW, groups, detail);
  ProfileScope scope("cudnn", detail);
  // output += conv: beta = 1 (the output holds the init, zeros or a bias).
  ConvOperands ops =
      operandsFor(plan, input, output, /*readOutput=*/true, detail);
  float alpha = 1.0f, beta = 1.0f;
  checkCudnn(
      cudnnConvolutionForward(cudnn(), &alpha, ops.x, ops.in, plan.w,
                              filter->aligned + filter->offset, plan.conv,
                              plan.algo, workspace(plan.workspaceBytes),
                              plan.workspaceBytes, &beta, ops.y, ops.out),
      "cudnnConvolutionForward", detail);
  finishOutput(plan, output, detail);
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
  if (!isContiguous(filter, 4) || !isNonOverlapping(output) ||
      (hasBias && !isContiguous(bias, 4)))
    fail("conv2d filter and bias must be contiguous, output without overlaps; "
         "%s",
         detail.c_str());
  if (hasBias &&
      (bias->sizes[0] * bias->sizes[1] * bias->sizes[2] * bias->sizes[3] !=
       output->sizes[1]))
    fail("conv2d bias must have one value per output channel; bias %s, %s",
         shape4(bias->sizes).c_str(), detail.c_str());
  if (hasResidual && shape4(residual->sizes) != shape4(output->sizes))
    fail("conv2d residual must have the output's shape; residual %s, %s",
         shape4(residual->sizes).c_str(), detail.c_str());
  if (hasResidual && viewStrides(residual) != viewStrides(output))
    fail("conv2d residual must have the output's strides; %s", detail.c_str());
  ConvPlan &plan = planFor(input, filter, output, strideH, strideW, padH, padW,
                           dilationH, dilationW, groups, detail);
  ProfileScope scope("cudnn", detail);
  void *space = workspace(plan.workspaceBytes);
  float one = 1.0f, zero = 0.0f;
  ConvOperands ops =
      operandsFor(plan, input, output, /*readOutput=*/false, detail);
  // The residual, where the output is a dense copy: copied into it first
  // (it has the output view's strides).
  const float *z = hasResidual ? data(residual) : ops.out;
  if (hasResidual && plan.yd) {
    copyTensor(plan.y, data(residual), plan.yd, plan.yScratch,
               "cudnnTransformTensor (residual)", detail);
    z = plan.yScratch;
  }
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
    cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
        cudnn(), &one, ops.x, ops.in, plan.w, data(filter), plan.conv,
        plan.algo, space, plan.workspaceBytes, &alpha2, ops.y, z, plan.bias,
        biasData, relu(), ops.y, ops.out);
    if (status == CUDNN_STATUS_SUCCESS) {
      finishOutput(plan, output, detail);
      return;
    }
    if (status != CUDNN_STATUS_NOT_SUPPORTED)
      checkCudnn(status, "cudnnConvolutionBiasActivationForward", detail);
    plan.fusedUnsupported = true;
  }
  // Otherwise step by step: output = residual; output += conv; + bias; relu.
  float beta = 0.0f;
  if (hasResidual) {
    if (z != ops.out)
      copyTensor(ops.y, z, ops.y, ops.out, "cudnnTransformTensor", detail);
    beta = 1.0f;
  }
  checkCudnn(cudnnConvolutionForward(
                 cudnn(), &one, ops.x, ops.in, plan.w, data(filter), plan.conv,
                 plan.algo, space, plan.workspaceBytes, &beta, ops.y, ops.out),
             "cudnnConvolutionForward", detail);
  if (hasBias)
    checkCudnn(cudnnAddTensor(cudnn(), &one, plan.bias, data(bias), &one, ops.y,
                              ops.out),
               "cudnnAddTensor", detail);
  if (hasRelu)
    checkCudnn(cudnnActivationForward(cudnn(), relu(), &one, ops.y, ops.out,
                                      &zero, ops.y, ops.out),
               "cudnnActivationForward", detail);
  finishOutput(plan, output, detail);
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
