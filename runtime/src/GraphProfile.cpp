//===- GraphProfile.cpp - Per-kernel times of CUDA graph replays (CUPTI)
//---===//
//
// PET_GRAPH_PROFILE=FILE: after pet_rt_time_graph has timed the forward
// pass, the graph is replayed again with CUPTI's activity tracing on, and
// each kernel's GPU time per replay (cuDNN's, cuBLAS's and the generated
// ones, named as they are: `<function>_L<line>` for generated kernels) is
// written to FILE, with what the kernels add up to against the replay's
// time (the rest: gaps between kernels). Unlike PET_PROFILE, which times
// calls one by one outside a graph, this is what the benchmark runs.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupport.h"

#include "pet_runtime.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#ifdef PET_HAVE_CUPTI
#include <cupti.h>
#include <cxxabi.h>
#endif

using namespace pet_rt;

#ifdef PET_HAVE_CUPTI
namespace {
/// The kernel record of this CUPTI (CUDA 13: version 10); only fields that
/// every version since 4 has at the same place are read.
using KernelRecord = CUpti_ActivityKernel10;

struct KernelTotal {
  uint64_t count = 0;
  uint64_t nanoseconds = 0;
};

/// Per "name grid GxGxG, block BxBxB": launches and GPU time.
std::map<std::string, KernelTotal> &totals() {
  static std::map<std::string, KernelTotal> t;
  return t;
}

std::string demangle(const char *name) {
  int status = 0;
  char *plain = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string result = status == 0 && plain ? plain : name;
  std::free(plain);
  // Template arguments of library kernels run long: the name is enough.
  if (auto angle = result.find('<'); angle != std::string::npos)
    result = result.substr(0, angle);
  if (auto paren = result.find('('); paren != std::string::npos)
    result = result.substr(0, paren);
  return result;
}

void CUPTIAPI bufferRequested(uint8_t **buffer, size_t *size,
                              size_t *maxNumRecords) {
  *size = 16 << 20;
  *buffer = static_cast<uint8_t *>(std::aligned_alloc(8, *size));
  *maxNumRecords = 0;
}

void CUPTIAPI bufferCompleted(CUcontext, uint32_t, uint8_t *buffer,
                              size_t /*size*/, size_t validSize) {
  CUpti_Activity *record = nullptr;
  while (cuptiActivityGetNextRecord(buffer, validSize, &record) ==
         CUPTI_SUCCESS) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL &&
        record->kind != CUPTI_ACTIVITY_KIND_KERNEL)
      continue;
    auto *kernel = reinterpret_cast<KernelRecord *>(record);
    char shape[96];
    std::snprintf(shape, sizeof(shape), " grid %dx%dx%d, block %dx%dx%d",
                  kernel->gridX, kernel->gridY, kernel->gridZ, kernel->blockX,
                  kernel->blockY, kernel->blockZ);
    KernelTotal &total = totals()[demangle(kernel->name) + shape];
    ++total.count;
    uint64_t start = kernel->start, end = kernel->end;
    total.nanoseconds += end - start;
  }
  std::free(buffer);
}

void checkCupti(CUptiResult result, const char *call) {
  if (result == CUPTI_SUCCESS)
    return;
  const char *message = nullptr;
  cuptiGetResultString(result, &message);
  fail("%s failed: %s (PET_GRAPH_PROFILE)", call,
       message ? message : "unknown error");
}
} // namespace
#endif

namespace pet_rt {

bool graphProfileRequested() {
  const char *path = std::getenv("PET_GRAPH_PROFILE");
  return path && *path;
}

void writeGraphProfile(const std::function<void()> &replay, int replays,
                       double replayMillis) {
  const char *path = std::getenv("PET_GRAPH_PROFILE");
#ifndef PET_HAVE_CUPTI
  (void)replay;
  (void)replays;
  (void)replayMillis;
  fail("PET_GRAPH_PROFILE=%s: this runtime was built without CUPTI", path);
#else
  totals().clear();
  checkCupti(cuptiActivityRegisterCallbacks(bufferRequested, bufferCompleted),
             "cuptiActivityRegisterCallbacks");
  checkCupti(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL),
             "cuptiActivityEnable");
  for (int r = 0; r < replays; ++r) {
    replay();
    pet_rt_synchronize();
  }
  checkCupti(cuptiActivityFlushAll(1), "cuptiActivityFlushAll");
  checkCupti(cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL),
             "cuptiActivityDisable");
  std::vector<std::pair<std::string, KernelTotal>> sorted(totals().begin(),
                                                          totals().end());
  std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
    return a.second.nanoseconds > b.second.nanoseconds;
  });
  uint64_t kernelNanoseconds = 0, launches = 0;
  for (auto &[name, total] : sorted) {
    kernelNanoseconds += total.nanoseconds;
    launches += total.count;
  }
  FILE *out = std::string(path) == "-" ? stderr : std::fopen(path, "w");
  if (!out)
    fail("cannot write the graph profile to %s", path);
  double perReplay = 1e-3 / replays;
  std::fprintf(out,
               "# %d replays of the CUDA graph: %.1f kernels and %.2f us of "
               "kernel time per replay; the replay took %.2f us (timed "
               "before)\n",
               replays, double(launches) / replays,
               double(kernelNanoseconds) * perReplay, replayMillis * 1e3);
  std::fprintf(out, "# kernel\tlaunches per replay\tus per replay\n");
  for (auto &[name, total] : sorted)
    std::fprintf(out, "%s\t%.2f\t%.3f\n", name.c_str(),
                 double(total.count) / replays,
                 double(total.nanoseconds) * perReplay);
  if (out != stderr)
    std::fclose(out);
#endif
}

} // namespace pet_rt
