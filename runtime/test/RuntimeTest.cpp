//===- RuntimeTest.cpp - The GPU runtime against CPU references -----------===//
//
// pet-runtime-test            runs every check; exits 0 when all pass, 1 on a
//                             failure, 77 (and says why) without a GPU
// pet-runtime-test bad-conv   calls a convolution with a wrong output shape
//                             (the runtime must abort naming the call)
//
//===----------------------------------------------------------------------===//

#include "pet_runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int failures = 0;
/// checkFusedConv's tolerance, relative to the largest |value|.
double tolerance = 1e-5;

void expect(bool ok, const char *what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  failures += !ok;
}

float *alloc(size_t n) {
  return static_cast<float *>(pet_rt_alloc(n * sizeof(float)));
}

void fill(float *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; ++i)
    p[i] = float((i * 2654435761u + seed * 40503u) % 1000) / 1000.0f - 0.5f;
}

PetMemRef4D memref4(float *p, int64_t a, int64_t b, int64_t c, int64_t d) {
  return {p, p, 0, {a, b, c, d}, {b * c * d, c * d, d, 1}};
}

double maxRelError(const float *x, const std::vector<double> &ref) {
  double scale = 1e-30, err = 0;
  for (double v : ref)
    scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < ref.size(); ++i)
    err = std::max(err, std::fabs(x[i] - ref[i]));
  return err / scale;
}

/// conv2d with zero padding already applied, as the runtime computes it.
void checkConv(int n, int c, int h, int w, int f, int kh, int kw, int sh,
               int sw, int dh, int dw, int groups) {
  int oh = (h - dh * (kh - 1) - 1) / sh + 1,
      ow = (w - dw * (kw - 1) - 1) / sw + 1;
  int cg = c / groups, fg = f / groups;
  float *x = alloc(size_t(n) * c * h * w), *k = alloc(size_t(f) * cg * kh * kw);
  float *y = alloc(size_t(n) * f * oh * ow);
  fill(x, size_t(n) * c * h * w, 1);
  fill(k, size_t(f) * cg * kh * kw, 2);
  fill(y, size_t(n) * f * oh * ow, 3); // the init, accumulated into
  std::vector<double> ref(size_t(n) * f * oh * ow);
  for (int in = 0; in < n; ++in)
    for (int of = 0; of < f; ++of)
      for (int i = 0; i < oh; ++i)
        for (int j = 0; j < ow; ++j) {
          size_t o = ((size_t(in) * f + of) * oh + i) * ow + j;
          double s = y[o];
          int g = of / fg;
          for (int ic = 0; ic < cg; ++ic)
            for (int a = 0; a < kh; ++a)
              for (int b = 0; b < kw; ++b)
                s += double(x[((size_t(in) * c + g * cg + ic) * h + i * sh +
                               a * dh) *
                                  w +
                              j * sw + b * dw]) *
                     k[((size_t(of) * cg + ic) * kh + a) * kw + b];
          ref[o] = s;
        }
  PetMemRef4D X = memref4(x, n, c, h, w), K = memref4(k, f, cg, kh, kw),
              Y = memref4(y, n, f, oh, ow);
  _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &Y, sh, sw, dh, dw, groups);
  pet_rt_synchronize();
  char what[160];
  double err = maxRelError(y, ref);
  std::snprintf(what, sizeof(what),
                "conv2d %dx%dx%dx%d * %dx%dx%dx%d s%d d%d g%d (rel err %.2g)",
                n, c, h, w, f, cg, kh, kw, sh, dh, groups, err);
  expect(err < 1e-5, what);
  pet_rt_free(x);
  pet_rt_free(k);
  pet_rt_free(y);
}

/// A 4-d view: sizes and strides into a buffer, from an offset.
struct View {
  int64_t offset, sizes[4], strides[4];
  size_t at(int64_t a, int64_t b, int64_t c, int64_t d) const {
    return size_t(offset + a * strides[0] + b * strides[1] + c * strides[2] +
                  d * strides[3]);
  }
  PetMemRef4D memref(float *p) const {
    return {p,
            p,
            offset,
            {sizes[0], sizes[1], sizes[2], sizes[3]},
            {strides[0], strides[1], strides[2], strides[3]}};
  }
};

/// Whether PET_CUDNN_API=legacy forces the legacy API, which has no KRSC
/// filters.
bool legacyApiForced() {
  const char *api = std::getenv("PET_CUDNN_API");
  return api && std::string(api) == "legacy";
}

/// An n x c x h x w view of a dense buffer: NCHW, or with `nhwc` NHWC
/// (what --pet-gpu-conv-calls=channels-last=1 allocates).
View denseView(int64_t n, int64_t c, int64_t h, int64_t w, bool nhwc) {
  if (nhwc)
    return {0, {n, c, h, w}, {h * w * c, 1, w * c, c}};
  return {0, {n, c, h, w}, {c * h * w, h * w, w, 1}};
}

/// Layouts of checkFusedConv's operands (bits): NHWC input, output,
/// residual, and the filter KRSC (--pet-gpu-filters-last); NCHW / KCRS
/// otherwise.
enum { kNhwcInput = 1, kNhwcOutput = 2, kNhwcResidual = 4, kKrscFilter = 8 };

/// The fused convolution with a kh x kw filter: zero padding ph x pw, then
/// bias, residual and ReLU as `flags` say; the output starts as NaNs that
/// must all be overwritten.
void checkFusedConv(int n, int c, int h, int w, int f, int kh, int kw, int s,
                    int ph, int pw, int d, int groups, int flags, int layouts) {
  int oh = (h + 2 * ph - d * (kh - 1) - 1) / s + 1,
      ow = (w + 2 * pw - d * (kw - 1) - 1) / s + 1;
  int cg = c / groups, fg = f / groups;
  size_t outSize = size_t(n) * f * oh * ow;
  View xv = denseView(n, c, h, w, layouts & kNhwcInput),
       yv = denseView(n, f, oh, ow, layouts & kNhwcOutput),
       zv = denseView(n, f, oh, ow, layouts & kNhwcResidual),
       kv = denseView(f, cg, kh, kw, layouts & kKrscFilter);
  float *x = alloc(size_t(n) * c * h * w), *k = alloc(size_t(f) * cg * kh * kw);
  float *bias = alloc(f), *z = alloc(outSize), *y = alloc(outSize);
  fill(x, size_t(n) * c * h * w, 1);
  fill(k, size_t(f) * cg * kh * kw, 2);
  fill(bias, f, 3);
  fill(z, outSize, 4);
  for (size_t i = 0; i < outSize; ++i)
    y[i] = std::nanf("");
  std::vector<double> ref(outSize);
  for (int in = 0; in < n; ++in)
    for (int of = 0; of < f; ++of)
      for (int i = 0; i < oh; ++i)
        for (int j = 0; j < ow; ++j) {
          double sum = 0;
          int g = of / fg;
          for (int ic = 0; ic < cg; ++ic)
            for (int a = 0; a < kh; ++a)
              for (int b = 0; b < kw; ++b) {
                int row = i * s + a * d - ph, col = j * s + b * d - pw;
                if (row < 0 || row >= h || col < 0 || col >= w)
                  continue;
                sum += double(x[xv.at(in, g * cg + ic, row, col)]) *
                       k[kv.at(of, ic, a, b)];
              }
          if (flags & PET_RT_CONV_BIAS)
            sum += bias[of];
          if (flags & PET_RT_CONV_RESIDUAL)
            sum += z[zv.at(in, of, i, j)];
          if (flags & PET_RT_CONV_RELU)
            sum = std::max(sum, 0.0);
          ref[yv.at(in, of, i, j)] = sum;
        }
  PetMemRef4D X = xv.memref(x), K = kv.memref(k), B = memref4(bias, 1, f, 1, 1),
              Z = zv.memref(z), Y = yv.memref(y);
  _mlir_ciface_pet_rt_conv2d_fused_f32(&X, &K, &B, &Z, &Y, s, s, ph, pw, d, d,
                                       groups, flags);
  pet_rt_synchronize();
  char what[200];
  double err = maxRelError(y, ref);
  bool finite = true;
  for (size_t i = 0; i < outSize; ++i)
    finite = finite && std::isfinite(y[i]);
  std::snprintf(what, sizeof(what),
                "fused conv2d %dx%dx%dx%d * %dx%dx%dx%d s%d p%dx%d d%d g%d "
                "flags %d%s%s%s%s (rel err %.2g)",
                n, c, h, w, f, cg, kh, kw, s, ph, pw, d, groups, flags,
                layouts & kNhwcInput ? ", NHWC input" : "",
                layouts & kNhwcOutput ? ", NHWC output" : "",
                layouts & kNhwcResidual ? ", NHWC residual" : "",
                layouts & kKrscFilter ? ", KRSC filter" : "", err);
  expect(finite && err < tolerance, what);
  for (float *ptr : {x, k, bias, z, y})
    pet_rt_free(ptr);
}

/// A square kk x kk filter, padding p on every side.
void checkFusedConv(int n, int c, int h, int w, int f, int kk, int s, int p,
                    int d, int groups, int flags, int layouts = 0) {
  checkFusedConv(n, c, h, w, f, kk, kk, s, p, p, d, groups, flags, layouts);
}

/// The fused convolution's cases: every flag combination, strides,
/// paddings, dilations and groups (ResNeXt's 32 among them).
void checkFusedConvs() {
  for (int flags = 0; flags < 8; ++flags)
    checkFusedConv(1, 8, 10, 10, 16, 3, 1, 1, 1, 1, flags);
  checkFusedConv(1, 64, 56, 56, 64, 3, 1, 1, 1, 1, 7);
  checkFusedConv(1, 3, 32, 32, 64, 7, 2, 3, 1, 1, 5);
  checkFusedConv(2, 8, 9, 9, 8, 3, 2, 1, 1, 8, 5);
  checkFusedConv(1, 128, 14, 14, 128, 3, 1, 1, 1, 32, 5);
  checkFusedConv(1, 8, 12, 12, 8, 3, 1, 2, 2, 2, 6);
  // Shapes Winograd F(2x2, 3x3) takes (3x3, stride 1, no residual): odd
  // sizes (partial tiles), dilation 2 (four phases), no padding at batch 2,
  // 16 groups (the split-accuracy case has a long reduction).
  checkFusedConv(1, 32, 13, 11, 24, 3, 1, 1, 1, 1, 5);
  checkFusedConv(1, 16, 14, 18, 8, 3, 1, 2, 2, 1, 5);
  checkFusedConv(2, 8, 9, 7, 8, 3, 1, 0, 1, 1, 1);
  checkFusedConv(1, 64, 15, 15, 64, 3, 1, 1, 1, 16, 5);
}

/// The fused convolutions with NHWC operands (channels-last programs): all
/// NHWC, and an NCHW residual or input mixed in.
void checkChannelsLast() {
  int all = kNhwcInput | kNhwcOutput | kNhwcResidual;
  checkFusedConv(1, 16, 12, 12, 32, 3, 1, 1, 1, 1, 7, all);
  checkFusedConv(1, 16, 12, 12, 32, 1, 1, 0, 1, 1, 5, all);
  checkFusedConv(1, 32, 12, 12, 32, 3, 2, 1, 1, 8, 5, all);
  checkFusedConv(1, 16, 12, 12, 32, 3, 1, 1, 1, 1, 7, kNhwcInput | kNhwcOutput);
  checkFusedConv(1, 16, 12, 12, 32, 3, 1, 1, 1, 1, 7, kNhwcOutput);
  checkFusedConv(2, 3, 20, 20, 16, 3, 2, 1, 1, 1, 5, kNhwcOutput);
#ifdef PET_HAVE_CUDNN_FRONTEND
  // Filters stored KRSC (the graph API's; the legacy API where it can: not
  // when the legacy API is forced).
  if (legacyApiForced())
    return;
  checkFusedConv(1, 16, 12, 12, 32, 3, 1, 1, 1, 1, 7, all | kKrscFilter);
  checkFusedConv(1, 16, 12, 12, 32, 3, 1, 1, 1, 1, 7, kKrscFilter);
  checkFusedConv(1, 16, 12, 12, 32, 1, 1, 0, 1, 1, 5, kKrscFilter);
  checkFusedConv(1, 32, 12, 12, 32, 3, 2, 1, 1, 8, 5,
                 kNhwcInput | kNhwcOutput | kKrscFilter);
  // Inception-v3's 1x7 and 7x1 filters: a dimension of size 1 inside KRSC.
  checkFusedConv(1, 16, 17, 17, 16, 1, 7, 1, 0, 3, 1, 1, 5, kKrscFilter);
  checkFusedConv(1, 16, 17, 17, 16, 7, 1, 1, 3, 0, 1, 1, 5, all | kKrscFilter);
#endif
}

void checkMatmul(int batch, int m, int n, int k) {
  float *a = alloc(size_t(batch) * m * k), *b = alloc(size_t(batch) * k * n);
  float *c = alloc(size_t(batch) * m * n);
  fill(a, size_t(batch) * m * k, 4);
  fill(b, size_t(batch) * k * n, 5);
  fill(c, size_t(batch) * m * n, 6);
  std::vector<double> ref(size_t(batch) * m * n);
  for (int q = 0; q < batch; ++q)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double s = c[(size_t(q) * m + i) * n + j];
        for (int l = 0; l < k; ++l)
          s += double(a[(size_t(q) * m + i) * k + l]) *
               b[(size_t(q) * k + l) * n + j];
        ref[(size_t(q) * m + i) * n + j] = s;
      }
  if (batch == 1) {
    PetMemRef2D A{a, a, 0, {m, k}, {k, 1}}, B{b, b, 0, {k, n}, {n, 1}},
        C{c, c, 0, {m, n}, {n, 1}};
    _mlir_ciface_pet_rt_matmul_f32(&A, &B, &C);
  } else {
    PetMemRef3D A{a, a, 0, {batch, m, k}, {m * k, k, 1}},
        B{b, b, 0, {batch, k, n}, {k * n, n, 1}},
        C{c, c, 0, {batch, m, n}, {m * n, n, 1}};
    _mlir_ciface_pet_rt_batch_matmul_f32(&A, &B, &C);
  }
  pet_rt_synchronize();
  char what[128];
  double err = maxRelError(c, ref);
  std::snprintf(what, sizeof(what), "%s %dx%dx%d x %dx%d (rel err %.2g)",
                batch == 1 ? "matmul" : "batch_matmul", batch, m, k, k, n, err);
  expect(err < 1e-5, what);
  pet_rt_free(a);
  pet_rt_free(b);
  pet_rt_free(c);
}

/// pet_rt_gemm_f32 on views as attention lays them out: `heads` products
/// of m x d by d x m (the right operand transposed: keys) or m x m by m x d
/// (values), each head's columns side by side in one m x (heads * d)
/// matrix, the output written into such a matrix too; with bias, residual
/// and GELU (tanh) for one head.
void checkGemmViews(int heads, int m, int d, int64_t flags, bool keys,
                    int64_t offset = 0) {
  int64_t width = int64_t(heads) * d;
  int64_t n = keys ? m : d, k = keys ? d : m;
  // `offset`: the left operand starts that many elements into its buffer
  // (a view into a matrix, less aligned than an allocation).
  float *a = alloc(size_t(m) * (keys ? width : heads * m) + offset);
  float *b = alloc(size_t(m) * width);
  float *bias = alloc(size_t(n)), *res = alloc(size_t(heads) * m * n);
  size_t outSize = keys ? size_t(heads) * m * n : size_t(m) * width;
  float *c = alloc(outSize);
  fill(a, size_t(m) * (keys ? width : heads * m) + offset, 11);
  fill(b, size_t(m) * width, 12);
  fill(bias, size_t(n), 13);
  fill(res, size_t(heads) * m * n, 14);
  fill(c, outSize, 15); // overwritten
  // Views: A[h, i, l] and B[h, l, j]; C[h, i, j].
  PetMemRef3D A, B, C;
  if (keys) { // scores: queries (heads side by side) x keys^T
    A = {a, a, offset, {heads, m, d}, {d, width, 1}};
    B = {b, b, 0, {heads, d, m}, {d, 1, width}};
    C = {c, c, 0, {heads, m, m}, {int64_t(m) * m, m, 1}};
  } else { // context: probabilities x values, into m x (heads * d)
    A = {a, a, offset, {heads, m, m}, {int64_t(m) * m, m, 1}};
    B = {b, b, 0, {heads, m, d}, {d, width, 1}};
    C = {c, c, 0, {heads, m, d}, {d, width, 1}};
  }
  PetMemRef1D Bias{bias, bias, 0, {n}, {1}};
  PetMemRef3D R{res, res, 0, {heads, m, n}, {int64_t(m) * n, n, 1}};
  auto at = [](const float *p, const PetMemRef3D &v, int64_t h, int64_t i,
               int64_t j) {
    return double(
        p[v.offset + h * v.strides[0] + i * v.strides[1] + j * v.strides[2]]);
  };
  std::vector<double> ref(outSize);
  for (int h = 0; h < heads; ++h)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double s = 0;
        for (int l = 0; l < k; ++l)
          s += at(a, A, h, i, l) * at(b, B, h, l, j);
        if (flags & PET_RT_GEMM_BIAS)
          s += bias[j];
        if (flags & PET_RT_GEMM_RESIDUAL)
          s += at(res, R, h, i, j);
        if (flags & PET_RT_GEMM_GELU_TANH)
          s = 0.5 * s *
              (1 + std::tanh(0.7978845608028654 * (s + 0.044715 * s * s * s)));
        ref[h * C.strides[0] + i * C.strides[1] + j * C.strides[2]] = s;
      }
  _mlir_ciface_pet_rt_gemm_f32(&A, &B, &Bias, &R, &C, flags);
  pet_rt_synchronize();
  double err = maxRelError(c, ref);
  char what[160];
  std::snprintf(
      what, sizeof(what),
      "gemm of %d heads %dx%d (%s, flags %ld) on views (rel err %.2g)", heads,
      m, d, keys ? "by keys^T" : "by values", long(flags), err);
  expect(err < 1e-5, what);
  for (float *p : {a, b, bias, res, c})
    pet_rt_free(p);
}

/// pet_rt_attention_f32 against a double reference: `heads` heads of lq
/// queries and lk keys of d values (values of dv), q, k and v read out of
/// one lq x (heads * (2d + dv)) projection as BERT's merged QKV lays them
/// out (lq == lk there; otherwise separate buffers), the output written
/// into an lq x (heads * dv) matrix; with `maskRow`, row 1 of head 0 gets
/// -inf scores (a query of -inf against positive keys), which `safe`
/// turns into zeros and an unsafe softmax into NaN.
void checkAttention(int heads, int lq, int lk, int d, int dv, double scale,
                    bool safe, bool maskRow = false) {
  int64_t qWidth = int64_t(heads) * d, vWidth = int64_t(heads) * dv;
  float *q = alloc(size_t(lq) * qWidth), *k = alloc(size_t(lk) * qWidth);
  float *v = alloc(size_t(lk) * vWidth), *o = alloc(size_t(lq) * vWidth);
  fill(q, size_t(lq) * qWidth, 21);
  fill(k, size_t(lk) * qWidth, 22);
  fill(v, size_t(lk) * vWidth, 23);
  fill(o, size_t(lq) * vWidth, 24); // overwritten
  for (size_t i = 0; i < size_t(lq) * qWidth; ++i)
    q[i] *= 4; // scores of a few units: a softmax that is not flat
  if (maskRow) {
    for (int j = 0; j < lk; ++j)
      for (int l = 0; l < d; ++l)
        k[j * qWidth + l] = std::fabs(k[j * qWidth + l]) + 0.1f;
    for (int l = 0; l < d; ++l)
      q[1 * qWidth + l] = -INFINITY;
  }
  PetMemRef3D Q{q, q, 0, {heads, lq, d}, {d, qWidth, 1}};
  PetMemRef3D K{k, k, 0, {heads, lk, d}, {d, qWidth, 1}};
  PetMemRef3D V{v, v, 0, {heads, lk, dv}, {dv, vWidth, 1}};
  PetMemRef3D O{o, o, 0, {heads, lq, dv}, {dv, vWidth, 1}};
  std::vector<double> ref(size_t(lq) * vWidth);
  for (int h = 0; h < heads; ++h)
    for (int i = 0; i < lq; ++i) {
      std::vector<double> s(lk);
      double m = -INFINITY;
      for (int j = 0; j < lk; ++j) {
        double dot = 0;
        for (int l = 0; l < d; ++l)
          dot += double(q[i * qWidth + h * d + l]) * k[j * qWidth + h * d + l];
        s[j] = dot * scale;
        m = std::max(m, s[j]);
      }
      double sum = 0;
      for (int j = 0; j < lk; ++j)
        sum += s[j] = m == -INFINITY ? 0 : std::exp(s[j] - m);
      for (int c = 0; c < dv; ++c) {
        double acc = 0;
        for (int j = 0; j < lk; ++j)
          acc += s[j] * v[j * vWidth + h * dv + c];
        ref[size_t(i) * vWidth + h * dv + c] = sum > 0 ? acc / sum : 0;
      }
    }
  int64_t bits;
  std::memcpy(&bits, &scale, sizeof(bits));
  _mlir_ciface_pet_rt_attention_f32(&Q, &K, &V, &O, bits,
                                    safe ? PET_RT_ATTENTION_SAFE : 0);
  pet_rt_synchronize();
  bool masked = true;
  std::vector<float> got(o, o + ref.size());
  if (maskRow) {
    // Row 1 of head 0: zeros (safe) or NaN; the rest compared below.
    for (int c = 0; c < dv; ++c) {
      float x = got[1 * vWidth + c];
      masked &= safe ? x == 0.0f : std::isnan(x);
      got[1 * vWidth + c] = float(ref[1 * vWidth + c]);
    }
  }
  double err = maxRelError(got.data(), ref);
  char what[200];
  std::snprintf(what, sizeof(what),
                "attention of %d heads, %d queries x %d keys, d %d / %d%s%s "
                "(rel err %.2g)",
                heads, lq, lk, d, dv, safe ? ", safe" : "",
                maskRow ? ", a row of -inf scores" : "", err);
  expect(err < 1e-5 && masked, what);
  for (float *p : {q, k, v, o})
    pet_rt_free(p);
}

/// A convolution recorded in a graph with the zeroing of its output, and
/// replayed.
void checkGraph() {
  float *x = alloc(1 * 2 * 6 * 6), *k = alloc(3 * 2 * 3 * 3),
        *y = alloc(3 * 16);
  fill(x, 72, 7);
  fill(k, 54, 8);
  PetMemRef4D X = memref4(x, 1, 2, 6, 6), K = memref4(k, 3, 2, 3, 3),
              Y = memref4(y, 1, 3, 4, 4);
  // Once outside the graph: finds the algorithm, sizes the workspace.
  mgpuMemset32(y, 0, 48, nullptr);
  _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &Y, 1, 1, 1, 1, 1);
  pet_rt_synchronize();
  std::vector<double> first(y, y + 48);
  std::memset(y, 0xff, 48 * sizeof(float));
  pet_rt_graph_begin();
  mgpuMemset32(y, 0, 48, nullptr);
  _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &Y, 1, 1, 1, 1, 1);
  pet_rt_graph_end();
  for (int r = 0; r < 3; ++r)
    pet_rt_graph_replay();
  pet_rt_synchronize();
  expect(maxRelError(y, first) == 0, "CUDA graph replay of memset + conv2d");
  pet_rt_graph_destroy();
  pet_rt_free(x);
  pet_rt_free(k);
  pet_rt_free(y);
}

/// Errors returned instead of aborting (pet_rt_set_abort_on_error(false)):
/// each path records its status and message, later calls do nothing until
/// the error is cleared, then calls work again.
void checkReturnedErrors() {
  pet_rt_set_abort_on_error(false);
  pet_rt_clear_error();
  // A wrong shape: cuDNN makes a 4x4 output, the call says 5x5.
  float *x = alloc(72), *k = alloc(54), *y = alloc(48), *z = alloc(48);
  fill(x, 72, 21);
  fill(k, 54, 22);
  PetMemRef4D X = memref4(x, 1, 2, 6, 6), K = memref4(k, 3, 2, 3, 3),
              bad = memref4(y, 1, 3, 5, 5), good = memref4(z, 1, 3, 4, 4);
  _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &bad, 1, 1, 1, 1, 1);
  expect(pet_rt_last_error() == PET_RT_ERROR_INVALID_ARGUMENT &&
             std::strstr(pet_rt_error_message(), "convolution output shape") !=
                 nullptr,
         "a wrong convolution shape is returned as an invalid argument");
  // While it is pending, calls do nothing.
  for (int i = 0; i < 48; ++i)
    z[i] = 7.0f;
  _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &good, 1, 1, 1, 1, 1);
  pet_rt_synchronize();
  expect(z[0] == 7.0f && z[47] == 7.0f &&
             pet_rt_last_error() == PET_RT_ERROR_INVALID_ARGUMENT,
         "calls after an error do nothing until it is cleared");
  pet_rt_clear_error();
  _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &good, 1, 1, 1, 1, 1);
  pet_rt_synchronize();
  expect(pet_rt_last_error() == PET_RT_OK && z[0] != 7.0f &&
             *pet_rt_error_message() == 0,
         "after pet_rt_clear_error calls run again");
  // Buffers: null, foreign, too small, fine.
  std::vector<float> host(4);
  bool buffers =
      pet_rt_check_buffer(nullptr, 4, "buffer a") ==
          PET_RT_ERROR_INVALID_ARGUMENT &&
      std::strstr(pet_rt_error_message(), "buffer a is a null pointer");
  pet_rt_clear_error();
  buffers =
      buffers &&
      pet_rt_check_buffer(host.data(), 4, "buffer b") ==
          PET_RT_ERROR_INVALID_ARGUMENT &&
      std::strstr(pet_rt_error_message(), "is not memory from pet_rt_alloc");
  pet_rt_clear_error();
  buffers = buffers &&
            pet_rt_check_buffer(y + 40, 9 * sizeof(float), "buffer c") ==
                PET_RT_ERROR_INVALID_ARGUMENT &&
            std::strstr(pet_rt_error_message(), "holds 32 bytes");
  pet_rt_clear_error();
  buffers =
      buffers &&
      pet_rt_check_buffer(y + 40, 8 * sizeof(float), "buffer d") == PET_RT_OK &&
      pet_rt_last_error() == PET_RT_OK;
  expect(buffers, "pet_rt_check_buffer: null, foreign, too small, fine");
  // Out of GPU memory (a petabyte): no memory, an out-of-memory status.
  void *huge = pet_rt_alloc(size_t(1) << 50);
  expect(huge == nullptr && pet_rt_last_error() == PET_RT_ERROR_OUT_OF_MEMORY &&
             std::strstr(pet_rt_error_message(), "cuMemAllocManaged"),
         "an allocation past the GPU's memory returns out of memory");
  // After an error, host memory (for a program's host code), freed alike.
  float *fallback = alloc(16);
  bool hostOk = fallback != nullptr;
  if (fallback) {
    fallback[15] = 1.0f;
    pet_rt_free(fallback);
  }
  expect(hostOk, "pet_rt_alloc after an error hands out host memory");
  pet_rt_clear_error();
  for (float *ptr : {x, k, y, z})
    pet_rt_free(ptr);
  pet_rt_set_abort_on_error(true);
}

void checkStridedCopy() {
  float *a = alloc(4 * 6), *b = alloc(4 * 3);
  for (int i = 0; i < 24; ++i)
    a[i] = float(i);
  // Every other column of a 4x6 matrix into a 4x3 one.
  int64_t src[2 + 2 + 1 + 2] = {0, 0, 0, 4, 3, 6, 2};
  int64_t dst[7] = {0, 0, 0, 4, 3, 3, 1};
  src[0] = src[1] = reinterpret_cast<int64_t>(a);
  dst[0] = dst[1] = reinterpret_cast<int64_t>(b);
  PetUnrankedMemRef s{2, src}, d{2, dst};
  memrefCopy(sizeof(float), &s, &d);
  pet_rt_synchronize();
  bool ok = true;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      ok &= b[i * 3 + j] == float(i * 6 + 2 * j);
  expect(ok, "memrefCopy of a strided view");
  pet_rt_free(a);
  pet_rt_free(b);
}

/// The fused convolution (bias and ReLU) reading its input through the view
/// `in` of one buffer and writing its output through the view `out` of
/// another, as the GPU lowering passes slices and rows-as-images: every
/// position of `out` as computed from `in`, every other element of the
/// output buffer untouched.
void checkConvViews(const char *name, size_t inElements, View in,
                    size_t outElements, View out, int f, int kk, int p,
                    bool krscFilter = false) {
  int64_t n = in.sizes[0], c = in.sizes[1], h = in.sizes[2], w = in.sizes[3];
  int64_t oh = out.sizes[2], ow = out.sizes[3];
  View kv = denseView(f, c, kk, kk, krscFilter);
  float *x = alloc(inElements), *k = alloc(size_t(f) * c * kk * kk),
        *bias = alloc(f), *y = alloc(outElements);
  fill(x, inElements, 11);
  fill(k, size_t(f) * c * kk * kk, 12);
  fill(bias, f, 13);
  for (size_t i = 0; i < outElements; ++i)
    y[i] = 1234.0f;
  std::vector<double> ref(outElements, 1234.0);
  for (int64_t in_ = 0; in_ < n; ++in_)
    for (int64_t of = 0; of < f; ++of)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = bias[of];
          for (int64_t ic = 0; ic < c; ++ic)
            for (int a = 0; a < kk; ++a)
              for (int b = 0; b < kk; ++b) {
                int64_t row = i + a - p, col = j + b - p;
                if (row < 0 || row >= h || col < 0 || col >= w)
                  continue;
                sum += double(x[in.at(in_, ic, row, col)]) *
                       k[kv.at(of, ic, a, b)];
              }
          ref[out.at(in_, of, i, j)] = std::max(sum, 0.0);
        }
  PetMemRef4D X = in.memref(x), K = kv.memref(k), B = memref4(bias, 1, f, 1, 1),
              Y = out.memref(y);
  _mlir_ciface_pet_rt_conv2d_fused_f32(&X, &K, &B, &Y, &Y, 1, 1, p, p, 1, 1, 1,
                                       PET_RT_CONV_BIAS | PET_RT_CONV_RELU);
  pet_rt_synchronize();
  // The view's positions against the reference (relative to their largest
  // value), every other element still the marker.
  double scale = 1e-30, err = 0;
  bool untouched = true;
  for (size_t i = 0; i < outElements; ++i) {
    if (ref[i] == 1234.0) {
      untouched = untouched && y[i] == 1234.0f;
      continue;
    }
    scale = std::max(scale, std::fabs(ref[i]));
    err = std::max(err, std::fabs(y[i] - ref[i]));
  }
  char what[200];
  std::snprintf(what, sizeof(what),
                "fused conv2d through views: %s%s (rel err %.2g%s)", name,
                krscFilter ? ", KRSC filter" : "", err / scale,
                untouched ? "" : ", wrote outside its view");
  expect(untouched && err / scale < 1e-5, what);
  for (float *ptr : {x, k, bias, y})
    pet_rt_free(ptr);
}

void checkConvViews() {
  // Channels 4..11 of a 2x12x7x7 tensor in, channels 3..8 of a 2x10x7x7
  // one out (a concatenation's slice).
  checkConvViews("channel slices", 2 * 12 * 49,
                 {4 * 49, {2, 8, 7, 7}, {12 * 49, 49, 7, 1}}, 2 * 10 * 49,
                 {3 * 49, {2, 6, 7, 7}, {10 * 49, 49, 7, 1}}, 6, 3, 1);
  // The two halves of a 1x8x12x10 image's rows as a batch of two 6-row
  // images, each padded alone, written back as the halves of a 1x16x12x10
  // output's rows.
  checkConvViews("rows as a batch", 8 * 12 * 10,
                 {0, {2, 8, 6, 10}, {60, 120, 10, 1}}, 16 * 12 * 10,
                 {0, {2, 16, 6, 10}, {60, 120, 10, 1}}, 16, 3, 1);
  // The same with columns.
  checkConvViews("columns as a batch", 8 * 9 * 12,
                 {0, {2, 8, 9, 6}, {6, 108, 12, 1}}, 4 * 9 * 12,
                 {0, {2, 4, 9, 6}, {6, 108, 12, 1}}, 4, 1, 0);
#ifdef PET_HAVE_CUDNN_FRONTEND
  // Views with a KRSC filter: the legacy API may take the views but not
  // dense copies of them (or neither); the runtime must not pick copies
  // it found no algorithm for.
  if (legacyApiForced())
    return;
  checkConvViews("channel slices", 2 * 12 * 49,
                 {4 * 49, {2, 8, 7, 7}, {12 * 49, 49, 7, 1}}, 2 * 10 * 49,
                 {3 * 49, {2, 6, 7, 7}, {10 * 49, 49, 7, 1}}, 6, 3, 1, true);
  checkConvViews("rows as a batch", 8 * 12 * 10,
                 {0, {2, 8, 6, 10}, {60, 120, 10, 1}}, 16 * 12 * 10,
                 {0, {2, 16, 6, 10}, {60, 120, 10, 1}}, 16, 3, 1, true);
#endif
}

/// What `command` prints (run by the shell), and its exit status.
std::string capture(const std::string &command, int &status) {
  std::string output;
  char buffer[512];
  FILE *pipe = popen(command.c_str(), "r");
  while (pipe && fgets(buffer, sizeof(buffer), pipe))
    output += buffer;
  status = pipe ? pclose(pipe) : -1;
  return output;
}

/// The text of the file at `path` (empty if there is none).
std::string readFile(const std::string &path) {
  std::string text;
  char buffer[512];
  if (FILE *file = std::fopen(path.c_str(), "r")) {
    while (fgets(buffer, sizeof(buffer), file))
      text += buffer;
    std::fclose(file);
  }
  return text;
}

/// Runs this test's `subcommand` in a process of its own with `env` (and
/// algorithm logging, no algorithm file): it must pass, its log naming
/// `marker` exactly when `logged`.
void expectLogged(const std::string &self, const std::string &env,
                  const char *subcommand, const char *marker, bool logged,
                  const char *what) {
  int status = 0;
  std::string output =
      capture("PET_CUDNN_ALGORITHMS= PET_LOG_ALGORITHMS=1 " + env + " " + self +
                  " " + subcommand + " 2>&1",
              status);
  bool found = output.find(marker) != std::string::npos;
  expect(status == 0 && found == logged, what);
  if (status != 0 || found != logged)
    std::printf("%s", output.c_str());
}

#ifdef PET_HAVE_CUDNN_FRONTEND
/// The relative error `output` printed for the split-accuracy case
/// (1x256x14x14), or -1.
double splitCaseError(const std::string &output) {
  size_t at = output.find("fused conv2d 1x256x14x14");
  at = at == std::string::npos ? at : output.find("(rel err ", at);
  return at == std::string::npos ? -1 : std::atof(output.c_str() + at + 9);
}

/// FP32 convolutions as split TF32 (PET_CUDNN_API=split forces them,
/// PET_FP32_SPLIT=1 times them): every fused case within FP32's tolerance
/// (their reductions are short); over 2,304 products at least four times
/// as accurate as TF32; not taken by default; a stored split choice used
/// by a later process.
void checkSplitTF32(const std::string &self) {
  expectLogged(self, "PET_CUDNN_API=split", "fused", "cuDNN graph split3-nhwc",
               true, "fused convolutions as split TF32");
  expectLogged(self, "", "split-accuracy", "split3", false,
               "split TF32 is not timed by default");
  int status = 0, tf32Status = 0;
  std::string tf32 =
      capture("PET_CUDNN_ALGORITHMS= PET_TF32=1 PET_CUDNN_API=graph " + self +
                  " split-accuracy 2>&1",
              tf32Status);
  std::string forced = capture(
      "PET_CUDNN_ALGORITHMS= PET_LOG_ALGORITHMS=1 PET_CUDNN_API=split " + self +
          " split-accuracy 2>&1",
      status);
  double tf32Error = splitCaseError(tf32), splitError = splitCaseError(forced);
  std::printf("split TF32 error %.2g, TF32 %.2g (1x256x14x14)\n", splitError,
              tf32Error);
  expect(status == 0 && tf32Status == 0 && splitError >= 0 &&
             splitError * 4 < tf32Error,
         "split TF32 at least four times as accurate as TF32");
  if (status != 0 || tf32Status != 0)
    std::printf("%s%s", tf32.c_str(), forced.c_str());
  // The forced choice's plan, stored by hand, then read by a process that
  // would otherwise time its candidates.
  std::string marker = "cuDNN graph split3-nhwc ";
  size_t at = forced.find(marker);
  std::string plan = at == std::string::npos
                         ? ""
                         : forced.substr(at + marker.size(),
                                         forced.find(' ', at + marker.size()) -
                                             at - marker.size());
  std::string path = "/tmp/pet-runtime-test-split.tsv";
  FILE *file = std::fopen(path.c_str(), "w");
  std::fprintf(file,
               "conv-graph 1x256x14x14 64x256x3x3 1x64x14x14 s1,1 p1,1 d1,1 "
               "g1 fp32 f5\tsplit3-nhwc %s\n",
               plan.c_str());
  std::fclose(file);
  std::string stored =
      capture("PET_FP32_SPLIT=1 PET_CUDNN_ALGORITHMS=" + path +
                  " PET_LOG_ALGORITHMS=1 " + self + " split-accuracy 2>&1",
              status);
  expect(!plan.empty() && status == 0 &&
             stored.find("cuDNN graph split3-nhwc " + plan + " (stored)") !=
                 std::string::npos,
         "a stored split TF32 choice is used by a later process");
  if (status != 0 || plan.empty())
    std::printf("%s%s", forced.c_str(), stored.c_str());
}

/// FP32 3x3 convolutions as Winograd F(2x2, 3x3) (PET_CUDNN_API=winograd
/// forces it where it applies): every fused case within FP32's tolerance
/// (the rest on cuDNN), the 2,304-product one too; a stored Winograd
/// choice used by a later process; never in TF32 mode.
void checkWinograd(const std::string &self) {
  expectLogged(self, "PET_CUDNN_API=winograd", "fused", "winograd-f2x2-3x3",
               true, "fused convolutions as Winograd F(2x2, 3x3)");
  int forcedStatus = 0;
  std::string forced = capture("PET_CUDNN_ALGORITHMS= PET_CUDNN_API=winograd " +
                                   self + " split-accuracy 2>&1",
                               forcedStatus);
  double error = splitCaseError(forced);
  std::printf("Winograd F(2x2, 3x3) error %.2g (1x256x14x14)\n", error);
  expect(forcedStatus == 0 && error >= 0 && error < 1e-5,
         "Winograd within FP32's 1e-5 over 2,304 products");
  expectLogged(self, "PET_TF32=1 PET_CUDNN_API=winograd", "split-accuracy",
               "winograd", false, "no Winograd in TF32 mode");
  std::string path = "/tmp/pet-runtime-test-winograd.tsv";
  FILE *file = std::fopen(path.c_str(), "w");
  std::fprintf(file, "conv-graph 1x256x14x14 64x256x3x3 1x64x14x14 s1,1 p1,1 "
                     "d1,1 g1 fp32 f5\twinograd-f2x2-3x3\n");
  std::fclose(file);
  int status = 0;
  std::string stored =
      capture("PET_CUDNN_ALGORITHMS=" + path + " PET_LOG_ALGORITHMS=1 " + self +
                  " split-accuracy 2>&1",
              status);
  expect(status == 0 &&
             stored.find("winograd-f2x2-3x3 (stored)") != std::string::npos &&
             stored.find("fused conv2d 1x256x14x14") != std::string::npos,
         "a stored Winograd choice is used by a later process");
  if (status != 0)
    std::printf("%s", stored.c_str());
}
#endif

} // namespace

int main(int argc, char **argv) {
  if (pet_rt_init() != 0) {
    // Without a GPU, a library user gets a status, not an abort.
    pet_rt_set_abort_on_error(false);
    float *buffer = alloc(4);
    bool noGpu = buffer != nullptr &&
                 pet_rt_last_error() == PET_RT_ERROR_NO_GPU &&
                 std::strstr(pet_rt_error_message(), "no usable GPU");
    pet_rt_free(buffer);
    std::printf("%s: without a GPU pet_rt_alloc returns PET_RT_ERROR_NO_GPU "
                "(host memory)\n",
                noGpu ? "ok" : "FAIL");
    std::printf("SKIPPED: no GPU (the runtime's message is above)\n");
    return noGpu ? 77 : 1;
  }
  if (argc > 1 && std::string(argv[1]) == "bad-conv") {
    float *x = alloc(72), *k = alloc(54), *y = alloc(48);
    PetMemRef4D X = memref4(x, 1, 2, 6, 6), K = memref4(k, 3, 2, 3, 3),
                Y = memref4(y, 1, 3, 5, 5); // cuDNN makes 4x4
    _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &Y, 1, 1, 1, 1, 1);
    return 0; // not reached
  }
  if (argc > 1 && std::string(argv[1]) == "views") {
    checkConvViews();
    return failures ? 1 : 0;
  }
  if (argc > 1 && std::string(argv[1]) == "fused") {
    checkFusedConvs();
    checkChannelsLast();
    checkConvViews();
    return failures ? 1 : 0;
  }
  if (argc > 1 && std::string(argv[1]) == "split-accuracy") {
    // A reduction over 2,304 products, its error printed (checkSplitTF32
    // compares the precisions'); finite results within 1e-3 pass.
    tolerance = 1e-3;
    checkFusedConv(1, 256, 14, 14, 64, 3, 1, 1, 1, 1, 5);
    checkFusedConv(1, 128, 14, 14, 128, 3, 1, 1, 1, 32, 5,
                   kNhwcInput | kNhwcOutput);
    return failures ? 1 : 0;
  }
  if (argc > 1 && std::string(argv[1]) == "graph-profile") {
    // A graph of a memset and a convolution, timed (PET_GRAPH_PROFILE:
    // then profiled).
    float *x = alloc(72), *k = alloc(54), *y = alloc(48);
    PetMemRef4D X = memref4(x, 1, 2, 6, 6), K = memref4(k, 3, 2, 3, 3),
                Y = memref4(y, 1, 3, 4, 4);
    _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &Y, 1, 1, 1, 1, 1);
    pet_rt_graph_begin();
    mgpuMemset32(y, 0, 48, nullptr);
    _mlir_ciface_pet_rt_conv2d_f32(&X, &K, &Y, 1, 1, 1, 1, 1);
    pet_rt_graph_end();
    pet_rt_time_graph(5);
    return 0;
  }
  if (argc > 1 && std::string(argv[1]) == "profile") {
    checkFusedConv(1, 8, 10, 10, 16, 3, 1, 1, 1, 1, 7);
    checkFusedConv(1, 8, 10, 10, 16, 3, 1, 1, 1, 1, 7);
    checkGemmViews(2, 16, 8, PET_RT_GEMM_BIAS, true);
    return failures ? 1 : 0; // the profile is written at exit
  }
  checkConv(1, 3, 10, 10, 4, 3, 3, 1, 1, 1, 1, 1);
  checkConv(2, 4, 9, 11, 6, 3, 3, 2, 2, 1, 1, 1);
  checkConv(1, 4, 12, 12, 4, 3, 3, 1, 1, 2, 2, 2);
  checkConv(1, 8, 7, 7, 8, 3, 3, 1, 1, 1, 1, 8);
  checkConv(1, 64, 58, 58, 64, 3, 3, 1, 1, 1, 1, 1);
  checkFusedConvs();
  checkMatmul(1, 33, 17, 65);
  checkMatmul(3, 16, 24, 40);
  checkGemmViews(4, 16, 8, 0, true);
  checkGemmViews(4, 16, 8, 0, false);
  checkGemmViews(1, 24, 40, PET_RT_GEMM_BIAS | PET_RT_GEMM_RESIDUAL, false);
  checkGemmViews(1, 24, 40, PET_RT_GEMM_BIAS | PET_RT_GEMM_GELU_TANH, true);
  checkGemmViews(3, 20, 12, PET_RT_GEMM_BIAS | PET_RT_GEMM_RESIDUAL, true);
  checkGemmViews(2, 16, 8, PET_RT_GEMM_BIAS, true, /*offset=*/3);
  checkGemmViews(2, 16, 8, 0, false, /*offset=*/1);
  checkAttention(12, 128, 128, 64, 64, 0.125, true); // BERT-base's
  checkAttention(2, 37, 45, 24, 40, 0.3, false);     // partial tiles and rows
  checkAttention(1, 5, 70, 128, 128, 1.0, false);    // the longest rows
  checkAttention(2, 9, 33, 16, 16, 0.25, true, /*maskRow=*/true);
  checkAttention(2, 9, 33, 16, 16, 0.25, false, /*maskRow=*/true);
  checkChannelsLast();
  checkConvViews();
  checkGraph();
  checkStridedCopy();
  checkReturnedErrors();
  // Errors name the call and the shapes.
  std::string self = argv[0];
  int status = 0;
  std::string output = capture(self + " bad-conv 2>&1", status);
  expect(status != 0 &&
             output.find("pet-runtime: convolution output shape") !=
                 std::string::npos &&
             output.find("output 1x3x5x5") != std::string::npos,
         "a wrong convolution shape aborts with the call and the shapes");
  // Views passed to cuDNN as they are, and through dense copies (what the
  // runtime picks where it measures copies faster).
  expectLogged(self, "PET_CUDNN_VIEWS=view", "views", "dense copies", false,
               "convolutions through views, passed as they are");
  expectLogged(self, "PET_CUDNN_VIEWS=copy", "views", "dense copies", true,
               "convolutions through views, as dense copies");
#ifdef PET_HAVE_CUDNN_FRONTEND
  // The fused convolutions through cuDNN's graph API (its first plan
  // wherever one builds) and through the legacy API alone: both compute
  // right; the graph is taken for the plain shapes at least.
  expectLogged(self, "PET_CUDNN_API=graph", "fused", "cuDNN graph", true,
               "fused convolutions through cuDNN's graph API");
  expectLogged(self, "PET_CUDNN_API=legacy", "fused", "cuDNN graph", false,
               "fused convolutions through the legacy API");
  // The convolution alone as a graph, bias, residual and ReLU as cuDNN
  // calls after it (PET_CUDNN_UNFUSED's candidates).
  expectLogged(self, "PET_CUDNN_API=unfused", "fused", "cuDNN graph unfused",
               true, "fused convolutions as a graph of the convolution alone");
  checkSplitTF32(self);
  checkWinograd(self);
#endif
  // PET_PROFILE: one line per call name, with its count.
  std::string profilePath = "/tmp/pet-runtime-test-profile.tsv";
  std::string profileCommand =
      "PET_PROFILE=" + profilePath + " " + self + " profile > /dev/null";
  int profileStatus = std::system(profileCommand.c_str());
  std::string profileText = readFile(profilePath);
  expect(profileStatus == 0 &&
             profileText.find("cudnn\tconv2d input 1x8x10x10, filter "
                              "16x8x3x3, output 1x16x10x10, padding 1x1, "
                              "bias, residual, relu\t2\t") != std::string::npos,
         "PET_PROFILE times library calls (2 calls of one convolution)");
  // PET_GRAPH_PROFILE: the replays' kernels, per replay (cuDNN's
  // convolution kernel at least; a memset node is not a kernel).
  std::string graphPath = "/tmp/pet-runtime-test-graph-profile.tsv";
  std::remove(graphPath.c_str());
  int graphStatus = std::system(("PET_GRAPH_PROFILE=" + graphPath + " " + self +
                                 " graph-profile > /dev/null")
                                    .c_str());
  std::string graphText = readFile(graphPath);
  expect(graphStatus == 0 &&
             graphText.find("# 20 replays of the CUDA graph") !=
                 std::string::npos &&
             graphText.find(" grid ") != std::string::npos &&
             graphText.find("\t1.00\t") != std::string::npos,
         "PET_GRAPH_PROFILE lists the kernels of graph replays");
  if (graphStatus != 0 || graphText.empty())
    std::printf("%s", graphText.c_str());
  // PET_CUDNN_ALGORITHMS: the first process times and stores the choice,
  // the second reads it instead of timing again, and computes the same.
  std::string algorithmsPath = "/tmp/pet-runtime-test-algorithms.tsv";
  std::remove(algorithmsPath.c_str());
  std::string algorithmsCommand = "PET_CUDNN_ALGORITHMS=" + algorithmsPath +
                                  " PET_LOG_ALGORITHMS=1 " + self +
                                  " profile 2>&1";
  std::string logs[2];
  int algorithmStatus = 0;
  for (std::string &log : logs) {
    int runStatus = 0;
    log = capture(algorithmsCommand, runStatus);
    algorithmStatus |= runStatus;
  }
  std::string stored = readFile(algorithmsPath);
  expect(algorithmStatus == 0 &&
             stored.find("1x8x10x10 16x8x3x3 1x16x10x10 s1,1 p1,1 d1,1 g1 "
                         "fp32\t") == 0 &&
             logs[0].find("(stored)") == std::string::npos &&
             logs[1].find("(stored)") != std::string::npos,
         "PET_CUDNN_ALGORITHMS stores a shape's algorithm, and a later "
         "process uses it");
  // The products' choices share the file: stored once, by the first
  // process (the second finds it), both computing right.
  size_t gemmLine = stored.find("\ngemm 2x16x8@8,16,1 by 2x8x16@8,1,16");
  expect(gemmLine != std::string::npos &&
             stored.find("\ngemm ", gemmLine + 1) == std::string::npos &&
             logs[1].find("gemm of 2 heads") != std::string::npos &&
             logs[1].find("FAIL") == std::string::npos,
         "PET_CUDNN_ALGORITHMS stores a product's algorithm once");
#ifdef PET_HAVE_CUDNN_FRONTEND
  // The fused shape's choice between the APIs: stored once, then used.
  std::string graphKey = "\nconv-graph 1x8x10x10 16x8x3x3 1x16x10x10 s1,1 "
                         "p1,1 d1,1 g1 fp32 f7\t";
  size_t graphLine = stored.find(graphKey);
  expect(graphLine != std::string::npos &&
             stored.find(graphKey, graphLine + 1) == std::string::npos,
         "PET_CUDNN_ALGORITHMS stores a fused shape's API choice once");
  // A stored plan cuDNN no longer offers (another cuDNN wrote the file):
  // timed again and the new choice appended, the results still right.
  {
    std::string stalePath = "/tmp/pet-runtime-test-stale.tsv";
    std::string staleKey = graphKey.substr(1);
    FILE *file = std::fopen(stalePath.c_str(), "w");
    std::fprintf(file, "%seng9999_k2=1\n", staleKey.c_str());
    std::fclose(file);
    int staleStatus = 0;
    std::string log = capture("PET_CUDNN_ALGORITHMS=" + stalePath + " " + self +
                                  " profile 2>&1",
                              staleStatus);
    std::string after = readFile(stalePath);
    expect(staleStatus == 0 && log.find("FAIL") == std::string::npos &&
               log.find("'eng9999_k2=1'") != std::string::npos &&
               log.find("timing the plans again") != std::string::npos &&
               after.find(staleKey, staleKey.size()) != std::string::npos,
           "a stored cuDNN plan that no longer builds is timed again");
    if (staleStatus != 0)
      std::printf("%s", log.c_str());
  }
#endif
  std::printf("%s\n", failures ? "FAILED" : "all runtime checks passed");
  return failures ? 1 : 0;
}
