// gat/ops/log_softmax.h — log-softmax over the last dimension, and the masked NLL loss.
//
// Example (compiled in tests/ops/test_log_softmax.cpp):
//
//   gat::Variable logits(gat::Tensor::zeros({4, 3}), true);
//   gat::Variable logp = gat::log_softmax(logits);                      // every entry −log 3
//   gat::Variable loss = gat::nll_loss(logp, {0, 1, 2, 0}, {0, 2});     // mean over nodes 0, 2
#pragma once

#include <cstdint>
#include <vector>

#include "gat/autograd/variable.h"

namespace gat {

/// y[n, k] = x[n, k] − log Σ_k' exp(x[n, k']) (stable: the row max is subtracted first).
/// Shapes: X [N, K] → Y [N, K].
/// Derivative: dx[n, k] = dy[n, k] − exp(y[n, k]) Σ_k' dy[n, k'].
Variable log_softmax(const Variable& x);

/// Masked negative log-likelihood: loss = −(1/|M|) Σ_{n ∈ M} logp[n, labels[n]], M = `mask` (node
/// ids; duplicates count twice, as torch indexing does). Shapes: logp [N, K], labels N values in
/// [0, K), mask |M| ≥ 1 values in [0, N) → a scalar (shape []).
/// Derivative: dlogp[n, labels[n]] = −dy · (count of n in M) / |M|, zero elsewhere.
/// Throws gat::InvalidArgument on an out-of-range label or node id, an empty mask, or
/// labels.size() != N.
Variable nll_loss(const Variable& logp, const std::vector<int32_t>& labels,
                  const std::vector<int64_t>& mask);

}  // namespace gat
