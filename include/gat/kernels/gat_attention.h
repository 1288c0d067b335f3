// gat/kernels/gat_attention.h — the fused GAT attention kernel (raw pointers, OpenMP; no
// autograd). The autograd wiring and argument checks are in gat/ops/gat_attention.h.
//
// Math (Veličković et al., 2018, eq. 1–4; PyG's GATConv), per head h, edge j → i:
//   s_src[j,h] = ⟨att_src[h], x[j,h,:]⟩,   s_dst[i,h] = ⟨att_dst[h], x[i,h,:]⟩
//   z_ij  = s_src[j,h] + s_dst[i,h] (+ edge_score[e,h])     e = the edge's id
//   e_ij  = LeakyReLU(z_ij)
//   α_ij  = exp(e_ij − lse[i,h]),  lse[i,h] = log Σ_{k→i} exp(e_ik)   (softmax over i's in-edges)
//   α'_ij = α_ij · m_eh / (1 − p)   with m_eh = uniform_at(key, e·H + h) ≥ p   (training, p > 0)
//   out[i,h,:] = Σ_{j→i} α'_ij x[j,h,:] (+ bias[h,:])
//                (0, or the bias, for a node with no incoming edge)
// Backward, given g = ∂L/∂out:
//   dα'_ij = ⟨g[i,h,:], x[j,h,:]⟩,   dα_ij = dα'_ij · m_eh / (1 − p)
//   D[i,h] = Σ_j α_ij dα_ij = ⟨g[i,h,:], out[i,h,:] − bias[h,:]⟩,   de_ij = α_ij (dα_ij − D[i,h])
//   dz_ij = de_ij · LeakyReLU'(z_ij)
//   ds_dst[i,h] = Σ_{j→i} dz_ij,   ds_src[j,h] = Σ_{i: j→i} dz_ij
//   dedge_score[e,h] = dz_ij
//   dx[j,h,:] = Σ_{i: j→i} α'_ij g[i,h,:] + ds_src[j,h] att_src[h] + ds_dst[j,h] att_dst[h]
//   datt_src[h,:] = Σ_j ds_src[j,h] x[j,h,:],   datt_dst[h,:] = Σ_i ds_dst[i,h] x[i,h,:]
//   dbias[h,:] = Σ_i g[i,h,:]
//
// Shapes: x [N, H, C]; att_src, att_dst [H, C]; edge_score [E, H] and bias [H·C] (optional);
// out [N, H, C]; s_src, s_dst, lse [N, H] (saved for backward with out: nothing per edge is kept);
// alpha [E, H] in edge-id order (optional output).
//
// Strategy: forward is one pass over destination rows (CSR by destination), one thread per row,
// threads balanced by edge count. Backward is two edge passes: by destination (recompute α,
// dα, D and ds_dst per row) and by source through the reverse index (recompute α', dα, dz; sum
// dx[j] and ds_src[j] in registers of the thread that owns j), so nothing is scattered and no
// atomics are needed. Dropout masks are regenerated from the counter-based stream. Parameter
// gradients (datt_src, datt_dst, dbias) are reduced in one pass over fixed node blocks, so
// results do not depend on the thread count. No buffer of size E × H × C exists anywhere.
//
// Speed (measured in docs/performance.md): the kernels are instantiated for the common channel
// counts, and for H = 8 with C = 8 or 16 every per-edge head loop is a few branch-free 8-lane
// vector operations (LeakyReLU as a select, exp by a vectorisable polynomial with relative error
// < 2e-7 instead of libm's expf, the per-head dot products reduced by an 8 × 8 transpose-and-add)
// with the destination's or source's row accumulated in registers; their backward takes D from
// the forward's output and then computes every per-edge value in one pass by source, which
// gathers only g, leaving each edge's dz in a transient [E, 8] buffer for the sums by destination
// (src/kernels/cpu/gat_attention_heads8.h). One head (the Planetoid output
// layer) has a path of its own (gat_attention_single_head.h). The generic path computes the same
// formulas with plain loops; the tests run every path against the dense reference.
#pragma once

#include <cstdint>

#include "gat/graph/graph.h"

namespace gat {

struct GatAttentionArgs {
  int64_t heads = 1;
  int64_t channels = 1;
  float negative_slope = 0.2f;
  float dropout = 0.0f;      // applied to α when > 0 (the caller passes 0 in eval)
  uint64_t dropout_key = 0;  // key of the counter-based stream for this call
};

/// Forward. edge_score, bias and alpha may be null. out, s_src, s_dst, lse are written in full.
/// bias [H·C], when given, is added to every output row as it is written (out[i] = Σ α' x[j] +
/// bias; a node without incoming edges gets the bias): the layer's bias without a pass of its own.
void gat_attention_forward(const Graph& graph, const GatAttentionArgs& args, const float* x,
                           const float* att_src, const float* att_dst, const float* edge_score,
                           const float* bias, float* out, float* s_src, float* s_dst, float* lse,
                           float* alpha);

/// Whether gat_attention_backward reads the forward's output for these arguments (the eight-head
/// path, H = 8 with C = 8 or 16); otherwise out and bias may be null there.
bool gat_attention_backward_reads_output(const GatAttentionArgs& args);

/// Backward. Receives what forward saved (s_src, s_dst, lse), its output out and the bias it
/// added (null if none; both only read when gat_attention_backward_reads_output), plus its inputs. Each output pointer may be null when that gradient is
/// not needed; non-null outputs are overwritten. grad_bias [H·C] = Σ_i g[i], reduced in the same
/// pass as datt_src and datt_dst.
void gat_attention_backward(const Graph& graph, const GatAttentionArgs& args, const float* x,
                            const float* att_src, const float* att_dst, const float* edge_score,
                            const float* s_src, const float* s_dst, const float* lse,
                            const float* out, const float* bias, const float* grad_out,
                            float* grad_x, float* grad_att_src, float* grad_att_dst,
                            float* grad_edge_score, float* grad_bias);

}  // namespace gat
