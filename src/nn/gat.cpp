#include "gat/nn/gat.h"

#include <sstream>

#include "gat/core/error.h"
#include "gat/ops/activation.h"
#include "gat/ops/dropout.h"
#include "gat/ops/sparse_dropout_linear.h"

namespace gat {

namespace {
GATConvOptions conv1_options(const GATOptions& o) {
  check_arg(o.in_channels > 0 && o.hidden_channels > 0 && o.out_channels > 0 && o.heads > 0 &&
                o.out_heads > 0,
            "GAT", "in_channels, hidden_channels, out_channels, heads and out_heads must be "
            "positive, got ", o.in_channels, ", ", o.hidden_channels, ", ", o.out_channels, ", ",
            o.heads, ", ", o.out_heads);
  check_arg(o.dropout >= 0.0f && o.dropout < 1.0f, "GAT", "dropout must be in [0, 1), got ",
            o.dropout);
  return {.in_channels = o.in_channels,
          .out_channels = o.hidden_channels,
          .heads = o.heads,
          .concat = true,
          .negative_slope = o.negative_slope,
          .dropout = o.attn_dropout,
          .add_self_loops = o.add_self_loops,
          .bias = true};
}
GATConvOptions conv2_options(const GATOptions& o) {
  return {.in_channels = o.hidden_channels * o.heads,
          .out_channels = o.out_channels,
          .heads = o.out_heads,
          .concat = false,
          .negative_slope = o.negative_slope,
          .dropout = o.attn_dropout,
          .add_self_loops = o.add_self_loops,
          .bias = true};
}
}  // namespace

GAT::GAT(const GATOptions& options, Generator& gen)
    : conv1(conv1_options(options), gen),
      conv2(conv2_options(options), gen),
      options_(options),
      gen_(&gen) {}

Variable GAT::forward(const Variable& x, const Graph& graph) const {
  Variable h = dropout(x, options_.dropout, is_training(), *gen_);
  h = elu(conv1.forward(h, graph));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return conv2.forward(h, graph);
}

Variable GAT::forward_sparse(const SparseRows& x, const Graph& graph) const {
  check_shape(x.rows() == graph.num_nodes() && x.cols() == options_.in_channels,
              "GAT::forward_sparse", "x must be [N, in_channels] = [", graph.num_nodes(), ", ",
              options_.in_channels, "], got [", x.rows(), ", ", x.cols(), "]");
  Variable h = sparse_dropout_linear(x, conv1.lin_weight, Variable(), options_.dropout,
                                     is_training(), *gen_);
  h = elu(conv1.forward_projected(h, graph));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return conv2.forward(h, graph);
}

std::vector<std::pair<std::string, Module*>> GAT::children() const {
  return {{"conv1", const_cast<GATConv*>(&conv1)}, {"conv2", const_cast<GATConv*>(&conv2)}};
}

std::string GAT::repr() const {
  std::ostringstream os;
  os << "GAT(\n  (conv1): " << conv1.repr() << "\n  (conv2): " << conv2.repr() << "\n)";
  return os.str();
}

}  // namespace gat
