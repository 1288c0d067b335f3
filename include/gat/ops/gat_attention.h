// gat/ops/gat_attention.h — GAT's attention and aggregation as one differentiable op.
//
// out[i,h,:] = Σ_{j→i} α_ij x[j,h,:] with α the softmax over i's incoming edges of
// LeakyReLU(⟨att_src[h], x[j,h,:]⟩ + ⟨att_dst[h], x[i,h,:]⟩ (+ edge_score[e,h])), optionally with
// dropout on α. The formulas, derivatives and parallel strategy are in
// gat/kernels/gat_attention.h; this wrapper checks arguments and wires autograd. It saves only
// O(N·H) softmax statistics for backward.
//
// The graph is used as given (add self-loops before calling, e.g. graph.with_self_loops()).
//
// Example (compiled in tests/ops/test_gat_attention.cpp):
//
//   gat::Graph g = gat::Graph::from_edges(3, src, dst).with_self_loops();
//   gat::Variable x(gat::Tensor::full({3, 2, 4}, 1.0f), true);        // N × H × C
//   gat::Variable a_src(gat::Tensor::full({1, 2, 4}, 0.1f), true);
//   gat::Variable a_dst(gat::Tensor::full({1, 2, 4}, 0.1f), true);
//   gat::Tensor alpha;
//   gat::Variable out = gat::gat_attention(x, a_src, a_dst, g, {}, &alpha);   // [3, 2, 4]
#pragma once

#include <cstdint>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/graph/graph.h"

namespace gat {

struct GatAttentionOptions {
  float negative_slope = 0.2f;
  float dropout = 0.0f;  // attention dropout probability, used only when training
  bool training = false;
  Generator* generator = nullptr;  // required when training with dropout > 0
};

/// Shapes: x [N, H, C]; att_src, att_dst [1, H, C] (PyG's layout); graph with N nodes and E edges;
/// edge_score [E, H] optional (an undefined Variable when absent) → out [N, H, C].
/// When alpha is non-null it receives the attention weights [E, H] (after dropout, as PyG
/// returns them) in edge-id order; computing them costs one extra E × H buffer.
/// bias [H·C] optional: added to every output row by the kernel as it writes it (the layer's
/// bias without a pass of its own; dbias = Σ_i dout[i], reduced with the attention parameters'
/// gradients), i.e. out + bias.reshape(H, C) for each node.
/// Throws gat::ShapeError / gat::InvalidArgument naming the argument on any mismatch.
Variable gat_attention(const Variable& x, const Variable& att_src, const Variable& att_dst,
                       const Graph& graph, const GatAttentionOptions& options,
                       Tensor* alpha = nullptr, const Variable& edge_score = Variable(),
                       const Variable& bias = Variable());

}  // namespace gat
