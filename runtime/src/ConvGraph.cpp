//===- ConvGraph.cpp - A fused convolution as a cuDNN graph ---------------===//
//
// cudnn-frontend's Graph with one conv_fprop node and pointwise nodes for
// the epilogue; see ConvGraph.h.
//
//===----------------------------------------------------------------------===//

#include "ConvGraph.h"

#include <cudnn_frontend.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <unordered_map>

using namespace pet_rt;
namespace fe = cudnn_frontend;
using TensorPtr = std::shared_ptr<fe::graph::Tensor_attributes>;

struct ConvGraph::Impl {
  fe::graph::Graph graph;
  TensorPtr x, w, bias, residual, y;
  /// The graph's plan indices that were built, fastest-first by cuDNN's
  /// heuristics.
  std::vector<int64_t> plans;
};

namespace {

/// Tensor UIDs, so that execution can name operands without the
/// frontend's tensor objects.
enum Uid : int64_t { kX = 1, kW, kBias, kResidual, kY };

std::vector<int64_t> vec(const std::array<int64_t, 4> &a) {
  return {a[0], a[1], a[2], a[3]};
}

TensorPtr tensor(fe::graph::Graph &graph, const char *name, int64_t uid,
                 const GraphTensor &t) {
  return graph.tensor(fe::graph::Tensor_attributes()
                          .set_name(name)
                          .set_uid(uid)
                          .set_dim(vec(t.sizes))
                          .set_stride(vec(t.strides))
                          .set_alignment(t.alignment)
                          .set_data_type(fe::DataType_t::FLOAT));
}

/// The operation graph of `desc`, ready for heuristics.
std::unique_ptr<ConvGraph::Impl>
makeGraph(cudnnHandle_t handle, const ConvGraphDesc &desc, std::string &why) {
  auto impl = std::make_unique<ConvGraph::Impl>();
  fe::graph::Graph &g = impl->graph;
  g.set_io_data_type(fe::DataType_t::FLOAT)
      .set_intermediate_data_type(fe::DataType_t::FLOAT)
      .set_compute_data_type(fe::DataType_t::FLOAT);
  impl->x = tensor(g, "x", kX, desc.x);
  impl->w = tensor(g, "w", kW, desc.w);
  TensorPtr y =
      g.conv_fprop(impl->x, impl->w,
                   fe::graph::Conv_fprop_attributes()
                       .set_name("conv")
                       .set_padding({desc.padding[0], desc.padding[1]})
                       .set_stride({desc.stride[0], desc.stride[1]})
                       .set_dilation({desc.dilation[0], desc.dilation[1]}));
  auto add = [&](TensorPtr a, TensorPtr b, const char *name) {
    return g.pointwise(a, b,
                       fe::graph::Pointwise_attributes()
                           .set_name(name)
                           .set_mode(fe::PointwiseMode_t::ADD)
                           .set_compute_data_type(fe::DataType_t::FLOAT));
  };
  if (desc.hasResidual) {
    impl->residual = tensor(g, "residual", kResidual, desc.residual);
    y = add(y, impl->residual, "add_residual");
  }
  if (desc.bias) {
    int64_t channels = desc.y.sizes[1];
    GraphTensor b;
    b.sizes = {1, channels, 1, 1};
    b.strides = {channels, 1, 1, 1};
    impl->bias = tensor(g, "bias", kBias, b);
    y = add(y, impl->bias, "add_bias");
  }
  if (desc.relu)
    y = g.pointwise(y, fe::graph::Pointwise_attributes()
                           .set_name("relu")
                           .set_mode(fe::PointwiseMode_t::RELU_FWD)
                           .set_compute_data_type(fe::DataType_t::FLOAT));
  y->set_output(true)
      .set_uid(kY)
      .set_dim(vec(desc.y.sizes))
      .set_stride(vec(desc.y.strides))
      .set_alignment(desc.y.alignment)
      .set_data_type(fe::DataType_t::FLOAT);
  impl->y = y;
  auto status = g.validate();
  if (status.is_good())
    status = g.build_operation_graph(handle);
  if (status.is_bad()) {
    why = status.get_message();
    return nullptr;
  }
  return impl;
}

/// Precision filters: inputs converted to a narrower type never; TF32
/// tensor cores only in TF32 mode (what PyTorch's cuDNN v8 path filters).
void filterPrecision(fe::graph::Graph &g, bool tf32) {
  std::vector<fe::NumericalNote_t> barred = {
      fe::NumericalNote_t::DOWN_CONVERT_INPUTS};
  if (!tf32)
    barred.push_back(fe::NumericalNote_t::TENSOR_CORE);
  g.deselect_numeric_notes(barred);
}

/// The graph with the engine configurations cuDNN's heuristics offer for
/// it (A, then the fallback list), filtered for the precision; none built
/// yet.
std::unique_ptr<ConvGraph::Impl> makeCandidates(cudnnHandle_t handle,
                                                const ConvGraphDesc &desc,
                                                std::string &why) {
  std::unique_ptr<ConvGraph::Impl> impl = makeGraph(handle, desc, why);
  if (!impl)
    return nullptr;
  auto status = impl->graph.create_execution_plans(
      {fe::HeurMode_t::A, fe::HeurMode_t::FALLBACK});
  if (status.is_bad()) {
    why = status.get_message();
    return nullptr;
  }
  filterPrecision(impl->graph, desc.tf32);
  return impl;
}

} // namespace

ConvGraph::ConvGraph(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
ConvGraph::~ConvGraph() = default;

std::unique_ptr<ConvGraph> ConvGraph::build(cudnnHandle_t handle,
                                            const ConvGraphDesc &desc,
                                            int limit, std::string &why) {
  std::unique_ptr<Impl> impl = makeCandidates(handle, desc, why);
  if (!impl)
    return nullptr;
  fe::graph::Graph &g = impl->graph;
  // Heuristics A and the fallback list can name one configuration twice.
  std::set<std::string> seen;
  int64_t count = g.get_execution_plan_count();
  for (int64_t i = 0; i < count && int(impl->plans.size()) < limit; ++i) {
    std::string name;
    if (g.get_plan_name_at_index(i, name).is_good() &&
        !seen.insert(name).second)
      continue;
    if (g.build_plan_at_index(i).is_good())
      impl->plans.push_back(i);
  }
  if (impl->plans.empty()) {
    why = "no engine configuration of cuDNN's heuristics builds";
    return nullptr;
  }
  return std::unique_ptr<ConvGraph>(new ConvGraph(std::move(impl)));
}

std::unique_ptr<ConvGraph> ConvGraph::rebuild(cudnnHandle_t handle,
                                              const ConvGraphDesc &desc,
                                              const std::string &choice,
                                              std::string &why) {
  std::unique_ptr<Impl> impl = makeCandidates(handle, desc, why);
  if (!impl)
    return nullptr;
  fe::graph::Graph &g = impl->graph;
  int64_t count = g.get_execution_plan_count();
  for (int64_t i = 0; i < count; ++i) {
    std::string name;
    if (g.get_plan_name_at_index(i, name).is_bad() || name != choice)
      continue;
    auto status = g.build_plan_at_index(i);
    if (status.is_bad()) {
      why = status.get_message();
      return nullptr;
    }
    impl->plans.push_back(i);
    return std::unique_ptr<ConvGraph>(new ConvGraph(std::move(impl)));
  }
  why = "cuDNN's heuristics no longer offer it";
  return nullptr;
}

int ConvGraph::planCount() const { return int(impl->plans.size()); }

size_t ConvGraph::workspaceBytes(int plan) const {
  int64_t bytes = 0;
  if (impl->graph.get_workspace_size_plan_at_index(impl->plans[plan], bytes)
          .is_bad())
    return 0;
  return size_t(bytes);
}

std::string ConvGraph::planName(int plan) const {
  std::string name;
  if (impl->graph.get_plan_name_at_index(impl->plans[plan], name).is_bad())
    return "?";
  return name;
}

bool ConvGraph::run(cudnnHandle_t handle, int plan, const float *x,
                    const float *w, const float *bias, const float *residual,
                    float *y, void *workspace, std::string &why) const {
  std::unordered_map<int64_t, void *> pack = {
      {kX, const_cast<float *>(x)}, {kW, const_cast<float *>(w)}, {kY, y}};
  if (impl->bias)
    pack[kBias] = const_cast<float *>(bias);
  if (impl->residual)
    pack[kResidual] = const_cast<float *>(residual);
  auto status = impl->graph.execute_plan_at_index(handle, pack, workspace,
                                                  impl->plans[plan]);
  if (status.is_bad()) {
    why = status.get_message();
    return false;
  }
  return true;
}
