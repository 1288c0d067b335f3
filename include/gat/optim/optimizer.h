// gat/optim/optimizer.h — the optimiser interface, and Adam and SGD with PyTorch's semantics.
//
// Example (compiled in tests/optim/test_adam.cpp):
//
//   gat::Adam opt(model.parameters(), {.lr = 0.005f, .weight_decay = 5e-4f});
//   opt.zero_grad();
//   loss.backward();
//   opt.step();
#pragma once

#include <vector>

#include "gat/autograd/variable.h"

namespace gat {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Variable> params);
  virtual ~Optimizer() = default;
  /// Updates every parameter that has a gradient (others are skipped, as in PyTorch).
  virtual void step() = 0;
  /// Clears every parameter's gradient.
  void zero_grad();
  const std::vector<Variable>& params() const { return params_; }

 protected:
  std::vector<Variable> params_;
};

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;  // L2: added to the gradient (torch.optim.Adam, not AdamW)
};

/// torch.optim.Adam (Kingma & Ba, 2015), per parameter p with gradient g, t = the number of steps
/// that parameter has taken (parameters without a gradient are skipped and keep their t):
///   g ← g + weight_decay · p
///   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
///   p ← p − lr / (1 − β1ᵗ) · m / (sqrt(v) / sqrt(1 − β2ᵗ) + eps)
class Adam : public Optimizer {
 public:
  Adam(std::vector<Variable> params, const AdamOptions& options);
  void step() override;
  const AdamOptions& options() const { return options_; }
  /// step() calls that updated at least one parameter.
  int64_t steps() const { return t_; }

 private:
  AdamOptions options_;
  std::vector<Tensor> m_, v_;
  std::vector<int64_t> param_steps_;  // t per parameter, as torch keeps state['step'] per tensor
  int64_t t_ = 0;
};

struct SGDOptions {
  float lr = 1e-2f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;
};

/// torch.optim.SGD (no dampening, no Nesterov): g ← g + weight_decay · p;
/// with momentum b ← momentum · b + g (b = g at the first step), g ← b; then p ← p − lr · g.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Variable> params, const SGDOptions& options);
  void step() override;

 private:
  SGDOptions options_;
  std::vector<Tensor> buf_;
};

}  // namespace gat
