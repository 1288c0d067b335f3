// gat/ops/segment_attention_pool.h — global soft-attention pooling of node features into one
// vector per graph, the op behind PyG's AttentionalAggregation (Li et al., "Gated Graph Sequence
// Neural Networks", ICLR 2016, eq. 7).
//
// A mini-batch of B graphs is given by `batch`: node i belongs to graph batch[i]. `batch` must be
// sorted ascending (the nodes of each graph contiguous), as PyG's DataLoader produces it; PyG
// itself also accepts unsorted batches, gat.cpp rejects them. Only one gate score per node
// (gate [N, 1]) is supported; PyG's per-feature gates [N, F] are rejected.
//
// Example (compiled in tests/ops/test_segment_attention_pool.cpp):
//
//   gat::Variable gate(gat::Tensor::zeros({3, 1}), true);                   // equal scores
//   gat::Variable f(gat::Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}), true);
//   gat::Variable r = gat::segment_attention_pool(gate, f, {0, 0, 2}, 3);  // graph 1 is empty
//   // r = [[2, 3], [0, 0], [5, 6]]: the mean of graph 0's two rows, zeros, node 2's row
#pragma once

#include <cstdint>
#include <vector>

#include "gat/autograd/variable.h"

namespace gat {

/// r[b, :] = Σ_{i: batch[i] = b} α_i f[i, :],  α_i = exp(gate_i) / Σ_{k: batch[k] = b} exp(gate_k)
/// (stable: the per-graph max is subtracted). A graph with no nodes gives r[b, :] = 0.
/// Shapes: gate [N, 1], f [N, F], batch N values in [0, B) sorted ascending, B = num_graphs ≥ 0
/// → r [B, F].
/// Derivative, with d_i = ⟨dr[b, :], f[i, :]⟩ for b = batch[i]:
///   dgate_i = α_i (d_i − Σ_{k: batch[k] = b} α_k d_k),   df[i, :] = α_i dr[b, :].
/// Throws gat::ShapeError naming `gate`, `f` or `batch` on mismatched shapes, and
/// gat::InvalidArgument naming `batch` on a value out of [0, num_graphs) or a decrease, and
/// `num_graphs` when it is negative.
Variable segment_attention_pool(const Variable& gate, const Variable& f,
                                const std::vector<int64_t>& batch, int64_t num_graphs);

}  // namespace gat
