#include "gat/nn/gatv2_conv.h"

#include <cmath>
#include <sstream>
#include <utility>

#include "attention_common.h"
#include "gat/core/error.h"
#include "gat/nn/init.h"
#include "gat/ops/add.h"
#include "gat/ops/gatv2_attention.h"
#include "gat/ops/linear.h"
#include "gat/ops/reduce.h"

namespace gat {

GATv2Conv::GATv2Conv(const GATv2ConvOptions& options, Generator& gen)
    : options_(options), gen_(&gen) {
  detail::check_attention_options("GATv2Conv", options.in_channels, options.out_channels,
                                  options.heads, options.negative_slope, options.dropout,
                                  options.edge_dim, options.fill_value);
  const int64_t h = options.heads, c = options.out_channels;
  lin_l_weight = Variable(Tensor::empty({h * c, options.in_channels}), true);
  if (options.bias) lin_l_bias = Variable(Tensor::empty({h * c}), true);
  if (options.share_weights) {
    lin_r_weight = lin_l_weight;
    lin_r_bias = lin_l_bias;
  } else {
    lin_r_weight = Variable(Tensor::empty({h * c, options.in_channels}), true);
    if (options.bias) lin_r_bias = Variable(Tensor::empty({h * c}), true);
  }
  if (options.edge_dim > 0)
    lin_edge_weight = Variable(Tensor::empty({h * c, options.edge_dim}), true);
  att = Variable(Tensor::empty({1, h, c}), true);
  if (options.bias) bias = Variable(Tensor::empty({options.concat ? h * c : c}), true);
  reset_parameters();
}

void GATv2Conv::reset_parameters() {
  // PyG's order: lin_l, lin_r, lin_edge, att, bias.
  glorot_(lin_l_weight.mutable_data(), *gen_);
  if (lin_l_bias.defined()) zeros_(lin_l_bias.mutable_data());
  if (!options_.share_weights) {
    glorot_(lin_r_weight.mutable_data(), *gen_);
    if (lin_r_bias.defined()) zeros_(lin_r_bias.mutable_data());
  }
  if (lin_edge_weight.defined()) glorot_(lin_edge_weight.mutable_data(), *gen_);
  glorot_(att.mutable_data(), *gen_);
  if (bias.defined()) zeros_(bias.mutable_data());
}

std::vector<std::pair<std::string, Variable>> GATv2Conv::own_parameters() const {
  std::vector<std::pair<std::string, Variable>> out = {{"lin_l.weight", lin_l_weight}};
  if (lin_l_bias.defined()) out.emplace_back("lin_l.bias", lin_l_bias);
  if (!options_.share_weights) {
    out.emplace_back("lin_r.weight", lin_r_weight);
    if (lin_r_bias.defined()) out.emplace_back("lin_r.bias", lin_r_bias);
  }
  if (lin_edge_weight.defined()) out.emplace_back("lin_edge.weight", lin_edge_weight);
  out.emplace_back("att", att);
  if (bias.defined()) out.emplace_back("bias", bias);
  return out;
}

std::vector<std::pair<std::string, Variable>> GATv2Conv::own_aliases() const {
  // PyG keeps lin_r as its own module holding the shared tensors, so its state_dict lists them
  // twice.
  if (!options_.share_weights) return {};
  std::vector<std::pair<std::string, Variable>> out = {{"lin_r.weight", lin_r_weight}};
  if (lin_r_bias.defined()) out.emplace_back("lin_r.bias", lin_r_bias);
  return out;
}

Variable GATv2Conv::forward(const Variable& x, const Graph& graph,
                            AttentionWeights* attention) const {
  return forward(x, graph, Variable(), attention);
}

Variable GATv2Conv::forward(const Variable& x, const Graph& graph, const Variable& edge_attr,
                            AttentionWeights* attention) const {
  const char* where = "GATv2Conv::forward";
  detail::check_node_features(where, x, graph, options_.in_channels);
  const int64_t hc = options_.heads * options_.out_channels;
  // Parameters are public (a checkpoint loader assigns them): check them against the options.
  const Module& layer = *this;
  detail::check_parameter(where, lin_l_weight, "lin_l.weight", {hc, options_.in_channels}, layer);
  detail::check_parameter(where, lin_r_weight, "lin_r.weight", {hc, options_.in_channels}, layer);
  if (options_.bias) {
    detail::check_parameter(where, lin_l_bias, "lin_l.bias", {hc}, layer);
    detail::check_parameter(where, lin_r_bias, "lin_r.bias", {hc}, layer);
  }
  return attend(where, linear(x, lin_l_weight, lin_l_bias), linear(x, lin_r_weight, lin_r_bias),
                graph, edge_attr, attention);
}

Variable GATv2Conv::forward_projected(const Variable& x_l, const Variable& x_r, const Graph& graph,
                                      const Variable& edge_attr,
                                      AttentionWeights* attention) const {
  const char* where = "GATv2Conv::forward_projected";
  const int64_t hc = options_.heads * options_.out_channels;
  for (const auto& [name, v] : {std::pair{"x_l", &x_l}, std::pair{"x_r", &x_r}})
    check_shape(v->defined() && v->shape().ndim() == 2 && v->size(0) == graph.num_nodes() &&
                    v->size(1) == hc,
                where, name, " must be [N, H·C] = [", graph.num_nodes(), ", ", hc, "], got ",
                v->defined() ? v->shape().str() : std::string("(undefined)"));
  return attend(where, x_l, x_r, graph, edge_attr, attention);
}

Variable GATv2Conv::attend(const char* where, const Variable& x_l, const Variable& x_r,
                           const Graph& graph, const Variable& edge_attr,
                           AttentionWeights* attention) const {
  const int64_t n = x_l.size(0), h = options_.heads, c = options_.out_channels;
  const Module& layer = *this;
  if (options_.bias)
    detail::check_parameter(where, bias, "bias", {options_.concat ? h * c : c}, layer);
  if (options_.edge_dim > 0)
    detail::check_parameter(where, lin_edge_weight, "lin_edge.weight", {h * c, options_.edge_dim},
                            layer);
  detail::check_parameter(where, att, "att", {1, h, c}, layer);
  const Variable attr = detail::attention_edge_attr(where, edge_attr, graph, options_.edge_dim,
                                                    options_.add_self_loops, options_.fill_value);
  const Graph& g = options_.add_self_loops ? graph.with_self_loops() : graph;

  const Variable xl = reshape(x_l, {n, h, c});
  const Variable xr = reshape(x_r, {n, h, c});
  Gatv2AttentionOptions attn;
  attn.negative_slope = options_.negative_slope;
  attn.dropout = options_.dropout;
  attn.training = is_training();
  attn.generator = gen_;
  Tensor alpha;
  Variable out = gatv2_attention(xl, xr, att, g, attn, attention ? &alpha : nullptr, attr,
                                 attr.defined() ? lin_edge_weight : Variable());
  // The mean over one head is the head itself: a view, not a pass over the output.
  out = options_.concat || h == 1 ? reshape(out, {n, h * c}) : mean_heads(out);
  if (bias.defined()) out = add_bias(out, bias);
  if (attention) *attention = AttentionWeights{g, alpha};
  return out;
}

std::string GATv2Conv::repr() const {
  std::ostringstream os;
  os << "GATv2Conv(" << options_.in_channels << ", " << options_.out_channels
     << ", heads=" << options_.heads << ")";
  return os.str();
}

}  // namespace gat
