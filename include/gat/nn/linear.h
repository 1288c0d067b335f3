// gat/nn/linear.h — torch.nn.Linear as a Module: y = x Wᵀ + b, with torch's names and init.
//
// Parameters: weight [out, in], bias [out] (absent when bias = false). Initialisation as
// torch.nn.Linear.reset_parameters: both uniform in ±1/sqrt(in) (kaiming_uniform with a = √5 for
// the weight gives exactly that bound).
//
// Example (compiled in tests/nn/test_baselines.cpp):
//
//   gat::Generator gen(0);
//   gat::Linear lin(16, 4, gen);
//   gat::Variable y = lin.forward(x);     // [N, 4]
#pragma once

#include <string>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/nn/module.h"

namespace gat {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, Generator& gen, bool bias = true);
  /// x [N, in] → [N, out]; throws gat::ShapeError naming the mismatch.
  Variable forward(const Variable& x) const;
  void reset_parameters(Generator& gen);
  std::string repr() const override;

  Variable weight, bias;

 protected:
  std::vector<std::pair<std::string, Variable>> own_parameters() const override;

 private:
  int64_t in_, out_;
};

}  // namespace gat
