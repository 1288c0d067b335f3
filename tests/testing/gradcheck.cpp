#include "testing/gradcheck.h"

#include <cmath>
#include <sstream>

#include "gat/core/rng.h"

namespace gat::testing {

double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += (a[i] + b[i]) * (a[i] + b[i]);
  }
  return den == 0 ? std::sqrt(num) : std::sqrt(num / den);
}

namespace {
double weighted_loss(const Variable& out, const std::vector<double>& w) {
  const float* y = out.data().data();
  double s = 0;
  for (size_t k = 0; k < w.size(); ++k) s += w[k] * static_cast<double>(y[k]);
  return s;
}
}  // namespace

::testing::AssertionResult gradcheck(const VariableFn& f, const std::vector<Variable>& inputs,
                                     const GradcheckOptions& options) {
  // Analytic gradients.
  for (const Variable& v : inputs) const_cast<Variable&>(v).zero_grad();
  Variable out = f(inputs);
  std::vector<double> w(static_cast<size_t>(out.numel()));
  Generator gen(options.seed);
  for (double& x : w) x = 0.5 + gen.uniform();
  Tensor seed = Tensor::empty(out.shape());
  for (size_t k = 0; k < w.size(); ++k) seed.data()[k] = static_cast<float>(w[k]);
  out.backward(seed);

  std::ostringstream failures;
  bool ok = true;
  for (size_t idx = 0; idx < inputs.size(); ++idx) {
    Variable x = inputs[idx];
    if (!x.requires_grad()) continue;
    if (!x.grad().defined()) {
      ok = false;
      failures << "input " << idx << ": no gradient reached it\n";
      continue;
    }
    std::vector<double> analytic(x.grad().data(), x.grad().data() + x.numel());
    std::vector<double> numeric(analytic.size());
    float* data = x.mutable_data().data();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const float orig = data[i];
      const float plus = static_cast<float>(orig + options.step);
      const float minus = static_cast<float>(orig - options.step);
      double lp, lm;
      {
        NoGradGuard ng;
        data[i] = plus;
        lp = weighted_loss(f(inputs), w);
        data[i] = minus;
        lm = weighted_loss(f(inputs), w);
      }
      data[i] = orig;
      numeric[i] = (lp - lm) / (static_cast<double>(plus) - static_cast<double>(minus));
    }
    const double err = relative_error(analytic, numeric);
    if (!(err <= options.tolerance)) {
      ok = false;
      failures << "input " << idx << " (shape " << x.shape().str() << "): relative error " << err
               << " > " << options.tolerance << "; first entries (analytic vs numeric):";
      for (size_t i = 0; i < std::min<size_t>(6, analytic.size()); ++i)
        failures << " " << analytic[i] << "/" << numeric[i];
      failures << "\n";
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << failures.str();
}

}  // namespace gat::testing
