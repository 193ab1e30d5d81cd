//===- Attention.cpp - Scaled dot-product attention in one kernel ---------===//
//
// pet_rt_attention_f32: out[b] = softmax(scale * q[b] k[b]^T) v[b] for each
// batch b (the heads of an attention layer), the scores never written to
// memory. A warp computes one query row: its lanes take 32 keys at a time
// (a tile of K and V staged in shared memory for the block's 8 rows), each
// lane the dot product of the query with its key, then the running maximum
// and sum of the row's exponentials are updated across the warp (the
// online softmax of flash attention) and each lane accumulates its columns
// of the weighted values. FP32 throughout (in TF32 mode too): products and
// sums in FP32, exponentials with expf. Operands are strided views of any
// strides (heads read where the projections left them); the output is
// written through its view (a context laid out as [rows, heads x columns]).
// Compiled with NVRTC at first use.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupport.h"
#include "pet_runtime.h"

#include <cstring>
#include <string>
#include <vector>

using namespace pet_rt;

namespace {

/// Query rows (warps) per block, keys per tile, and the largest row length
/// of q, k and v (a lane holds kMaxColumns / 32 output columns).
constexpr int kRows = 8, kTile = 32, kMaxColumns = 128;

const char *kSource = R"(
#define ROWS 8
#define TILE 32
#define MAX_COLUMNS 128
#define NEG_INF __int_as_float(0xff800000)
// Indices within a row or tile are 32-bit (no 64-bit division anywhere);
// the rows' addresses 64-bit.
extern "C" __global__ void pet_attention(
    const float *q, const float *k, const float *v, float *o, long long Lq,
    long long Lk, long long Dl, long long Dvl, long long q0, long long q1,
    long long q2, long long k0, long long k1, long long k2, long long v0,
    long long v1, long long v2, long long o0, long long o1, long long o2,
    float scale, int safe) {
  extern __shared__ float smem[];
  const int D = (int)Dl, Dv = (int)Dvl, keys = (int)Lk;
  float *qs = smem;                       // [ROWS][D]
  float *ks = qs + ROWS * D;              // [TILE][D + 1] (padded: no bank
                                          // conflicts between lanes' keys)
  float *vs = ks + TILE * (D + 1);        // [TILE][Dv]
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const long long b = blockIdx.y;
  const long long row = (long long)blockIdx.x * ROWS + warp;
  const bool active = row < Lq;
  const float *qRow = q + b * q0 + (active ? row : 0) * q1;
  for (int d = lane; d < D; d += 32)
    qs[warp * D + d] = active ? qRow[d * q2] : 0.0f;
  const float *kBase = k + b * k0, *vBase = v + b * v0;
  const float *myQ = qs + warp * D;
  float m = NEG_INF, l = 0.0f;
  float acc[MAX_COLUMNS / 32];
#pragma unroll
  for (int c = 0; c < MAX_COLUMNS / 32; ++c)
    acc[c] = 0.0f;
  for (int t = 0; t < keys; t += TILE) {
    __syncthreads();
    // Each warp stages rows of the tile, its lanes along the row.
    for (int j = warp; j < TILE; j += ROWS) {
      const int key = t + j;
      const bool in = key < keys;
      const float *kRow = kBase + (long long)(in ? key : 0) * k1;
      const float *vRow = vBase + (long long)(in ? key : 0) * v1;
      for (int d = lane; d < D; d += 32)
        ks[j * (D + 1) + d] = in ? kRow[d * k2] : 0.0f;
      for (int d = lane; d < Dv; d += 32)
        vs[j * Dv + d] = in ? vRow[d * v2] : 0.0f;
    }
    __syncthreads();
    const int key = t + lane;
    float s = NEG_INF;
    if (key < keys) {
      const float *myK = ks + lane * (D + 1);
      float dot = 0.0f;
#pragma unroll 8
      for (int d = 0; d < D; ++d)
        dot = fmaf(myQ[d], myK[d], dot);
      s = dot * scale;
    }
    float tileMax = s;
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1)
      tileMax = fmaxf(tileMax, __shfl_xor_sync(0xffffffffu, tileMax, offset));
    const float next = fmaxf(m, tileMax);
    // Rows whose scores so far are all -inf have nothing to weigh yet.
    const float p = next == NEG_INF ? 0.0f : expf(s - next);
    const float correction = m == NEG_INF ? 0.0f : expf(m - next);
    float sum = p;
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1)
      sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    l = l * correction + sum;
#pragma unroll
    for (int c = 0; c < MAX_COLUMNS / 32; ++c)
      acc[c] *= correction;
    const int inTile = keys - t < TILE ? keys - t : TILE;
    for (int j = 0; j < inTile; ++j) {
      const float pj = __shfl_sync(0xffffffffu, p, j);
      const float *vRow = vs + j * Dv + lane;
#pragma unroll
      for (int c = 0; c < MAX_COLUMNS / 32; ++c)
        if (lane + 32 * c < Dv)
          acc[c] = fmaf(pj, vRow[32 * c], acc[c]);
    }
    m = next;
  }
  if (!active)
    return;
  // A row of -inf scores: zeros when `safe` (PyTorch's safe softmax),
  // otherwise NaN as exp(-inf - -inf) gives.
  float *oRow = o + b * o0 + row * o1;
#pragma unroll
  for (int c = 0; c < MAX_COLUMNS / 32; ++c) {
    const int d = lane + 32 * c;
    if (d < Dv)
      oRow[d * o2] =
          l > 0.0f ? acc[c] / l : (safe ? 0.0f : __int_as_float(0x7fc00000));
  }
}
)";

void *kernel() {
  static void *k = compileKernels(kSource, "pet_attention.cu",
                                  {"pet_attention"}, "the attention kernel")[0];
  return k;
}

} // namespace

extern "C" void
_mlir_ciface_pet_rt_attention_f32(PetMemRef3D *q, PetMemRef3D *k,
                                  PetMemRef3D *v, PetMemRef3D *out,
                                  int64_t scaleBits, int64_t flags) {
  guarded([&] {
    std::string detail = "attention " + viewText(q) + ", " + viewText(k) +
                         ", " + viewText(v) + " into " + viewText(out);
    long long batch = out->sizes[0], lq = q->sizes[1], lk = k->sizes[1],
              d = q->sizes[2], dv = v->sizes[2];
    if (q->sizes[0] != batch || k->sizes[0] != batch || v->sizes[0] != batch ||
        k->sizes[2] != d || v->sizes[1] != lk || out->sizes[1] != lq ||
        out->sizes[2] != dv)
      fail("attention: shapes do not match; %s", detail.c_str());
    if (d > kMaxColumns || dv > kMaxColumns || d < 1 || dv < 1)
      fail("attention: rows of more than %d values; %s", kMaxColumns,
           detail.c_str());
    double scale64;
    std::memcpy(&scale64, &scaleBits, sizeof(scale64));
    float scale = static_cast<float>(scale64);
    int safe = (flags & PET_RT_ATTENTION_SAFE) ? 1 : 0;
    ProfileScope scope("attention", detail);
    const float *qp = q->aligned + q->offset, *kp = k->aligned + k->offset,
                *vp = v->aligned + v->offset;
    float *op = out->aligned + out->offset;
    long long q0 = q->strides[0], q1 = q->strides[1], q2 = q->strides[2],
              k0 = k->strides[0], k1 = k->strides[1], k2 = k->strides[2],
              v0 = v->strides[0], v1 = v->strides[1], v2 = v->strides[2],
              o0 = out->strides[0], o1 = out->strides[1], o2 = out->strides[2];
    void *params[] = {&qp, &kp, &vp, &op, &lq,    &lk,  &d,  &dv,
                      &q0, &q1, &q2, &k0, &k1,    &k2,  &v0, &v1,
                      &v2, &o0, &o1, &o2, &scale, &safe};
    int smem = static_cast<int>(sizeof(float) *
                                (kRows * d + kTile * (d + 1) + kTile * dv));
    if (batch > 0 && lq > 0)
      mgpuLaunchKernel(kernel(), (lq + kRows - 1) / kRows, batch, 1, 32 * kRows,
                       1, 1, smem, nullptr, params, nullptr, 22);
  });
}
