#include "gat/nn/gatv2_conv.h"

#include <cmath>
#include <sstream>

#include "gat/core/error.h"
#include "gat/nn/init.h"
#include "gat/ops/add.h"
#include "gat/ops/gatv2_attention.h"
#include "gat/ops/linear.h"
#include "gat/ops/reduce.h"

namespace gat {

GATv2Conv::GATv2Conv(const GATv2ConvOptions& options, Generator& gen)
    : options_(options), gen_(&gen) {
  const char* where = "GATv2Conv";
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
  lin_l_weight = Variable(Tensor::empty({h * c, options.in_channels}), true);
  if (options.bias) lin_l_bias = Variable(Tensor::empty({h * c}), true);
  if (options.share_weights) {
    lin_r_weight = lin_l_weight;
    lin_r_bias = lin_l_bias;
  } else {
    lin_r_weight = Variable(Tensor::empty({h * c, options.in_channels}), true);
    if (options.bias) lin_r_bias = Variable(Tensor::empty({h * c}), true);
  }
  att = Variable(Tensor::empty({1, h, c}), true);
  if (options.bias) bias = Variable(Tensor::empty({options.concat ? h * c : c}), true);
  reset_parameters();
}

void GATv2Conv::reset_parameters() {
  // PyG's order: lin_l, lin_r, att, bias.
  glorot_(lin_l_weight.mutable_data(), *gen_);
  if (lin_l_bias.defined()) zeros_(lin_l_bias.mutable_data());
  if (!options_.share_weights) {
    glorot_(lin_r_weight.mutable_data(), *gen_);
    if (lin_r_bias.defined()) zeros_(lin_r_bias.mutable_data());
  }
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
  out.emplace_back("att", att);
  if (bias.defined()) out.emplace_back("bias", bias);
  return out;
}

Variable GATv2Conv::forward(const Variable& x, const Graph& graph,
                            AttentionWeights* attention) const {
  const char* where = "GATv2Conv::forward";
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
  check_param(lin_l_weight, "lin_l.weight", {h * c, options_.in_channels});
  check_param(lin_r_weight, "lin_r.weight", {h * c, options_.in_channels});
  if (options_.bias) {
    check_param(lin_l_bias, "lin_l.bias", {h * c});
    check_param(lin_r_bias, "lin_r.bias", {h * c});
    check_param(bias, "bias", {options_.concat ? h * c : c});
  }
  check_param(att, "att", {1, h, c});
  const Graph& g = options_.add_self_loops ? graph.with_self_loops() : graph;

  const Variable xl = reshape(linear(x, lin_l_weight, lin_l_bias), {n, h, c});
  const Variable xr = reshape(linear(x, lin_r_weight, lin_r_bias), {n, h, c});
  Gatv2AttentionOptions attn;
  attn.negative_slope = options_.negative_slope;
  attn.dropout = options_.dropout;
  attn.training = is_training();
  attn.generator = gen_;
  Tensor alpha;
  Variable out = gatv2_attention(xl, xr, att, g, attn, attention ? &alpha : nullptr);
  out = options_.concat ? reshape(out, {n, h * c}) : mean_heads(out);
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
