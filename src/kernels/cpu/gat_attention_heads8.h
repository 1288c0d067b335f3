// src/kernels/cpu/gat_attention_heads8.h — the eight-head (H = 8, C = 8 or 16) backward edge
// passes of the GAT attention kernel (internal to gat_kernels; the public entry points and the
// math are in gat/kernels/gat_attention.h, which dispatches here).
//
// Pass 1 (by destination) computes everything per edge: α, dα = ⟨g_i, x_j⟩·m/(1 − p), D_i and
// dz. Recomputing α', dα and dz in pass 2 (by source) cost an exp, a 128-float dot product and
// three random 32-byte reads (s_dst, lse, D of the destination) per edge, and left pass 2 at
// 2.5× its gather floor. Instead pass 1 leaves each edge's α' and dz (16 floats, one 64-byte
// line) in an [E, 16] buffer at the edge's slot in the reverse index (Graph::in_to_out); pass 2
// reads its edges' records in order and only gathers g_i (measured in docs/performance.md).
// The buffer is E × 2H floats (no E × H × C) and lives only for the call.
#pragma once

#include <cstdint>

#include "gat/graph/graph.h"
#include "gat/kernels/gat_attention.h"

namespace gat::kernels {

/// Floats per edge in the record buffer of gat_attention_backward_heads8.
constexpr int64_t kHeads8RecordFloats = 16;

/// The two backward edge passes for args.heads == 8 and args.channels ∈ {8, 16}. Writes mean_da
/// and ds_dst [N, 8], grad_edge_score [E, 8] when non-null, and, when ds_src is non-null, ds_src
/// [N, 8] and grad_x [N, 8·C] (when non-null). records: E × kHeads8RecordFloats floats of
/// 64-byte-aligned scratch, needed when ds_src is non-null (null otherwise).
void gat_attention_backward_heads8(const Graph& graph, const GatAttentionArgs& args, const float* x,
                                   const float* att_src, const float* att_dst,
                                   const float* edge_score, const float* s_src, const float* s_dst,
                                   const float* lse, const float* grad_out, float* grad_x,
                                   float* grad_edge_score, float* mean_da, float* ds_dst,
                                   float* ds_src, float* records);

}  // namespace gat::kernels
