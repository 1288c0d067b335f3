// gat/ops/linear.h — dense products: matmul and linear (x Wᵀ + b), on the BLAS.
//
// Example (compiled in tests/ops/test_linear.cpp):
//
//   gat::Variable x(gat::Tensor::full({4, 3}, 1.0f));
//   gat::Variable w(gat::Tensor::full({2, 3}, 0.5f), true);   // torch.nn.Linear layout [out, in]
//   gat::Variable y = gat::linear(x, w);                        // [4, 2], every entry 1.5
#pragma once

#include "gat/autograd/variable.h"

namespace gat {

/// Y = A B.
/// Shapes: A [M, K], B [K, N] → Y [M, N].
/// Derivative: dA = dY Bᵀ, dB = Aᵀ dY.
Variable matmul(const Variable& a, const Variable& b);

/// Y = X Wᵀ (+ b), torch.nn.Linear's layout.
/// Shapes: X [N, F_in], W [F_out, F_in], b [F_out] (optional: pass an undefined Variable) →
/// Y [N, F_out].
/// Derivative: dX = dY W, dW = dYᵀ X, db = Σ_rows dY (summed in fixed blocks, so the result does
/// not depend on the thread count).
Variable linear(const Variable& x, const Variable& weight, const Variable& bias = Variable());

}  // namespace gat
