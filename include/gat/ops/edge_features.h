// gat/ops/edge_features.h — the differentiable pieces that put edge features into the attention
// score of GATConv and GATv2Conv (PyG's edge_dim / edge_attr / fill_value).
//
//  * self_loop_edge_attr: the edge features of graph.with_self_loops(): the features of the
//    non-loop edges in order, then one row per node from PyG's fill_value rule (default "mean" of
//    the node's incoming edges' features; "add" their sum; or a constant). Existing self-loops
//    and their features are dropped, as PyG's remove_self_loops does.
//  * attention_fold: v[h,:] = Σ_c att_edge[h,c] · W_e[h·C + c, :], so that GAT's edge term
//    ⟨att_edge[h], W_e x_e⟩ equals ⟨v[h], x_e⟩ and the edge scores are linear(edge_attr, v):
//    E × H numbers, never the E × H × C product lin_edge(edge_attr) that PyG forms.
// The formulas and derivatives are in gat/kernels/edge_features.h.
//
// Example (compiled in tests/ops/test_edge_features.cpp):
//
//   gat::Variable attr(gat::Tensor::full({g.num_edges(), 2}, 1.0f), false);     // [E, D]
//   gat::Variable looped = gat::self_loop_edge_attr(attr, g, gat::SelfLoopFill{});
//   // looped: [g.with_self_loops().num_edges(), 2]
#pragma once

#include <string>

#include "gat/autograd/variable.h"
#include "gat/graph/graph.h"
#include "gat/kernels/edge_features.h"

namespace gat {

/// PyG's fill_value for self-loop edge features: "mean" (the default), "add", or a constant.
struct SelfLoopFill {
  SelfLoopFillKind kind = SelfLoopFillKind::Mean;
  float value = 0.0f;  // used when kind is Constant

  static SelfLoopFill constant(float v) { return {SelfLoopFillKind::Constant, v}; }
  /// "mean", "add" (or "sum"), or a finite number ("0", "1.5"); anything else (PyG's "max",
  /// "min", "mul" included) is gat::InvalidArgument naming the value.
  static SelfLoopFill parse(const std::string& text);
  /// "mean", "add" or the number, as parse() reads it back.
  std::string str() const;
};

/// edge_attr [E, D] of `graph` (E = graph.num_edges()) → [graph.with_self_loops().num_edges(), D]
/// in that graph's edge order. Throws gat::ShapeError when edge_attr is not [E, D].
Variable self_loop_edge_attr(const Variable& edge_attr, const Graph& graph,
                             const SelfLoopFill& fill);

/// weight [H·C, D] (lin_edge.weight), att_edge [1, H, C] → v [H, D]. Throws gat::ShapeError on
/// shapes that do not fit together.
Variable attention_fold(const Variable& weight, const Variable& att_edge);

}  // namespace gat
