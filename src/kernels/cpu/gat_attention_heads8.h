// src/kernels/cpu/gat_attention_heads8.h — the eight-head (H = 8, C = 8 or 16) backward passes of
// the GAT attention kernel (internal to gat_kernels; the public entry points and the math are in
// gat/kernels/gat_attention.h, which dispatches here).
//
// The softmax's backward needs D_i = Σ_j α_ij dα_ij per destination and head, which a pass by
// destination gets by gathering every x[j] (dα'_ij = ⟨g_i, x_j⟩). But Σ_j α'_ij x[j] is the
// forward's own output row, so D_i = ⟨g_i, out_i − bias⟩: one streamed pass over g and out
// (pass A). With D known per node, everything per edge can be computed where x[j] is already in
// registers, by source (pass B): it gathers only g_i and the destination's (s_dst, lse, D),
// computes α, α', dα, dz, sums dx[j] and ds_src[j], and leaves each edge's dz (8 floats) in an
// [E, 8] buffer in reverse-index order. Pass C, by destination, sums its edges' dz into ds_dst
// (32-byte reads through Graph::in_to_out) and adds ds_dst[i]·att_dst to dx[i]. One gather of
// 512-byte rows per edge instead of two (the x[j] gather of a pass by destination is gone);
// transient memory E × 8 + N × 24 floats, no E × H × C (measured in docs/performance.md).
#pragma once

#include <cstdint>

#include "gat/graph/graph.h"
#include "gat/kernels/gat_attention.h"

namespace gat::kernels {

/// Floats per node in the node buffer of gat_attention_backward_heads8: s_dst, lse, D.
constexpr int64_t kHeads8NodeFloats = 24;
/// Floats per edge in the edge buffer of gat_attention_backward_heads8: dz.
constexpr int64_t kHeads8EdgeFloats = 8;

/// The backward passes for args.heads == 8 and args.channels ∈ {8, 16}. out is the forward's
/// output and bias (may be null) the bias it added. Writes ds_src and ds_dst [N, 8],
/// grad_edge_score [E, 8] and grad_x [N, 8·C] when non-null. node_buf (N × kHeads8NodeFloats)
/// and edge_buf (E × kHeads8EdgeFloats) are scratch.
void gat_attention_backward_heads8(const Graph& graph, const GatAttentionArgs& args, const float* x,
                                   const float* att_src, const float* att_dst,
                                   const float* edge_score, const float* s_src, const float* s_dst,
                                   const float* lse, const float* out, const float* bias,
                                   const float* grad_out, float* grad_x, float* grad_edge_score,
                                   float* ds_dst, float* ds_src, float* node_buf, float* edge_buf);

}  // namespace gat::kernels
