// tests/testing/gradcheck.h — the one gradient checker every test uses.
//
// gradcheck(f, inputs) compares, for every input that requires a gradient, the autograd gradient
// of L = Σ_k w_k f(inputs)_k (w fixed random weights in [0.5, 1.5], so no output can cancel
// another) with central finite differences
//   ∂L/∂x_i ≈ (L(x_i + h) − L(x_i − h)) / ((x_i + h) − (x_i − h)),
// the loss summed in double and the denominator taken from the float32 values actually used.
// The error is ‖g − ĝ‖ / ‖g + ĝ‖ over the whole input. f must be deterministic (seed its
// generators inside f) and inputs must sit further than h from any kink.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "gat/autograd/variable.h"

namespace gat::testing {

struct GradcheckOptions {
  double step = 1e-2;       // h, absolute
  double tolerance = 1e-3;  // on ‖g − ĝ‖ / ‖g + ĝ‖
  uint64_t seed = 1234;     // for the output weights w
};

using VariableFn = std::function<Variable(const std::vector<Variable>&)>;

/// ‖a − b‖ / ‖a + b‖ (0 when both are zero).
double relative_error(const std::vector<double>& a, const std::vector<double>& b);

/// Success when every input that requires grad passes; the failure message names the input, the
/// error, and the first few differing entries.
::testing::AssertionResult gradcheck(const VariableFn& f, const std::vector<Variable>& inputs,
                                     const GradcheckOptions& options = {});

}  // namespace gat::testing
