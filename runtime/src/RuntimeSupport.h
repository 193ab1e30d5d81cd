//===- RuntimeSupport.h - Shared by the runtime's files ---------*- C++ -*-===//

#ifndef PET_RUNTIME_SUPPORT_H
#define PET_RUNTIME_SUPPORT_H

#include "pet_runtime.h"

#include <cublas_api.h>
#include <cuda.h>

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pet_rt {

/// What a failure throws when errors are returned, not aborted on
/// (pet_rt_set_abort_on_error(false)); the C entry points catch it.
struct Failure {};

/// Records `code` and `message` (pet_rt_last_error, pet_rt_error_message),
/// then prints "pet-runtime: <message>" and aborts, or throws Failure when
/// errors are returned.
[[noreturn]] void failImpl(int code, const char *message);

/// Fails with `code` (a pet_rt_status).
template <typename... Args>
[[noreturn]] void failWith(int code, const char *format, Args... args) {
  if constexpr (sizeof...(Args) == 0) {
    failImpl(code, format);
  } else {
    char message[1024];
    std::snprintf(message, sizeof(message), format, args...);
    failImpl(code, message);
  }
}

/// Fails with PET_RT_ERROR_INVALID_ARGUMENT: operands the call cannot take
/// (shapes, layouts), or calls out of order.
template <typename... Args>
[[noreturn]] void fail(const char *format, Args... args) {
  failWith(PET_RT_ERROR_INVALID_ARGUMENT, format, args...);
}

/// Whether an error is recorded and not cleared yet.
bool errorPending();

/// Runs the body of a C entry point: once an error is recorded, nothing
/// (a value-initialized result: null for pointers) unless `always`; a
/// failure inside, when errors are returned, ends it the same way.
template <typename F>
auto guarded(F &&body, bool always = false) -> decltype(body()) {
  using Result = decltype(body());
  if (errorPending() && !always)
    return Result();
  try {
    return body();
  } catch (const Failure &) {
    return Result();
  }
}

/// Aborts with the call's name, CUDA's error and `detail` on failure.
void check(CUresult result, const char *call, const char *detail);
/// The same for cuBLAS and cuBLASLt.
void checkCublas(cublasStatus_t status, const char *call,
                 const std::string &detail);

/// Initializes the context, or aborts saying there is no GPU.
void ensureInitialized();
/// The one stream.
CUstream stream();
bool isCapturing();

/// "BxRxC@s0,s1,s2": a 3-d view's sizes and strides, for messages.
std::string viewText(const PetMemRef3D *m);

/// The kernels `names` of the CUDA C++ `source` (`file` names it in
/// messages), compiled with NVRTC for device 0's architecture and loaded;
/// fails with `what` said when that cannot be done.
std::vector<void *> compileKernels(const char *source, const char *file,
                                   const std::vector<const char *> &names,
                                   const char *what);

/// The median milliseconds of `runs` executions of `work` on the stream
/// (CUDA events around each), to choose between a library's algorithms.
float medianMillis(const std::function<void()> &work, int runs);
/// The milliseconds one execution of `work` takes inside a CUDA graph (as
/// the programs run): `calls` executions captured into one graph, its
/// replay timed `runs` times (median), divided by `calls`. Launch gaps, which
/// a graph does not have, do not count; `work` must have run once already.
float graphMillis(const std::function<void()> &work, int calls, int runs);

/// The file PET_CUDNN_ALGORITHMS names, shared by processes for the
/// libraries' algorithm choices, or null.
const char *algorithmFile();
/// The lines "<key><TAB><value>" of that file whose key starts with
/// `prefix` (value: the rest of the line, without its newline), read once
/// per call; empty without a file.
std::map<std::string, std::string> storedChoiceLines(const std::string &prefix);
/// Appends "<key><TAB><value>" to that file, if there is one.
void appendChoiceLine(const std::string &key, const std::string &value);
/// PET_LOG_ALGORITHMS=1: the libraries log the choice made per shape (and
/// its time) on stderr.
bool logAlgorithms();

/// Whether the libraries may use TF32 tensor cores (PET_TF32=1 or
/// pet_rt_set_tf32).
bool useTF32();

/// Whether PET_GRAPH_PROFILE names a file (see GraphProfile.cpp).
bool graphProfileRequested();
/// Runs `replay` (one launch of the captured graph) `replays` times with
/// CUPTI tracing kernels, and writes each kernel's GPU time per replay to
/// PET_GRAPH_PROFILE's file, against `replayMillis` (the timed replay).
void writeGraphProfile(const std::function<void()> &replay, int replays,
                       double replayMillis);

/// Times what the stream runs during its lifetime when profiling is on
/// (PET_PROFILE=FILE, outside graph capture), under "kind<TAB>what" (only
/// built then).
class ProfileScope {
public:
  ProfileScope(const char *kind, const std::string &what);
  ~ProfileScope();
  ProfileScope(const ProfileScope &) = delete;
  ProfileScope &operator=(const ProfileScope &) = delete;

private:
  std::string name;
  void *start = nullptr;
  bool active = false;
};

} // namespace pet_rt

#endif // PET_RUNTIME_SUPPORT_H
