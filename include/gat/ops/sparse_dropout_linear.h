// gat/ops/sparse_dropout_linear.h — linear(dropout(X), W, b) for sparse input features X, fused.
//
// The first layer of every Planetoid model is dropout on the input features followed by a
// projection. With bag-of-words features about 1 % non-zero, the dense path spends its time on
// zeros: an N × F_in mask and an N × F_in × F_out product. This op draws the dropout mask on the
// non-zeros only and multiplies only them, O(nnz · F_out).
//
// It is the dense path up to the order of the float sums: entry (i, f) is kept exactly when
// dropout() on the dense [N, F_in] matrix would keep it (the same key, drawn from the generator
// by the same draw_dropout(), and the same index i·F_in + f), with the same scale 1 / (1 − p),
// and the generator is left in the same state, so every later draw (attention dropout, the next
// epoch) is the same too.
//
// Example (compiled in tests/ops/test_sparse_dropout_linear.cpp):
//
//   gat::Generator gen(0);
//   gat::SparseRows x = gat::SparseRows::from_dense(features);        // [N, F_in], ~1 % non-zero
//   gat::Variable w(gat::Tensor::full({64, x.cols()}, 0.01f), true);  // [F_out, F_in]
//   gat::Variable y = gat::sparse_dropout_linear(x, w, gat::Variable(), 0.6f, true, gen);
//   // the same values, up to summation order, as
//   // gat::linear(gat::dropout(gat::Variable(features), 0.6f, true, gen2), w) with gen2(0)
#pragma once

#include "gat/autograd/variable.h"
#include "gat/core/sparse.h"
#include "gat/ops/dropout.h"

namespace gat {

/// Y = dropout(X) Wᵀ (+ b), with dropout's mask m (gat/ops/dropout.h) on X's non-zeros:
///   Y[i, :] = Σ_{f : X[i,f] ≠ 0} X[i,f] · m_{i·F_in+f} / (1 − p) · W[:, f]  (+ b)
/// Derivative: dW = dYᵀ dropout(X), db = Σ_rows dY (summed in fixed blocks). X is data, not a
/// Variable: it gets no gradient (input features never need one).
/// Shapes: X [N, F_in] sparse, W [F_out, F_in], b [F_out] (optional: pass an undefined
/// Variable) → Y [N, F_out].
/// `drop` is the draw of draw_dropout(p, training, gen) (inactive: no dropout). Throws
/// gat::ShapeError when W or b does not fit X, gat::InvalidArgument when W is undefined.
Variable sparse_dropout_linear(const SparseRows& x, const Variable& weight, const Variable& bias,
                               const DropoutDraw& drop);

/// The same, drawing the mask as dropout(x, p, training, gen) would: one key from gen when
/// training and p > 0, none otherwise. p in [0, 1) (checked in eval too).
Variable sparse_dropout_linear(const SparseRows& x, const Variable& weight, const Variable& bias,
                               float p, bool training, Generator& gen);

}  // namespace gat
