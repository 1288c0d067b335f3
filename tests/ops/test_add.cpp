// Tests for add, mul, add_bias and scale (ops/add.h): forward against double arithmetic,
// gradients against finite differences, thread-count independence of the bias gradient,
// argument checks.
#include "gat/ops/add.h"

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
using testing::random_tensor;

// Every op here is linear in each input taken alone (mul too: gradcheck perturbs one input at a
// time), so central differences have no truncation error; only float32 rounding of the outputs,
// about 2⁻²⁴ · |y| / h per entry, remains. h = 0.5 keeps that near 1e-7 (observed ≤ 1e-7);
// 1e-5 still flags a gradient wrong in a single entry.
constexpr GradcheckOptions kLinearCheck{.step = 0.5, .tolerance = 1e-5};

TEST(AddBiasOp, HeaderExample) {
  gat::Variable x(gat::Tensor::full({2, 3}, 1.0f));
  gat::Variable b(gat::Tensor::full({3}, 0.5f), true);
  gat::Variable y = gat::add_bias(x, b);  // every entry 1.5
  EXPECT_EQ(y.shape(), Shape({2, 3}));
  for (float v : y.data().to_vector())
    EXPECT_EQ(v, 1.5f);
}

// The sum or product of two floats is exact in double, so rounding it to float gives exactly the
// float result: forward values are compared for equality. Sizes on both sides of the parallel
// threshold (32768 elements).
TEST(AddOp, ForwardIsExactlyRoundedDoubleSum) {
  for (int64_t n : {1, 100, 70000}) {
    Generator gen(n);
    Tensor a = random_tensor({n}, gen, -4, 4), b = random_tensor({n}, gen, -4, 4);
    Variable y = add(Variable(a), Variable(b));
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(y.data().at(i), static_cast<float>(static_cast<double>(a.at(i)) + b.at(i))) << i;
  }
}

TEST(AddOp, GradientsMatchFiniteDifferences) {
  Generator gen(1);
  Variable a(random_tensor({4, 3, 2}, gen), true), b(random_tensor({4, 3, 2}, gen), true);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Variable>& in) { return add(in[0], in[1]); },
                                 {a, b}, kLinearCheck));
}

// add hands one gradient tensor to both inputs; the engine must not let them alias.
TEST(AddOp, SameVariableTwiceGetsTwiceTheGradient) {
  Variable a(Tensor::full({3}, 1.0f), true);
  Variable y = add(a, a);
  y.backward(Tensor::from_vector({3}, {1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{2.0f, 4.0f, 6.0f}));
}

TEST(AddOp, ShapeErrors) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        add(Variable(Tensor::zeros({2, 3})), Variable(Tensor::zeros({3, 2})));
      },
      "add: a and b differ in shape ([2, 3] vs [3, 2])"));
  EXPECT_TRUE(throws_with<InvalidArgument>([] { add(Variable(Tensor::zeros({2})), Variable()); },
                                           "add: b is undefined"));
}

TEST(MulOp, ForwardIsExactlyRoundedDoubleProduct) {
  for (int64_t n : {1, 100, 70000}) {
    Generator gen(n + 1);
    Tensor a = random_tensor({n}, gen, -4, 4), b = random_tensor({n}, gen, -4, 4);
    Variable y = mul(Variable(a), Variable(b));
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(y.data().at(i), static_cast<float>(static_cast<double>(a.at(i)) * b.at(i))) << i;
  }
}

TEST(MulOp, GradientsMatchFiniteDifferences) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(10 + seed);
    Variable a(random_tensor({5, 4}, gen), true), b(random_tensor({5, 4}, gen), true);
    EXPECT_TRUE(testing::gradcheck(
        [](const std::vector<Variable>& in) { return mul(in[0], in[1]); }, {a, b}, kLinearCheck))
        << "seed " << seed;
  }
}

TEST(MulOp, OnlyRequestedGradientIsComputed) {
  Variable a(Tensor::from_vector({2}, {2.0f, 3.0f}), true),
      b(Tensor::from_vector({2}, {5.0f, 7.0f}));
  mul(a, b).backward(Tensor::full({2}, 1.0f));
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{5.0f, 7.0f}));
  EXPECT_FALSE(b.grad().defined());
}

TEST(MulOp, ShapeErrors) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        mul(Variable(Tensor::zeros({6})), Variable(Tensor::zeros({2, 3})));
      },
      "mul: a and b differ in shape ([6] vs [2, 3])"));
}

TEST(AddBiasOp, ForwardMatchesReferenceFor2dAnd3d) {
  Generator gen(4);
  Tensor x2 = random_tensor({5, 6}, gen), x3 = random_tensor({5, 2, 3}, gen);
  Tensor b = random_tensor({6}, gen);
  Variable y2 = add_bias(Variable(x2), Variable(b)), y3 = add_bias(Variable(x3), Variable(b));
  EXPECT_EQ(y3.shape(), Shape({5, 2, 3}));  // the [N, H, C] shape is kept
  for (int64_t n = 0; n < 5; ++n)
    for (int64_t k = 0; k < 6; ++k) {
      EXPECT_EQ(y2.data().at(n, k), static_cast<float>(static_cast<double>(x2.at(n, k)) + b.at(k)));
      EXPECT_EQ(y3.data().at(n, k / 3, k % 3),
                static_cast<float>(static_cast<double>(x3.at(n, k / 3, k % 3)) + b.at(k)));
    }
}

TEST(AddBiasOp, GradientsMatchFiniteDifferences) {
  Generator gen(5);
  Variable x(random_tensor({7, 2, 3}, gen), true), b(random_tensor({6}, gen), true);
  EXPECT_TRUE(
      testing::gradcheck([](const std::vector<Variable>& in) { return add_bias(in[0], in[1]); },
                         {x, b}, kLinearCheck));
}

TEST(AddBiasOp, BiasGradientMatchesDoubleColumnSums) {
  Generator gen(6);
  const int64_t rows = 3000, width = 10;  // three reduction blocks, the last one partial
  Variable x(random_tensor({rows, width}, gen)), b(random_tensor({width}, gen), true);
  Tensor g = random_tensor({rows, width}, gen);
  add_bias(x, b).backward(g);
  std::vector<double> ref(width, 0.0);
  for (int64_t n = 0; n < rows; ++n)
    for (int64_t k = 0; k < width; ++k)
      ref[k] += g.at(n, k);
  // Float sums of 1024 terms in [-1, 1] then 3 partials: error ≲ 1024 · 2⁻²⁴ · 1 ≈ 6e-5
  // absolute in the worst case; the sums themselves are ~ √3000 ≈ 55.
  for (int64_t k = 0; k < width; ++k)
    EXPECT_NEAR(b.grad().at(k), ref[k], 1e-4) << k;
}

TEST(AddBiasOp, BackwardBitwiseIdenticalForOneAndTwoThreads) {
  ThreadCountGuard guard;
  Generator gen(7);
  Tensor x = random_tensor({20000, 40}, gen), b = random_tensor({40}, gen);  // 20 blocks
  Tensor g = random_tensor({20000, 40}, gen);
  std::vector<Tensor> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Variable xv(x, true), bv(b, true);
    Variable y = add_bias(xv, bv);
    y.backward(g);
    results.push_back(y.data());
    results.push_back(xv.grad());
    results.push_back(bv.grad());
  }
  for (int k = 0; k < 3; ++k)
    EXPECT_EQ(std::memcmp(results[k].data(), results[k + 3].data(), results[k].nbytes()), 0)
        << (k == 0   ? "y"
            : k == 1 ? "dx"
                     : "db");
}

TEST(AddBiasOp, ShapeErrors) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        add_bias(Variable(Tensor::zeros({2, 3, 2})), Variable(Tensor::zeros({5})));
      },
      "add_bias: bias has 5 entries but x has 6 features per row ([2, 3, 2] vs [5])"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] { add_bias(Variable(Tensor::zeros({6})), Variable(Tensor::zeros({6}))); },
      "add_bias: x must be [N, K] or [N, H, C], got [6]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        add_bias(Variable(Tensor::zeros({2, 3})), Variable(Tensor::zeros({1, 3})));
      },
      "add_bias: bias must be 1-D, got [1, 3]"));
}

TEST(ScaleOp, ForwardAndGradient) {
  Generator gen(8);
  Tensor x = random_tensor({4, 5}, gen);
  Variable y = scale(Variable(x), -2.5f);
  for (int64_t i = 0; i < x.numel(); ++i)
    EXPECT_EQ(y.data().at(i), -2.5f * x.at(i));
  Variable xv(x, true);
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Variable>& in) { return scale(in[0], -2.5f); }, {xv}, kLinearCheck));
}

TEST(ScaleOp, UndefinedInputThrows) {
  EXPECT_TRUE(
      throws_with<InvalidArgument>([] { scale(Variable(), 2.0f); }, "scale: x is undefined"));
}

}  // namespace
}  // namespace gat
