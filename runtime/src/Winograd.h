//===- Winograd.h - 3x3 convolutions as Winograd F(2x2, 3x3) ----*- C++ -*-===//
//
// A 3x3 convolution of stride 1 computes each 2x2 block of outputs from a
// 4x4 block of inputs with 16 products per channel pair instead of 36
// (Lavin and Gray, 2016): the filter transformed to U = G g G^T, each input
// block to V = B^T d B, then for each of the 16 positions of the 4x4
// transforms a matrix product over the channels, M = U V (FP32 SGEMM,
// batched: 2.25 times fewer multiply-adds than the direct convolution),
// and the outputs Y = A^T M A. The transforms' coefficients are 0, +-1 and
// +-1/2, so the results keep FP32's accuracy (the runtime's self-test
// checks them against a double reference within 1e-5). A dilated
// convolution is the same on each of its dilation^2 interleaved phases:
// the transforms read and write with the dilation's stride. The bias and
// ReLU are applied by the output transform.
//
// Grouped convolutions too: the products are one batch of 16 x groups
// (each group's channels). FP32 only (TF32 programs run on tensor cores),
// no residual.
// Library.cpp times it against cuDNN's plans per shape, as it times those.
// Built with cudnn-frontend (its kernels are compiled with NVRTC).
//
//===----------------------------------------------------------------------===//

#ifndef PET_RUNTIME_WINOGRAD_H
#define PET_RUNTIME_WINOGRAD_H

#include "pet_runtime.h"

#include <cublas_api.h>

#include <cstddef>
#include <cstdint>

namespace pet_rt {

/// Whether the convolution of `input` by `filter` into `output` can run as
/// Winograd F(2x2, 3x3): a 3x3 filter, stride 1, no residual.
bool winogradApplies(const PetMemRef4D &input, const PetMemRef4D &filter,
                     const PetMemRef4D &output, int64_t strideH,
                     int64_t strideW, int64_t dilationH, int64_t dilationW,
                     int64_t groups, bool hasResidual);

/// The workspace it needs, in floats.
size_t winogradWorkspaceFloats(const PetMemRef4D &input,
                               const PetMemRef4D &filter,
                               const PetMemRef4D &output, int64_t dilation);

/// Enqueues on the runtime's stream: `output` = conv(`input`, `filter`)
/// with zero padding (padH, padW) and dilation `dilation`, plus `bias` (one
/// value per output channel, or null), then ReLU if `relu`; any strides.
/// `workspace` holds winogradWorkspaceFloats floats; `cublas` runs the
/// products (on the runtime's stream, FP32 math).
void winogradConv(const PetMemRef4D &input, const PetMemRef4D &filter,
                  const float *bias, bool relu, const PetMemRef4D &output,
                  int64_t padH, int64_t padW, int64_t dilation,
                  float *workspace, cublasHandle_t cublas);

} // namespace pet_rt

#endif // PET_RUNTIME_WINOGRAD_H
