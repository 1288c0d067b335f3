// gat/kernels/gcn_aggregate.h — GCN's weighted neighbourhood sum (raw pointers, OpenMP; no
// autograd). The autograd wiring and argument checks are in gat/ops/gcn_aggregate.h.
//
// Math (Kipf & Welling, 2017, eq. 2; PyG's GCNConv propagate step), edge e = j → i with weight w_e:
//   out[i,:] = Σ_{e: j→i} w_e h[j,:]            (0 for a node with no incoming edge)
// Backward, given g = ∂L/∂out (the op is linear in h; w is a constant):
//   dh[j,:]  = Σ_{e: j→i} w_e g[i,:]            (a sum over j's outgoing edges)
// With w_e = deg[j]^-1/2 · deg[i]^-1/2 over the self-looped graph this is D^-1/2 (A + I) D^-1/2 h.
//
// Shapes: h [N, C]; edge_weight [E] in edge-id order (null: every weight is 1); out, grad_h [N, C].
//
// Strategy: forward is one pass over destination rows (CSR by destination), backward one pass over
// source rows (the reverse index), one thread per row, threads balanced by edge count with
// partition_by_work(). Each row is written by exactly one thread and summed in slot order, so
// there are no atomics and the result does not depend on the thread count. Nothing is saved
// between forward and backward; the only per-edge data is the E weights the caller owns (no
// E × C buffer exists).
#pragma once

#include <cstdint>

#include "gat/graph/graph.h"

namespace gat {

/// Forward: out[i,:] = Σ_{e: j→i} w_e h[j,:]. out is overwritten in full. edge_weight may be null.
void gcn_aggregate_forward(const Graph& graph, int64_t channels, const float* h,
                           const float* edge_weight, float* out);

/// Backward: grad_h[j,:] = Σ_{e: j→i} w_e grad_out[i,:]. grad_h is overwritten in full. Receives
/// exactly what forward used besides h (the op saves nothing else).
void gcn_aggregate_backward(const Graph& graph, int64_t channels, const float* edge_weight,
                            const float* grad_out, float* grad_h);

}  // namespace gat
