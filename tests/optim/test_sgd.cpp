// Tests for SGD (gat/optim/optimizer.h) against values computed here by hand, in double, from
// torch.optim.SGD's formulas (dampening 0, no Nesterov).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/optim/optimizer.h"

namespace gat {
namespace {

Variable param(const std::vector<float>& values) {
  return Variable(Tensor::from_vector({static_cast<int64_t>(values.size())}, values), true);
}

void set_grad(Variable& p, const std::vector<float>& g) {
  p.mutable_grad() = Tensor::from_vector(p.shape(), g);
}

// Three steps with fixed gradients, written out by hand:
//   d ← g + wd·p;  with momentum: b ← d (first step), b ← μ b + d (later), d ← b;  p ← p − lr·d.
void check_three_sgd_steps(float lr, float momentum, float weight_decay) {
  const std::vector<float> p0 = {0.5f, -1.0f, 2.0f};
  const std::vector<std::vector<float>> grads = {
      {0.1f, -0.2f, 0.3f}, {0.5f, 0.4f, -0.1f}, {-0.3f, 0.0f, 0.2f}};
  Variable p = param(p0);
  SGD opt({p}, {.lr = lr, .momentum = momentum, .weight_decay = weight_decay});
  std::vector<double> hp(p0.begin(), p0.end()), hb(3, 0.0);
  for (int t = 1; t <= 3; ++t) {
    for (int i = 0; i < 3; ++i) {
      double d = grads[t - 1][i] + double{weight_decay} * hp[i];
      if (momentum != 0.0f) {
        hb[i] = t == 1 ? d : double{momentum} * hb[i] + d;
        d = hb[i];
      }
      hp[i] -= double{lr} * d;
    }
    set_grad(p, grads[t - 1]);
    opt.step();
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(p.data().at(i), hp[i], 1e-6 * std::abs(hp[i]))
          << "momentum " << momentum << ", weight_decay " << weight_decay << ", step " << t
          << ", element " << i;
    EXPECT_EQ(p.grad().to_vector(), grads[t - 1]);  // the stored gradient is not modified
  }
}

TEST(Sgd, PlainStepsMatchHandValues) {
  check_three_sgd_steps(0.1f, 0.0f, 0.0f);
}

TEST(Sgd, WeightDecayMatchesHandValues) {
  check_three_sgd_steps(0.1f, 0.0f, 0.01f);
}

TEST(Sgd, MomentumMatchesHandValues) {
  check_three_sgd_steps(0.1f, 0.9f, 0.0f);
}

TEST(Sgd, MomentumAndWeightDecayMatchHandValues) {
  check_three_sgd_steps(0.05f, 0.5f, 0.1f);
}

TEST(Sgd, ExactSmallCase) {
  // Values chosen to be exact in binary: p = 1, g = 0.5, lr = 0.25, momentum 0.5.
  // Step 1: b = 0.5, p = 1 − 0.125 = 0.875. Step 2: b = 0.25 + 0.5 = 0.75, p = 0.6875.
  Variable p = param({1.0f});
  SGD opt({p}, {.lr = 0.25f, .momentum = 0.5f});
  set_grad(p, {0.5f});
  opt.step();
  EXPECT_EQ(p.data().item(), 0.875f);
  opt.step();  // the same gradient again
  EXPECT_EQ(p.data().item(), 0.6875f);
}

TEST(Sgd, ParameterWithoutGradIsLeftUnchanged) {
  Variable a = param({1.0f, 2.0f}), b = param({3.0f});
  SGD opt({a, b}, {.lr = 0.5f, .momentum = 0.9f, .weight_decay = 0.1f});
  set_grad(a, {1.0f, -1.0f});
  opt.step();
  EXPECT_EQ(b.data().item(), 3.0f);
  EXPECT_NEAR(a.data().at(0), 1.0 - 0.5 * (1.0 + 0.1), 1e-6);
  // b's momentum buffer starts at its own first gradient, one step later.
  set_grad(b, {2.0f});
  a.zero_grad();
  opt.step();
  EXPECT_NEAR(b.data().item(), 3.0 - 0.5 * (2.0 + 0.1 * 3.0), 1e-6);
}

TEST(Sgd, ZeroGradClearsGradients) {
  Variable a = param({1.0f});
  SGD opt({a}, {});
  set_grad(a, {1.0f});
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  opt.step();  // nothing to do
  EXPECT_EQ(a.data().item(), 1.0f);
}

TEST(Sgd, GradientOfTheWrongShapeThrows) {
  Variable a = param({1.0f, 2.0f});
  SGD opt({a}, {});
  a.mutable_grad() = Tensor::zeros({2, 1});
  EXPECT_THROW(opt.step(), ShapeError);
  EXPECT_EQ(a.data().to_vector(), (std::vector<float>{1.0f, 2.0f}));
}

TEST(Sgd, InvalidOptionsThrow) {
  auto make = [](const SGDOptions& o) { SGD opt({param({1.0f})}, o); };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(make({.lr = -0.1f}), InvalidArgument);
  EXPECT_THROW(make({.lr = nan}), InvalidArgument);
  EXPECT_THROW(make({.momentum = -0.5f}), InvalidArgument);
  EXPECT_THROW(make({.weight_decay = -1e-4f}), InvalidArgument);
  EXPECT_NO_THROW(make({.lr = 0.0f, .momentum = 0.0f, .weight_decay = 0.0f}));
  try {
    make({.momentum = -0.5f});
    FAIL() << "no throw";
  } catch (const InvalidArgument& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("SGD"), std::string::npos) << msg;
    EXPECT_NE(msg.find("momentum"), std::string::npos) << msg;
    EXPECT_NE(msg.find("-0.5"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace gat
