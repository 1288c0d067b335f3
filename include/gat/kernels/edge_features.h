// gat/kernels/edge_features.h — the small kernels behind edge features in the attention score
// (raw pointers; no autograd). The autograd wiring and argument checks are in
// gat/ops/edge_features.h.
//
// Self-loop edge features (PyG's add_self_loops with fill_value), for a graph G with N nodes and
// E edges, edge features attr [E, D]:
//   kept  = G's edges with src ≠ dst, in order (E_kept of them; the others are dropped, as PyG's
//           remove_self_loops does)
//   out   = [attr[kept[0]], …, attr[kept[E_kept−1]], loop(0), …, loop(N−1)]      [E_kept + N, D]
//   loop(i) = mean (or sum) of attr[e] over the kept edges e into i (0 when i has none), or a
//           constant in every component.
// The rows line up with G.with_self_loops()'s edge ids. Backward gathers, per input edge, the
// gradient of its own output row plus its share of its destination's loop row (1/deg_i for the
// mean, 1 for the sum, 0 for a constant; dropped self-loops get 0), so nothing is scattered.
//
// Attention fold (GAT's edge term): ⟨att_edge[h], W_e[h] x_e⟩ = ⟨v[h], x_e⟩ with
//   v[h,d] = Σ_c att_edge[h,c] · W_e[h·C + c, d]                              v [H, D]
// so the E × H edge scores are x_e · vᵀ and no E × H × C product is formed. Backward, given dv:
//   dW_e[h·C + c, d] = att_edge[h,c] · dv[h,d],   datt_edge[h,c] = Σ_d W_e[h·C + c, d] · dv[h,d].
#pragma once

#include <cstdint>

#include "gat/graph/graph.h"

namespace gat {

enum class SelfLoopFillKind { Mean, Add, Constant };

/// out [E_kept + N, D] from attr [E, D] over graph (the graph before self-loops are added).
void self_loop_edge_attr_forward(const Graph& graph, int64_t dim, SelfLoopFillKind kind,
                                 float constant, const float* attr, float* out);
/// grad_attr [E, D] from grad_out [E_kept + N, D] (overwritten in full).
void self_loop_edge_attr_backward(const Graph& graph, int64_t dim, SelfLoopFillKind kind,
                                  const float* grad_out, float* grad_attr);

/// v [H, D] from weight [H·C, D] and att [H, C].
void attention_fold_forward(int64_t heads, int64_t channels, int64_t dim, const float* weight,
                            const float* att, float* v);
/// grad_weight [H·C, D] and grad_att [H, C] from grad_v [H, D]; either may be null.
void attention_fold_backward(int64_t heads, int64_t channels, int64_t dim, const float* weight,
                             const float* att, const float* grad_v, float* grad_weight,
                             float* grad_att);

}  // namespace gat
