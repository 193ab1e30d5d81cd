//===- Winograd.cpp - 3x3 convolutions as Winograd F(2x2, 3x3) ------------===//
//
// The transforms (Winograd.h) as three kernels compiled with NVRTC at first
// use, the products as one batched cuBLAS SGEMM.
//
// Tiles: output rows y = a + dil * (2 t + u) for phase a < dil, tile row t
// and u in {0, 1} (columns alike, phase b, tile column s, w); tile p =
// ((n * RT) + a * TH + t) * CT + b * TW + s with TH = ceil(ceil(OH / dil) /
// 2), RT = dil * TH (CT, TW alike). The input block of a tile starts at row
// a - padH + 2 dil t and steps by dil.
//
//===----------------------------------------------------------------------===//

#include "Winograd.h"
#include "RuntimeSupport.h"

#include <cublas_v2.h>

#include <algorithm>
#include <string>

using namespace pet_rt;

namespace {

const char *kSource = R"(
typedef long long i64;

// U[xi][k][c] = (G g G^T)[xi], g = filter[k][c] (3x3, any strides; C is
// the filter's channels: a group's).
extern "C" __global__ void pet_wino_filter(const float *w, float *u, i64 K,
    i64 C, i64 s0, i64 s1, i64 s2, i64 s3) {
  i64 e = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (e >= K * C)
    return;
  i64 k = e / C, c = e % C;
  float g[3][3], t[4][3];
  for (int r = 0; r < 3; ++r)
    for (int s = 0; s < 3; ++s)
      g[r][s] = w[k * s0 + c * s1 + r * s2 + s * s3];
  for (int j = 0; j < 3; ++j) {
    t[0][j] = g[0][j];
    t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
    t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
    t[3][j] = g[2][j];
  }
  i64 plane = K * C;
  for (int i = 0; i < 4; ++i) {
    float *row = u + (i * 4) * plane + k * C + c;
    row[0] = t[i][0];
    row[plane] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
    row[2 * plane] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
    row[3 * plane] = t[i][2];
  }
}

// V[xi][c][p] = (B^T d B)[xi], d the 4x4 input block of tile p (zeros
// outside the image).
extern "C" __global__ void pet_wino_input(const float *x, float *v, i64 C,
    i64 H, i64 W, i64 x0, i64 x1, i64 x2, i64 x3, i64 TH, i64 TW, i64 dil,
    i64 padH, i64 padW, i64 P) {
  i64 e = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (e >= C * P)
    return;
  i64 c = e / P, p = e % P;
  i64 CT = dil * TW, RT = dil * TH;
  i64 ct = p % CT, rest = p / CT, rt = rest % RT, n = rest / RT;
  i64 row0 = rt / TH - padH + 2 * dil * (rt % TH);
  i64 col0 = ct / TW - padW + 2 * dil * (ct % TW);
  const float *base = x + n * x0 + c * x1;
  float d[4][4], s[4][4];
  for (int i = 0; i < 4; ++i) {
    i64 row = row0 + dil * i;
    for (int j = 0; j < 4; ++j) {
      i64 col = col0 + dil * j;
      d[i][j] = row >= 0 && row < H && col >= 0 && col < W
                    ? base[row * x2 + col * x3]
                    : 0.0f;
    }
  }
  for (int j = 0; j < 4; ++j) {
    s[0][j] = d[0][j] - d[2][j];
    s[1][j] = d[1][j] + d[2][j];
    s[2][j] = d[2][j] - d[1][j];
    s[3][j] = d[1][j] - d[3][j];
  }
  i64 plane = C * P;
  for (int i = 0; i < 4; ++i) {
    float *out = v + (i * 4) * plane + c * P + p;
    out[0] = s[i][0] - s[i][2];
    out[plane] = s[i][1] + s[i][2];
    out[2 * plane] = s[i][2] - s[i][1];
    out[3 * plane] = s[i][1] - s[i][3];
  }
}

// The outputs of tile p, channel k: A^T M A (+ bias) (ReLU), where inside
// the output.
extern "C" __global__ void pet_wino_output(const float *m, float *y,
    const float *bias, int relu, i64 K, i64 P, i64 OH, i64 OW, i64 y0,
    i64 y1, i64 y2, i64 y3, i64 TH, i64 TW, i64 dil) {
  i64 e = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (e >= K * P)
    return;
  i64 k = e / P, p = e % P;
  i64 plane = K * P;
  const float *in = m + k * P + p;
  float a[4][4], r[2][4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      a[i][j] = in[(i * 4 + j) * plane];
  for (int j = 0; j < 4; ++j) {
    r[0][j] = a[0][j] + a[1][j] + a[2][j];
    r[1][j] = a[1][j] - a[2][j] - a[3][j];
  }
  float add = bias ? bias[k] : 0.0f;
  i64 CT = dil * TW, RT = dil * TH;
  i64 ct = p % CT, rest = p / CT, rt = rest % RT, n = rest / RT;
  i64 phaseRow = rt / TH, tileRow = rt % TH, phaseCol = ct / TW,
      tileCol = ct % TW;
  for (int u = 0; u < 2; ++u) {
    i64 row = phaseRow + dil * (2 * tileRow + u);
    if (row >= OH)
      continue;
    float out[2] = {r[u][0] + r[u][1] + r[u][2], r[u][1] - r[u][2] - r[u][3]};
    for (int w = 0; w < 2; ++w) {
      i64 col = phaseCol + dil * (2 * tileCol + w);
      if (col >= OW)
        continue;
      float value = out[w] + add;
      if (relu)
        value = fmaxf(value, 0.0f);
      y[n * y0 + k * y1 + row * y2 + col * y3] = value;
    }
  }
}
)";

struct Kernels {
  void *filter, *input, *output;
};

const Kernels &kernels() {
  static const Kernels k = [] {
    std::vector<void *> f =
        compileKernels(kSource, "pet_winograd.cu",
                       {"pet_wino_filter", "pet_wino_input", "pet_wino_output"},
                       "the Winograd F(2x2, 3x3) kernels");
    return Kernels{f[0], f[1], f[2]};
  }();
  return k;
}

/// Tiles per phase along a dimension of `size` outputs.
int64_t tilesPerPhase(int64_t size, int64_t dilation) {
  int64_t perPhase = (size + dilation - 1) / dilation;
  return (perPhase + 1) / 2;
}

/// The number of tiles of the output.
int64_t tileCount(const PetMemRef4D &output, int64_t dilation) {
  return output.sizes[0] * dilation * tilesPerPhase(output.sizes[2], dilation) *
         dilation * tilesPerPhase(output.sizes[3], dilation);
}

void launch(void *kernel, long long threads, void **params, int count) {
  constexpr long long kBlock = 256;
  long long blocks = (threads + kBlock - 1) / kBlock;
  if (blocks > 0)
    mgpuLaunchKernel(kernel, blocks, 1, 1, kBlock, 1, 1, 0, nullptr, params,
                     nullptr, count);
}

} // namespace

bool pet_rt::winogradApplies(const PetMemRef4D &input,
                             const PetMemRef4D &filter,
                             const PetMemRef4D &output, int64_t strideH,
                             int64_t strideW, int64_t dilationH,
                             int64_t dilationW, int64_t groups,
                             bool hasResidual) {
  return groups >= 1 && !hasResidual && strideH == 1 && strideW == 1 &&
         dilationH == dilationW && dilationH >= 1 && filter.sizes[2] == 3 &&
         filter.sizes[3] == 3 && filter.sizes[1] * groups == input.sizes[1] &&
         filter.sizes[0] % groups == 0 && filter.sizes[0] == output.sizes[1] &&
         output.sizes[0] == input.sizes[0];
}

size_t pet_rt::winogradWorkspaceFloats(const PetMemRef4D &input,
                                       const PetMemRef4D &filter,
                                       const PetMemRef4D &output,
                                       int64_t dilation) {
  size_t k = filter.sizes[0], c = input.sizes[1], cg = filter.sizes[1],
         p = tileCount(output, dilation);
  return 16 * (k * cg + c * p + k * p);
}

void pet_rt::winogradConv(const PetMemRef4D &input, const PetMemRef4D &filter,
                          const float *bias, bool relu,
                          const PetMemRef4D &output, int64_t padH, int64_t padW,
                          int64_t dilation, float *workspace,
                          cublasHandle_t cublas) {
  const Kernels &k = kernels();
  // Groups of Cg input and Kg output channels each.
  long long K = filter.sizes[0], C = input.sizes[1], Cg = filter.sizes[1];
  long long G = C / Cg, Kg = K / G;
  long long TH = tilesPerPhase(output.sizes[2], dilation),
            TW = tilesPerPhase(output.sizes[3], dilation);
  long long P = tileCount(output, dilation), dil = dilation;
  float *u = workspace, *v = u + 16 * K * Cg, *m = v + 16 * C * P;
  // The filter: U[16][K][Cg] (= [16][G][Kg][Cg]).
  const float *w = filter.aligned + filter.offset;
  long long f0 = filter.strides[0], f1 = filter.strides[1],
            f2 = filter.strides[2], f3 = filter.strides[3];
  void *filterParams[] = {&w, &u, &K, &Cg, &f0, &f1, &f2, &f3};
  launch(k.filter, K * Cg, filterParams, 8);
  // The input blocks: V[16][C][P].
  const float *x = input.aligned + input.offset;
  long long H = input.sizes[2], W = input.sizes[3], x0 = input.strides[0],
            x1 = input.strides[1], x2 = input.strides[2], x3 = input.strides[3],
            ph = padH, pw = padW;
  void *inputParams[] = {&x,  &v,  &C,  &H,   &W,  &x0, &x1, &x2,
                         &x3, &TH, &TW, &dil, &ph, &pw, &P};
  launch(k.input, C * P, inputParams, 15);
  // M[xi][g] = U[xi][g] V[xi][g] (row-major Kg x P) for each of the 16 * G
  // (position, group) pairs, one batch of uniform strides: column-major
  // M^T = V^T U^T.
  float one = 1.0f, zero = 0.0f;
  checkCublas(cublasSgemmStridedBatched(cublas, CUBLAS_OP_N, CUBLAS_OP_N,
                                        int(P), int(Kg), int(Cg), &one, v,
                                        int(P), Cg * P, u, int(Cg), Kg * Cg,
                                        &zero, m, int(P), Kg * P, int(16 * G)),
              "cublasSgemmStridedBatched (Winograd)", "");
  // The outputs.
  float *y = output.aligned + output.offset;
  long long OH = output.sizes[2], OW = output.sizes[3], y0 = output.strides[0],
            y1 = output.strides[1], y2 = output.strides[2],
            y3 = output.strides[3];
  int doRelu = relu ? 1 : 0;
  void *outputParams[] = {&m,  &y,  &bias, &doRelu, &K,  &P,  &OH, &OW,
                          &y0, &y1, &y2,   &y3,     &TH, &TW, &dil};
  launch(k.output, K * P, outputParams, 15);
}
