// gat/kernels/segment_attention_pool.h — per-graph softmax attention pooling (raw pointers,
// OpenMP; no autograd). Argument checks and autograd wiring are in
// gat/ops/segment_attention_pool.h.
//
// Nodes are grouped by graph through `ptr` (B + 1 offsets, the nodes of graph b are rows
// [ptr[b], ptr[b + 1]) of gate and f), which the op builds from a sorted `batch` vector.
//
// Strategy: graphs are split into contiguous ranges of about equal work with partition_by_work()
// (a graph costs its node count + 1) and processed by a `parallel for schedule(static, 1)` over the
// ranges. One thread owns each whole graph: it alone reads that graph's rows and writes out[b],
// lse[b] and the graph's rows of dgate and df, so there are no atomics. Inside a graph the sums
// run serially in node order, so results are bitwise the same for any thread count. Nothing in
// the parallel region allocates or throws (the double scratch rows are allocated before it).
#pragma once

#include <cstdint>

namespace gat {

/// For each graph b with nodes I_b = [ptr[b], ptr[b + 1]):
///   m_b = max_{i ∈ I_b} gate_i,  lse_b = m_b + log Σ_{i ∈ I_b} exp(gate_i − m_b),
///   α_i = exp(gate_i − lse_b),    out[b, :] = Σ_{i ∈ I_b} α_i f[i, :].
/// An empty graph gives out[b, :] = 0 and lse_b = 0 (unused). Sums are accumulated in double.
/// Shapes: ptr [B + 1], gate [N] (the [N, 1] column), f [N, F] → out [B, F], lse [B] (saved).
void segment_attention_pool_forward(int64_t num_graphs, int64_t channels, const int64_t* ptr,
                                    const float* gate, const float* f, float* out, double* lse);

/// With α_i = exp(gate_i − lse_b) recomputed from the saved lse and d_i = ⟨dout[b, :], f[i, :]⟩:
///   dgate_i = α_i (d_i − Σ_{k ∈ I_b} α_k d_k),   df[i, :] = α_i dout[b, :].
/// Saved: gate, f and lse. Either of dgate / df may be null (not needed).
void segment_attention_pool_backward(int64_t num_graphs, int64_t channels, const int64_t* ptr,
                                     const float* gate, const float* f, const double* lse,
                                     const float* dout, float* dgate, float* df);

}  // namespace gat
