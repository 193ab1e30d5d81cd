//===- Gemm.cpp - Matrix products with fused epilogues (cuBLASLt) ---------===//
//
// pet_rt_gemm_f32: a (batched) matrix product of strided views with its
// bias, GELU and residual in the same call, through cuBLASLt. Each matrix of
// a view has unit stride along its rows or its columns: a transposed
// operand, or the heads of an attention layer laid side by side in one
// matrix, is read where it lies, and the output may be written into a
// larger matrix the same way. Row-major products are computed as their
// column-major transposes (C^T = B^T A^T). The plan (descriptors, and the
// fastest of cuBLASLt's heuristic candidates, timed on the first call) is
// made once per shape and cached; the output is overwritten.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupport.h"
#include "pet_runtime.h"

#include <cublasLt.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace pet_rt;

namespace {

cublasLtHandle_t lt() {
  static cublasLtHandle_t handle = [] {
    ensureInitialized();
    cublasLtHandle_t h;
    checkCublas(cublasLtCreate(&h), "cublasLtCreate", "initialization");
    return h;
  }();
  return handle;
}

/// cuBLASLt's workspace: one buffer, made before any graph is captured.
constexpr size_t kWorkspaceBytes = 32 << 20;
void *workspace() {
  static void *ptr = pet_rt_alloc(kWorkspaceBytes);
  return ptr;
}

/// A matrix of a 3-d view [batch, rows, cols] as cuBLASLt sees it
/// (column-major): `transposed` when its rows are contiguous, `ld` the
/// other stride.
struct Matrix {
  bool transposed;
  int64_t ld;
};

/// How column-major cuBLASLt reads the row-major matrices of `m`, or fails
/// with `what` when neither dimension has unit stride.
Matrix asColumnMajor(const PetMemRef3D *m, const char *what,
                     const std::string &detail) {
  int64_t rows = m->sizes[1], cols = m->sizes[2];
  int64_t rowStride = m->strides[1], colStride = m->strides[2];
  // Row-major with unit column stride: column-major transpose, ld = rows'.
  if (colStride == 1 || cols == 1)
    return {false, std::max<int64_t>(rowStride, cols)};
  if (rowStride == 1 || rows == 1)
    return {true, std::max<int64_t>(colStride, rows)};
  fail("gemm: the %s view has no unit stride (strides %ld, %ld); %s", what,
       long(rowStride), long(colStride), detail.c_str());
}

struct Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo;
};

cublasLtMatrixLayout_t layout(int64_t rows, int64_t cols, int64_t ld,
                              int64_t batch, int64_t batchStride,
                              const std::string &detail) {
  cublasLtMatrixLayout_t l;
  checkCublas(cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, uint64_t(rows),
                                         uint64_t(cols), ld),
              "cublasLtMatrixLayoutCreate", detail);
  if (batch > 1) {
    int32_t count = int32_t(batch);
    checkCublas(
        cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                                         &count, sizeof(count)),
        "cublasLtMatrixLayoutSetAttribute", detail);
    checkCublas(cublasLtMatrixLayoutSetAttribute(
                    l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                    &batchStride, sizeof(batchStride)),
                "cublasLtMatrixLayoutSetAttribute", detail);
  }
  return l;
}

/// The largest power of two up to 256 that `p`'s address is a multiple of
/// (bytes): a view into a matrix starts wherever its columns do, and
/// cuBLASLt's kernels need to know.
uint32_t alignmentOf(const void *p) {
  auto address = reinterpret_cast<uintptr_t>(p);
  uint32_t alignment = 256;
  while (alignment > 4 && address % alignment)
    alignment /= 2;
  return alignment;
}

/// PET_CUDNN_ALGORITHMS's file (algorithmFile()) also holds the products'
/// choices (lines "gemm <shape key><TAB><the algorithm's 64 bytes in
/// hex>"), so that processes compared with each other run a shape alike:
/// one stored is used (if cuBLASLt still accepts it), one chosen is
/// appended.
std::map<std::string, cublasLtMatmulAlgo_t> &storedChoices() {
  static std::map<std::string, cublasLtMatmulAlgo_t> stored = [] {
    std::map<std::string, cublasLtMatmulAlgo_t> choices;
    for (const auto &[key, hex] : storedChoiceLines("gemm ")) {
      cublasLtMatmulAlgo_t algo;
      auto *bytes = reinterpret_cast<unsigned char *>(&algo);
      if (hex.size() < 2 * sizeof(algo))
        continue;
      for (size_t i = 0; i < sizeof(algo); ++i)
        bytes[i] = static_cast<unsigned char>(
            std::stoul(hex.substr(2 * i, 2), nullptr, 16));
      choices[key] = algo;
    }
    return choices;
  }();
  return stored;
}

void storeChoice(const std::string &key, const cublasLtMatmulAlgo_t &algo) {
  storedChoices()[key] = algo;
  std::string hex;
  char byte[3];
  const auto *bytes = reinterpret_cast<const unsigned char *>(&algo);
  for (size_t i = 0; i < sizeof(algo); ++i) {
    std::snprintf(byte, sizeof byte, "%02x", bytes[i]);
    hex += byte;
  }
  appendChoiceLine(key, hex);
}

/// Candidates of cuBLASLt's heuristic asked for, candidates timed per shape
/// at most (with their split-K variants), and runs each.
constexpr int kCandidates = 16, kMaxTimed = 96, kTimingRuns = 5,
              kGraphCalls = 5;

/// One cuBLASLt call of `plan` with `algo`.
void run(Plan &plan, const cublasLtMatmulAlgo_t &algo, PetMemRef3D *lhs,
         PetMemRef3D *rhs, PetMemRef1D *bias, PetMemRef3D *residual,
         PetMemRef3D *output, bool hasBias, bool hasResidual,
         const std::string &detail) {
  if (hasBias) {
    const float *biasData = bias->aligned + bias->offset;
    checkCublas(cublasLtMatmulDescSetAttribute(
                    plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &biasData,
                    sizeof(biasData)),
                "cublasLtMatmulDescSetAttribute", detail);
  }
  float alpha = 1.0f, beta = hasResidual ? 1.0f : 0.0f;
  const float *cData = hasResidual ? residual->aligned + residual->offset
                                   : output->aligned + output->offset;
  checkCublas(cublasLtMatmul(
                  lt(), plan.desc, &alpha, rhs->aligned + rhs->offset, plan.a,
                  lhs->aligned + lhs->offset, plan.b, &beta, cData, plan.c,
                  output->aligned + output->offset, plan.d, &algo, workspace(),
                  kWorkspaceBytes, reinterpret_cast<cudaStream_t>(stream())),
              "cublasLtMatmul", detail);
}

/// The algorithms to time for `plan`: cuBLASLt's heuristic candidates and
/// their variants with other split-K counts and reduction schemes, each as
/// cuBLASLt accepts it for the call (cublasLtMatmulAlgoCheck), without
/// duplicates, at most kMaxTimed. The heuristic proposes one split-K count
/// per kernel; for products of few rows (BERT's 128 tokens) the count
/// decides how many of the GPU's SMs work, and a reduction in place saves
/// the separate reduction kernel a graph otherwise launches after it.
std::vector<cublasLtMatmulAlgo_t>
candidatesOf(Plan &plan, const cublasLtMatmulHeuristicResult_t *results,
             int found) {
  std::vector<cublasLtMatmulAlgo_t> candidates;
  auto add = [&](const cublasLtMatmulAlgo_t &algo) {
    if (int(candidates.size()) >= kMaxTimed)
      return;
    for (const cublasLtMatmulAlgo_t &known : candidates)
      if (std::memcmp(&known, &algo, sizeof(algo)) == 0)
        return;
    cublasLtMatmulHeuristicResult_t check;
    if (cublasLtMatmulAlgoCheck(lt(), plan.desc, plan.a, plan.b, plan.c, plan.d,
                                &algo, &check) != CUBLAS_STATUS_SUCCESS ||
        check.workspaceSize > kWorkspaceBytes)
      return;
    candidates.push_back(algo);
  };
  for (int i = 0; i < found; ++i)
    add(results[i].algo);
  for (int i = 0; i < found; ++i) {
    int32_t splitSupport = 0;
    size_t written = 0;
    if (cublasLtMatmulAlgoCapGetAttribute(
            &results[i].algo, CUBLASLT_ALGO_CAP_SPLITK_SUPPORT, &splitSupport,
            sizeof(splitSupport), &written) != CUBLAS_STATUS_SUCCESS ||
        !splitSupport)
      continue;
    for (int32_t splits : {1, 2, 3, 4, 6, 8, 12, 16}) {
      for (uint32_t scheme :
           {CUBLASLT_REDUCTION_SCHEME_NONE, CUBLASLT_REDUCTION_SCHEME_INPLACE,
            CUBLASLT_REDUCTION_SCHEME_COMPUTE_TYPE}) {
        if ((splits == 1) != (scheme == CUBLASLT_REDUCTION_SCHEME_NONE))
          continue;
        cublasLtMatmulAlgo_t variant = results[i].algo;
        if (cublasLtMatmulAlgoConfigSetAttribute(
                &variant, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splits,
                sizeof(splits)) != CUBLAS_STATUS_SUCCESS ||
            cublasLtMatmulAlgoConfigSetAttribute(
                &variant, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, &scheme,
                sizeof(scheme)) != CUBLAS_STATUS_SUCCESS)
          continue;
        add(variant);
      }
    }
  }
  return candidates;
}

} // namespace

extern "C" void _mlir_ciface_pet_rt_gemm_f32(PetMemRef3D *lhs, PetMemRef3D *rhs,
                                             PetMemRef1D *bias,
                                             PetMemRef3D *residual,
                                             PetMemRef3D *output,
                                             int64_t flags) {
  guarded([&] {
    bool hasBias = flags & PET_RT_GEMM_BIAS;
    bool hasResidual = flags & PET_RT_GEMM_RESIDUAL;
    bool gelu = flags & PET_RT_GEMM_GELU_TANH;
    int64_t batch = output->sizes[0], m = output->sizes[1],
            n = output->sizes[2], k = lhs->sizes[2];
    std::string detail = "gemm " + viewText(lhs) + " by " + viewText(rhs) +
                         " into " + viewText(output);
    if (hasBias)
      detail += ", bias";
    if (hasResidual)
      detail += ", residual " + viewText(residual);
    if (gelu)
      detail += ", gelu";
    // Alignments below an allocation's are part of the shape's key.
    const void *pointers[4] = {
        rhs->aligned + rhs->offset, lhs->aligned + lhs->offset,
        hasResidual ? residual->aligned + residual->offset
                    : output->aligned + output->offset,
        output->aligned + output->offset};
    uint32_t alignments[4];
    for (int i = 0; i < 4; ++i) {
      alignments[i] = alignmentOf(pointers[i]);
      if (alignments[i] < 256)
        detail += ", " + std::string("ABCD").substr(i, 1) + "%" +
                  std::to_string(alignments[i]);
    }
    if (lhs->sizes[0] != batch || rhs->sizes[0] != batch ||
        lhs->sizes[1] != m || rhs->sizes[1] != k || rhs->sizes[2] != n ||
        (hasBias && bias->sizes[0] != n) ||
        (hasResidual && (residual->sizes[0] != batch ||
                         residual->sizes[1] != m || residual->sizes[2] != n)))
      fail("gemm: shapes do not match; %s", detail.c_str());
    ProfileScope scope("cublasLt", detail);
    // Row-major D[m x n] = A[m x k] B[k x n] is column-major
    // D^T[n x m] = B^T[n x k] A^T[k x m]: cuBLASLt's A is our B.
    Matrix a = asColumnMajor(rhs, "right operand", detail);
    Matrix b = asColumnMajor(lhs, "left operand", detail);
    Matrix d = asColumnMajor(output, "output", detail);
    if (d.transposed)
      fail("gemm: the output's rows must be contiguous; %s", detail.c_str());
    Matrix c = d;
    if (hasResidual) {
      c = asColumnMajor(residual, "residual", detail);
      if (c.transposed)
        fail("gemm: the residual's rows must be contiguous; %s",
             detail.c_str());
    }
    bool tf32 = useTF32();
    // The views' shapes, strides and alignments, the epilogue and the
    // precision: the plan's key and its stored choice's.
    std::string key = detail + (tf32 ? " tf32" : " fp32");
    static std::map<std::string, Plan> plans;
    Plan &plan = plans[key];
    if (!plan.desc) {
      checkCublas(cublasLtMatmulDescCreate(&plan.desc,
                                           tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32
                                                : CUBLAS_COMPUTE_32F,
                                           CUDA_R_32F),
                  "cublasLtMatmulDescCreate", detail);
      cublasOperation_t opA = a.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
      cublasOperation_t opB = b.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
      checkCublas(cublasLtMatmulDescSetAttribute(plan.desc,
                                                 CUBLASLT_MATMUL_DESC_TRANSA,
                                                 &opA, sizeof(opA)),
                  "cublasLtMatmulDescSetAttribute", detail);
      checkCublas(cublasLtMatmulDescSetAttribute(plan.desc,
                                                 CUBLASLT_MATMUL_DESC_TRANSB,
                                                 &opB, sizeof(opB)),
                  "cublasLtMatmulDescSetAttribute", detail);
      cublasLtEpilogue_t epilogue =
          hasBias
              ? (gelu ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS)
              : (gelu ? CUBLASLT_EPILOGUE_GELU : CUBLASLT_EPILOGUE_DEFAULT);
      checkCublas(cublasLtMatmulDescSetAttribute(plan.desc,
                                                 CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                 &epilogue, sizeof(epilogue)),
                  "cublasLtMatmulDescSetAttribute", detail);
      // Column-major shapes: A^T is n x k (as stored: k x n when transposed).
      plan.a = a.transposed
                   ? layout(k, n, a.ld, batch, rhs->strides[0], detail)
                   : layout(n, k, a.ld, batch, rhs->strides[0], detail);
      plan.b = b.transposed
                   ? layout(m, k, b.ld, batch, lhs->strides[0], detail)
                   : layout(k, m, b.ld, batch, lhs->strides[0], detail);
      plan.d = layout(n, m, d.ld, batch, output->strides[0], detail);
      plan.c = hasResidual
                   ? layout(n, m, c.ld, batch, residual->strides[0], detail)
                   : plan.d;
      if (isCapturing())
        fail("gemm: a new shape while a CUDA graph is captured (run the "
             "forward pass once first); %s",
             detail.c_str());
      workspace(); // allocated now, never while capturing
      cublasLtMatmulPreference_t preference;
      checkCublas(cublasLtMatmulPreferenceCreate(&preference),
                  "cublasLtMatmulPreferenceCreate", detail);
      size_t bytes = kWorkspaceBytes;
      checkCublas(cublasLtMatmulPreferenceSetAttribute(
                      preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                      &bytes, sizeof(bytes)),
                  "cublasLtMatmulPreferenceSetAttribute", detail);
      const cublasLtMatmulPreferenceAttributes_t alignmentAttributes[4] = {
          CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES,
          CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
          CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES,
          CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
      for (int i = 0; i < 4; ++i)
        checkCublas(cublasLtMatmulPreferenceSetAttribute(
                        preference, alignmentAttributes[i], &alignments[i],
                        sizeof(alignments[i])),
                    "cublasLtMatmulPreferenceSetAttribute", detail);
      cublasLtMatmulHeuristicResult_t results[kCandidates];
      int found = 0;
      checkCublas(cublasLtMatmulAlgoGetHeuristic(
                      lt(), plan.desc, plan.a, plan.b, plan.c, plan.d,
                      preference, kCandidates, results, &found),
                  "cublasLtMatmulAlgoGetHeuristic", detail);
      cublasLtMatmulPreferenceDestroy(preference);
      if (found == 0)
        fail("gemm: cuBLASLt has no algorithm; %s", detail.c_str());
      plan.algo = results[0].algo;
      auto stored = storedChoices().find(key);
      cublasLtMatmulHeuristicResult_t check;
      if (stored != storedChoices().end() &&
          cublasLtMatmulAlgoCheck(lt(), plan.desc, plan.a, plan.b, plan.c,
                                  plan.d, &stored->second,
                                  &check) == CUBLAS_STATUS_SUCCESS &&
          check.workspaceSize <= kWorkspaceBytes) {
        plan.algo = stored->second;
      } else {
        // cuBLASLt's candidates and their split-K variants timed on the
        // call's own operands, the fastest kept (its first guess at batch
        // sizes like attention's is often a split-K with a reduction kernel
        // after it). Timed inside a CUDA graph, as the programs run them: a
        // split-K's reduction kernel costs its own time there, not a launch
        // gap.
        std::vector<cublasLtMatmulAlgo_t> candidates =
            candidatesOf(plan, results, found);
        float best = 0;
        for (size_t i = 0; i < candidates.size(); ++i) {
          auto call = [&] {
            run(plan, candidates[i], lhs, rhs, bias, residual, output, hasBias,
                hasResidual, detail);
          };
          call();
          float ms = graphMillis(call, kGraphCalls, kTimingRuns);
          if (i == 0 || ms < best) {
            best = ms;
            plan.algo = candidates[i];
          }
        }
        if (logAlgorithms())
          std::fprintf(stderr, "pet-runtime: %s: %zu candidates, %.4f ms\n",
                       detail.c_str(), candidates.size(), best);
        storeChoice(key, plan.algo);
      }
    }
    run(plan, plan.algo, lhs, rhs, bias, residual, output, hasBias, hasResidual,
        detail);
  });
}

std::string pet_rt::viewText(const PetMemRef3D *m) {
  char text[96];
  std::snprintf(text, sizeof(text), "%ldx%ldx%ld@%ld,%ld,%ld",
                long(m->sizes[0]), long(m->sizes[1]), long(m->sizes[2]),
                long(m->strides[0]), long(m->strides[1]), long(m->strides[2]));
  return text;
}
