#include "gat/nn/init.h"

#include <gtest/gtest.h>

#include <cmath>

#include "gat/core/error.h"

namespace gat {
namespace {

// PyG's glorot: a = sqrt(6 / (size(-2) + size(-1))).
void expect_glorot(const Shape& shape, double fan_sum) {
  Generator gen(3);
  Tensor t = Tensor::empty(shape);
  glorot_(t, gen);
  const double a = std::sqrt(6.0 / fan_sum);
  double mean = 0, sq = 0, max_abs = 0;
  for (int64_t k = 0; k < t.numel(); ++k) {
    const double v = t.data()[k];
    mean += v;
    sq += v * v;
    max_abs = std::max(max_abs, std::abs(v));
  }
  const double n = static_cast<double>(t.numel());
  mean /= n;
  sq /= n;
  EXPECT_LE(max_abs, a) << shape.str();
  // Uniform(−a, a): variance a²/3; the mean's standard error is a/sqrt(3n), the second moment's
  // is about a²·0.3/sqrt(n); 5 standard errors.
  EXPECT_NEAR(mean, 0.0, 5 * a / std::sqrt(3 * n)) << shape.str();
  EXPECT_NEAR(sq, a * a / 3, 5 * 0.3 * a * a / std::sqrt(n)) << shape.str();
  EXPECT_GT(max_abs, 0.9 * a) << "values should fill the whole range";
}

TEST(Init, GlorotLinearWeightUsesInPlusOut) { expect_glorot({64, 200}, 64 + 200); }

TEST(Init, GlorotAttentionVectorUsesHeadsPlusChannels) {
  // att_src [1, H, C]: PyG's glorot uses size(-2) + size(-1) = H + C.
  expect_glorot({1, 8, 16}, 8 + 16);
}

TEST(Init, SameSeedSameValues) {
  Generator a(9), b(9);
  Tensor x = Tensor::empty({5, 7}), y = Tensor::empty({5, 7});
  glorot_(x, a);
  glorot_(y, b);
  EXPECT_EQ(x.to_vector(), y.to_vector());
}

TEST(Init, ZerosAndErrors) {
  Tensor t = Tensor::full({3, 4}, 2.0f);
  zeros_(t);
  for (float v : t.to_vector()) EXPECT_EQ(v, 0.0f);
  Generator gen(0);
  Tensor scalar = Tensor::scalar(1.0f);
  EXPECT_THROW(glorot_(scalar, gen), InvalidArgument);
}

}  // namespace
}  // namespace gat
