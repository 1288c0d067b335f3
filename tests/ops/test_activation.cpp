// Tests for relu, elu and leaky_relu (ops/activation.h): forward against double references on
// both sides of the parallel threshold, derivatives at and around the kink, gradients against
// finite differences away from it, argument checks.
#include "gat/ops/activation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

using gat::testing::ThreadCountGuard;
using gat::testing::throws_with;

namespace gat {
namespace {

using testing::GradcheckOptions;

// Step and tolerance. ReLU and LeakyReLU are linear on each side of 0 and the inputs keep
// |x| ≥ 0.1 > 2h, so their central differences are exact up to float32 rounding of the outputs,
// 2⁻²⁴ · |y| / h ≈ 3e-6 at h = 0.01. ELU's truncation error is h²/6 · |f'''/f'| = h²/6 ≈ 1.7e-5
// on x < 0 (f''' = f' = alpha eˣ there). 1e-4 sits above both (observed ≤ 1e-5) and below the
// error of any wrong branch (≥ 1e-2).
constexpr GradcheckOptions kActivationCheck{.step = 1e-2, .tolerance = 1e-4};

// Entries with 0.1 ≤ |x| < 2.1, half of each sign: never within 2h of the kink at 0.
Tensor away_from_zero(const Shape& shape, Generator& gen) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float m = gen.uniform(0.1f, 2.1f);
    t.data()[i] = gen.uniform() < 0.5f ? -m : m;
  }
  return t;
}

TEST(EluOp, HeaderExample) {
  gat::Variable x(gat::Tensor::from_vector({3}, {-1.0f, 0.5f, 2.0f}));
  gat::Variable y = gat::elu(x);  // {e^-1 − 1, 0.5, 2}
  EXPECT_FLOAT_EQ(y.data().at(0), std::exp(-1.0f) - 1.0f);
  EXPECT_EQ(y.data().at(1), 0.5f);
  EXPECT_EQ(y.data().at(2), 2.0f);
}

// Sizes below and above the parallel threshold (32768).
const int64_t kSizes[] = {7, 100003};

// x includes exact zeros (every 97th entry) and tiny values near 0 (every 89th).
Tensor with_zeros(int64_t n, Generator& gen) {
  Tensor x = testing::random_tensor({n}, gen, -3, 3);
  for (int64_t i = 0; i < n; i += 89)
    x.data()[i] *= 1e-6f;
  for (int64_t i = 0; i < n; i += 97)
    x.data()[i] = 0.0f;
  return x;
}

TEST(ReluOp, ForwardAndBackwardMatchReference) {
  for (int64_t n : kSizes) {
    Generator gen(n);
    Tensor x = with_zeros(n, gen);
    Variable xv(x, true);
    Variable y = relu(xv);
    Tensor g = testing::random_tensor({n}, gen);
    y.backward(g);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(y.data().at(i), x.at(i) > 0 ? x.at(i) : 0.0f) << i;
      ASSERT_EQ(xv.grad().at(i), x.at(i) > 0 ? g.at(i) : 0.0f) << i;  // 0 at x = 0, as torch
    }
  }
}

TEST(ReluOp, GradientMatchesFiniteDifferences) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(seed);
    Variable x(away_from_zero({6, 2, 5}, gen), true);
    EXPECT_TRUE(testing::gradcheck([](const std::vector<Variable>& in) { return relu(in[0]); }, {x},
                                   kActivationCheck))
        << "seed " << seed;
  }
}

TEST(ReluOp, UndefinedInputThrows) {
  EXPECT_TRUE(throws_with<InvalidArgument>([] { relu(Variable()); }, "relu: x is undefined"));
}

TEST(EluOp, ForwardAndBackwardMatchDoubleReference) {
  for (float alpha : {1.0f, 0.3f, 0.0f}) {
    for (int64_t n : kSizes) {
      Generator gen(n);
      Tensor x = with_zeros(n, gen);
      Variable xv(x, true);
      Variable y = elu(xv, alpha);
      Tensor g = testing::random_tensor({n}, gen);
      y.backward(g);
      for (int64_t i = 0; i < n; ++i) {
        const double xi = x.at(i);
        const double ref = xi > 0 ? xi : alpha * std::expm1(xi);
        const double dref = g.at(i) * (xi > 0 ? 1.0 : alpha * std::exp(xi));
        // Forward: expm1f and the product with alpha are each within 1 ulp, so the result is
        // within 4e-7 relative (about 3 ulp), also near 0 where exp(x) − 1 would lose all
        // relative accuracy. Backward forms y + alpha in float, whose rounding is 2⁻²⁴ · alpha
        // absolute: 4e-7 · max(1, |dref|) bounds it.
        ASSERT_NEAR(y.data().at(i), ref, 4e-7 * std::abs(ref)) << i;
        ASSERT_NEAR(xv.grad().at(i), dref, 4e-7 * std::max(1.0, std::abs(dref))) << i;
      }
    }
  }
}

TEST(EluOp, DerivativeAtAndBelowZero) {
  // At x = 0 the derivative is alpha (the x ≤ 0 branch, as torch); far below, alpha eˣ → 0.
  Variable x(Tensor::from_vector({3}, {0.0f, -30.0f, 1e-30f}), true);
  elu(x, 0.5f).backward(Tensor::full({3}, 1.0f));
  EXPECT_EQ(x.grad().at(0), 0.5f);
  EXPECT_NEAR(x.grad().at(1), 0.5 * std::exp(-30.0), 1e-7);
  EXPECT_EQ(x.grad().at(2), 1.0f);  // a tiny positive x still takes the x > 0 branch
}

TEST(EluOp, GradientMatchesFiniteDifferences) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(10 + seed);
    Variable x(away_from_zero({6, 2, 5}, gen), true);
    EXPECT_TRUE(testing::gradcheck([](const std::vector<Variable>& in) { return elu(in[0], 1.3f); },
                                   {x}, kActivationCheck))
        << "seed " << seed;
  }
}

TEST(EluOp, BadAlphaThrows) {
  Variable x(Tensor::zeros({2}));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { elu(x, -1.0f); },
                                           "elu: alpha must be finite and non-negative, got -1"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { elu(x, NAN); }, "elu: alpha must be"));
  EXPECT_TRUE(throws_with<InvalidArgument>([] { elu(Variable()); }, "elu: x is undefined"));
}

TEST(LeakyReluOp, ForwardAndBackwardMatchReference) {
  for (float slope : {0.01f, 0.2f, -0.5f, 1.5f}) {
    for (int64_t n : kSizes) {
      Generator gen(n);
      Tensor x = with_zeros(n, gen);
      Variable xv(x, true);
      Variable y = leaky_relu(xv, slope);
      Tensor g = testing::random_tensor({n}, gen);
      y.backward(g);
      for (int64_t i = 0; i < n; ++i) {
        // A float product rounded once: exactly the double product rounded to float.
        const float ref = x.at(i) > 0 ? x.at(i) : static_cast<float>(double{slope} * x.at(i));
        const float dref = x.at(i) > 0 ? g.at(i) : static_cast<float>(double{slope} * g.at(i));
        ASSERT_EQ(y.data().at(i), ref) << i << " slope " << slope;
        ASSERT_EQ(xv.grad().at(i), dref) << i << " slope " << slope;
      }
    }
  }
}

TEST(LeakyReluOp, GradientMatchesFiniteDifferences) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(20 + seed);
    Variable x(away_from_zero({6, 2, 5}, gen), true);
    EXPECT_TRUE(
        testing::gradcheck([](const std::vector<Variable>& in) { return leaky_relu(in[0], 0.2f); },
                           {x}, kActivationCheck))
        << "seed " << seed;
  }
}

TEST(LeakyReluOp, UndefinedInputThrows) {
  EXPECT_TRUE(
      throws_with<InvalidArgument>([] { leaky_relu(Variable()); }, "leaky_relu: x is undefined"));
}

}  // namespace
}  // namespace gat
