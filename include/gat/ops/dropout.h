// gat/ops/dropout.h — inverted dropout (Srivastava et al., 2014), torch.nn.functional.dropout.
//
// In training each element is kept with probability 1 − p and scaled by 1 / (1 − p); in eval it
// is the identity. The mask is drawn from the counter-based stream (gat/core/rng.h) with one key
// per call taken from the generator, so the same seed gives the same mask on any thread count,
// and backward regenerates the mask instead of storing it.
//
// Example (compiled in tests/ops/test_dropout.cpp):
//
//   gat::Generator gen(0);
//   gat::Variable x(gat::Tensor::full({100, 8}, 1.0f));
//   gat::Variable y = gat::dropout(x, 0.6f, /*training=*/true, gen);   // entries 0 or 2.5
#pragma once

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"

namespace gat {

/// y = x · m / (1 − p), m_k ~ Bernoulli(1 − p) (training); y = x (eval, or p = 0).
/// Derivative: dx = dy · m / (1 − p). p in [0, 1); throws gat::InvalidArgument otherwise.
/// Shapes: any; y like x.
Variable dropout(const Variable& x, float p, bool training, Generator& gen);

/// The randomness of one dropout call, drawn once and applied by dropout() or by a fused op
/// (gat/ops/sparse_dropout_linear.h), so the two give the same mask and leave the generator in
/// the same state. p = 0 means the identity (eval, or p = 0: no key was drawn).
struct DropoutDraw {
  float p = 0.0f;
  uint64_t key = 0;
  bool active() const { return p > 0.0f; }
};

/// What dropout() does before it touches x: checks p (in [0, 1), also in eval; throws
/// gat::InvalidArgument naming `where` otherwise) and, when training and p > 0, takes one key
/// from gen; otherwise returns the identity draw and leaves gen untouched.
DropoutDraw draw_dropout(float p, bool training, Generator& gen, const char* where = "dropout");

/// The keep decision dropout() uses for element `index` under `key`: uniform_at(key, index) ≥ p.
inline bool dropout_keep(uint64_t key, uint64_t index, float p) { return uniform_at(key, index) >= p; }

}  // namespace gat
