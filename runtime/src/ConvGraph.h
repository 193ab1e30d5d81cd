//===- ConvGraph.h - A fused convolution as a cuDNN graph -------*- C++ -*-===//
//
// act(conv(x, w) + residual + bias) as one graph of cuDNN's graph API
// (through NVIDIA's cudnn-frontend), with every engine configuration that
// cuDNN's heuristics offer for it: the legacy API reaches a subset of these
// engines only (no runtime-fused epilogues, fewer tensor-core kernels for
// grouped and small convolutions). The tensors keep their own strides, so
// views need no copies. Library.cpp times these plans against its legacy
// path and keeps the faster per shape.
//
// Only built with cudnn-frontend's headers (PET_HAVE_CUDNN_FRONTEND).
//
//===----------------------------------------------------------------------===//

#ifndef PET_RUNTIME_CONVGRAPH_H
#define PET_RUNTIME_CONVGRAPH_H

#include <cudnn.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pet_rt {

/// One operand: NCHW sizes, the strides given to cuDNN, and the alignment
/// (bytes) of its first element.
struct GraphTensor {
  std::array<int64_t, 4> sizes{}, strides{};
  int64_t alignment = 256;
};

/// What the graph computes: y = relu?(conv(x, w) + residual? + bias?).
struct ConvGraphDesc {
  GraphTensor x, w, y, residual;
  std::array<int64_t, 2> padding{}, stride{}, dilation{};
  bool bias = false, hasResidual = false, relu = false;
  /// TF32 tensor-core engines allowed (otherwise filtered out).
  bool tf32 = false;
};

/// The graph and the plans built for it.
class ConvGraph {
public:
  /// Builds the graph and up to `limit` plans, in cuDNN's heuristic order
  /// (engines that convert inputs to lower precision left out; tensor-core
  /// engines too unless `desc.tf32`). Null, with the reason in `why`, when
  /// cuDNN supports none.
  static std::unique_ptr<ConvGraph> build(cudnnHandle_t handle,
                                          const ConvGraphDesc &desc, int limit,
                                          std::string &why);
  /// Builds the graph with the one plan of cuDNN's heuristics named
  /// `choice` (as `planName` gives it: engine and knobs, e.g.
  /// "eng11_k2=4_k3=0"); null, with the reason, if it cannot.
  static std::unique_ptr<ConvGraph> rebuild(cudnnHandle_t handle,
                                            const ConvGraphDesc &desc,
                                            const std::string &choice,
                                            std::string &why);
  ~ConvGraph();

  int planCount() const;
  size_t workspaceBytes(int plan) const;
  /// A plan's cuDNN name (its engine and knob choices), what
  /// PET_CUDNN_ALGORITHMS's file stores.
  std::string planName(int plan) const;
  /// Enqueues plan `plan` on the handle's stream; false, with the reason,
  /// on failure. `bias` and `residual` are read only where the graph has
  /// them.
  bool run(cudnnHandle_t handle, int plan, const float *x, const float *w,
           const float *bias, const float *residual, float *y, void *workspace,
           std::string &why) const;

  /// The frontend's objects (ConvGraph.cpp only).
  struct Impl;

private:
  explicit ConvGraph(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace pet_rt

#endif // PET_RUNTIME_CONVGRAPH_H
