// gat/ops/gatv2_attention.h — GATv2's attention and aggregation as one differentiable op.
//
// out[i,h,:] = Σ_{j→i} α_ij xl[j,h,:] with α the softmax over i's incoming edges of
// e_ij = Σ_c att[h,c] · LeakyReLU(xl[j,h,c] + xr[i,h,c]) (Brody et al., 2022), optionally with
// dropout on α. The formulas, derivatives and parallel strategy are in
// gat/kernels/gatv2_attention.h; this wrapper checks arguments and wires autograd. It saves only
// the O(N·H) softmax statistics for backward and recomputes every per-edge score there.
//
// The graph is used as given (add self-loops before calling, e.g. graph.with_self_loops()).
//
// Example (compiled in tests/ops/test_gatv2_attention.cpp):
//
//   gat::Graph g = gat::Graph::from_edges(3, src, dst).with_self_loops();
//   gat::Variable xl(gat::Tensor::full({3, 2, 4}, 1.0f), true);       // N × H × C, source side
//   gat::Variable xr(gat::Tensor::full({3, 2, 4}, 0.5f), true);       // N × H × C, target side
//   gat::Variable att(gat::Tensor::full({1, 2, 4}, 0.1f), true);
//   gat::Tensor alpha;
//   gat::Variable out = gat::gatv2_attention(xl, xr, att, g, {}, &alpha);   // [3, 2, 4]
#pragma once

#include <cstdint>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/graph/graph.h"

namespace gat {

struct Gatv2AttentionOptions {
  float negative_slope = 0.2f;
  float dropout = 0.0f;            // attention dropout probability, used only when training
  bool training = false;
  Generator* generator = nullptr;  // required when training with dropout > 0
};

/// Shapes: xl, xr [N, H, C]; att [1, H, C] (PyG's layout); graph with N nodes and E edges
/// → out [N, H, C]. When alpha is non-null it receives the attention weights [E, H] (after
/// dropout, as PyG returns them) in edge-id order.
/// Edge features (optional, both or neither): edge_attr [E, D] in the graph's edge order and
/// edge_weight [H·C, D] (PyG's lin_edge.weight); W_e · edge_attr[e] is added inside the
/// LeakyReLU, computed per edge in the kernel and never stored.
/// Throws gat::ShapeError / gat::InvalidArgument naming the argument on any mismatch.
Variable gatv2_attention(const Variable& xl, const Variable& xr, const Variable& att,
                         const Graph& graph, const Gatv2AttentionOptions& options,
                         Tensor* alpha = nullptr, const Variable& edge_attr = Variable(),
                         const Variable& edge_weight = Variable());

}  // namespace gat
