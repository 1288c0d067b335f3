// Tests for log_softmax and nll_loss (ops/log_softmax.h): forward against a double log-sum-exp,
// stability on huge inputs, gradients against finite differences, the loss against hand-computed
// values (duplicates included), argument checks.
#include "gat/ops/log_softmax.h"

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
using testing::random_tensor;

// x − log Σ exp(x) in double, per row.
std::vector<double> log_softmax_reference(const Tensor& x) {
  const int64_t n = x.size(0), k = x.size(1);
  std::vector<double> y(static_cast<size_t>(n * k));
  for (int64_t i = 0; i < n; ++i) {
    double m = -INFINITY, s = 0;
    for (int64_t j = 0; j < k; ++j)
      m = std::max(m, static_cast<double>(x.at(i, j)));
    for (int64_t j = 0; j < k; ++j)
      s += std::exp(x.at(i, j) - m);
    for (int64_t j = 0; j < k; ++j)
      y[i * k + j] = x.at(i, j) - m - std::log(s);
  }
  return y;
}

TEST(LogSoftmaxOp, HeaderExample) {
  gat::Variable logits(gat::Tensor::zeros({4, 3}), true);
  gat::Variable logp = gat::log_softmax(logits);                   // every entry −log 3
  gat::Variable loss = gat::nll_loss(logp, {0, 1, 2, 0}, {0, 2});  // mean over nodes 0, 2
  for (float v : logp.data().to_vector())
    EXPECT_FLOAT_EQ(v, -std::log(3.0f));
  EXPECT_EQ(loss.shape(), Shape{});
  EXPECT_FLOAT_EQ(loss.data().item(), std::log(3.0f));
}

TEST(LogSoftmaxOp, ForwardMatchesDoubleLogSumExp) {
  // 7 columns (a Cora-sized class count) and 40000 rows × 3 (the parallel path).
  for (auto [n, k] : {std::pair<int64_t, int64_t>{50, 7}, {40000, 3}, {3, 1}}) {
    Generator gen(n);
    Tensor x = random_tensor({n, k}, gen, -8, 8);
    Variable y = log_softmax(Variable(x));
    // Each output is x − m − lse with |x − m| ≤ 16, lse ≤ log 7: a few float roundings of
    // values ≤ 18, so 4e-6 absolute (2 ulp at 16) bounds the error.
    const std::vector<double> ref = log_softmax_reference(x);
    for (int64_t i = 0; i < n * k; ++i)
      ASSERT_NEAR(y.data().at(i), ref[i], 4e-6) << i;
  }
}

TEST(LogSoftmaxOp, ExpOfEachRowSumsToOne) {
  Generator gen(1);
  Tensor x = random_tensor({100, 9}, gen, -5, 5);
  Variable y = log_softmax(Variable(x));
  for (int64_t i = 0; i < 100; ++i) {
    double s = 0;
    for (int64_t j = 0; j < 9; ++j)
      s += std::exp(static_cast<double>(y.data().at(i, j)));
    EXPECT_NEAR(s, 1.0, 1e-6) << "row " << i;
  }
}

TEST(LogSoftmaxOp, HugeInputsStayFiniteAndExact) {
  Variable x(Tensor::from_vector({3, 3}, {1e4f, 0.0f, -1e4f,  //
                                          1e4f, 1e4f, 1e4f,   //
                                          -1e4f, -1e4f + 1, -1e4f}),
             true);
  Variable y = log_softmax(x);
  const float l3 = std::log(3.0f);
  const double lse_row3 = std::log(1 + 2 * std::exp(-1.0));
  const std::vector<double> expected = {0,   -1e4,          -2e4,      -l3,          -l3,
                                        -l3, -1 - lse_row3, -lse_row3, -1 - lse_row3};
  for (int64_t i = 0; i < 9; ++i) {
    ASSERT_TRUE(std::isfinite(y.data().at(i))) << i;
    EXPECT_NEAR(y.data().at(i), expected[i], 1e-6 * std::max(1.0, std::abs(expected[i]))) << i;
  }
  y.backward(Tensor::full({3, 3}, 1.0f));
  for (float g : x.grad().to_vector())
    EXPECT_TRUE(std::isfinite(g));
}

// log_softmax is smooth with derivatives bounded by small constants, so the truncation error of
// central differences is ≈ h² / 6 · |f'''| ≲ 2e-5 at h = 1e-2; float32 rounding adds
// 2⁻²⁴ · |y| / h ≈ 2e-5 for |y| ≲ 3. 2e-4 is above both (observed ≤ 3e-5) and well below a
// wrong term (≥ 1e-1).
constexpr GradcheckOptions kSmoothCheck{.step = 1e-2, .tolerance = 2e-4};

TEST(LogSoftmaxOp, GradientMatchesFiniteDifferences) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(10 + seed);
    Variable x(random_tensor({6, 5}, gen, -2, 2), true);
    EXPECT_TRUE(testing::gradcheck(
        [](const std::vector<Variable>& in) { return log_softmax(in[0]); }, {x}, kSmoothCheck))
        << "seed " << seed;
  }
}

TEST(LogSoftmaxOp, ShapeErrors) {
  EXPECT_TRUE(throws_with<ShapeError>([] { log_softmax(Variable(Tensor::zeros({5}))); },
                                      "log_softmax: x must be 2-D [N, K], got [5]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        log_softmax(Variable(Tensor::zeros({2, 2, 2})));
      },
      "log_softmax: x must be 2-D [N, K], got [2, 2, 2]"));
}

TEST(NllLossOp, ValueMatchesHandComputation) {
  // logp rows are arbitrary numbers (nll_loss does not require normalised rows).
  Variable logp(Tensor::from_vector({3, 2}, {-0.5f, -1.0f, -2.0f, -0.25f, -3.0f, -4.0f}), true);
  const std::vector<int32_t> labels = {1, 0, 1};
  // mask {0, 2}: −(−1 + −4) / 2 = 2.5.
  EXPECT_FLOAT_EQ(nll_loss(logp, labels, {0, 2}).data().item(), 2.5f);
  // mask {1}: −(−2) / 1 = 2.
  EXPECT_FLOAT_EQ(nll_loss(logp, labels, {1}).data().item(), 2.0f);
}

TEST(NllLossOp, DuplicateMaskEntriesCountTwice) {
  Variable logp(Tensor::from_vector({3, 2}, {-0.5f, -1.0f, -2.0f, -0.25f, -3.0f, -4.0f}), true);
  const std::vector<int32_t> labels = {1, 0, 1};
  Variable loss = nll_loss(logp, labels, {2, 0, 2});
  EXPECT_FLOAT_EQ(loss.data().item(), (1.0f + 4.0f + 4.0f) / 3.0f);  // as torch: y[mask]
  loss.backward();
  const std::vector<float> expected = {0, -1.0f / 3, 0, 0, 0, -2.0f / 3};
  const std::vector<float> got = logp.grad().to_vector();
  for (size_t i = 0; i < 6; ++i)
    EXPECT_FLOAT_EQ(got[i], expected[i]) << i;
}

// The loss is linear in logp: exact central differences up to float32 rounding (h = 0.5, ≤ 1e-6
// observed); composed with log_softmax it is smooth, as above.
TEST(NllLossOp, GradientMatchesFiniteDifferences) {
  Generator gen(3);
  Variable logp(random_tensor({6, 4}, gen, -3, 0), true);
  const std::vector<int32_t> labels = {0, 3, 2, 1, 1, 0};
  const std::vector<int64_t> mask = {5, 1, 2, 1};
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Variable>& in) { return nll_loss(in[0], labels, mask); }, {logp},
      {.step = 0.5, .tolerance = 1e-5}));
  Variable x(random_tensor({6, 4}, gen, -2, 2), true);
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Variable>& in) { return nll_loss(log_softmax(in[0]), labels, mask); },
      {x}, kSmoothCheck));
}

TEST(NllLossOp, ArgumentErrors) {
  Variable logp(Tensor::zeros({4, 7}));
  const std::vector<int32_t> good = {0, 1, 2, 3};
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        nll_loss(logp, {0, 1, 2, 9}, {0});
      },
      "nll_loss: label 9 of node 3 out of range for 7 classes"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        nll_loss(logp, {7, 1, 2, 3}, {0});
      },
      "nll_loss: label 7 of node 0 out of range"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        nll_loss(logp, {0, -1, 2, 3}, {0});
      },
      "nll_loss: label -1 of node 1 out of range"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        nll_loss(logp, good, {0, 4});
      },
      "nll_loss: mask entry 1: node 4 out of range for 4 nodes"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { nll_loss(logp, good, {-2}); },
                                           "nll_loss: mask entry 0: node -2 out of range"));
  EXPECT_TRUE(
      throws_with<InvalidArgument>([&] { nll_loss(logp, good, {}); }, "nll_loss: mask is empty"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        nll_loss(logp, {0, 1, 2}, {0});
      },
      "nll_loss: labels has 3 entries but logp has 4 rows ([4, 7])"));
  EXPECT_TRUE(throws_with<ShapeError>([&] { nll_loss(Variable(Tensor::zeros({4})), good, {0}); },
                                      "nll_loss: logp must be 2-D [N, K], got [4]"));
}

}  // namespace
}  // namespace gat
