#include "attention_common.h"

#include <cmath>
#include <string>

#include "gat/core/error.h"
#include "gat/ops/reduce.h"

namespace gat::detail {

void check_attention_options(const char* where, int64_t in_channels, int64_t out_channels,
                             int64_t heads, float negative_slope, float dropout,
                             int64_t edge_dim, const SelfLoopFill& fill) {
  check_arg(in_channels > 0, where, "in_channels must be positive, got ", in_channels);
  check_arg(out_channels > 0, where, "out_channels must be positive, got ", out_channels);
  check_arg(heads > 0, where, "heads must be positive, got ", heads);
  check_arg(std::isfinite(negative_slope) && negative_slope >= 0.0f, where,
            "negative_slope must be finite and non-negative, got ", negative_slope);
  check_arg(dropout >= 0.0f && dropout < 1.0f, where, "dropout must be in [0, 1), got ", dropout);
  check_arg(edge_dim >= 0, where, "edge_dim must be non-negative (0: no edge features), got ",
            edge_dim);
  check_arg(fill.kind != SelfLoopFillKind::Constant || std::isfinite(fill.value), where,
            "fill_value must be finite, got ", fill.value);
}

void check_parameter(const char* where, const Variable& p, const char* name,
                     const Shape& expected, const Module& layer) {
  // Checked first: the message's strings are built only for a mismatch (this runs every forward).
  if (p.defined() && p.shape() == expected) return;
  check_shape(false, where, "parameter ", name, " has shape ",
              p.defined() ? p.shape().str() : std::string("(undefined)"), ", expected ",
              expected.str(), " for ", layer.repr());
}

void check_node_features(const char* where, const Variable& x, const Graph& graph,
                         int64_t in_channels) {
  check_shape(x.defined() && x.shape().ndim() == 2, where, "x must be 2-d [N, F_in], got ",
              x.defined() ? x.shape().str() : std::string("(undefined)"));
  check_shape(x.size(0) == graph.num_nodes(), where, "x has ", x.size(0),
              " rows but the graph has ", graph.num_nodes(), " nodes");
  check_shape(x.size(1) == in_channels, where, "x has ", x.size(1),
              " features but in_channels is ", in_channels);
}

Variable attention_edge_attr(const char* where, const Variable& edge_attr, const Graph& graph,
                             int64_t edge_dim, bool add_self_loops, const SelfLoopFill& fill) {
  if (!edge_attr.defined()) return Variable();
  check_arg(edge_dim > 0, where,
            "edge_attr was given but the layer has no edge features (construct it with "
            "edge_dim = D to use edge_attr [E, D])");
  const Shape& shape = edge_attr.shape();
  check_shape(shape.ndim() == 1 || shape.ndim() == 2, where,
              "edge_attr must be [E] or [E, edge_dim], got ", shape.str());
  check_shape(edge_attr.size(0) == graph.num_edges(), where, "edge_attr has ", edge_attr.size(0),
              " rows but the graph has ", graph.num_edges(), " edges");
  const int64_t cols = shape.ndim() == 1 ? 1 : edge_attr.size(1);
  check_shape(cols == edge_dim, where, "edge_attr has ", cols, " features per edge but edge_dim is ",
              edge_dim);
  const Tensor& t = edge_attr.data();
  for (int64_t k = 0; k < t.numel(); ++k)
    check_arg(std::isfinite(t.data()[k]), where, "edge_attr[", k / cols, ", ", k % cols,
              "] is not finite (", t.data()[k], ")");
  Variable attr = shape.ndim() == 1 ? reshape(edge_attr, {graph.num_edges(), 1}) : edge_attr;
  return add_self_loops ? self_loop_edge_attr(attr, graph, fill) : attr;
}

}  // namespace gat::detail
