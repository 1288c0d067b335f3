#include "gat/nn/gat_conv.h"

#include <cmath>
#include <sstream>

#include "gat/core/error.h"
#include "gat/nn/init.h"
#include "gat/ops/add.h"
#include "gat/ops/gat_attention.h"
#include "gat/ops/linear.h"
#include "gat/ops/reduce.h"

namespace gat {

GATConv::GATConv(const GATConvOptions& options, Generator& gen) : options_(options), gen_(&gen) {
  const char* where = "GATConv";
  check_arg(options.in_channels > 0, where, "in_channels must be positive, got ",
            options.in_channels);
  check_arg(options.out_channels > 0, where, "out_channels must be positive, got ",
            options.out_channels);
  check_arg(options.heads > 0, where, "heads must be positive, got ", options.heads);
  check_arg(std::isfinite(options.negative_slope) && options.negative_slope >= 0.0f, where,
            "negative_slope must be finite and non-negative, got ", options.negative_slope);
  check_arg(options.dropout >= 0.0f && options.dropout < 1.0f, where,
            "dropout must be in [0, 1), got ", options.dropout);
  const int64_t h = options.heads, c = options.out_channels;
  lin_weight = Variable(Tensor::empty({h * c, options.in_channels}), true);
  att_src = Variable(Tensor::empty({1, h, c}), true);
  att_dst = Variable(Tensor::empty({1, h, c}), true);
  if (options.bias) bias = Variable(Tensor::empty({options.concat ? h * c : c}), true);
  reset_parameters();
}

void GATConv::reset_parameters() {
  // PyG's order: lin, att_src, att_dst, (att_edge), bias.
  glorot_(lin_weight.mutable_data(), *gen_);
  glorot_(att_src.mutable_data(), *gen_);
  glorot_(att_dst.mutable_data(), *gen_);
  if (bias.defined()) zeros_(bias.mutable_data());
}

std::vector<std::pair<std::string, Variable>> GATConv::own_parameters() const {
  std::vector<std::pair<std::string, Variable>> out = {
      {"lin.weight", lin_weight}, {"att_src", att_src}, {"att_dst", att_dst}};
  if (bias.defined()) out.emplace_back("bias", bias);
  return out;
}

Variable GATConv::forward(const Variable& x, const Graph& graph,
                          AttentionWeights* attention) const {
  const char* where = "GATConv::forward";
  check_shape(x.defined() && x.shape().ndim() == 2, where, "x must be 2-d [N, F_in], got ",
              x.defined() ? x.shape().str() : std::string("(undefined)"));
  check_shape(x.size(0) == graph.num_nodes(), where, "x has ", x.size(0),
              " rows but the graph has ", graph.num_nodes(), " nodes");
  check_shape(x.size(1) == options_.in_channels, where, "x has ", x.size(1),
              " features but in_channels is ", options_.in_channels);
  const int64_t n = x.size(0), h = options_.heads, c = options_.out_channels;
  // Parameters are public (a checkpoint loader assigns them): check them against the options.
  auto check_param = [&](const Variable& p, const char* name, const Shape& expected) {
    check_shape(p.defined() && p.shape() == expected, where, "parameter ", name, " has shape ",
                p.defined() ? p.shape().str() : std::string("(undefined)"), ", expected ",
                expected.str(), " for ", repr());
  };
  check_param(lin_weight, "lin.weight", {h * c, options_.in_channels});
  check_param(att_src, "att_src", {1, h, c});
  check_param(att_dst, "att_dst", {1, h, c});
  if (options_.bias) check_param(bias, "bias", {options_.concat ? h * c : c});
  const Graph& g = options_.add_self_loops ? graph.with_self_loops() : graph;

  Variable projected = reshape(linear(x, lin_weight), {n, h, c});
  GatAttentionOptions attn;
  attn.negative_slope = options_.negative_slope;
  attn.dropout = options_.dropout;
  attn.training = is_training();
  attn.generator = gen_;
  Tensor alpha;
  Variable out = gat_attention(projected, att_src, att_dst, g, attn,
                               attention ? &alpha : nullptr);
  out = options_.concat ? reshape(out, {n, h * c}) : mean_heads(out);
  if (bias.defined()) out = add_bias(out, bias);
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
