//===- SplitTF32.h - FP32 products on TF32 tensor cores ---------*- C++ -*-===//
//
// An FP32 value v is the sum of its TF32 rounding b = tf32(v) and a
// remainder s = v - b (|s| <= 2^-11 |v|, itself held to 11 bits by TF32).
// For a product that is linear in each operand,
//   conv(x, w) = conv(xb, wb) + conv(xs, wb) + conv(xb, ws) + conv(xs, ws),
// and the last term is below 2^-22 of the first: the first three, each
// exact in TF32's inputs and accumulated in FP32, give FP32's accuracy
// ("3xTF32", as CUTLASS calls it). A convolution sums over its input
// channels, so the three are one TF32 convolution over three times the
// channels: input [xb, xs, xb], filter [wb, wb, ws] (within each group).
// That runs on tensor cores, which FP32's own kernels cannot use. The
// products are then FP32's, but tensor cores add them with truncation, not
// rounding, so the error grows with the reduction's length: measured on an
// H200, 3e-5 of the largest |value| over 2,304 products (FP32 1e-6, TF32
// 2e-4), short of FP32's 1e-5 for CSRNet's 4,608. The runtime therefore
// times it against cuDNN's FP32 kernels only when asked (PET_FP32_SPLIT=1,
// Library.cpp): a precision between TF32 and FP32, about twice FP32's speed
// on CSRNet.
//
// Only built with cudnn-frontend (PET_HAVE_CUDNN_FRONTEND): the split
// kernel is compiled at first use with NVRTC, which is linked then.
//
//===----------------------------------------------------------------------===//

#ifndef PET_RUNTIME_SPLITTF32_H
#define PET_RUNTIME_SPLITTF32_H

#include "pet_runtime.h"

#include <array>
#include <cstdint>

namespace pet_rt {

/// Enqueues on the runtime's stream: `out`, a tensor of `in`'s sizes but
/// three times its dimension 1 ("channels", of groups of `groupChannels`
/// each), with strides `outStrides`, gets the three parts of `in`: channel
/// c = g * groupChannels + j of `in` goes to channels
/// g * 3 * groupChannels + p * groupChannels + j for p = 0, 1, 2, as the
/// TF32 rounding of its values for every p but `remainderPart`, which gets
/// the remainders. A non-finite value's remainder is 0.
void splitTF32(const PetMemRef4D &in, int64_t groupChannels, int remainderPart,
               float *out, const std::array<int64_t, 4> &outStrides);

} // namespace pet_rt

#endif // PET_RUNTIME_SPLITTF32_H
