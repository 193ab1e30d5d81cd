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
#ifdef PET_HAVE_CUDNN_FRONTEND
#include "ConvGraph.h"
#include "SplitTF32.h"
#include "Winograd.h"
#endif
#include "pet_runtime.h"

#include <cublas_v2.h>
#include <cudnn.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
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
    failWith(status == CUDNN_STATUS_ALLOC_FAILED ? PET_RT_ERROR_OUT_OF_MEMORY
                                                 : PET_RT_ERROR_LIBRARY,
             "%s failed: %s; %s", call, cudnnGetErrorString(status),
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
/// the stride a dense layout would give it at its place in the view's own
/// order of dimensions (its own stride is never used, and may be anything),
/// the others keep theirs. The order is channels-last (N, H, W, C: NHWC
/// images, KRSC filters) where dimension 1 varies fastest of those larger
/// than 1, else N, C, H, W: a KRSC filter 128x128x1x7 gets R's stride 7*128,
/// not NCHW's 7.
std::array<int, 4> viewStrides(const PetMemRef4D *m) {
  int fastest = -1;
  for (int i = 0; i < 4; ++i) {
    if (m->sizes[i] > 1 && (fastest < 0 || m->strides[i] < m->strides[fastest]))
      fastest = i;
  }
  static constexpr int nchw[4] = {0, 1, 2, 3}, nhwc[4] = {0, 2, 3, 1};
  const int *order = fastest == 1 ? nhwc : nchw;
  std::array<int, 4> strides;
  int64_t dense = 1;
  for (int k = 3; k >= 0; --k) {
    int i = order[k];
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

/// Whether a filter F x C x KH x KW is stored KRSC (F x KH x KW x C,
/// --pet-gpu-filters-last): strides [KH*KW*C, 1, KW*C, C].
bool isKrsc(const PetMemRef4D *filter) {
  const int64_t *n = filter->sizes;
  std::array<int, 4> s = viewStrides(filter);
  return s[0] == n[2] * n[3] * n[1] && s[1] == 1 && s[2] == n[3] * n[1] &&
         s[3] == n[1];
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
  /// The shape's key (planFor's).
  std::string key;
  cudnnTensorDescriptor_t x, y, bias;
  cudnnFilterDescriptor_t w;
  cudnnConvolutionDescriptor_t conv;
  cudnnConvolutionFwdAlgo_t algo;
  size_t workspaceBytes;
  /// A filter stored KRSC that cuDNN's legacy API does not run with these
  /// tensors: only the graph API can.
  bool legacyUnsupported = false;
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
    for (const auto &[key, value] : storedChoiceLines("")) {
      std::vector<std::string> fields;
      for (size_t start = 0;;) {
        size_t tab = value.find('\t', start);
        fields.push_back(value.substr(start, tab - start));
        if (tab == std::string::npos)
          break;
        start = tab + 1;
      }
      // The products' and the graphs' lines have other fields.
      if (fields.size() < 2 || fields[0].empty() ||
          fields[0].find_first_not_of("0123456789") != std::string::npos)
        continue;
      int algo = std::atoi(fields[0].c_str());
      if (algo < 0 || algo >= CUDNN_CONVOLUTION_FWD_ALGO_COUNT)
        continue;
      choices[key] = {
          static_cast<cudnnConvolutionFwdAlgo_t>(algo),
          static_cast<size_t>(std::strtoull(fields[1].c_str(), nullptr, 10)),
          fields.size() > 2 && std::atoi(fields[2].c_str()) == 1};
    }
    return choices;
  }();
  return stored;
}

void storeAlgorithm(const std::string &key, const AlgorithmChoice &choice) {
  storedAlgorithms()[key] = choice;
  appendChoiceLine(key, std::to_string(int(choice.algo)) + "\t" +
                            std::to_string(choice.workspaceBytes) +
                            (choice.dense ? "\t1" : ""));
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
                    layoutKey("y", output) + layoutKey("w", filter);
  auto it = plans.find(key);
  if (it != plans.end())
    return it->second;
  ConvPlan plan;
  plan.key = key;
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
  bool krsc = !isContiguous(filter, 4);
  checkCudnn(cudnnSetFilter4dDescriptor(
                 plan.w, CUDNN_DATA_FLOAT,
                 krsc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW, f, fc, kh, kw),
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
      if (logAlgorithms())
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
    cudnnStatus_t status = cudnnFindConvolutionForwardAlgorithm(
        cudnn(), x, plan.w, plan.conv, y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
        &returned, perf);
    if (status != CUDNN_STATUS_SUCCESS && krsc)
      returned = 0;
    else
      checkCudnn(status, "cudnnFindConvolutionForwardAlgorithm", detail);
    std::vector<cudnnConvolutionFwdAlgoPerf_t> candidates;
    for (int i = 0; i < returned; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS &&
          (tf32 || perf[i].mathType != CUDNN_TENSOR_OP_MATH))
        candidates.push_back(perf[i]);
    // A KRSC filter with NCHW tensors, say: the graph API's alone
    // (infinitely slow here).
    if (candidates.empty() && krsc)
      return std::numeric_limits<float>::infinity();
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
    if (dense < best || (forced == "copy" && !std::isinf(dense))) {
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
  if (std::isinf(best)) {
    // No legacy algorithm for the operands as they lie nor for dense
    // copies of them.
    plan.legacyUnsupported = true;
    if (logAlgorithms())
      std::fprintf(stderr,
                   "pet-runtime: %s: no legacy algorithm (filter KRSC)\n",
                   detail.c_str());
    return plans.emplace(key, plan).first->second;
  }
  plan.algo = choice.algo;
  plan.workspaceBytes = choice.workspaceBytes;
  // The algorithm chosen per shape, and its time.
  if (logAlgorithms())
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

std::map<std::string, std::string>
pet_rt::storedChoiceLines(const std::string &prefix) {
  std::map<std::string, std::string> lines;
  FILE *in = algorithmFile() ? std::fopen(algorithmFile(), "r") : nullptr;
  if (!in)
    return lines;
  std::string text;
  char buffer[1024];
  while (std::fgets(buffer, sizeof buffer, in)) {
    text += buffer;
    if (text.empty() || text.back() != '\n')
      continue; // a line longer than the buffer: read on
    text.pop_back();
    size_t tab = text.find('\t');
    if (tab != std::string::npos && text.compare(0, prefix.size(), prefix) == 0)
      lines[text.substr(0, tab)] = text.substr(tab + 1);
    text.clear();
  }
  std::fclose(in);
  return lines;
}

void pet_rt::appendChoiceLine(const std::string &key,
                              const std::string &value) {
  if (FILE *out =
          algorithmFile() ? std::fopen(algorithmFile(), "a") : nullptr) {
    std::fprintf(out, "%s\t%s\n", key.c_str(), value.c_str());
    std::fclose(out);
  }
}

bool pet_rt::logAlgorithms() {
  static const bool log = [] {
    const char *value = std::getenv("PET_LOG_ALGORITHMS");
    return value && *value;
  }();
  return log;
}

void pet_rt::checkCublas(cublasStatus_t status, const char *call,
                         const std::string &detail) {
  if (status != CUBLAS_STATUS_SUCCESS)
    failWith(status == CUBLAS_STATUS_ALLOC_FAILED ? PET_RT_ERROR_OUT_OF_MEMORY
                                                  : PET_RT_ERROR_LIBRARY,
             "%s failed: %s (%d); %s", call, cublasGetStatusName(status),
             int(status), detail.c_str());
}

extern "C" void
_mlir_ciface_pet_rt_conv2d_f32(PetMemRef4D *input, PetMemRef4D *filter,
                               PetMemRef4D *output, int64_t strideH,
                               int64_t strideW, int64_t dilationH,
                               int64_t dilationW, int64_t groups) {
  guarded([&] {
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
  });
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

namespace {
/// The descriptor of a residual: the output's (`plan.y`) where their
/// strides agree, else one of its own (an NCHW residual added to an NHWC
/// output, say), kept per layout.
cudnnTensorDescriptor_t residualDescriptor(ConvPlan &plan,
                                           const PetMemRef4D *residual,
                                           const PetMemRef4D *output,
                                           const std::string &detail) {
  if (viewStrides(residual) == viewStrides(output))
    return plan.y;
  static std::map<std::string, cudnnTensorDescriptor_t> descriptors;
  std::array<int, 4> s = viewStrides(residual);
  char key[160];
  std::snprintf(key, sizeof(key), "%s@%d,%d,%d,%d",
                shape4(residual->sizes).c_str(), s[0], s[1], s[2], s[3]);
  cudnnTensorDescriptor_t &d = descriptors[key];
  if (!d) {
    checkCudnn(cudnnCreateTensorDescriptor(&d), "cudnnCreateTensorDescriptor",
               detail);
    setViewDescriptor(d, residual, "cudnnSetTensor4dDescriptorEx(residual)",
                      detail);
  }
  return d;
}

/// The fused convolution through the legacy API: one
/// cudnnConvolutionBiasActivationForward where cuDNN fuses the shape,
/// otherwise step by step.
void legacyFused(ConvPlan &plan, PetMemRef4D *input, PetMemRef4D *filter,
                 PetMemRef4D *bias, PetMemRef4D *residual, PetMemRef4D *output,
                 bool hasBias, bool hasResidual, bool hasRelu,
                 const std::string &detail) {
  void *space = workspace(plan.workspaceBytes);
  float one = 1.0f, zero = 0.0f;
  ConvOperands ops =
      operandsFor(plan, input, output, /*readOutput=*/false, detail);
  // The residual (described by zd), where the output is a dense copy:
  // copied into it first.
  const float *z = hasResidual ? data(residual) : ops.out;
  cudnnTensorDescriptor_t zd =
      hasResidual ? residualDescriptor(plan, residual, output, detail) : ops.y;
  if (hasResidual && plan.yd) {
    copyTensor(zd, data(residual), plan.yd, plan.yScratch,
               "cudnnTransformTensor (residual)", detail);
    z = plan.yScratch;
    zd = plan.yd;
  }
  // One cuDNN call where it fuses: act(conv + residual + bias), the
  // residual laid out as the output.
  if (hasRelu && !plan.fusedUnsupported && (!hasResidual || zd == ops.y)) {
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
      copyTensor(zd, z, ops.y, ops.out, "cudnnTransformTensor", detail);
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

#ifdef PET_HAVE_CUDNN_FRONTEND
/// Plans of cuDNN's graph API built and timed per fused shape; calls per
/// CUDA graph when timing them (graphMillis: as the programs run them,
/// without launch gaps).
constexpr int kGraphPlans = 10, kGraphCalls = 5;

/// What a fused convolution's graph computes of it. cuDNN's graphs take a
/// residual only in NHWC layout: with an NCHW residual the graph computes
/// conv + bias, and the residual and the ReLU follow as two cuDNN calls
/// (Separate). An Unfused graph is the convolution alone, bias, residual
/// and ReLU following as cuDNN calls: cuDNN's engines for a convolution
/// alone include kernels that its fused graphs do not (FP32 CSRNet's
/// 512-channel convolutions: PyTorch runs them with larger tiles than any
/// fused plan offers).
enum class Epilogue { Fused, Separate, Unfused };

/// The prefix of a stored choice's plan name per epilogue.
const char *storedPrefix(Epilogue epilogue) {
  switch (epilogue) {
  case Epilogue::Fused:
    return "";
  case Epilogue::Separate:
    return "separate ";
  case Epilogue::Unfused:
    return "unfused ";
  }
  return "";
}

/// How a fused convolution shape runs: through a plan of its cuDNN graph,
/// or (no graph) through the legacy API.
struct GraphChoice {
  std::unique_ptr<ConvGraph> graph;
  int plan = 0;
  size_t workspaceBytes = 0;
  Epilogue epilogue = Epilogue::Fused;
  /// Split TF32 (SplitTF32.h): the graph runs on the input and filter split
  /// into TF32 parts, written to these buffers (NHWC, KRSC: cuDNN's fastest
  /// TF32 layout) before each run.
  bool split = false;
  float *splitInput = nullptr, *splitFilter = nullptr;
  /// Winograd F(2x2, 3x3) (Winograd.h) instead of a graph.
  bool winograd = false;
};

/// A Winograd choice's stored name.
constexpr const char *kWinogradName = "winograd-f2x2-3x3";

/// Whether FP32 3x3 convolutions may run as Winograd F(2x2, 3x3) where
/// that is measured faster (by default; PET_WINOGRAD=0 leaves it out,
/// PET_CUDNN_API=winograd forces it where it applies). Never in TF32 mode.
bool timeWinograd() {
  static const bool enabled = [] {
    const char *value = std::getenv("PET_WINOGRAD");
    return !value || value[0] != '0';
  }();
  return enabled && !tf32;
}

/// Runs `choice`'s convolution as Winograd into `output`.
void runWinograd(PetMemRef4D *input, PetMemRef4D *filter, PetMemRef4D *bias,
                 const PetMemRef4D &output, int64_t ph, int64_t pw, int64_t dh,
                 bool hasBias, bool hasRelu) {
  size_t floats = winogradWorkspaceFloats(*input, *filter, output, dh);
  winogradConv(
      *input, *filter, hasBias ? data(bias) : nullptr, hasRelu, output, ph, pw,
      dh, static_cast<float *>(workspace(floats * sizeof(float))), cublas());
}

/// The prefix of a split choice's stored plan name.
constexpr const char *kSplitPrefix = "split3-nhwc ";

/// Whether FP32 convolutions may run as split TF32 where that is measured
/// faster: only with PET_FP32_SPLIT=1 (PET_CUDNN_API=split: always, its
/// first plan). Not by default: the products are as exact as FP32's, but
/// tensor cores accumulate them with truncation, so the error grows with
/// the reduction's length (H200: 3e-5 of the largest |value| over 2,304
/// products, against FP32's 1e-6 and TF32's 2e-4). Never in TF32 mode.
bool timeSplit() {
  static const bool enabled = [] {
    const char *value = std::getenv("PET_FP32_SPLIT");
    return value && value[0] == '1';
  }();
  return enabled && !tf32;
}

/// A split operand as the graph sees it: `m`'s sizes with three times its
/// dimension 1, dense channels-last (NHWC images, KRSC filters).
GraphTensor splitTensor(const PetMemRef4D *m) {
  GraphTensor t;
  int64_t n = m->sizes[0], c = 3 * m->sizes[1], h = m->sizes[2],
          w = m->sizes[3];
  t.sizes = {n, c, h, w};
  t.strides = {h * w * c, 1, w * c, c};
  return t;
}

/// Elements of a split operand.
size_t splitElements(const PetMemRef4D *m) {
  return size_t(3) * m->sizes[0] * m->sizes[1] * m->sizes[2] * m->sizes[3];
}

/// Whether unfused graphs are timed too (by default; PET_CUDNN_UNFUSED=0
/// leaves them out); PET_CUDNN_API=unfused forces them.
bool timeUnfused() {
  static const bool enabled = [] {
    const char *value = std::getenv("PET_CUDNN_UNFUSED");
    return !value || value[0] != '0';
  }();
  return enabled;
}

/// `choice`'s stored name: its plan's, with its epilogue's prefix.
std::string storedName(const GraphChoice &choice) {
  if (choice.winograd)
    return kWinogradName;
  if (!choice.graph)
    return "legacy";
  return std::string(choice.split ? kSplitPrefix : "") +
         storedPrefix(choice.epilogue) + choice.graph->planName(choice.plan);
}

/// PET_CUDNN_API=legacy or =graph: always the legacy API, or the graph's
/// heuristically first plan wherever cuDNN builds one (tests); otherwise
/// the faster, measured.
std::string forcedApi() {
  const char *api = std::getenv("PET_CUDNN_API");
  return api ? api : "";
}

GraphTensor graphTensor(const PetMemRef4D *m) {
  GraphTensor t;
  std::array<int, 4> strides = viewStrides(m);
  for (int i = 0; i < 4; ++i) {
    t.sizes[i] = m->sizes[i];
    t.strides[i] = strides[i];
  }
  t.alignment = std::max(alignmentOf(m), 4);
  return t;
}

/// Runs plan `planIndex` of `choice`'s graph into `out` (the output's
/// strides), then the separate epilogue if it has one; false, with the
/// reason, where cuDNN refuses the plan.
bool runGraph(const GraphChoice &choice, int planIndex, ConvPlan &plan,
              PetMemRef4D *input, PetMemRef4D *filter, PetMemRef4D *bias,
              PetMemRef4D *residual, const PetMemRef4D *output, float *out,
              bool hasBias, bool hasResidual, bool hasRelu, std::string &why,
              const std::string &detail) {
  bool fused = choice.epilogue == Epilogue::Fused;
  bool unfused = choice.epilogue == Epilogue::Unfused;
  const float *x = data(input), *w = data(filter);
  if (choice.split) {
    // Input parts [b, r, b] per group, filter parts [b, b, r]: their
    // products are xb wb + xr wb + xb wr.
    // A group's input channels: the filter's dimension 1.
    int64_t groupChannels = filter->sizes[1];
    splitTF32(*input, groupChannels, /*remainderPart=*/1, choice.splitInput,
              splitTensor(input).strides);
    splitTF32(*filter, groupChannels, /*remainderPart=*/2, choice.splitFilter,
              splitTensor(filter).strides);
    x = choice.splitInput;
    w = choice.splitFilter;
  }
  if (!choice.graph->run(
          cudnn(), planIndex, x, w, hasBias && !unfused ? data(bias) : nullptr,
          hasResidual && fused ? data(residual) : nullptr, out,
          workspace(choice.graph->workspaceBytes(planIndex)), why))
    return false;
  if (fused)
    return true;
  // out += bias (unfused); out += residual; out = relu(out) (plan.y
  // describes the output).
  float one = 1.0f, zero = 0.0f;
  if (unfused && hasBias)
    checkCudnn(
        cudnnAddTensor(cudnn(), &one, plan.bias, data(bias), &one, plan.y, out),
        "cudnnAddTensor (bias)", detail);
  if (hasResidual)
    checkCudnn(
        cudnnAddTensor(cudnn(), &one,
                       residualDescriptor(plan, residual, output, detail),
                       data(residual), &one, plan.y, out),
        "cudnnAddTensor (residual)", detail);
  if (hasRelu)
    checkCudnn(cudnnActivationForward(cudnn(), relu(), &one, plan.y, out, &zero,
                                      plan.y, out),
               "cudnnActivationForward", detail);
  return true;
}

/// The graph choice for a fused shape: stored in PET_CUDNN_ALGORITHMS's
/// file (lines "conv-graph <key><TAB>[separate |unfused ]<plan name>" or
/// "...<TAB>legacy"), or measured: the legacy path and each plan of the
/// graph timed into a scratch output (a warm-up run, then the median of
/// several), the fastest kept.
GraphChoice &graphChoiceFor(ConvPlan &plan, PetMemRef4D *input,
                            PetMemRef4D *filter, PetMemRef4D *bias,
                            PetMemRef4D *residual, PetMemRef4D *output,
                            int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                            int64_t dh, int64_t dw, bool hasBias,
                            bool hasResidual, bool hasRelu,
                            const std::string &detail) {
  static std::map<std::string, GraphChoice> choices;
  std::string key =
      "conv-graph " + plan.key + " f" +
      std::to_string(int(hasBias) | int(hasResidual) << 1 | int(hasRelu) << 2) +
      (hasResidual ? layoutKey("z", residual) : "") +
      (hasBias ? layoutKey("b", bias) : "") + layoutKey("w", filter);
  auto it = choices.find(key);
  if (it != choices.end())
    return it->second;
  GraphChoice &choice = choices[key];
  std::string api = forcedApi();
  // Winograd F(2x2, 3x3): FP32, 3x3, stride 1, no residual.
  bool winograd =
      !tf32 && filter->sizes[1] > 0 &&
      winogradApplies(*input, *filter, *output, sh, sw, dh, dw,
                      input->sizes[1] / filter->sizes[1], hasResidual);
  if (api == "winograd" && winograd) {
    choice.winograd = true;
    if (logAlgorithms())
      std::fprintf(stderr, "pet-runtime: %s: %s (forced)\n", detail.c_str(),
                   kWinogradName);
    return choice;
  }
  // A residual in the output's place: the legacy path (a graph's reads and
  // writes of one tensor are not ordered).
  if (!plan.legacyUnsupported &&
      (api == "legacy" || (hasResidual && data(residual) == data(output))))
    return choice;
  ConvGraphDesc desc;
  desc.x = graphTensor(input);
  desc.w = graphTensor(filter);
  desc.y = graphTensor(output);
  if (hasResidual)
    desc.residual = graphTensor(residual);
  desc.padding = {ph, pw};
  desc.stride = {sh, sw};
  desc.dilation = {dh, dw};
  desc.bias = hasBias;
  desc.hasResidual = hasResidual;
  desc.relu = hasRelu;
  desc.tf32 = tf32;
  // The graph of each epilogue: all fused; without the epilogue cuDNN runs
  // separately; the convolution alone.
  auto descFor = [&](Epilogue epilogue) {
    ConvGraphDesc graph = desc;
    if (epilogue != Epilogue::Fused)
      graph.hasResidual = graph.relu = false;
    if (epilogue == Epilogue::Unfused)
      graph.bias = false;
    return graph;
  };
  // A split choice's graph: the split operands, on TF32 tensor cores.
  auto splitDescFor = [&](Epilogue epilogue, bool split) {
    ConvGraphDesc graph = descFor(epilogue);
    if (split) {
      graph.x = splitTensor(input);
      graph.w = splitTensor(filter);
      graph.tf32 = true;
    }
    return graph;
  };
  auto allocateSplit = [&](GraphChoice &split) {
    split.splitInput = static_cast<float *>(
        pet_rt_alloc(splitElements(input) * sizeof(float)));
    split.splitFilter = static_cast<float *>(
        pet_rt_alloc(splitElements(filter) * sizeof(float)));
  };
  bool log = logAlgorithms();
  std::string why;
  if (api.empty()) {
    // The file's choices, read once (this process's own are in `choices`).
    static const std::map<std::string, std::string> stored =
        storedChoiceLines("conv-graph ");
    auto found = stored.find(key);
    if (found != stored.end() && found->second == kWinogradName && winograd &&
        timeWinograd()) {
      choice.winograd = true;
      if (log)
        std::fprintf(stderr, "pet-runtime: %s: %s (stored)\n", detail.c_str(),
                     kWinogradName);
      return choice;
    }
    if (found != stored.end() && found->second != kWinogradName) {
      std::string name = found->second;
      if (name != "legacy") {
        if (name.rfind(kSplitPrefix, 0) == 0) {
          name = name.substr(std::strlen(kSplitPrefix));
          choice.split = true;
        }
        for (Epilogue epilogue : {Epilogue::Separate, Epilogue::Unfused}) {
          const char *prefix = storedPrefix(epilogue);
          if (name.rfind(prefix, 0) == 0) {
            name = name.substr(std::strlen(prefix));
            choice.epilogue = epilogue;
            break;
          }
        }
        if (choice.split && !timeSplit())
          why = "split TF32 is off: PET_FP32_SPLIT is not 1";
        else
          choice.graph = ConvGraph::rebuild(
              cudnn(), splitDescFor(choice.epilogue, choice.split), name, why);
      }
      if (name == "legacy" || choice.graph) {
        if (choice.graph)
          choice.workspaceBytes = choice.graph->workspaceBytes(0);
        if (choice.split)
          allocateSplit(choice);
        if (log)
          std::fprintf(stderr, "pet-runtime: %s: %s (stored)\n", detail.c_str(),
                       choice.graph
                           ? ("cuDNN graph " + storedName(choice)).c_str()
                           : "legacy API");
        return choice;
      }
      // A file written with another cuDNN, or before the runtime described
      // the operands differently: timed again (and the new choice appended,
      // which later readers take).
      std::fprintf(stderr,
                   "pet-runtime: cuDNN graph plan '%s' stored in %s does not "
                   "build (%s), timing the plans again; %s\n",
                   name.c_str(), algorithmFile(), why.c_str(), detail.c_str());
      choice = GraphChoice();
    }
  }
  if (isCapturing())
    fail("first fused convolution of this shape while a CUDA graph is "
         "captured (its plans would be timed in the graph): run the forward "
         "pass once before capturing; %s",
         detail.c_str());
  bool forced = api == "graph" || api == "unfused" || api == "split";
  int limit = forced ? 1 : kGraphPlans;
  GraphChoice candidate;
  candidate.epilogue = api == "unfused" ? Epilogue::Unfused : Epilogue::Fused;
  candidate.split = api == "split" && !tf32;
  candidate.graph = ConvGraph::build(
      cudnn(), splitDescFor(candidate.epilogue, candidate.split), limit, why);
  if (!candidate.graph && hasResidual) {
    candidate.epilogue = Epilogue::Separate;
    candidate.graph = ConvGraph::build(
        cudnn(), splitDescFor(candidate.epilogue, candidate.split), limit, why);
  }
  if (!candidate.graph) {
    if (log)
      std::fprintf(stderr, "pet-runtime: %s: no cuDNN graph (%s)\n",
                   detail.c_str(), why.c_str());
    if (api.empty())
      appendChoiceLine(key, "legacy");
    return choice;
  }
  if (forced) {
    choice = std::move(candidate);
    choice.workspaceBytes = choice.graph->workspaceBytes(0);
    if (choice.split)
      allocateSplit(choice);
    if (log)
      std::fprintf(stderr, "pet-runtime: %s: cuDNN graph %s (forced)\n",
                   detail.c_str(), storedName(choice).c_str());
    return choice;
  }
  // Scratch output with the output's strides; the real operands are only
  // read.
  size_t span = viewSpan(output);
  auto *scratch = static_cast<float *>(pet_rt_alloc(span * sizeof(float)));
  PetMemRef4D scratchOutput = *output;
  scratchOutput.allocated = scratchOutput.aligned = scratch;
  scratchOutput.offset = 0;
  auto legacy = [&] {
    legacyFused(plan, input, filter, bias, residual, &scratchOutput, hasBias,
                hasResidual, hasRelu, detail);
  };
  float best = std::numeric_limits<float>::infinity(), legacyMillis = best;
  if (!plan.legacyUnsupported) {
    legacy();
    best = legacyMillis = graphMillis(legacy, kGraphCalls, kTimingRuns);
  }
  // Each plan of each candidate graph timed; the fastest (or the legacy
  // path) kept.
  std::vector<GraphChoice> candidates;
  candidates.push_back(std::move(candidate));
  if (timeUnfused() && (hasBias || hasResidual || hasRelu)) {
    GraphChoice alone;
    alone.epilogue = Epilogue::Unfused;
    alone.graph =
        ConvGraph::build(cudnn(), descFor(alone.epilogue), limit, why);
    if (alone.graph)
      candidates.push_back(std::move(alone));
  }
  // Split TF32 (FP32 programs, PET_FP32_SPLIT=1): the fused graph (on
  // CSRNet's convolutions it beat the unfused one and NCHW operands).
  GraphChoice split;
  if (timeSplit()) {
    split.split = true;
    std::string splitWhy;
    split.graph = ConvGraph::build(cudnn(), splitDescFor(Epilogue::Fused, true),
                                   limit, splitWhy);
    if (!split.graph && hasResidual) {
      split.epilogue = Epilogue::Separate;
      split.graph = ConvGraph::build(
          cudnn(), splitDescFor(split.epilogue, true), limit, splitWhy);
    }
    if (split.graph) {
      allocateSplit(split);
      candidates.push_back(std::move(split));
    }
  }
  int bestCandidate = -1, bestPlan = -1, plans = 0;
  for (size_t c = 0; c < candidates.size(); ++c) {
    plans += candidates[c].graph->planCount();
    for (int i = 0; i < candidates[c].graph->planCount(); ++i) {
      bool ok = true;
      auto run = [&] {
        ok = ok && runGraph(candidates[c], i, plan, input, filter, bias,
                            residual, output, scratch, hasBias, hasResidual,
                            hasRelu, why, detail);
      };
      run();
      if (!ok)
        continue;
      float ms = graphMillis(run, kGraphCalls, kTimingRuns);
      if (ok && ms < best) {
        best = ms;
        bestCandidate = int(c);
        bestPlan = i;
      }
    }
  }
  // Winograd F(2x2, 3x3) where it applies (FP32 3x3 convolutions).
  bool winogradBest = false;
  float winogradMillis = -1;
  if (winograd && timeWinograd()) {
    auto run = [&] {
      runWinograd(input, filter, bias, scratchOutput, ph, pw, dh, hasBias,
                  hasRelu);
    };
    run();
    winogradMillis = graphMillis(run, kGraphCalls, kTimingRuns);
    winogradBest = winogradMillis < best;
    if (winogradBest)
      best = winogradMillis;
  }
  pet_rt_free(scratch);
  if (winogradBest) {
    choice = GraphChoice();
    choice.winograd = true;
  } else if (bestCandidate >= 0) {
    choice = std::move(candidates[bestCandidate]);
    choice.plan = bestPlan;
    choice.workspaceBytes = choice.graph->workspaceBytes(bestPlan);
  }
  // The split candidate's buffers, unless it was chosen.
  for (GraphChoice &c : candidates) {
    if (c.split && c.graph) {
      pet_rt_free(c.splitInput);
      pet_rt_free(c.splitFilter);
    }
  }
  std::string name = storedName(choice);
  if (log)
    std::fprintf(stderr,
                 "pet-runtime: %s: %s, %.4f ms (legacy API %.4f ms, %d "
                 "graph plans, Winograd %.4f ms)\n",
                 detail.c_str(),
                 choice.winograd ? name.c_str()
                 : choice.graph  ? ("cuDNN graph " + name).c_str()
                                 : "legacy API",
                 double(best), double(legacyMillis), plans,
                 double(winogradMillis));
  appendChoiceLine(key, name);
  return choice;
}
#endif

} // namespace

extern "C" void _mlir_ciface_pet_rt_conv2d_fused_f32(
    PetMemRef4D *input, PetMemRef4D *filter, PetMemRef4D *bias,
    PetMemRef4D *residual, PetMemRef4D *output, int64_t strideH,
    int64_t strideW, int64_t padH, int64_t padW, int64_t dilationH,
    int64_t dilationW, int64_t groups, int64_t flags) {
  guarded([&] {
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
    if (!(isContiguous(filter, 4) || isKrsc(filter)) ||
        !isNonOverlapping(output) || (hasBias && !isContiguous(bias, 4)))
      fail("conv2d filter must be contiguous or KRSC, bias contiguous, output "
           "without overlaps; %s",
           detail.c_str());
    if (hasBias &&
        (bias->sizes[0] * bias->sizes[1] * bias->sizes[2] * bias->sizes[3] !=
         output->sizes[1]))
      fail("conv2d bias must have one value per output channel; bias %s, %s",
           shape4(bias->sizes).c_str(), detail.c_str());
    if (hasResidual && shape4(residual->sizes) != shape4(output->sizes))
      fail("conv2d residual must have the output's shape; residual %s, %s",
           shape4(residual->sizes).c_str(), detail.c_str());
    ConvPlan &plan = planFor(input, filter, output, strideH, strideW, padH,
                             padW, dilationH, dilationW, groups, detail);
#ifdef PET_HAVE_CUDNN_FRONTEND
    GraphChoice &choice = graphChoiceFor(
        plan, input, filter, bias, residual, output, strideH, strideW, padH,
        padW, dilationH, dilationW, hasBias, hasResidual, hasRelu, detail);
    if (choice.winograd) {
      ProfileScope scope("winograd", detail);
      runWinograd(input, filter, bias, *output, padH, padW, dilationH, hasBias,
                  hasRelu);
      return;
    }
    if (choice.graph) {
      ProfileScope scope("cudnn", detail);
      std::string why;
      if (!runGraph(choice, choice.plan, plan, input, filter, bias, residual,
                    output, data(output), hasBias, hasResidual, hasRelu, why,
                    detail))
        failWith(PET_RT_ERROR_LIBRARY, "cuDNN graph execution failed: %s; %s",
                 why.c_str(), detail.c_str());
      return;
    }
#endif
    if (plan.legacyUnsupported)
      fail("conv2d with its filter stored KRSC (--pet-gpu-filters-last): "
           "cuDNN's legacy API does not run it and no plan of its graph API "
           "does (a runtime built without cudnn-frontend has none); %s",
           detail.c_str());
    ProfileScope scope("cudnn", detail);
    legacyFused(plan, input, filter, bias, residual, output, hasBias,
                hasResidual, hasRelu, detail);
  });
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
  guarded([&] {
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
  });
}

extern "C" void _mlir_ciface_pet_rt_batch_matmul_f32(PetMemRef3D *lhs,
                                                     PetMemRef3D *rhs,
                                                     PetMemRef3D *output) {
  guarded([&] {
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
  });
}
