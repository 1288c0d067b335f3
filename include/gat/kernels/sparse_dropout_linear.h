// gat/kernels/sparse_dropout_linear.h — inverted dropout on the non-zeros of a sparse matrix
// fused with the product by a dense weight (raw loops, OpenMP; no autograd). Argument checks and
// autograd wiring are in gat/ops/sparse_dropout_linear.h.
//
// With s = 1 / (1 − p) and keep(i, f) = uniform_at(key, i·F_in + f) ≥ p — exactly the decision
// the dense dropout kernel takes for element (i, f) of an [N, F_in] matrix — X the sparse input
// [N, F_in] and X' its non-zeros after dropout (X'[i,f] = X[i,f] · s if keep(i,f), else 0):
//   mask:     X'                                         nnz values, in X's CSR order
//   forward:  Y[i, :]  = Σ_{f : X[i,f] ≠ 0} X'[i,f] · W[:, f]       Y [N, F_out]
//   backward: dW[:, f] = Σ_{i : X[i,f] ≠ 0} X'[i,f] · dY[i, :]      dW [F_out, F_in]
// Dropped zeros contribute nothing either way, so only the non-zeros are drawn: O(nnz) hashes,
// once per call (backward reuses X'), and O(nnz · F_out) multiply-adds.
//
// Parallel strategy. Mask: element-wise over the entries (`parallel for simd`, static), each
// thread writing its own range. Forward: one thread owns each output row i (rows split by
// non-zeros with partition_by_work) and sums its entries in column order against Wᵀ
// [F_in, F_out], a transposed copy of W built per call so that each term is one contiguous row.
// Backward: one thread owns each column f of dW (columns split by non-zeros through the
// transposed index, x.col_ptr()) and sums its entries in row order. Nothing is shared between
// threads, no atomics, and the order of every sum depends only on x: the result is bitwise the
// same for any thread count.
#pragma once

#include <cstdint>

#include "gat/core/sparse.h"

namespace gat {

/// values[k] = X' for x's k-th non-zero (CSR order): x.values()[k] · s if kept under `key`,
/// else 0. p in (0, 1).
void sparse_dropout_linear_mask(const SparseRows& x, float p, uint64_t key, float* values);
/// y = X' Wᵀ, where X' has x's pattern and `values` (CSR order; x.values() for no dropout);
/// w [F_out, F_in] (torch.nn.Linear layout), y [N, F_out].
void sparse_dropout_linear_forward(const SparseRows& x, const float* values, int64_t f_out,
                                   const float* w, float* y);
/// dw = dyᵀ X', dy [N, F_out], dw [F_out, F_in]; saved by forward: x and `values`.
void sparse_dropout_linear_backward(const SparseRows& x, const float* values, int64_t f_out,
                                    const float* dy, float* dw);

}  // namespace gat
