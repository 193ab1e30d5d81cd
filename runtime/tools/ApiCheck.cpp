//===- ApiCheck.cpp - Drives a program through its generated C API --------===//
//
// Built with the header `pet-opt --pet-add-inference-api=header=...` wrote:
//   g++ prog.o runtime/tools/ApiCheck.cpp -Iruntime/include -Iinclude
//       -I<dir of header>
//       -DPET_API_HEADER='"prog.h"' -DPET_F=resnet18 -lpet_runtime ...
// It fills the arguments as --pet-add-runner-main does (same values),
// loads (weight preprocessing, once), runs, prints the results as
// printMemrefF32 does, then captures one run in a CUDA graph and times 100
// replays. Before the timing it drives the API's error paths (a null, a
// foreign and a too small buffer: each returned, not aborted on, then a
// good call): exit status 1 if one misbehaves.
//
//===----------------------------------------------------------------------===//

#include "pet_runtime.h"

#include PET_API_HEADER
#include "PET/Support/RunnerInputs.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <type_traits>
#include <vector>

#define PET_CAT3(a, b, c) a##b##c
#define PET_NAME(f, what) PET_CAT3(pet_, f, what)

/// Headers written before the API returned a status have void functions:
/// their status is the runtime's, and their error paths are not driven.
constexpr bool kReturnsStatus =
    !std::is_void_v<decltype(PET_NAME(PET_F, _run_v)(nullptr))>;

template <typename F> int status(F &&call) {
  if constexpr (std::is_void_v<decltype(call())>) {
    call();
    return pet_rt_last_error();
  } else {
    return call();
  }
}

int main() {
  if (pet_rt_init() != 0)
    return 1;
  // Arguments and preprocessed weights, shared by load and run.
  std::map<int, float *> arguments, preprocessed;
  auto buffersFor = [&](int count, const int64_t *elements, const int *kinds,
                        const int *argNumbers, const int *ranks,
                        const int64_t *shapes) {
    std::vector<float *> buffers;
    const int64_t *shape = shapes;
    for (int i = 0; i < count; ++i) {
      std::map<int, float *> *shared = kinds[i] == 0   ? &arguments
                                       : kinds[i] == 1 ? &preprocessed
                                                       : nullptr;
      float *b = nullptr;
      if (shared && shared->count(argNumbers[i])) {
        b = (*shared)[argNumbers[i]];
      } else {
        b = static_cast<float *>(pet_rt_alloc(elements[i] * sizeof(float)));
        if (kinds[i] == 0) {
          // The values --pet-add-runner-main gives (seed 1).
          float scale = mlir::pet::getRunnerInputScale(shape, ranks[i]);
          for (int64_t k = 0; k < elements[i]; ++k)
            b[k] = mlir::pet::getRunnerInput(1, argNumbers[i], k, scale);
        }
        if (shared)
          (*shared)[argNumbers[i]] = b;
      }
      buffers.push_back(b);
      shape += ranks[i];
    }
    return buffers;
  };
  std::vector<float *> load = buffersFor(
      PET_NAME(PET_F, _load_buffers), PET_NAME(PET_F, _load_elements),
      PET_NAME(PET_F, _load_kinds), PET_NAME(PET_F, _load_arg_numbers),
      PET_NAME(PET_F, _load_ranks), PET_NAME(PET_F, _load_shapes));
  std::vector<float *> run =
      buffersFor(PET_NAME(PET_F, _run_buffers), PET_NAME(PET_F, _run_elements),
                 PET_NAME(PET_F, _run_kinds), PET_NAME(PET_F, _run_arg_numbers),
                 PET_NAME(PET_F, _run_ranks), PET_NAME(PET_F, _run_shapes));
  if (status([&] { return PET_NAME(PET_F, _load_v)(load.data()); }) !=
          PET_RT_OK ||
      status([&] { return PET_NAME(PET_F, _run_v)(run.data()); }) !=
          PET_RT_OK) {
    std::fprintf(stderr, "pet-api-check: %s\n", pet_rt_error_message());
    return 1;
  }
  pet_rt_synchronize();
  // The results, as printMemrefF32 prints them.
  const int64_t *shape = PET_NAME(PET_F, _run_shapes);
  for (int i = 0; i < PET_NAME(PET_F, _run_buffers); ++i) {
    int rank = PET_NAME(PET_F, _run_ranks)[i];
    if (PET_NAME(PET_F, _run_kinds)[i] == 2) {
      std::printf("Unranked Memref base@ = %p rank = %d offset = 0 sizes = [",
                  static_cast<void *>(run[i]), rank);
      for (int d = 0; d < rank; ++d)
        std::printf("%s%ld", d ? ", " : "", long(shape[d]));
      std::printf("] strides = [] data = \n[");
      for (int64_t k = 0; k < PET_NAME(PET_F, _run_elements)[i]; ++k)
        std::printf("%s%g", k ? ", " : "", double(run[i][k]));
      std::printf("]\n");
    }
    shape += rank;
  }
  std::fflush(stdout);
  // Error paths: the first buffer replaced by a null, a foreign and a too
  // small one; each call returns the error naming it, then the right
  // buffers run again.
  float *first = run[0];
  std::vector<float> host(8);
  float *small = static_cast<float *>(pet_rt_alloc(4));
  struct {
    float *buffer;
    const char *message;
  } bad[] = {{nullptr, "null pointer"},
             {host.data(), "is not memory from pet_rt_alloc"},
             {small, "holds 4 bytes"}};
  bool errorsOk = true;
  for (auto &[buffer, message] : bad) {
    if (!kReturnsStatus)
      break;
    run[0] = buffer;
    int code = status([&] { return PET_NAME(PET_F, _run_v)(run.data()); });
    bool ok = code == PET_RT_ERROR_INVALID_ARGUMENT &&
              std::strstr(pet_rt_error_message(), message);
    std::fprintf(stderr, "pet-api-check: %s: %s (status %d)\n",
                 ok ? "ok" : "WRONG", pet_rt_error_message(), code);
    errorsOk = errorsOk && ok;
  }
  run[0] = first;
  errorsOk = errorsOk && status([&] {
                           return PET_NAME(PET_F, _run_v)(run.data());
                         }) == PET_RT_OK;
  pet_rt_free(small);
  if (!errorsOk) {
    std::fprintf(stderr, "pet-api-check: the API's error paths misbehaved\n");
    return 1;
  }
  // Inference as a runtime would repeat it: one graph, replayed.
  pet_rt_graph_begin();
  PET_NAME(PET_F, _run_v)(run.data());
  pet_rt_graph_end();
  pet_rt_time_graph(100);
  // The API turned aborting off: a failure from here on is only recorded.
  if (pet_rt_last_error() != PET_RT_OK) {
    std::fprintf(stderr, "pet-api-check: %s\n", pet_rt_error_message());
    return 1;
  }
  return 0;
}
