// Tests for sum, mean, mse_loss, mean_square, mean_heads and reshape (ops/reduce.h): values against
// double references, thread-count independence of the sums, gradients against finite differences,
// the view semantics of reshape, argument checks.
#include "gat/ops/reduce.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

using gat::testing::ThreadCountGuard;
using gat::testing::throws_with;

namespace gat {
namespace {

using testing::GradcheckOptions;
using testing::random_tensor;

// Every op here is linear, so central differences are exact up to float32 rounding of the
// outputs, ≈ 2⁻²⁴ · |y| / h per entry: ≤ 1e-6 at h = 0.5 (sum's and mean's single output is
// rounded once from double). 1e-5 still flags a gradient wrong in a single entry.
constexpr GradcheckOptions kLinearCheck{.step = 0.5, .tolerance = 1e-5};

TEST(MeanHeadsOp, HeaderExample) {
  gat::Variable x(gat::Tensor::full({5, 2, 3}, 1.0f), true);  // N × H × C
  gat::Variable m = gat::mean_heads(x);                       // [5, 3]
  gat::Variable s = gat::sum(m);                              // 15, shape []
  EXPECT_EQ(m.shape(), Shape({5, 3}));
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.data().item(), 15.0f);
}

// The sum is accumulated in double, so it is the exact sum correctly rounded to float up to the
// double rounding of ~1e6 terms (relative 1e-16 · 1e6 = 1e-10, far below float's 6e-8): the
// result is within one float ulp of the double reference.
TEST(SumOp, MatchesDoubleReference) {
  for (int64_t n : {1, 4095, 4097, 1000003}) {
    Generator gen(n);
    Tensor x = random_tensor({n}, gen, -1, 3);
    double ref = 0;
    for (int64_t i = 0; i < n; ++i)
      ref += x.at(i);
    const float s = sum(Variable(x)).data().item();
    EXPECT_LE(std::abs(s - ref), std::abs(ref) * 6e-8) << "n " << n;
    const float m = mean(Variable(x)).data().item();
    EXPECT_LE(std::abs(m - ref / n), std::abs(ref / n) * 6e-8) << "n " << n;
  }
}

// 2²⁵ + 1 rounds back to 2²⁵ in float: a float accumulator would lose every 1 that lands in
// the same partial as ±2²⁵. In double the sum is exact.
TEST(SumOp, AccumulatesInDouble) {
  const int64_t n = 10000;  // three blocks
  Tensor x = Tensor::full({n}, 1.0f);
  x.at(0) = 33554432.0f;
  x.at(1) = -33554432.0f;
  EXPECT_EQ(sum(Variable(x)).data().item(), static_cast<float>(n - 2));
  EXPECT_EQ(mean(Variable(x)).data().item(), static_cast<float>((n - 2) / static_cast<double>(n)));
}

TEST(SumOp, EmptyInputSumsToZero) {
  Variable x(Tensor::zeros({0, 3}), true);
  Variable s = sum(x);
  EXPECT_EQ(s.data().item(), 0.0f);
  s.backward();
  EXPECT_EQ(x.grad().shape(), Shape({0, 3}));
}

TEST(SumOp, BitwiseIdenticalForOneAndTwoThreads) {
  ThreadCountGuard guard;
  Generator gen(2);
  Tensor x = random_tensor({1000, 1000}, gen);
  std::vector<float> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    results.push_back(sum(Variable(x)).data().item());
    results.push_back(mean(Variable(x)).data().item());
  }
  EXPECT_EQ(std::memcmp(&results[0], &results[2], sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(&results[1], &results[3], sizeof(float)), 0);
}

TEST(SumOp, GradientMatchesFiniteDifferences) {
  Generator gen(3);
  Variable x(random_tensor({4, 3, 2}, gen), true);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Variable>& in) { return sum(in[0]); }, {x},
                                 kLinearCheck));
}

TEST(SumOp, UndefinedInputThrows) {
  EXPECT_TRUE(throws_with<InvalidArgument>([] { sum(Variable()); }, "sum: x is undefined"));
}

TEST(MeanOp, GradientMatchesFiniteDifferences) {
  Generator gen(4);
  Variable x(random_tensor({7, 3}, gen), true);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Variable>& in) { return mean(in[0]); }, {x},
                                 kLinearCheck));
  x.zero_grad();
  mean(x).backward(Tensor::scalar(2.0f));
  for (float g : x.grad().to_vector())
    EXPECT_FLOAT_EQ(g, 2.0f / 21);
}

TEST(MeanOp, EmptyInputThrows) {
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [] {
        mean(Variable(Tensor::zeros({0, 4})));
      },
      "mean: x is empty (shape [0, 4])"));
}

// mse_loss against a double reference, across sum_forward's block boundaries and the parallel
// threshold: the loss is the double sum rounded once (within one float ulp), the gradients are
// 2·(x − t)/n per entry as the kernel forms them (one float subtraction, one product).
TEST(MseLossOp, ForwardAndBackwardMatchDoubleReference) {
  for (int64_t n : {1, 4097, 100003}) {
    Generator gen(n);
    Variable x(random_tensor({n}, gen, -2, 2), true);
    Variable t(random_tensor({n}, gen, -1, 1), true);
    double ref = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double d = static_cast<double>(x.data().at(i)) - t.data().at(i);
      ref += d * d;
    }
    ref /= static_cast<double>(n);
    Variable loss = mse_loss(x, t);
    ASSERT_EQ(loss.shape(), Shape{});
    EXPECT_LE(std::abs(loss.data().item() - ref), ref * 6e-8) << "n " << n;
    loss.backward(Tensor::scalar(3.0f));
    const float scale = static_cast<float>(6.0 / static_cast<double>(n));
    for (int64_t i = 0; i < n; ++i) {
      const float g = scale * (x.data().at(i) - t.data().at(i));
      ASSERT_EQ(x.grad().at(i), g) << "n " << n << ", i " << i;
      ASSERT_EQ(t.grad().at(i), -g) << "n " << n << ", i " << i;
    }
  }
}

// Central differences are exact for a quadratic up to float rounding of the loss.
TEST(MseLossOp, GradientsMatchFiniteDifferences) {
  Generator gen(11);
  Variable x(random_tensor({5, 3}, gen), true);
  Variable t(random_tensor({5, 3}, gen), true);
  EXPECT_TRUE(
      testing::gradcheck([](const std::vector<Variable>& in) { return mse_loss(in[0], in[1]); },
                         {x, t}, kLinearCheck));
  Variable y(random_tensor({4, 2, 3}, gen), true);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Variable>& in) { return mean_square(in[0]); },
                                 {y}, kLinearCheck));
}

// mean_square(x) is mse_loss(x, 0) bitwise, value and gradient; and a target that alone requires
// grad gets the same gradient as when both do.
TEST(MseLossOp, MeanSquareIsMseAgainstZerosAndGradientSubsetsAgree) {
  Generator gen(12);
  Tensor xt = random_tensor({300, 7}, gen);
  Variable a(xt, true), b(xt, true);
  Variable la = mean_square(a), lb = mse_loss(b, Variable(Tensor::zeros({300, 7})));
  EXPECT_EQ(la.data().item(), lb.data().item());
  la.backward();
  lb.backward();
  EXPECT_EQ(a.grad().to_vector(), b.grad().to_vector());

  Tensor tt = random_tensor({300, 7}, gen);
  Variable x1(xt, true), t1(tt, true), x2(xt, false), t2(tt, true);
  mse_loss(x1, t1).backward();
  mse_loss(x2, t2).backward();
  EXPECT_EQ(t1.grad().to_vector(), t2.grad().to_vector());
}

TEST(MseLossOp, BitwiseIdenticalForOneAndTwoThreads) {
  ThreadCountGuard guard;
  Generator gen(13);
  Tensor xt = random_tensor({1000, 300}, gen), tt = random_tensor({1000, 300}, gen);
  std::vector<float> losses;
  std::vector<std::vector<float>> grads;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Variable x(xt, true), t(tt, true);
    Variable loss = mse_loss(x, t);
    losses.push_back(loss.data().item());
    loss.backward();
    grads.push_back(x.grad().to_vector());
    losses.push_back(mean_square(Variable(xt)).data().item());
  }
  EXPECT_EQ(std::memcmp(&losses[0], &losses[2], sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(&losses[1], &losses[3], sizeof(float)), 0);
  EXPECT_EQ(grads[0], grads[1]);
}

TEST(MseLossOp, BadInputThrows) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        mse_loss(Variable(Tensor::zeros({4, 3})), Variable(Tensor::zeros({3, 4})));
      },
      "mse_loss: input [4, 3] and target [3, 4] differ in shape"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [] {
        mse_loss(Variable(Tensor::zeros({0, 3})), Variable(Tensor::zeros({0, 3})));
      },
      "mse_loss: input is empty (shape [0, 3])"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [] { mse_loss(Variable(Tensor::zeros({2})), Variable()); }, "mse_loss: target is undefined"));
  EXPECT_TRUE(throws_with<InvalidArgument>([] { mean_square(Variable(Tensor::zeros({0}))); },
                                           "mean_square: x is empty (shape [0])"));
}

TEST(MeanHeadsOp, ForwardAndBackwardMatchDoubleReference) {
  // Below and above the parallel threshold (N·H·C = 32768).
  for (auto [n, h, c] : {std::tuple<int64_t, int64_t, int64_t>{5, 3, 4}, {3000, 8, 7}}) {
    Generator gen(n);
    Tensor x = random_tensor({n, h, c}, gen);
    Variable xv(x, true);
    Variable y = mean_heads(xv);
    ASSERT_EQ(y.shape(), Shape({n, c}));
    Tensor g = random_tensor({n, c}, gen);
    y.backward(g);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < c; ++k) {
        double s = 0;
        for (int64_t j = 0; j < h; ++j)
          s += x.at(i, j, k);
        // H ≤ 8 float additions of values in [-1, 1], then one division: ≤ 9 roundings of
        // values ≤ 8, so 8 · 9 · 6e-8 ≈ 5e-6 absolute bounds the error before dividing by H.
        ASSERT_NEAR(y.data().at(i, k), s / h, 5e-6 / h) << i << "," << k;
        for (int64_t j = 0; j < h; ++j)
          ASSERT_EQ(xv.grad().at(i, j, k), static_cast<float>(static_cast<double>(g.at(i, k)) / h));
      }
  }
}

TEST(MeanHeadsOp, GradientMatchesFiniteDifferences) {
  Generator gen(5);
  Variable x(random_tensor({4, 3, 5}, gen), true);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Variable>& in) { return mean_heads(in[0]); },
                                 {x}, kLinearCheck));
}

TEST(MeanHeadsOp, ShapeErrors) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        mean_heads(Variable(Tensor::zeros({4, 6})));
      },
      "mean_heads: x must be 3-D [N, H, C], got [4, 6]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        mean_heads(Variable(Tensor::zeros({4, 0, 2})));
      },
      "mean_heads: x has no heads (shape [4, 0, 2])"));
}

TEST(ReshapeOp, IsAViewAndItsGradientTakesTheInputShape) {
  Generator gen(6);
  Variable x(random_tensor({4, 6}, gen), true);
  Variable y = reshape(x, {4, 2, 3});
  EXPECT_EQ(y.shape(), Shape({4, 2, 3}));
  EXPECT_TRUE(y.data().shares_buffer_with(x.data()));
  EXPECT_EQ(y.data().to_vector(), x.data().to_vector());
  Tensor g = random_tensor({4, 2, 3}, gen);
  y.backward(g);
  EXPECT_EQ(x.grad().shape(), Shape({4, 6}));
  EXPECT_EQ(x.grad().to_vector(), g.to_vector());
}

TEST(ReshapeOp, GradientMatchesFiniteDifferences) {
  Generator gen(7);
  Variable x(random_tensor({2, 6}, gen), true);
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Variable>& in) {
        return reshape(in[0], {3, 4});
      },
      {x}, kLinearCheck));
}

TEST(ReshapeOp, ShapeErrors) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        reshape(Variable(Tensor::zeros({2, 3})), {4});
      },
      "reshape: cannot view [2, 3] (6 elements) as [4] (4 elements)"));
}

}  // namespace
}  // namespace gat
