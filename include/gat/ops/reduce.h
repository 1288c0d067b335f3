// gat/ops/reduce.h — reductions: sum, mean, the squared-error losses, mean over heads; and
// reshape.
//
// Example (compiled in tests/ops/test_reduce.cpp):
//
//   gat::Variable x(gat::Tensor::full({5, 2, 3}, 1.0f), true);   // N × H × C
//   gat::Variable m = gat::mean_heads(x);                         // [5, 3]
//   gat::Variable s = gat::sum(m);                                // 15, shape []
#pragma once

#include "gat/autograd/variable.h"

namespace gat {

/// s = Σ x (accumulated in double, in a fixed order). Shapes: any → []. Derivative: dx = ds.
Variable sum(const Variable& x);

/// s = (1/numel) Σ x. Shapes: any → []. Derivative: dx = ds / numel.
Variable mean(const Variable& x);

/// L = (1/numel) Σ (input − target)², PyTorch's F.mse_loss with reduction 'mean'. Shapes: input
/// and target the same, non-empty → []. Derivatives: dinput = 2·dL·(input − target)/numel,
/// dtarget = −dinput. One fused op: one read of both forward, one write per gradient backward.
Variable mse_loss(const Variable& input, const Variable& target);

/// L = (1/numel) Σ x², i.e. mse_loss(x, 0) without a zero tensor (the layer benchmark's loss, as
/// x.pow(2).mean() in PyTorch). Shapes: any non-empty → []. Derivative: dx = 2·dL·x/numel.
Variable mean_square(const Variable& x);

/// y[n, c] = (1/H) Σ_h x[n, h, c]. Shapes: X [N, H, C] → Y [N, C].
/// Derivative: dx[n, h, c] = dy[n, c] / H.
Variable mean_heads(const Variable& x);

/// A view with another shape and the same number of elements. Derivative: dx = dy reshaped.
Variable reshape(const Variable& x, const Shape& shape);

}  // namespace gat
