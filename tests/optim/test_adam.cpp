// Tests for Optimizer and Adam (gat/optim/optimizer.h) against values computed here by hand, in
// double, from torch.optim.Adam's formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "gat/ops/add.h"
#include "gat/ops/linear.h"
#include "gat/ops/reduce.h"
#include "gat/optim/optimizer.h"

namespace gat {
namespace {

Variable param(const std::vector<float>& values) {
  return Variable(Tensor::from_vector({static_cast<int64_t>(values.size())}, values), true);
}

void set_grad(Variable& p, const std::vector<float>& g) {
  p.mutable_grad() = Tensor::from_vector(p.shape(), g);
}

void expect_relative_near(const Tensor& got, const std::vector<double>& want, double rel,
                          const std::string& what) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size())) << what;
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.data()[i], want[i], rel * std::abs(want[i])) << what << ", element " << i;
}

// Three Adam steps on p = (0.5, −1, 2, 0.25) with fixed gradients, written out by hand:
//   g ← g + wd·p;  m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;
//   p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps).
void check_three_adam_steps(float weight_decay) {
  const float lr = 0.1f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  const std::vector<float> p0 = {0.5f, -1.0f, 2.0f, 0.25f};
  const std::vector<std::vector<float>> grads = {
      {0.1f, -0.2f, 0.3f, 0.0f}, {0.05f, 0.4f, -0.1f, 0.0f}, {-0.3f, 0.01f, 0.2f, 1e-3f}};

  Variable p = param(p0);
  Adam opt({p},
           {.lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps, .weight_decay = weight_decay});

  std::vector<double> hp(p0.begin(), p0.end()), hm(4, 0.0), hv(4, 0.0);
  for (int t = 1; t <= 3; ++t) {
    const double b1 = beta1, b2 = beta2, wd = weight_decay;
    for (int i = 0; i < 4; ++i) {
      const double g = grads[t - 1][i] + wd * hp[i];
      hm[i] = b1 * hm[i] + (1 - b1) * g;
      hv[i] = b2 * hv[i] + (1 - b2) * g * g;
      const double step_size = lr / (1 - std::pow(b1, t));
      const double denom = std::sqrt(hv[i]) / std::sqrt(1 - std::pow(b2, t)) + eps;
      hp[i] = hp[i] - step_size * hm[i] / denom;
    }
    set_grad(p, grads[t - 1]);
    opt.step();
    EXPECT_EQ(opt.steps(), t);
    expect_relative_near(p.data(), hp, 1e-6, "step " + std::to_string(t));
    // torch adds the decay to a copy: the stored gradient is left as it was.
    EXPECT_EQ(p.grad().to_vector(), grads[t - 1]);
  }
}

TEST(Adam, FirstThreeStepsMatchHandValues) {
  check_three_adam_steps(0.0f);
}

TEST(Adam, FirstThreeStepsWithWeightDecayMatchHandValues) {
  check_three_adam_steps(0.05f);
}

TEST(Adam, FirstStepMovesEachElementByLr) {
  // At t = 1, m/(1 − β1) = g and √v/√(1 − β2) = |g|, so every element moves by lr·sign(g)
  // (less eps): the bias correction in one line.
  Variable p = param({1.0f, 1.0f, 1.0f});
  Adam opt({p}, {.lr = 0.01f});
  set_grad(p, {3.0f, -1e-3f, 40.0f});
  opt.step();
  EXPECT_NEAR(p.data().at(0), 0.99, 1e-6);
  EXPECT_NEAR(p.data().at(1), 1.01, 1e-6);
  EXPECT_NEAR(p.data().at(2), 0.99, 1e-6);
}

TEST(Adam, ParameterWithoutGradIsLeftUnchanged) {
  Variable a = param({1.0f, 2.0f}), b = param({3.0f, 4.0f});
  Adam opt({a, b}, {.lr = 0.1f, .weight_decay = 0.1f});
  set_grad(a, {1.0f, 1.0f});
  const size_t before = memory::current_bytes();
  opt.step();
  // State is created lazily, only for parameters that were stepped: m and v of a.
  EXPECT_EQ(memory::current_bytes(), before + 2 * a.data().nbytes());
  EXPECT_EQ(b.data().to_vector(), (std::vector<float>{3.0f, 4.0f}));  // bitwise: decay too
  EXPECT_NE(a.data().to_vector(), (std::vector<float>{1.0f, 2.0f}));
}

TEST(Adam, StepWithNoGradientsDoesNothing) {
  Variable a = param({1.0f, 2.0f});
  Adam opt({a}, {.lr = 0.1f});
  opt.step();  // torch: no gradient, no step, no state
  EXPECT_EQ(opt.steps(), 0);
  EXPECT_EQ(a.data().to_vector(), (std::vector<float>{1.0f, 2.0f}));
  // The first real step is then t = 1: a move of exactly lr.
  set_grad(a, {5.0f, -5.0f});
  opt.step();
  EXPECT_EQ(opt.steps(), 1);
  EXPECT_NEAR(a.data().at(0), 0.9, 1e-6);
  EXPECT_NEAR(a.data().at(1), 2.1, 1e-6);
}

TEST(Adam, GradientOfTheWrongShapeThrowsBeforeAnyUpdate) {
  // A [2, 3] parameter with a [6] gradient (same numel) is refused before any parameter moves.
  Variable w(Tensor::full({2, 3}, 1.0f), true);
  Variable u = param({1.0f});
  Adam opt({u, w}, {.lr = 0.1f});
  set_grad(u, {1.0f});
  w.mutable_grad() = Tensor::full({6}, 1.0f);
  EXPECT_THROW(opt.step(), ShapeError);
  EXPECT_EQ(u.data().item(), 1.0f);  // validated before any parameter moved
  EXPECT_EQ(opt.steps(), 0);
  w.mutable_grad() = Tensor::full({2, 3}, 1.0f);
  opt.step();
  EXPECT_NEAR(w.data().at(1, 2), 0.9, 1e-6);
}

TEST(Adam, MinimisesAnIllConditionedQuadratic) {
  // f(p) = Σ a_i (p_i − c_i)², curvatures 0.01 .. 100; gradient 2 a_i (p_i − c_i).
  const std::vector<double> a = {0.01, 1.0, 100.0, 5.0}, c = {1.0, -2.0, 0.5, 3.0};
  Variable p = param({0.0f, 0.0f, 0.0f, 0.0f});
  Adam opt({p}, {.lr = 0.05f});
  auto f = [&] {
    double s = 0;
    for (int i = 0; i < 4; ++i)
      s += a[i] * std::pow(p.data().at(i) - c[i], 2);
    return s;
  };
  const double f0 = f();
  for (int step = 0; step < 2000; ++step) {
    std::vector<float> g(4);
    for (int i = 0; i < 4; ++i)
      g[i] = static_cast<float>(2 * a[i] * (p.data().at(i) - c[i]));
    set_grad(p, g);
    opt.step();
  }
  EXPECT_LT(f(), 1e-4 * f0);
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(p.data().at(i), c[i], 0.05) << "coordinate " << i;
}

TEST(Adam, LargeParameterIsIndependentOfThreadCount) {
  // Above the parallel threshold: 1 and 2 threads give bitwise the same parameters, and a few
  // elements match the hand formula.
  const int64_t n = 200000;
  Generator gen(11);
  Tensor p0 = Tensor::empty({n}), g0 = Tensor::empty({n});
  for (int64_t i = 0; i < n; ++i) {
    p0.at(i) = gen.uniform(-1.0f, 1.0f);
    g0.at(i) = gen.uniform(-1.0f, 1.0f);
  }
  const int saved_threads = num_threads();
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Variable p(p0.clone(), true);
    Adam opt({p}, {.lr = 0.01f, .weight_decay = 0.01f});
    for (int t = 0; t < 2; ++t) {
      p.mutable_grad() = g0;
      opt.step();
    }
    results.push_back(p.data().to_vector());
  }
  set_num_threads(saved_threads);
  ASSERT_EQ(std::memcmp(results[0].data(), results[1].data(), n * sizeof(float)), 0);
  for (int64_t i : {int64_t{0}, int64_t{12345}, n - 1}) {
    double p = p0.at(i), m = 0, v = 0;
    for (int t = 1; t <= 2; ++t) {
      const double g = g0.at(i) + double{0.01f} * p;
      m = double{0.9f} * m + (1 - double{0.9f}) * g;
      v = double{0.999f} * v + (1 - double{0.999f}) * g * g;
      p -= double{0.01f} / (1 - std::pow(double{0.9f}, t)) * m /
           (std::sqrt(v) / std::sqrt(1 - std::pow(double{0.999f}, t)) + double{1e-8f});
    }
    EXPECT_NEAR(results[0][i], p, 1e-6 * std::abs(p)) << "element " << i;
  }
}

TEST(Adam, InvalidOptionsThrow) {
  auto make = [](const AdamOptions& o) { Adam opt({param({1.0f})}, o); };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(make({.lr = -1e-3f}), InvalidArgument);
  EXPECT_THROW(make({.lr = nan}), InvalidArgument);
  EXPECT_THROW(make({.beta1 = 1.0f}), InvalidArgument);
  EXPECT_THROW(make({.beta1 = -0.1f}), InvalidArgument);
  EXPECT_THROW(make({.beta2 = 1.0f}), InvalidArgument);
  EXPECT_THROW(make({.beta2 = -0.5f}), InvalidArgument);
  EXPECT_THROW(make({.eps = -1e-8f}), InvalidArgument);
  EXPECT_THROW(make({.weight_decay = -5e-4f}), InvalidArgument);
  // The boundaries themselves are allowed.
  EXPECT_NO_THROW(make({.lr = 0.0f, .beta1 = 0.0f, .beta2 = 0.0f, .eps = 0.0f}));
  try {
    make({.beta2 = 1.5f});
    FAIL() << "no throw";
  } catch (const InvalidArgument& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Adam"), std::string::npos) << msg;
    EXPECT_NE(msg.find("beta2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1.5"), std::string::npos) << msg;
  }
}

TEST(Optim, HoldsParamsAndZeroGradClearsThem) {
  Variable a = param({1.0f}), b = param({2.0f, 3.0f});
  Adam opt({a, b}, {});
  ASSERT_EQ(opt.params().size(), 2u);
  EXPECT_TRUE(opt.params()[0].same(a));
  EXPECT_TRUE(opt.params()[1].same(b));
  set_grad(a, {1.0f});
  set_grad(b, {1.0f, 1.0f});
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  EXPECT_EQ(opt.options().lr, 1e-3f);  // the defaults are torch's
  EXPECT_EQ(opt.options().beta1, 0.9f);
  EXPECT_EQ(opt.options().beta2, 0.999f);
  EXPECT_EQ(opt.options().eps, 1e-8f);
  EXPECT_EQ(opt.options().weight_decay, 0.0f);
}

TEST(Optim, RejectsBadParameterLists) {
  EXPECT_THROW(Adam({}, {}), InvalidArgument);
  EXPECT_THROW(Adam({Variable()}, {}), InvalidArgument);
  Variable a = param({1.0f, 2.0f});
  try {
    Adam opt({a, param({0.0f}), a}, {});
    FAIL() << "no throw";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 2"), std::string::npos) << e.what();
  }
  Variable non_leaf =
      make_output(Tensor::zeros({2}), OpKind::Scale, {a},
                  [](const Tensor& g, const std::vector<bool>&) { return std::vector<Tensor>{g}; });
  EXPECT_THROW(SGD({non_leaf}, {}), InvalidArgument);
}

// The header's example, with a model: y ≈ x Wᵀ + b on toy data, squared error.
struct ToyModel {
  Variable weight{Tensor::from_vector({1, 2}, {0.1f, -0.1f}), true};
  Variable bias{Tensor::zeros({1}), true};
  std::vector<Variable> parameters() const { return {weight, bias}; }
};

TEST(Adam, HeaderExample) {
  ToyModel model;
  Variable x(Tensor::from_vector({4, 2}, {0, 0, 1, 0, 0, 1, 1, 1}));
  Variable y(Tensor::from_vector({4, 1}, {1, 3, -1, 1}));  // y = 2 x0 − 2 x1 + 1
  auto compute_loss = [&] {
    Variable r = gat::add(gat::linear(x, model.weight, model.bias), gat::scale(y, -1.0f));
    return gat::mean(gat::mul(r, r));
  };
  const float initial = compute_loss().data().item();

  gat::Adam opt(model.parameters(), {.lr = 0.005f, .weight_decay = 5e-4f});
  for (int epoch = 0; epoch < 200; ++epoch) {
    Variable loss = compute_loss();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  EXPECT_EQ(opt.steps(), 200);
  EXPECT_LT(compute_loss().data().item(), 0.5f * initial);
}

}  // namespace
}  // namespace gat
