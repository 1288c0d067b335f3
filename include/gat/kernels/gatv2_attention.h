// gat/kernels/gatv2_attention.h — the fused GATv2 attention kernel (raw pointers, OpenMP; no
// autograd). The autograd wiring and argument checks are in gat/ops/gatv2_attention.h.
//
// Math (Brody et al., 2022, "How Attentive are Graph Attention Networks?", eq. 7; PyG's
// GATv2Conv), per head h, edge j → i, with xl = lin_l(x) (source side) and xr = lin_r(x)
// (target side):
//   z_ij[c] = xl[j,h,c] + xr[i,h,c] (+ Σ_d W_e[h·C + c, d] · edge_attr[e,d])   e = the edge's id
//   e_ij    = Σ_c att[h,c] · LeakyReLU(z_ij[c])
//   α_ij    = exp(e_ij − lse[i,h]),  lse[i,h] = log Σ_{k→i} exp(e_ik)  (softmax over i's in-edges)
//   α'_ij   = α_ij · m_eh / (1 − p)   with m_eh = uniform_at(key, e·H + h) ≥ p  (training, p > 0)
//   out[i,h,:] = Σ_{j→i} α'_ij xl[j,h,:]          (0 for a node with no incoming edge)
// Backward, given g = ∂L/∂out:
//   dα'_ij = ⟨g[i,h,:], xl[j,h,:]⟩,  dα_ij = dα'_ij · m_eh / (1 − p)
//   D[i,h] = Σ_j α_ij dα_ij,         de_ij = α_ij (dα_ij − D[i,h])
//   dz_ij[c] = de_ij · att[h,c] · LeakyReLU'(z_ij[c])
//   datt[h,c] = Σ_edges de_ij · LeakyReLU(z_ij[c])
//   dxr[i,h,:] = Σ_{j→i} dz_ij,      dxl[j,h,:] = Σ_{i: j→i} (α'_ij g[i,h,:] + dz_ij)
//   with edge features: dedge_attr[e,:] = W_eᵀ dz_ij,   dW_e = Σ_edges dz_ij ⊗ edge_attr[e,:]
//
// Unlike GAT, the score does not factor into per-node terms (the nonlinearity sits between the
// two sides), so it costs O(C) per edge and head and is recomputed wherever it is needed.
//
// Shapes: xl, xr [N, H, C]; att [H, C]; out [N, H, C]; lse [N, H] (the only thing saved for
// backward: nothing per edge is kept); alpha [E, H] in edge-id order (optional output); edge
// features edge_attr [E, D] and W_e [H·C, D] (optional; PyG's lin_edge, no bias). The edge term
// W_e · edge_attr[e] is recomputed per edge (O(H·C·D)) in each pass, never stored: PyG's
// lin_edge(edge_attr) would be an E × H × C tensor.
//
// Strategy: forward is one pass over destination rows (CSR by destination), one thread per row,
// threads balanced by edge count. Backward is two edge passes, both recomputing the scores:
//   1. by destination: α, dα, D and de per row; the row's owner writes D[i], dxr[i] and the
//      edge-feature gradient of its incoming edges; datt and dW_e are accumulated into partials
//      per work block, the blocks being fixed by the graph alone
//      (never by the thread count) and summed in block order afterwards;
//   2. by source through the reverse index: the owner of source row j recomputes α', dα, de for
//      each outgoing edge and sums dxl[j] in place.
// So nothing is scattered, no atomics are used, results are bitwise independent of the thread
// count, and no buffer of size E × H × C exists anywhere. Dropout masks are regenerated from the
// counter-based stream. For H = 8 with C = 8 or 16 (and no edge features) the same passes run
// as 8-lane vector operations with the row kept in registers, as in gat/kernels/gat_attention.h.
#pragma once

#include <cstdint>

#include "gat/graph/graph.h"

namespace gat {

struct Gatv2AttentionArgs {
  int64_t heads = 1;
  int64_t channels = 1;
  float negative_slope = 0.2f;
  float dropout = 0.0f;      // applied to α when > 0 (the caller passes 0 in eval)
  uint64_t dropout_key = 0;  // key of the counter-based stream for this call
  int64_t edge_dim = 0;      // D, the edge-feature width (used when edge inputs are given)
};

/// Edge features in the score: both null (none) or both set.
struct Gatv2EdgeInputs {
  const float* attr = nullptr;    // [E, D], in edge-id order
  const float* weight = nullptr;  // W_e [H·C, D]
};

/// Forward. alpha may be null. out and lse are written in full.
void gatv2_attention_forward(const Graph& graph, const Gatv2AttentionArgs& args, const float* xl,
                             const float* xr, const float* att, const Gatv2EdgeInputs& edges,
                             float* out, float* lse, float* alpha);

/// Backward. Receives exactly what forward saved (lse) plus its inputs. Each output pointer may be
/// null when that gradient is not needed; non-null outputs are overwritten.
void gatv2_attention_backward(const Graph& graph, const Gatv2AttentionArgs& args, const float* xl,
                              const float* xr, const float* att, const Gatv2EdgeInputs& edges,
                              const float* lse, const float* grad_out, float* grad_xl,
                              float* grad_xr, float* grad_att, float* grad_edge_attr,
                              float* grad_edge_weight);

}  // namespace gat
