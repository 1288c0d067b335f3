// self_loop_edge_attr and attention_fold: argument checks and autograd wiring around
// gat/kernels/edge_features.h.
#include "gat/ops/edge_features.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <utility>

#include "gat/core/error.h"

namespace gat {

SelfLoopFill SelfLoopFill::parse(const std::string& text) {
  if (text == "mean") return {SelfLoopFillKind::Mean, 0.0f};
  if (text == "add" || text == "sum") return {SelfLoopFillKind::Add, 0.0f};
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const float v = std::strtof(begin, &end);
  check_arg(!text.empty() && end == begin + text.size() && errno == 0 && std::isfinite(v),
            "SelfLoopFill", "fill_value must be \"mean\", \"add\" or a finite number, got \"",
            text, "\"");
  return constant(v);
}

std::string SelfLoopFill::str() const {
  switch (kind) {
    case SelfLoopFillKind::Mean: return "mean";
    case SelfLoopFillKind::Add: return "add";
    case SelfLoopFillKind::Constant: break;
  }
  std::ostringstream os;
  os.precision(9);
  os << value;
  return os.str();
}

Variable self_loop_edge_attr(const Variable& edge_attr, const Graph& graph,
                             const SelfLoopFill& fill) {
  constexpr const char* kWhere = "self_loop_edge_attr";
  check_arg(edge_attr.defined(), kWhere, "edge_attr is undefined");
  check_shape(edge_attr.shape().ndim() == 2, kWhere, "edge_attr must be 2-d [E, D], got ",
              edge_attr.shape().str());
  check_shape(edge_attr.size(0) == graph.num_edges(), kWhere, "edge_attr has ",
              edge_attr.size(0), " rows but the graph has ", graph.num_edges(), " edges");
  check_arg(fill.kind != SelfLoopFillKind::Constant || std::isfinite(fill.value), kWhere,
            "the constant fill_value must be finite, got ", fill.value);
  const int64_t dim = edge_attr.size(1);
  const int64_t rows = graph.with_self_loops().num_edges();
  Tensor out = Tensor::empty({rows, dim});
  const Tensor attr = edge_attr.data();
  self_loop_edge_attr_forward(graph, dim, fill.kind, fill.value, attr.data(), out.data());
  const Shape in_shape = attr.shape();
  BackwardFn backward = [graph, fill, dim, in_shape](const Tensor& grad_out,
                                                     const std::vector<bool>& needs) {
    std::vector<Tensor> grads(needs.size());
    if (!needs[0]) return grads;
    grads[0] = Tensor::empty(in_shape);
    self_loop_edge_attr_backward(graph, dim, fill.kind, grad_out.data(), grads[0].data());
    return grads;
  };
  return make_output(std::move(out), OpKind::SelfLoopEdgeAttr, {edge_attr}, std::move(backward));
}

Variable attention_fold(const Variable& weight, const Variable& att_edge) {
  constexpr const char* kWhere = "attention_fold";
  check_arg(weight.defined(), kWhere, "weight is undefined");
  check_arg(att_edge.defined(), kWhere, "att_edge is undefined");
  check_shape(att_edge.shape().ndim() == 3 && att_edge.size(0) == 1, kWhere,
              "att_edge must be [1, H, C], got ", att_edge.shape().str());
  const int64_t heads = att_edge.size(1), channels = att_edge.size(2);
  check_shape(weight.shape().ndim() == 2 && weight.size(0) == heads * channels, kWhere,
              "weight must be [H·C, D] = [", heads * channels, ", D] to match att_edge ",
              att_edge.shape().str(), ", got ", weight.shape().str());
  const int64_t dim = weight.size(1);
  Tensor v = Tensor::empty({heads, dim});
  const Tensor w_t = weight.data(), att_t = att_edge.data();
  attention_fold_forward(heads, channels, dim, w_t.data(), att_t.data(), v.data());
  BackwardFn backward = [w_t, att_t, heads, channels, dim](const Tensor& grad_v,
                                                           const std::vector<bool>& needs) {
    std::vector<Tensor> grads(needs.size());
    if (needs[0]) grads[0] = Tensor::empty(w_t.shape());
    if (needs[1]) grads[1] = Tensor::empty(att_t.shape());
    attention_fold_backward(heads, channels, dim, w_t.data(), att_t.data(), grad_v.data(),
                            needs[0] ? grads[0].data() : nullptr,
                            needs[1] ? grads[1].data() : nullptr);
    return grads;
  };
  return make_output(std::move(v), OpKind::AttentionFold, {weight, att_edge},
                     std::move(backward));
}

}  // namespace gat
