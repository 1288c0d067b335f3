// gat/ops/add.h — element-wise sum and product, row-broadcast bias, and scaling.
//
// Example (compiled in tests/ops/test_add.cpp):
//
//   gat::Variable x(gat::Tensor::full({2, 3}, 1.0f));
//   gat::Variable b(gat::Tensor::full({3}, 0.5f), true);
//   gat::Variable y = gat::add_bias(x, b);                    // every entry 1.5
#pragma once

#include "gat/autograd/variable.h"

namespace gat {

/// Y = A + B, element-wise. Shapes: A, B, Y all the same. Derivative: dA = dB = dY.
Variable add(const Variable& a, const Variable& b);

/// Y = A ⊙ B, element-wise. Shapes: the same. Derivative: dA = dY ⊙ B, dB = dY ⊙ A.
Variable mul(const Variable& a, const Variable& b);

/// Y[n, k] = X[n, k] + b[k]: a bias added to every row.
/// Shapes: X [N, K] (or [N, H, C] with K = H·C, kept), b [K] → Y like X.
/// Derivative: dX = dY, db[k] = Σ_n dY[n, k] (fixed-block reduction, thread-count independent).
Variable add_bias(const Variable& x, const Variable& bias);

/// Y = s · X for a constant s. Derivative: dX = s · dY.
Variable scale(const Variable& x, float s);

}  // namespace gat
