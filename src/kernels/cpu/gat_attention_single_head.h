// src/kernels/cpu/gat_attention_single_head.h — the single-head (H = 1) edge passes of the GAT
// attention kernel (internal to gat_kernels; the public entry points and the math are in
// gat/kernels/gat_attention.h, which dispatches here when args.heads == 1).
//
// One head is the output layer of every Planetoid model (1 head × the class count, 3–7
// channels). The generic path's per-edge head loops, per-head scratch arrays and branches cost
// far more than the work at that width, so this path keeps the row's running values in
// registers, vectorises the exp and the dropout draws over the row's edges, and never branches
// on a dropout decision. Same formulas, same passes, same strategy (one owner per row, no
// atomics, results independent of the thread count).
#pragma once

#include <cstdint>

#include "gat/graph/graph.h"
#include "gat/kernels/gat_attention.h"

namespace gat::kernels {

/// The forward edge pass for args.heads == 1, given the node scores s_src, s_dst [N]. Writes out
/// [N, C] (plus bias [C] when non-null) and lse [N], and alpha [E] when non-null.
void gat_attention_forward_single_head(const Graph& graph, const GatAttentionArgs& args,
                                       const float* x, const float* edge_score, const float* bias,
                                       const float* s_src, const float* s_dst, float* out,
                                       float* lse, float* alpha);

/// The two backward edge passes for args.heads == 1: writes mean_da and ds_dst [N], and, when
/// ds_src is non-null, ds_src [N] and grad_x [N, C] (when non-null); grad_edge_score [E] when
/// non-null.
void gat_attention_backward_single_head(const Graph& graph, const GatAttentionArgs& args,
                                        const float* x, const float* att_src, const float* att_dst,
                                        const float* edge_score, const float* s_src,
                                        const float* s_dst, const float* lse, const float* grad_out,
                                        float* grad_x, float* grad_edge_score, float* mean_da,
                                        float* ds_dst, float* ds_src);

}  // namespace gat::kernels
