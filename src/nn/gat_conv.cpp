#include "gat/nn/gat_conv.h"

#include <cmath>
#include <sstream>

#include "attention_common.h"
#include "gat/core/error.h"
#include "gat/nn/init.h"
#include "gat/ops/add.h"
#include "gat/ops/gat_attention.h"
#include "gat/ops/linear.h"
#include "gat/ops/reduce.h"

namespace gat {

GATConv::GATConv(const GATConvOptions& options, Generator& gen) : options_(options), gen_(&gen) {
  detail::check_attention_options("GATConv", options.in_channels, options.out_channels,
                                  options.heads, options.negative_slope, options.dropout,
                                  options.edge_dim, options.fill_value);
  const int64_t h = options.heads, c = options.out_channels;
  lin_weight = Variable(Tensor::empty({h * c, options.in_channels}), true);
  att_src = Variable(Tensor::empty({1, h, c}), true);
  att_dst = Variable(Tensor::empty({1, h, c}), true);
  if (options.edge_dim > 0) {
    lin_edge_weight = Variable(Tensor::empty({h * c, options.edge_dim}), true);
    att_edge = Variable(Tensor::empty({1, h, c}), true);
  }
  if (options.bias) bias = Variable(Tensor::empty({options.concat ? h * c : c}), true);
  reset_parameters();
}

void GATConv::reset_parameters() {
  // PyG's order: lin, lin_edge, att_src, att_dst, att_edge, bias.
  glorot_(lin_weight.mutable_data(), *gen_);
  if (lin_edge_weight.defined()) glorot_(lin_edge_weight.mutable_data(), *gen_);
  glorot_(att_src.mutable_data(), *gen_);
  glorot_(att_dst.mutable_data(), *gen_);
  if (att_edge.defined()) glorot_(att_edge.mutable_data(), *gen_);
  if (bias.defined()) zeros_(bias.mutable_data());
}

std::vector<std::pair<std::string, Variable>> GATConv::own_parameters() const {
  std::vector<std::pair<std::string, Variable>> out = {{"lin.weight", lin_weight}};
  if (lin_edge_weight.defined()) out.emplace_back("lin_edge.weight", lin_edge_weight);
  out.emplace_back("att_src", att_src);
  out.emplace_back("att_dst", att_dst);
  if (att_edge.defined()) out.emplace_back("att_edge", att_edge);
  if (bias.defined()) out.emplace_back("bias", bias);
  return out;
}

Variable GATConv::forward(const Variable& x, const Graph& graph,
                          AttentionWeights* attention) const {
  return forward(x, graph, Variable(), attention);
}

Variable GATConv::forward(const Variable& x, const Graph& graph, const Variable& edge_attr,
                          AttentionWeights* attention) const {
  const char* where = "GATConv::forward";
  detail::check_node_features(where, x, graph, options_.in_channels);
  // Parameters are public (a checkpoint loader assigns them): check them against the options.
  detail::check_parameter(where, lin_weight, "lin.weight",
                          {options_.heads * options_.out_channels, options_.in_channels}, *this);
  return attend(where, linear(x, lin_weight), graph, edge_attr, attention);
}

Variable GATConv::forward_projected(const Variable& projected, const Graph& graph,
                                    const Variable& edge_attr, AttentionWeights* attention) const {
  const char* where = "GATConv::forward_projected";
  const int64_t hc = options_.heads * options_.out_channels;
  check_shape(projected.defined() && projected.shape().ndim() == 2 &&
                  projected.size(0) == graph.num_nodes() && projected.size(1) == hc,
              where, "projected must be [N, H·C] = [", graph.num_nodes(), ", ", hc, "], got ",
              projected.defined() ? projected.shape().str() : std::string("(undefined)"));
  return attend(where, projected, graph, edge_attr, attention);
}

Variable GATConv::attend(const char* where, const Variable& projected, const Graph& graph,
                         const Variable& edge_attr, AttentionWeights* attention) const {
  const int64_t h = options_.heads, c = options_.out_channels;
  const int64_t n = projected.size(0);
  const Module& layer = *this;
  detail::check_parameter(where, att_src, "att_src", {1, h, c}, layer);
  detail::check_parameter(where, att_dst, "att_dst", {1, h, c}, layer);
  if (options_.edge_dim > 0) {
    detail::check_parameter(where, lin_edge_weight, "lin_edge.weight", {h * c, options_.edge_dim},
                            layer);
    detail::check_parameter(where, att_edge, "att_edge", {1, h, c}, layer);
  }
  if (options_.bias)
    detail::check_parameter(where, bias, "bias", {options_.concat ? h * c : c}, layer);
  const Variable attr = detail::attention_edge_attr(where, edge_attr, graph, options_.edge_dim,
                                                    options_.add_self_loops, options_.fill_value);
  const Graph& g = options_.add_self_loops ? graph.with_self_loops() : graph;

  const Variable x_proj = reshape(projected, {n, h, c});
  // GAT's edge term ⟨att_edge[h], W_e[h] e⟩ = ⟨v[h], e⟩: E × H scores through the folded v [H, D].
  const Variable edge_score =
      attr.defined() ? linear(attr, attention_fold(lin_edge_weight, att_edge)) : Variable();
  GatAttentionOptions attn;
  attn.negative_slope = options_.negative_slope;
  attn.dropout = options_.dropout;
  attn.training = is_training();
  attn.generator = gen_;
  Tensor alpha;
  // Concatenated heads (or one head, whose mean is itself: a view, not a pass) are the output
  // as the kernel writes it, so the kernel adds the bias too; the mean over several heads gets
  // it after the mean.
  const bool rows_are_output = options_.concat || h == 1;
  Variable out = gat_attention(x_proj, att_src, att_dst, g, attn, attention ? &alpha : nullptr,
                               edge_score, rows_are_output ? bias : Variable());
  if (rows_are_output) {
    out = reshape(out, {n, h * c});
  } else {
    out = mean_heads(out);
    if (bias.defined()) out = add_bias(out, bias);
  }
  if (attention) *attention = AttentionWeights{g, alpha};
  return out;
}

std::string GATConv::repr() const {
  std::ostringstream os;
  os << "GATConv(" << options_.in_channels << ", " << options_.out_channels
     << ", heads=" << options_.heads << ")";
  return os.str();
}

}  // namespace gat
