#include "gat/nn/gatv2.h"

#include "gat/core/error.h"
#include "gat/ops/activation.h"
#include "gat/ops/dropout.h"
#include "gat/ops/sparse_dropout_linear.h"

namespace gat {

namespace {
const GATOptions& checked(const GATOptions& o) {
  check_arg(o.in_channels > 0 && o.hidden_channels > 0 && o.out_channels > 0 && o.heads > 0 &&
                o.out_heads > 0,
            "GATv2", "in_channels, hidden_channels, out_channels, heads and out_heads must be "
            "positive");
  check_arg(o.dropout >= 0.0f && o.dropout < 1.0f, "GATv2", "dropout must be in [0, 1), got ",
            o.dropout);
  return o;
}
}  // namespace

GATv2::GATv2(const GATOptions& o, Generator& gen)
    : conv1({.in_channels = checked(o).in_channels,
             .out_channels = o.hidden_channels,
             .heads = o.heads,
             .concat = true,
             .negative_slope = o.negative_slope,
             .dropout = o.attn_dropout,
             .add_self_loops = o.add_self_loops},
            gen),
      conv2({.in_channels = o.hidden_channels * o.heads,
             .out_channels = o.out_channels,
             .heads = o.out_heads,
             .concat = false,
             .negative_slope = o.negative_slope,
             .dropout = o.attn_dropout,
             .add_self_loops = o.add_self_loops},
            gen),
      options_(o),
      gen_(&gen) {}

Variable GATv2::forward(const Variable& x, const Graph& graph) const {
  Variable h = dropout(x, options_.dropout, is_training(), *gen_);
  h = elu(conv1.forward(h, graph));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return conv2.forward(h, graph);
}

Variable GATv2::forward_sparse(const SparseRows& x, const Graph& graph) const {
  check_shape(x.rows() == graph.num_nodes() && x.cols() == options_.in_channels,
              "GATv2::forward_sparse", "x must be [N, in_channels] = [", graph.num_nodes(), ", ",
              options_.in_channels, "], got [", x.rows(), ", ", x.cols(), "]");
  // One draw for both projections: the dense path applies one dropout to x and projects it twice.
  const DropoutDraw drop = draw_dropout(options_.dropout, is_training(), *gen_);
  const Variable x_l = sparse_dropout_linear(x, conv1.lin_l_weight, conv1.lin_l_bias, drop);
  const Variable x_r = sparse_dropout_linear(x, conv1.lin_r_weight, conv1.lin_r_bias, drop);
  Variable h = elu(conv1.forward_projected(x_l, x_r, graph));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return conv2.forward(h, graph);
}

std::vector<std::pair<std::string, Module*>> GATv2::children() const {
  return {{"conv1", const_cast<GATv2Conv*>(&conv1)}, {"conv2", const_cast<GATv2Conv*>(&conv2)}};
}

std::string GATv2::repr() const {
  return "GATv2(\n  (conv1): " + conv1.repr() + "\n  (conv2): " + conv2.repr() + "\n)";
}

}  // namespace gat
