//===- Nvrtc.cpp - Runtime kernels compiled at first use ------------------===//
//
// Kernels the runtime itself launches (split TF32's, Winograd's transforms)
// are CUDA C++ compiled with NVRTC for the device's architecture when first
// needed, loaded like the generated kernels.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupport.h"

#include <cuda_runtime_api.h>
#include <nvrtc.h>

#include <string>
#include <vector>

using namespace pet_rt;

std::vector<void *>
pet_rt::compileKernels(const char *source, const char *file,
                       const std::vector<const char *> &names,
                       const char *what) {
  ensureInitialized();
  int major = 0, minor = 0;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0) !=
          cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0) !=
          cudaSuccess)
    failWith(PET_RT_ERROR_LIBRARY,
             "%s: cannot read the device's compute capability", what);
  nvrtcProgram program;
  if (nvrtcCreateProgram(&program, source, file, 0, nullptr, nullptr) !=
      NVRTC_SUCCESS)
    failWith(PET_RT_ERROR_LIBRARY, "%s: nvrtcCreateProgram failed", what);
  std::string arch =
      "--gpu-architecture=sm_" + std::to_string(major * 10 + minor);
  const char *options[] = {arch.c_str()};
  nvrtcResult result = nvrtcCompileProgram(program, 1, options);
  if (result != NVRTC_SUCCESS) {
    size_t size = 0;
    nvrtcGetProgramLogSize(program, &size);
    std::string log(size, '\0');
    nvrtcGetProgramLog(program, log.data());
    nvrtcDestroyProgram(&program);
    failWith(PET_RT_ERROR_LIBRARY, "NVRTC could not compile %s for %s: %s: %s",
             what, arch.c_str(), nvrtcGetErrorString(result), log.c_str());
  }
  size_t size = 0;
  nvrtcGetCUBINSize(program, &size);
  std::vector<char> cubin(size);
  nvrtcGetCUBIN(program, cubin.data());
  nvrtcDestroyProgram(&program);
  void *module = mgpuModuleLoad(cubin.data(), size);
  std::vector<void *> kernels;
  for (const char *name : names) {
    void *kernel = module ? mgpuModuleGetFunction(module, name) : nullptr;
    if (!kernel)
      failWith(PET_RT_ERROR_LIBRARY, "%s: kernel %s does not load", what, name);
    kernels.push_back(kernel);
  }
  return kernels;
}
