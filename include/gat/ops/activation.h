// gat/ops/activation.h — element-wise non-linearities: ReLU, ELU, LeakyReLU.
//
// Example (compiled in tests/ops/test_activation.cpp):
//
//   gat::Variable x(gat::Tensor::from_vector({3}, {-1.0f, 0.5f, 2.0f}));
//   gat::Variable y = gat::elu(x);             // {e^-1 − 1, 0.5, 2}
#pragma once

#include "gat/autograd/variable.h"

namespace gat {

/// y = max(x, 0). Derivative: 1 for x > 0, else 0. Shapes: any; y like x.
Variable relu(const Variable& x);

/// y = x for x > 0, alpha (eˣ − 1) otherwise (Clevert et al., 2016; torch.nn.ELU).
/// Derivative: 1 for x > 0, alpha eˣ otherwise (computed from y as y + alpha).
Variable elu(const Variable& x, float alpha = 1.0f);

/// y = x for x > 0, negative_slope · x otherwise. Derivative: 1 or negative_slope.
Variable leaky_relu(const Variable& x, float negative_slope = 0.01f);

}  // namespace gat
