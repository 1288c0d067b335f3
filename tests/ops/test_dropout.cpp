// Tests for dropout (ops/dropout.h): identity in eval and at p = 0, the mask's contract (the
// counter-based stream under one key per call, same seed same mask, any thread count), the
// kept fraction, the scale, backward reusing forward's mask, argument checks.
#include "gat/ops/dropout.h"

#include <gtest/gtest.h>

#include <cmath>
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

// Entries in [0.5, 1.5): never zero, so a zero output always means "dropped".
Tensor nonzero(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  return testing::random_tensor(shape, gen, 0.5f, 1.5f);
}

TEST(DropoutOp, HeaderExample) {
  gat::Generator gen(0);
  gat::Variable x(gat::Tensor::full({100, 8}, 1.0f));
  gat::Variable y = gat::dropout(x, 0.6f, /*training=*/true, gen);  // entries 0 or 2.5
  // "2.5" up to float32: 0.6f is 0.60000002, so 1 / (1 − p) rounds to 2.5000002.
  int64_t kept = 0;
  for (float v : y.data().to_vector()) {
    EXPECT_TRUE(v == 0.0f || std::abs(v - 2.5f) <= 2.5f * 2e-7f) << v;
    kept += v != 0.0f;
  }
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, 800);
}

TEST(DropoutOp, EvalAndZeroPAreTheIdentityAndDrawNoKey) {
  Tensor x = nonzero({30, 4}, 1);
  Variable xv(x, true);
  Generator gen(5), untouched(5);
  for (auto [p, training] :
       {std::pair{0.5f, false}, std::pair{0.0f, true}, std::pair{0.0f, false}}) {
    Variable y = dropout(xv, p, training, gen);
    EXPECT_EQ(y.data().to_vector(), x.to_vector()) << "p " << p << " training " << training;
  }
  EXPECT_EQ(gen.next_u64(), untouched.next_u64());  // the stream did not advance
}

TEST(DropoutOp, MaskIsDropoutKeepUnderTheCallsKeyAndOutputIsZeroOrScaled) {
  for (float p : {0.1f, 0.5f, 0.6f, 0.95f}) {
    Tensor x = nonzero({300, 7}, 2);
    Generator gen(42), copy(42);
    Variable y = dropout(Variable(x), p, true, gen);
    const uint64_t key = copy.next_key();  // one key per call, the first the generator gives
    const float scale = 1.0f / (1.0f - p);
    for (int64_t k = 0; k < x.numel(); ++k) {
      const float expected =
          dropout_keep(key, static_cast<uint64_t>(k), p) ? x.at(k) * scale : 0.0f;
      ASSERT_EQ(y.data().at(k), expected) << "p " << p << " element " << k;
    }
  }
}

TEST(DropoutOp, SameSeedSameMaskAndSuccessiveCallsDiffer) {
  Tensor x = nonzero({64, 64}, 3);
  Generator a(7), b(7), c(8);
  const std::vector<float> ya = dropout(Variable(x), 0.5f, true, a).data().to_vector();
  EXPECT_EQ(ya, dropout(Variable(x), 0.5f, true, b).data().to_vector());
  EXPECT_NE(ya, dropout(Variable(x), 0.5f, true, c).data().to_vector());  // other seed
  EXPECT_NE(ya, dropout(Variable(x), 0.5f, true, a).data().to_vector());  // next key
}

TEST(DropoutOp, MaskDoesNotDependOnThreadCount) {
  ThreadCountGuard guard;
  Tensor x = nonzero({1000, 100}, 4);  // above the parallel threshold
  std::vector<std::vector<float>> ys;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Generator gen(9);
    ys.push_back(dropout(Variable(x), 0.3f, true, gen).data().to_vector());
  }
  EXPECT_EQ(ys[0], ys[1]);
}

// The kept count over n elements is Binomial(n, q), q = 1 − p (up to the 2⁻²⁴ resolution of
// uniform_at), with standard deviation √(n q (1 − q)). Allowing 5 standard deviations makes a
// false failure about 6e-7 likely per (p, seed); over the 12 cases below, under 1e-5.
TEST(DropoutOp, KeptFractionIsOneMinusPWithinFiveSigma) {
  const int64_t n = 200000;
  Variable x(Tensor::full({n}, 1.0f));
  for (float p : {0.1f, 0.5f, 0.8f}) {
    for (uint64_t seed = 0; seed < 4; ++seed) {
      Generator gen(seed);
      Variable y = dropout(x, p, true, gen);
      int64_t kept = 0;
      for (float v : y.data().to_vector())
        kept += v != 0.0f;
      const double q = 1.0 - p, sigma = std::sqrt(n * q * (1 - q));
      EXPECT_NEAR(static_cast<double>(kept), n * q, 5 * sigma) << "p " << p << " seed " << seed;
    }
  }
}

TEST(DropoutOp, BackwardAppliesForwardsMask) {
  for (int64_t n : {1000, 50000}) {  // both sides of the parallel threshold
    Variable x(nonzero({n}, 5), true);
    Generator gen(11);
    const float p = 0.4f;
    Variable y = dropout(x, p, true, gen);
    y.backward(Tensor::full({n}, 1.0f));
    const float scale = 1.0f / (1.0f - p);
    for (int64_t k = 0; k < n; ++k)
      ASSERT_EQ(x.grad().at(k), y.data().at(k) == 0.0f ? 0.0f : scale) << k;
  }
}

// Dropout is linear in x for a fixed key (f reseeds its generator, so every call draws the same
// mask): central differences are exact up to float32 rounding of the outputs, ≈ 2⁻²⁴ · |y| / h
// ≈ 1e-7 at h = 0.5; 1e-5 flags a gradient wrong in a single entry.
TEST(DropoutOp, GradientMatchesFiniteDifferences) {
  Generator gen(12);
  Variable x(testing::random_tensor({8, 6}, gen), true);
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Variable>& in) {
        Generator g(13);
        return dropout(in[0], 0.5f, true, g);
      },
      {x}, {.step = 0.5, .tolerance = 1e-5}));
}

TEST(DropoutOp, POutsideZeroToOneThrowsInTrainingAndEval) {
  Variable x(Tensor::zeros({4}));
  Generator gen(0);
  for (bool training : {true, false}) {
    EXPECT_TRUE(throws_with<InvalidArgument>([&] { dropout(x, 1.0f, training, gen); },
                                             "dropout: p must be in [0, 1), got 1"));
    EXPECT_TRUE(throws_with<InvalidArgument>([&] { dropout(x, -0.1f, training, gen); },
                                             "dropout: p must be in [0, 1), got -0.1"));
    EXPECT_TRUE(throws_with<InvalidArgument>([&] { dropout(x, NAN, training, gen); },
                                             "dropout: p must be in [0, 1)"));
  }
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { dropout(Variable(), 0.5f, true, gen); },
                                           "dropout: x is undefined"));
}

}  // namespace
}  // namespace gat
