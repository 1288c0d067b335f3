// Tests for matmul and linear (ops/linear.h): forward and backward against naive double
// products, gradients against finite differences, thread-count independence, argument checks.
#include "gat/ops/linear.h"

#include <gtest/gtest.h>

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
using testing::max_relative_error;
using testing::random_tensor;

// Every op here is linear in each input taken alone, so central differences have no truncation
// error at any step; the only error is float32 rounding of the outputs, about 2⁻²⁴ · |y| / h per
// entry. A large step h = 0.5 keeps that near 1e-7 (observed ≤ 3e-7); 1e-5 still flags a gradient
// that is wrong in any single entry of a few dozen.
constexpr GradcheckOptions kLinearCheck{.step = 0.5, .tolerance = 1e-5};

// A float32 dot product of k ≤ 40 terms in [-1, 1] is off by at most k · 2⁻²⁴ relative to Σ|a b|;
// 2e-5 relative to the largest |entry| covers that without hiding a wrong index (error ~ 1).
constexpr double kTol = 2e-5;

// Y = X Wᵀ + b in double.
std::vector<double> linear_reference(const Tensor& x, const Tensor& w, const Tensor* b) {
  const int64_t n = x.size(0), f_in = x.size(1), f_out = w.size(0);
  std::vector<double> y(static_cast<size_t>(n * f_out));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < f_out; ++o) {
      double s = b ? b->at(o) : 0.0;
      for (int64_t k = 0; k < f_in; ++k)
        s += static_cast<double>(x.at(i, k)) * w.at(o, k);
      y[i * f_out + o] = s;
    }
  return y;
}

TEST(LinearOp, HeaderExample) {
  gat::Variable x(gat::Tensor::full({4, 3}, 1.0f));
  gat::Variable w(gat::Tensor::full({2, 3}, 0.5f), true);  // torch.nn.Linear layout [out, in]
  gat::Variable y = gat::linear(x, w);                     // [4, 2], every entry 1.5
  EXPECT_EQ(y.shape(), Shape({4, 2}));
  for (float v : y.data().to_vector())
    EXPECT_EQ(v, 1.5f);
}

TEST(LinearOp, ForwardMatchesDoubleReference) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    Generator gen(seed);
    const int64_t n = 1 + gen.below(50), f_in = 1 + gen.below(40), f_out = 1 + gen.below(30);
    Tensor x = random_tensor({n, f_in}, gen), w = random_tensor({f_out, f_in}, gen);
    Tensor b = random_tensor({f_out}, gen);
    Variable y = linear(Variable(x), Variable(w), Variable(b));
    ASSERT_EQ(y.shape(), Shape({n, f_out}));
    EXPECT_LE(max_relative_error(y.data().data(), linear_reference(x, w, &b)), kTol) << seed;
    Variable y0 = linear(Variable(x), Variable(w));
    EXPECT_LE(max_relative_error(y0.data().data(), linear_reference(x, w, nullptr)), kTol) << seed;
  }
}

TEST(LinearOp, BackwardMatchesDoubleReference) {
  Generator gen(3);
  const int64_t n = 37, f_in = 23, f_out = 11;
  Variable x(random_tensor({n, f_in}, gen), true), w(random_tensor({f_out, f_in}, gen), true);
  Variable b(random_tensor({f_out}, gen), true);
  Tensor g = random_tensor({n, f_out}, gen);
  linear(x, w, b).backward(g);
  std::vector<double> dx(n * f_in, 0.0), dw(f_out * f_in, 0.0), db(f_out, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < f_out; ++o) {
      db[o] += g.at(i, o);
      for (int64_t k = 0; k < f_in; ++k) {
        dx[i * f_in + k] += static_cast<double>(g.at(i, o)) * w.data().at(o, k);  // dY W
        dw[o * f_in + k] += static_cast<double>(g.at(i, o)) * x.data().at(i, k);  // dYᵀ X
      }
    }
  // Sums of up to 37 terms: the kTol argument above applies.
  EXPECT_LE(max_relative_error(x.grad().data(), dx), kTol);
  EXPECT_LE(max_relative_error(w.grad().data(), dw), kTol);
  EXPECT_LE(max_relative_error(b.grad().data(), db), kTol);
}

TEST(LinearOp, GradientsMatchFiniteDifferences) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(100 + seed);
    Variable x(random_tensor({9, 7}, gen), true), w(random_tensor({5, 7}, gen), true);
    Variable b(random_tensor({5}, gen), true);
    EXPECT_TRUE(testing::gradcheck(
        [](const std::vector<Variable>& in) { return linear(in[0], in[1], in[2]); }, {x, w, b},
        kLinearCheck))
        << "seed " << seed;
    EXPECT_TRUE(testing::gradcheck(
        [](const std::vector<Variable>& in) { return linear(in[0], in[1]); }, {x, w}, kLinearCheck))
        << "seed " << seed;
  }
}

TEST(LinearOp, OnlyRequestedGradientsAreComputed) {
  Generator gen(5);
  Variable x(random_tensor({6, 4}, gen)), w(random_tensor({3, 4}, gen), true);
  Variable b(random_tensor({3}, gen));
  linear(x, w, b).backward(Tensor::full({6, 3}, 1.0f));
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  ASSERT_TRUE(w.grad().defined());
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t k = 0; k < 4; ++k) {
      double s = 0;
      for (int64_t i = 0; i < 6; ++i)
        s += x.data().at(i, k);
      EXPECT_NEAR(w.grad().at(o, k), s, 1e-5);
    }
}

// Runs linear forward and backward on `threads` threads; returns y, dx, dW, db.
std::vector<Tensor> linear_pass(int threads, const Tensor& x, const Tensor& w, const Tensor& b,
                                const Tensor& g) {
  set_num_threads(threads);
  Variable xv(x, true), wv(w, true), bv(b, true);
  Variable y = linear(xv, wv, bv);
  y.backward(g);
  return {y.data(), xv.grad(), wv.grad(), bv.grad()};
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

// Large enough for every kernel to go parallel: 20000 rows make 20 reduction blocks for db.
class LinearOpThreads : public ::testing::Test {
 protected:
  void SetUp() override {
    Generator gen(21);
    x_ = random_tensor({20000, 64}, gen);
    w_ = random_tensor({48, 64}, gen);
    b_ = random_tensor({48}, gen);
    g_ = random_tensor({20000, 48}, gen);
  }
  ThreadCountGuard guard_;
  Tensor x_, w_, b_, g_;
};

TEST_F(LinearOpThreads, BiasGradientBitwiseIdenticalForOneAndTwoThreads) {
  std::vector<Tensor> one = linear_pass(1, x_, w_, b_, g_), two = linear_pass(2, x_, w_, b_, g_);
  EXPECT_TRUE(bitwise_equal(one[3], two[3]));
}

TEST_F(LinearOpThreads, WholeBackwardBitwiseIdenticalForOneAndTwoThreads) {
  std::vector<Tensor> one = linear_pass(1, x_, w_, b_, g_), two = linear_pass(2, x_, w_, b_, g_);
  const char* names[] = {"y", "dx", "dW", "db"};
  for (int k = 0; k < 4; ++k)
    EXPECT_TRUE(bitwise_equal(one[k], two[k])) << names[k];
}

TEST(LinearOp, ShapeErrors) {
  Variable x(Tensor::zeros({3, 4})), w(Tensor::zeros({2, 5}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { linear(x, w); },
      "linear: weight has 5 input features but x has 4 columns ([3, 4] vs [2, 5])"));
  EXPECT_TRUE(throws_with<ShapeError>([&] { linear(Variable(Tensor::zeros({4})), w); },
                                      "linear: x must be 2-D [N, F_in], got [4]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        linear(x, Variable(Tensor::zeros({2, 4, 1})));
      },
      "linear: weight must be 2-D [F_out, F_in], got [2, 4, 1]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        linear(x, Variable(Tensor::zeros({2, 4})), Variable(Tensor::zeros({3})));
      },
      "linear: bias must be [2] for weight [2, 4], got [3]"));
  EXPECT_TRUE(
      throws_with<InvalidArgument>([&] { linear(x, Variable()); }, "linear: weight is undefined"));
}

TEST(MatmulOp, ForwardMatchesDoubleReference) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    Generator gen(seed);
    const int64_t m = 1 + gen.below(50), k = 1 + gen.below(40), n = 1 + gen.below(30);
    Tensor a = random_tensor({m, k}, gen), b = random_tensor({k, n}, gen);
    Variable y = matmul(Variable(a), Variable(b));
    ASSERT_EQ(y.shape(), Shape({m, n}));
    std::vector<double> ref(m * n, 0.0);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          ref[i * n + j] += static_cast<double>(a.at(i, p)) * b.at(p, j);
    EXPECT_LE(max_relative_error(y.data().data(), ref), kTol) << seed;
  }
}

TEST(MatmulOp, GradientsMatchFiniteDifferences) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(200 + seed);
    Variable a(random_tensor({6, 8}, gen), true), b(random_tensor({8, 5}, gen), true);
    EXPECT_TRUE(testing::gradcheck(
        [](const std::vector<Variable>& in) { return matmul(in[0], in[1]); }, {a, b}, kLinearCheck))
        << "seed " << seed;
  }
}

TEST(MatmulOp, EmptyInnerDimensionGivesZeros) {
  Variable a(Tensor::zeros({3, 0}), true), b(Tensor::zeros({0, 2}), true);
  Variable y = matmul(a, b);
  ASSERT_EQ(y.shape(), Shape({3, 2}));
  for (float v : y.data().to_vector())
    EXPECT_EQ(v, 0.0f);
  y.backward(Tensor::full({3, 2}, 1.0f));
  EXPECT_EQ(a.grad().shape(), Shape({3, 0}));
  EXPECT_EQ(b.grad().shape(), Shape({0, 2}));
}

TEST(MatmulOp, ShapeErrors) {
  Variable a(Tensor::zeros({3, 4})), b(Tensor::zeros({5, 2}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { matmul(a, b); }, "matmul: a has 4 columns but b has 5 rows ([3, 4] vs [5, 2])"));
  EXPECT_TRUE(throws_with<ShapeError>([&] { matmul(Variable(Tensor::zeros({4})), b); },
                                      "matmul: a must be 2-D, got [4]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        matmul(a, Variable(Tensor::zeros({4, 2, 1})));
      },
      "matmul: b must be 2-D, got [4, 2, 1]"));
}

}  // namespace
}  // namespace gat
