// gat/ops/gcn_aggregate.h — GCN's weighted neighbourhood sum as a differentiable op.
//
// out[i,:] = Σ_{e: j→i} w_e h[j,:], differentiable in h (the edge weights are constants, as in
// PyG's GCNConv without learnable edge weights). The formulas, derivative and parallel strategy
// are in gat/kernels/gcn_aggregate.h; this wrapper checks arguments and wires autograd. Backward
// needs only the graph and the weights, so nothing of size N × C is saved.
//
// The graph and weights are used as given: GCNConv builds them with gcn_norm() (gat/nn/gcn_conv.h).
//
// Example (compiled in tests/nn/test_gcn_conv.cpp):
//
//   gat::Graph g = gat::Graph::from_edges(3, src, dst);                   // 3 edges
//   gat::Variable h(gat::Tensor::full({3, 4}, 1.0f), true);               // N × C
//   gat::Tensor w = gat::Tensor::full({3}, 0.5f);                         // [E]
//   gat::Variable out = gat::gcn_aggregate(h, g, w);                      // [3, 4]
#pragma once

#include "gat/autograd/variable.h"
#include "gat/graph/graph.h"

namespace gat {

/// Shapes: h [N, C]; graph with N nodes and E edges; edge_weight [E] in edge-id order, or an
/// undefined Tensor for weights of 1 → out [N, C].
/// Throws gat::ShapeError / gat::InvalidArgument naming the argument on any mismatch.
Variable gcn_aggregate(const Variable& h, const Graph& graph, const Tensor& edge_weight = Tensor());

}  // namespace gat
