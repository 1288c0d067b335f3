// What GATConv and GATv2Conv share: option and parameter checks, and the edge features each
// layer attends with (validated and extended by the self-loop rule). Internal to gat_nn.
#pragma once

#include <cstdint>

#include "gat/autograd/variable.h"
#include "gat/core/tensor.h"
#include "gat/graph/graph.h"
#include "gat/nn/module.h"
#include "gat/ops/edge_features.h"

namespace gat::detail {

/// The options every attention layer validates in its constructor: positive sizes,
/// negative_slope finite and ≥ 0, dropout in [0, 1), edge_dim ≥ 0, a finite constant fill_value.
void check_attention_options(const char* where, int64_t in_channels, int64_t out_channels,
                             int64_t heads, float negative_slope, float dropout,
                             int64_t edge_dim, const SelfLoopFill& fill);

/// Throws gat::ShapeError when a (public, hence assignable) parameter no longer has the shape the
/// layer's options give it; the message names `layer` by its repr() (built only on failure).
void check_parameter(const char* where, const Variable& p, const char* name,
                     const Shape& expected, const Module& layer);

/// Throws gat::ShapeError unless x is [graph.num_nodes(), in_channels].
void check_node_features(const char* where, const Variable& x, const Graph& graph,
                         int64_t in_channels);

/// The edge features the layer's attention sees, in the edge order of the graph it attends over
/// (graph.with_self_loops() when add_self_loops): edge_attr [E] or [E, edge_dim] of `graph`,
/// checked (a layer without edge_dim refuses them; the row count must be the graph's edge count;
/// values must be finite) and, with self-loops, given the loops' features by `fill`. Returns an
/// undefined Variable when edge_attr is undefined.
Variable attention_edge_attr(const char* where, const Variable& edge_attr, const Graph& graph,
                             int64_t edge_dim, bool add_self_loops, const SelfLoopFill& fill);

}  // namespace gat::detail
