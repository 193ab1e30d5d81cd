//===- SplitTF32.cpp - FP32 products on TF32 tensor cores -----------------===//
//
// The split kernel (SplitTF32.h), compiled for the device with NVRTC at
// first use and launched like the generated kernels.
//
//===----------------------------------------------------------------------===//

#include "SplitTF32.h"
#include "RuntimeSupport.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <numeric>

using namespace pet_rt;

namespace {

/// One thread per element of `in`, in the order of `out`'s strides (the
/// last of the permuted dimensions is `out`'s fastest), so that writes are
/// coalesced. `c` is the channel dimension's position in that order.
const char *kSource = R"(
__device__ float tf32Round(float v) {
  unsigned r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(v));
  return __uint_as_float(r);
}

extern "C" __global__ void pet_split_tf32(
    const float *in, float *out, long long n0, long long n1, long long n2,
    long long n3, long long i0, long long i1, long long i2, long long i3,
    long long o0, long long o1, long long o2, long long o3, int c,
    long long groupChannels, int remainderPart, long long total) {
  long long step = (long long)gridDim.x * blockDim.x;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x;
       e < total; e += step) {
    long long idx[4];
    long long rest = e;
    idx[3] = rest % n3; rest /= n3;
    idx[2] = rest % n2; rest /= n2;
    idx[1] = rest % n1;
    idx[0] = rest / n1;
    long long is[4] = {i0, i1, i2, i3}, os[4] = {o0, o1, o2, o3};
    long long from = 0, to = 0;
    for (int d = 0; d < 4; ++d) {
      from += idx[d] * is[d];
      if (d != c)
        to += idx[d] * os[d];
    }
    long long channel = idx[c], group = channel / groupChannels;
    to += (group * 3 * groupChannels + channel % groupChannels) * os[c];
    float v = in[from];
    float big = tf32Round(v);
    float small = isfinite(v) && isfinite(big) ? v - big : 0.0f;
    long long part = groupChannels * os[c];
    out[to] = remainderPart == 0 ? small : big;
    out[to + part] = remainderPart == 1 ? small : big;
    out[to + 2 * part] = remainderPart == 2 ? small : big;
  }
}
)";

/// The kernel, compiled for device 0 at first use.
void *splitKernel() {
  static void *function = [] {
    ensureInitialized();
    int major = 0;
    if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0) ==
            cudaSuccess &&
        major < 8)
      fail("FP32 convolutions as split TF32 need TF32 tensor cores (compute "
           "capability 8.0 or newer; this device's major is %d): unset "
           "PET_FP32_SPLIT and PET_CUDNN_API",
           major);
    return compileKernels(kSource, "pet_split_tf32.cu", {"pet_split_tf32"},
                          "the split TF32 kernel")[0];
  }();
  return function;
}

} // namespace

void pet_rt::splitTF32(const PetMemRef4D &in, int64_t groupChannels,
                       int remainderPart, float *out,
                       const std::array<int64_t, 4> &outStrides) {
  if (groupChannels <= 0 || in.sizes[1] % groupChannels != 0 ||
      remainderPart < 0 || remainderPart > 2)
    fail("split TF32: %ld channels in groups of %ld, remainder part %d",
         long(in.sizes[1]), long(groupChannels), remainderPart);
  // Dimensions ordered by the output's strides, largest first (stable: a
  // tie keeps N, C, H, W's order).
  std::array<int, 4> order;
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return outStrides[a] > outStrides[b]; });
  long long sizes[4], inStrides[4], toStrides[4];
  int channel = 0;
  long long total = 1;
  for (int d = 0; d < 4; ++d) {
    sizes[d] = in.sizes[order[d]];
    inStrides[d] = in.strides[order[d]];
    toStrides[d] = outStrides[order[d]];
    if (order[d] == 1)
      channel = d;
    total *= sizes[d];
  }
  if (total == 0)
    return;
  const float *from = in.aligned + in.offset;
  long long cg = groupChannels;
  void *params[] = {&from,          &out,          &sizes[0],     &sizes[1],
                    &sizes[2],      &sizes[3],     &inStrides[0], &inStrides[1],
                    &inStrides[2],  &inStrides[3], &toStrides[0], &toStrides[1],
                    &toStrides[2],  &toStrides[3], &channel,      &cg,
                    &remainderPart, &total};
  constexpr long long kBlock = 256;
  long long blocks =
      std::min<long long>((total + kBlock - 1) / kBlock, 1 << 20);
  mgpuLaunchKernel(splitKernel(), blocks, 1, 1, kBlock, 1, 1, 0, nullptr,
                   params, nullptr, sizeof(params) / sizeof(params[0]));
}
