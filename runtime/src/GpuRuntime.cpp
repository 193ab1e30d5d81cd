//===- GpuRuntime.cpp - Context, stream, memory, kernels, graphs ----------===//
//
// The mgpu* functions MLIR's gpu-to-llvm lowering calls, over the CUDA driver
// API, all on one stream so that a whole forward pass can be captured into a
// CUDA graph. Errors name the failing call and abort.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupport.h"
#include "pet_runtime.h"

#include <cuda.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pet_rt {

//===----------------------------------------------------------------------===//
// The CUDA driver, loaded when first needed: without it (no GPU, no
// driver) the runtime still loads and says what is missing.
//===----------------------------------------------------------------------===//

#define PET_STR(x) #x
#define PET_XSTR(x) PET_STR(x)
#define PET_DRIVER_FUNCTIONS(X)                                                \
  X(cuInit)                                                                    \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxSetCurrent)                                                           \
  X(cuStreamCreate)                                                            \
  X(cuStreamSynchronize) X(cuMemAllocManaged) X(cuMemFree)                     \
      X(cuStreamBeginCapture) X(cuStreamEndCapture) X(cuGraphInstantiate)      \
          X(cuGraphLaunch) X(cuGraphExecDestroy) X(cuGraphDestroy)             \
              X(cuModuleLoadData) X(cuModuleUnload) X(cuModuleGetFunction)     \
                  X(cuLaunchKernel) X(cuMemcpyAsync) X(cuMemsetD32Async)       \
                      X(cuGetErrorName) X(cuGetErrorString) X(cuEventCreate)   \
                          X(cuEventRecord) X(cuEventSynchronize)               \
                              X(cuEventElapsedTime) X(cuEventDestroy)

namespace {
struct Driver {
  // Names as cuda.h defines them (cuMemFree is cuMemFree_v2, ...).
#define PET_MEMBER(name) decltype(&::name) name = nullptr;
  PET_DRIVER_FUNCTIONS(PET_MEMBER)
#undef PET_MEMBER
  bool loaded = false;
  std::string error;
};

Driver &driver() {
  static Driver d = [] {
    Driver d;
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char *why = dlerror();
      d.error = std::string("the CUDA driver (libcuda.so.1) is not installed") +
                (why ? std::string(": ") + why : std::string());
      return d;
    }
#define PET_LOAD(name)                                                         \
  d.name = reinterpret_cast<decltype(d.name)>(dlsym(library, PET_XSTR(name))); \
  if (!d.name && d.error.empty())                                              \
    d.error = std::string("the CUDA driver lacks ") + PET_XSTR(name);
    PET_DRIVER_FUNCTIONS(PET_LOAD)
#undef PET_LOAD
    d.loaded = d.error.empty();
    return d;
  }();
  return d;
}
} // namespace

namespace {
struct State {
  bool initialized = false;
  bool usable = false;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  bool capturing = false;
  CUgraph graph = nullptr;
  CUgraphExec graphExec = nullptr;
};

State &state() {
  static State s;
  return s;
}
} // namespace

void check(CUresult result, const char *call, const char *detail) {
  if (result == CUDA_SUCCESS)
    return;
  const char *name = nullptr, *text = nullptr;
  driver().cuGetErrorName(result, &name);
  driver().cuGetErrorString(result, &text);
  failWith(result == CUDA_ERROR_OUT_OF_MEMORY ? PET_RT_ERROR_OUT_OF_MEMORY
                                              : PET_RT_ERROR_LIBRARY,
           "%s failed: %s (%s)%s%s", call, name ? name : "?", text ? text : "?",
           detail ? "; " : "", detail ? detail : "");
}

namespace {
/// The first error since the last pet_rt_clear_error, and whether failures
/// abort (the default) or are returned.
struct ErrorState {
  int code = PET_RT_OK;
  std::string message;
  bool abortOnError = true;
};
ErrorState &errors() {
  static ErrorState e;
  return e;
}
} // namespace

[[noreturn]] void failImpl(int code, const char *message) {
  ErrorState &e = errors();
  if (e.abortOnError) {
    std::fprintf(stderr, "pet-runtime: %s\n", message);
    std::fflush(stderr);
    std::abort();
  }
  if (e.code == PET_RT_OK) {
    e.code = code;
    e.message = message;
  }
  throw Failure();
}

bool errorPending() { return errors().code != PET_RT_OK; }

bool isCapturing() { return state().capturing; }

void ensureInitialized() {
  if (pet_rt_init() != 0)
    failWith(PET_RT_ERROR_NO_GPU, "no usable GPU (see the message above)");
}

CUstream stream() {
  ensureInitialized();
  return state().stream;
}

} // namespace pet_rt

using namespace pet_rt;

extern "C" int pet_rt_init(void) {
  State &s = state();
  if (s.initialized)
    return s.usable ? 0 : 1;
  s.initialized = true;
  if (!driver().loaded) {
    std::fprintf(stderr,
                 "pet-runtime: no CUDA GPU is available (%s); PET's GPU "
                 "programs need an NVIDIA GPU and its driver\n",
                 driver().error.c_str());
    return 1;
  }
  CUresult result = driver().cuInit(0);
  int count = 0;
  if (result == CUDA_SUCCESS)
    result = driver().cuDeviceGetCount(&count);
  if (result != CUDA_SUCCESS || count == 0) {
    const char *text = nullptr;
    driver().cuGetErrorString(result, &text);
    std::fprintf(stderr,
                 "pet-runtime: no CUDA GPU is available (%s); PET's GPU "
                 "programs need an NVIDIA GPU and its driver\n",
                 result != CUDA_SUCCESS && text ? text : "no device found");
    return 1;
  }
  try {
    CUdevice device;
    check(driver().cuDeviceGet(&device, 0), "cuDeviceGet", nullptr);
    check(driver().cuDevicePrimaryCtxRetain(&s.context, device),
          "cuDevicePrimaryCtxRetain", nullptr);
    check(driver().cuCtxSetCurrent(s.context), "cuCtxSetCurrent", nullptr);
    check(driver().cuStreamCreate(&s.stream, CU_STREAM_NON_BLOCKING),
          "cuStreamCreate", nullptr);
  } catch (const Failure &) {
    return 1;
  }
  s.usable = true;
  return 0;
}

extern "C" void *pet_rt_stream(void) {
  return guarded([&]() -> void * { return stream(); });
}

extern "C" void pet_rt_synchronize(void) {
  guarded([&] {
    if (isCapturing())
      return;
    check(driver().cuStreamSynchronize(stream()), "cuStreamSynchronize",
          nullptr);
  });
}

namespace {
/// Start -> bytes of every live pet_rt_alloc buffer (pet_rt_check_buffer).
std::map<const char *, size_t> &allocations() {
  static std::map<const char *, size_t> live;
  return live;
}
/// Host memory handed out instead once an error was recorded.
std::set<void *> &hostFallbacks() {
  static std::set<void *> host;
  return host;
}
} // namespace

extern "C" void *pet_rt_alloc(size_t bytes) {
  void *ptr = guarded([&]() -> void * {
    ensureInitialized();
    CUdeviceptr device = 0;
    char detail[64];
    std::snprintf(detail, sizeof(detail), "%zu bytes", bytes);
    check(driver().cuMemAllocManaged(&device, bytes ? bytes : 1,
                                     CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged", detail);
    return reinterpret_cast<void *>(device);
  });
  if (ptr) {
    allocations()[static_cast<const char *>(ptr)] = bytes;
    return ptr;
  }
  // An error is recorded (and returned, not aborted on): host memory, so
  // that a program's host code still has somewhere to write while its GPU
  // work is skipped.
  ptr = std::calloc(bytes ? bytes : 1, 1);
  if (ptr)
    hostFallbacks().insert(ptr);
  return ptr;
}

extern "C" void pet_rt_free(void *ptr) {
  if (!ptr)
    return;
  if (hostFallbacks().erase(ptr)) {
    std::free(ptr);
    return;
  }
  allocations().erase(static_cast<const char *>(ptr));
  guarded(
      [&] {
        pet_rt_synchronize();
        check(driver().cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)),
              "cuMemFree", nullptr);
      },
      /*always=*/true);
}

extern "C" int pet_rt_check_buffer(const void *ptr, size_t bytes,
                                   const char *what) {
  if (errorPending())
    return errors().code;
  try {
    const char *p = static_cast<const char *>(ptr);
    if (!p)
      fail("%s is a null pointer", what);
    // The buffer starting at or before `p`, if `p` lies inside it.
    auto it = allocations().upper_bound(p);
    if (it != allocations().begin())
      --it;
    if (it == allocations().end() || p < it->first ||
        p >= it->first + std::max<size_t>(it->second, 1))
      fail("%s (%p) is not memory from pet_rt_alloc", what, ptr);
    size_t left = it->second - size_t(p - it->first);
    if (bytes > left)
      fail("%s holds %zu bytes from %p, the program needs %zu", what, left, ptr,
           bytes);
    return PET_RT_OK;
  } catch (const Failure &) {
    return errors().code;
  }
}

extern "C" void pet_rt_set_abort_on_error(bool abortOnError) {
  errors().abortOnError = abortOnError;
}

extern "C" int pet_rt_last_error(void) { return errors().code; }

extern "C" const char *pet_rt_error_message(void) {
  return errors().message.c_str();
}

extern "C" void pet_rt_clear_error(void) {
  errors().code = PET_RT_OK;
  errors().message.clear();
}

float pet_rt::medianMillis(const std::function<void()> &work, int runs) {
  std::vector<float> times;
  for (int i = 0; i < runs; ++i) {
    CUevent start, end;
    check(driver().cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate",
          "timing");
    check(driver().cuEventCreate(&end, CU_EVENT_DEFAULT), "cuEventCreate",
          "timing");
    check(driver().cuEventRecord(start, stream()), "cuEventRecord", "timing");
    work();
    check(driver().cuEventRecord(end, stream()), "cuEventRecord", "timing");
    check(driver().cuEventSynchronize(end), "cuEventSynchronize", "timing");
    float ms = 0;
    check(driver().cuEventElapsedTime(&ms, start, end), "cuEventElapsedTime",
          "timing");
    times.push_back(ms);
    driver().cuEventDestroy(start);
    driver().cuEventDestroy(end);
  }
  std::sort(times.begin(), times.end());
  return times.empty() ? 0.0f : times[times.size() / 2];
}

float pet_rt::graphMillis(const std::function<void()> &work, int calls,
                          int runs) {
  State &s = state();
  if (s.capturing)
    fail("graphMillis while a CUDA graph is captured");
  pet_rt_synchronize();
  check(driver().cuStreamBeginCapture(stream(), CU_STREAM_CAPTURE_MODE_RELAXED),
        "cuStreamBeginCapture", "timing");
  // What needs the host (a first plan, a larger workspace) fails loudly.
  s.capturing = true;
  for (int i = 0; i < calls; ++i)
    work();
  s.capturing = false;
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
  check(driver().cuStreamEndCapture(s.stream, &graph), "cuStreamEndCapture",
        "timing");
  check(driver().cuGraphInstantiate(&exec, graph, 0), "cuGraphInstantiate",
        "timing");
  auto replay = [&] {
    check(driver().cuGraphLaunch(exec, s.stream), "cuGraphLaunch", "timing");
  };
  replay();
  float ms = medianMillis(replay, runs) / float(calls);
  check(driver().cuGraphExecDestroy(exec), "cuGraphExecDestroy", "timing");
  check(driver().cuGraphDestroy(graph), "cuGraphDestroy", "timing");
  return ms;
}

//===----------------------------------------------------------------------===//
// Profiling (PET_PROFILE=FILE): each kernel and library call is timed with
// CUDA events; the sums per name are written at exit.
//===----------------------------------------------------------------------===//

namespace {
struct ProfileRecord {
  std::string name;
  CUevent start, end;
};

struct Profile {
  const char *path = std::getenv("PET_PROFILE");
  std::vector<ProfileRecord> records;

  bool enabled() const { return path && *path && !isCapturing(); }

  /// Drops what was recorded so far (the warm-up run).
  void discard() {
    pet_rt_synchronize();
    for (ProfileRecord &r : records) {
      driver().cuEventDestroy(r.start);
      driver().cuEventDestroy(r.end);
    }
    records.clear();
  }

  CUevent record() {
    CUevent event;
    check(driver().cuEventCreate(&event, CU_EVENT_DEFAULT), "cuEventCreate",
          "profiling");
    check(driver().cuEventRecord(event, stream()), "cuEventRecord",
          "profiling");
    return event;
  }

  /// Per name: calls and total milliseconds, longest first, as
  /// "kind<TAB>name<TAB>calls<TAB>ms" lines.
  void write() {
    if (records.empty())
      return;
    std::map<std::string, std::pair<long, double>> totals;
    for (ProfileRecord &r : records) {
      check(driver().cuEventSynchronize(r.end), "cuEventSynchronize",
            "profiling");
      float ms = 0;
      check(driver().cuEventElapsedTime(&ms, r.start, r.end),
            "cuEventElapsedTime", "profiling");
      auto &[calls, total] = totals[r.name];
      ++calls;
      total += ms;
      driver().cuEventDestroy(r.start);
      driver().cuEventDestroy(r.end);
    }
    records.clear();
    std::vector<std::pair<std::string, std::pair<long, double>>> sorted(
        totals.begin(), totals.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
      return a.second.second > b.second.second;
    });
    FILE *out = std::string(path) == "-" ? stderr : std::fopen(path, "w");
    if (!out)
      fail("cannot write the profile to %s", path);
    for (auto &[name, entry] : sorted)
      std::fprintf(out, "%s\t%ld\t%.4f\n", name.c_str(), entry.first,
                   entry.second);
    if (out != stderr)
      std::fclose(out);
  }
};

Profile &profile() {
  static Profile p;
  static bool registered = [] {
    std::atexit([] { profile().write(); });
    return true;
  }();
  (void)registered;
  return p;
}

std::map<CUfunction, std::string> &kernelNames() {
  static std::map<CUfunction, std::string> names;
  return names;
}
} // namespace

ProfileScope::ProfileScope(const char *kind, const std::string &what) {
  if (!profile().enabled())
    return;
  name = std::string(kind) + "\t" + what;
  start = profile().record();
  active = true;
}

ProfileScope::~ProfileScope() {
  if (active)
    profile().records.push_back(
        {std::move(name), static_cast<CUevent>(start), profile().record()});
}

extern "C" void pet_rt_profile_write(void) {
  guarded([&] { profile().write(); }, /*always=*/true);
}

//===----------------------------------------------------------------------===//
// CUDA graphs
//===----------------------------------------------------------------------===//

extern "C" void pet_rt_graph_begin(void) {
  guarded([&] {
    // Profiling: the pass that would be captured runs eagerly and is what the
    // profile shows; the runs before it warmed up (module loading, first
    // touches of managed memory, cuDNN's algorithm search).
    if (profile().enabled()) {
      profile().discard();
      return;
    }
    pet_rt_synchronize();
    // Relaxed: the program may allocate (its buffers persist for replays).
    check(
        driver().cuStreamBeginCapture(stream(), CU_STREAM_CAPTURE_MODE_RELAXED),
        "cuStreamBeginCapture", nullptr);
    state().capturing = true;
  });
}

extern "C" void pet_rt_graph_end(void) {
  guarded([&] {
    State &s = state();
    if (profile().enabled())
      return;
    if (!s.capturing)
      fail("pet_rt_graph_end without pet_rt_graph_begin");
    s.capturing = false;
    pet_rt_graph_destroy();
    check(driver().cuStreamEndCapture(s.stream, &s.graph), "cuStreamEndCapture",
          "the forward pass did host-side work that a graph cannot record");
    check(driver().cuGraphInstantiate(&s.graphExec, s.graph, 0),
          "cuGraphInstantiate", nullptr);
  });
}

extern "C" void pet_rt_graph_replay(void) {
  guarded([&] {
    State &s = state();
    if (profile().enabled())
      return;
    if (!s.graphExec)
      fail("pet_rt_graph_replay: no graph captured");
    check(driver().cuGraphLaunch(s.graphExec, s.stream), "cuGraphLaunch",
          nullptr);
  });
}

extern "C" void pet_rt_graph_destroy(void) {
  guarded(
      [&] {
        State &s = state();
        if (s.graphExec)
          check(driver().cuGraphExecDestroy(s.graphExec), "cuGraphExecDestroy",
                nullptr);
        if (s.graph)
          check(driver().cuGraphDestroy(s.graph), "cuGraphDestroy", nullptr);
        s.graphExec = nullptr;
        s.graph = nullptr;
      },
      /*always=*/true);
}

//===----------------------------------------------------------------------===//
// MLIR's gpu-to-llvm ABI
//===----------------------------------------------------------------------===//

extern "C" void *mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  return guarded([&]() -> void * {
    ensureInitialized();
    CUmodule module = nullptr;
    check(driver().cuModuleLoadData(&module, data), "cuModuleLoadData",
          "the kernels' fatbin (built for sm_90a, with a PTX fallback)");
    return module;
  });
}

extern "C" void mgpuModuleUnload(void *module) {
  // Called from a global destructor at exit, when the driver may already be
  // shutting down: its error does not matter any more.
  if (driver().loaded)
    (void)driver().cuModuleUnload(static_cast<CUmodule>(module));
}

extern "C" void *mgpuModuleGetFunction(void *module, const char *name) {
  return guarded([&]() -> void * {
    CUfunction function = nullptr;
    check(driver().cuModuleGetFunction(&function, static_cast<CUmodule>(module),
                                       name),
          "cuModuleGetFunction", name);
    kernelNames()[function] = name;
    return function;
  });
}

extern "C" void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                 intptr_t gridZ, intptr_t blockX,
                                 intptr_t blockY, intptr_t blockZ, int32_t smem,
                                 void * /*stream*/, void **params, void **extra,
                                 size_t /*paramsCount*/) {
  guarded([&] {
    char detail[128];
    std::snprintf(detail, sizeof(detail), "grid %ldx%ldx%ld, block %ldx%ldx%ld",
                  long(gridX), long(gridY), long(gridZ), long(blockX),
                  long(blockY), long(blockZ));
    ProfileScope scope("kernel",
                       profile().enabled()
                           ? kernelNames()[static_cast<CUfunction>(function)] +
                                 " " + detail
                           : std::string());
    check(driver().cuLaunchKernel(static_cast<CUfunction>(function), gridX,
                                  gridY, gridZ, blockX, blockY, blockZ, smem,
                                  stream(), params, extra),
          "cuLaunchKernel", detail);
  });
}

// Streams: the runtime's one stream, so that graphs capture everything.
extern "C" void *mgpuStreamCreate(void) {
  return guarded([&]() -> void * { return stream(); });
}
extern "C" void mgpuStreamDestroy(void * /*stream*/) {}
extern "C" void mgpuStreamSynchronize(void * /*stream*/) {
  pet_rt_synchronize();
}
extern "C" void mgpuStreamWaitEvent(void * /*stream*/, void * /*event*/) {}
extern "C" void *mgpuEventCreate(void) { return nullptr; }
extern "C" void mgpuEventDestroy(void * /*event*/) {}
extern "C" void mgpuEventSynchronize(void * /*event*/) { pet_rt_synchronize(); }
extern "C" void mgpuEventRecord(void * /*event*/, void * /*stream*/) {}

// Buffers freed by the program are kept, by size, and handed out again:
// a forward pass that runs repeatedly (or is captured in a graph) does not
// allocate after its first run.
namespace {
std::multimap<uint64_t, void *> &freeBuffers() {
  static std::multimap<uint64_t, void *> buffers;
  return buffers;
}
std::map<void *, uint64_t> &bufferSizes() {
  static std::map<void *, uint64_t> sizes;
  return sizes;
}
} // namespace

// Not guarded: after an error pet_rt_alloc hands out host memory, which the
// program's host code may still write to.
extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                              bool /*isHostShared*/) {
  auto it = freeBuffers().find(sizeBytes);
  if (it != freeBuffers().end()) {
    void *ptr = it->second;
    freeBuffers().erase(it);
    return ptr;
  }
  void *ptr = pet_rt_alloc(sizeBytes);
  if (ptr)
    bufferSizes()[ptr] = sizeBytes;
  return ptr;
}

extern "C" void mgpuMemFree(void *ptr, void * /*stream*/) {
  guarded(
      [&] {
        auto it = bufferSizes().find(ptr);
        if (it == bufferSizes().end())
          fail("mgpuMemFree of memory mgpuMemAlloc did not return");
        freeBuffers().emplace(it->second, ptr);
      },
      /*always=*/true);
}

/// `runs` replays of the captured graph, each waited for: their times in
/// milliseconds, sorted.
static std::vector<double> timeGraphReplays(int64_t runs, const char *caller) {
  State &s = state();
  if (!s.graphExec)
    fail("%s: no graph captured", caller);
  pet_rt_synchronize();
  std::vector<double> times;
  for (int64_t r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    check(driver().cuGraphLaunch(s.graphExec, s.stream), "cuGraphLaunch",
          nullptr);
    check(driver().cuStreamSynchronize(s.stream), "cuStreamSynchronize",
          nullptr);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  return times;
}

extern "C" double pet_rt_graph_median_ms(int64_t runs) {
  double median = -1;
  guarded([&] {
    if (profile().enabled())
      fail("pet_rt_graph_median_ms: PET_PROFILE is set (no graph)");
    if (runs < 1)
      fail("pet_rt_graph_median_ms: %ld runs", long(runs));
    std::vector<double> times =
        timeGraphReplays(runs, "pet_rt_graph_median_ms");
    median = times[times.size() / 2];
  });
  return median;
}

extern "C" void pet_rt_time_graph(int64_t runs) {
  guarded([&] {
    State &s = state();
    if (profile().enabled()) {
      std::printf("pet-time: not timed (PET_PROFILE: no graph)\n");
      return;
    }
    std::vector<double> times = timeGraphReplays(runs, "pet_rt_time_graph");
    double median = times.empty() ? 0.0 : times[times.size() / 2];
    std::printf("pet-time: median %.4f ms, min %.4f ms over %ld CUDA graph "
                "runs\n",
                median, times.empty() ? 0.0 : times.front(), long(runs));
    std::fflush(stdout);
    if (pet_rt::graphProfileRequested())
      pet_rt::writeGraphProfile(
          [&] {
            check(driver().cuGraphLaunch(s.graphExec, s.stream),
                  "cuGraphLaunch", nullptr);
          },
          20, median);
  });
}

extern "C" void pet_rt_time_graph_calls(int64_t label, int64_t runs,
                                        int64_t calls) {
  guarded([&] {
    State &s = state();
    if (profile().enabled()) {
      std::printf("pet-time[%ld]: not timed (PET_PROFILE: no graph)\n",
                  long(label));
      return;
    }
    if (!s.graphExec)
      fail("pet_rt_time_graph_calls: no graph captured");
    if (runs < 1 || calls < 1)
      fail("pet_rt_time_graph_calls: runs and calls must be positive");
    auto replay = [&] {
      check(driver().cuGraphLaunch(s.graphExec, s.stream), "cuGraphLaunch",
            nullptr);
    };
    for (int warm = 0; warm < 3; ++warm)
      replay();
    float ms = pet_rt::medianMillis(replay, int(runs));
    std::printf("pet-time[%ld]: median %.3f us per call over %ld replays of "
                "%ld calls\n",
                long(label), 1000.0 * ms / double(calls), long(runs),
                long(calls));
    std::fflush(stdout);
  });
}

extern "C" void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                           void * /*stream*/) {
  guarded([&] {
    check(driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                 reinterpret_cast<CUdeviceptr>(src), sizeBytes,
                                 stream()),
          "cuMemcpyAsync", nullptr);
  });
}

extern "C" void mgpuMemset32(void *dst, unsigned int value, size_t count,
                             void * /*stream*/) {
  guarded([&] {
    check(driver().cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                    count, stream()),
          "cuMemsetD32Async", nullptr);
  });
}

extern "C" void mgpuSetDefaultDevice(int32_t device) {
  guarded([&] {
    if (device != 0)
      fail("only device 0 is supported, not %d", int(device));
  });
}

//===----------------------------------------------------------------------===//
// memrefCopy
//===----------------------------------------------------------------------===//

extern "C" void memrefCopy(int64_t elemSize, PetUnrankedMemRef *src,
                           PetUnrankedMemRef *dst) {
  guarded([&] {
    // Ranked descriptor: allocated, aligned, offset, sizes[rank],
    // strides[rank].
    struct View {
      char *base;
      const int64_t *sizes, *strides;
    };
    auto view = [&](PetUnrankedMemRef *m) {
      auto *words = static_cast<int64_t *>(m->descriptor);
      char *aligned = reinterpret_cast<char *>(words[1]);
      return View{aligned + words[2] * elemSize, words + 3,
                  words + 3 + m->rank};
    };
    if (src->rank != dst->rank)
      fail("memrefCopy between ranks %ld and %ld", long(src->rank),
           long(dst->rank));
    int64_t rank = src->rank;
    View s = view(src), d = view(dst);
    int64_t count = 1;
    bool contiguous = true;
    int64_t expected = 1;
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (s.sizes[i] != d.sizes[i])
        fail("memrefCopy between different shapes");
      count *= s.sizes[i];
      contiguous &= s.sizes[i] == 1 ||
                    (s.strides[i] == expected && d.strides[i] == expected);
      expected *= s.sizes[i];
    }
    if (count == 0)
      return;
    if (contiguous) {
      check(driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(d.base),
                                   reinterpret_cast<CUdeviceptr>(s.base),
                                   count * elemSize, stream()),
            "cuMemcpyAsync", "memrefCopy");
      return;
    }
    // Strided: element by element on the host (managed memory), after the
    // stream's work; not capturable in a graph.
    if (isCapturing())
      fail("a strided memref.copy runs on the host and cannot be captured in "
           "a CUDA graph");
    pet_rt_synchronize();
    std::vector<int64_t> index(rank, 0);
    for (int64_t n = 0; n < count; ++n) {
      int64_t so = 0, dof = 0;
      for (int64_t i = 0; i < rank; ++i) {
        so += index[i] * s.strides[i];
        dof += index[i] * d.strides[i];
      }
      std::memcpy(d.base + dof * elemSize, s.base + so * elemSize, elemSize);
      for (int64_t i = rank - 1; i >= 0; --i) {
        if (++index[i] < s.sizes[i])
          break;
        index[i] = 0;
      }
    }
  });
}

//===----------------------------------------------------------------------===//
// printMemrefF32 (as MLIR's runner utilities print it)
//===----------------------------------------------------------------------===//

extern "C" void printMemrefF32(int64_t rank, void *descriptor) {
  guarded([&] {
    pet_rt_synchronize();
    auto *words = static_cast<int64_t *>(descriptor);
    const float *data = reinterpret_cast<const float *>(words[1]) + words[2];
    const int64_t *sizes = words + 3, *strides = words + 3 + rank;
    std::printf("Unranked Memref base@ = %p rank = %ld offset = %ld sizes = [",
                reinterpret_cast<void *>(words[1]), long(rank), long(words[2]));
    for (int64_t i = 0; i < rank; ++i)
      std::printf("%s%ld", i ? ", " : "", long(sizes[i]));
    std::printf("] strides = [");
    for (int64_t i = 0; i < rank; ++i)
      std::printf("%s%ld", i ? ", " : "", long(strides[i]));
    std::printf("] data = \n");
    int64_t count = 1;
    for (int64_t i = 0; i < rank; ++i)
      count *= sizes[i];
    std::vector<int64_t> index(rank, 0);
    for (int64_t n = 0; n < count; ++n) {
      int64_t offset = 0;
      for (int64_t i = 0; i < rank; ++i)
        offset += index[i] * strides[i];
      std::printf("%s%g", n ? ", " : "[", double(data[offset]));
      for (int64_t i = rank - 1; i >= 0; --i) {
        if (++index[i] < sizes[i])
          break;
        index[i] = 0;
      }
    }
    std::printf("]\n");
    std::fflush(stdout);
  });
}
