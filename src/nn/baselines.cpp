#include "gat/nn/baselines.h"

#include "gat/core/error.h"
#include "gat/ops/activation.h"
#include "gat/ops/dropout.h"
#include "gat/ops/sparse_dropout_linear.h"

namespace gat {

namespace {
const BaselineOptions& checked(const BaselineOptions& o, const char* where) {
  check_arg(o.in_channels > 0 && o.hidden_channels > 0 && o.out_channels > 0, where,
            "in_channels, hidden_channels and out_channels must be positive, got ",
            o.in_channels, ", ", o.hidden_channels, ", ", o.out_channels);
  check_arg(o.dropout >= 0.0f && o.dropout < 1.0f, where, "dropout must be in [0, 1), got ",
            o.dropout);
  return o;
}
}  // namespace

MLP::MLP(const BaselineOptions& options, Generator& gen)
    : lin1(checked(options, "MLP").in_channels, options.hidden_channels, gen),
      lin2(options.hidden_channels, options.out_channels, gen),
      options_(options),
      gen_(&gen) {}

Variable MLP::forward(const Variable& x, const Graph& graph) const {
  check_shape(x.defined() && x.shape().ndim() == 2 && x.size(0) == graph.num_nodes(),
              "MLP::forward", "x must have one row per node (", graph.num_nodes(), "), got ",
              x.defined() ? x.shape().str() : std::string("(undefined)"));
  Variable h = dropout(x, options_.dropout, is_training(), *gen_);
  h = relu(lin1.forward(h));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return lin2.forward(h);
}

Variable MLP::forward_sparse(const SparseRows& x, const Graph& graph) const {
  check_shape(x.rows() == graph.num_nodes(), "MLP::forward_sparse",
              "x must have one row per node (", graph.num_nodes(), "), got ", x.rows());
  Variable h = relu(sparse_dropout_linear(x, lin1.weight, lin1.bias, options_.dropout,
                                          is_training(), *gen_));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return lin2.forward(h);
}

std::vector<std::pair<std::string, Module*>> MLP::children() const {
  return {{"lin1", const_cast<Linear*>(&lin1)}, {"lin2", const_cast<Linear*>(&lin2)}};
}

std::string MLP::repr() const {
  return "MLP(\n  (lin1): " + lin1.repr() + "\n  (lin2): " + lin2.repr() + "\n)";
}

GCN::GCN(const BaselineOptions& options, Generator& gen)
    : conv1({.in_channels = checked(options, "GCN").in_channels,
             .out_channels = options.hidden_channels},
            gen),
      conv2({.in_channels = options.hidden_channels, .out_channels = options.out_channels}, gen),
      options_(options),
      gen_(&gen) {}

Variable GCN::forward(const Variable& x, const Graph& graph) const {
  Variable h = dropout(x, options_.dropout, is_training(), *gen_);
  h = relu(conv1.forward(h, graph));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return conv2.forward(h, graph);
}

Variable GCN::forward_sparse(const SparseRows& x, const Graph& graph) const {
  check_shape(x.rows() == graph.num_nodes() && x.cols() == options_.in_channels,
              "GCN::forward_sparse", "x must be [N, in_channels] = [", graph.num_nodes(), ", ",
              options_.in_channels, "], got [", x.rows(), ", ", x.cols(), "]");
  Variable h = sparse_dropout_linear(x, conv1.lin_weight, Variable(), options_.dropout,
                                     is_training(), *gen_);
  h = relu(conv1.forward_projected(h, graph));
  h = dropout(h, options_.dropout, is_training(), *gen_);
  return conv2.forward(h, graph);
}

std::vector<std::pair<std::string, Module*>> GCN::children() const {
  return {{"conv1", const_cast<GCNConv*>(&conv1)}, {"conv2", const_cast<GCNConv*>(&conv2)}};
}

std::string GCN::repr() const {
  return "GCN(\n  (conv1): " + conv1.repr() + "\n  (conv2): " + conv2.repr() + "\n)";
}

}  // namespace gat
