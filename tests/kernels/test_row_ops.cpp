// Tests for the vector helpers of the sparse kernels (src/kernels/cpu/row_ops.h, internal):
// exp8 and log8 against libm in double, over the ranges the attention kernels feed them, and
// exp8 and exp16 lane for lane equal to the scalar exp_approx they mirror.
#include "kernels/cpu/row_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace gat::kernels {
namespace {

// Inputs for log8: the softmax denominators are sums of exponentials whose largest term is 1, so
// they lie in [1, degree]. Cover [1, 2²⁰] densely, every power of two and its neighbours, and the
// mantissa split at √½ · 2^k where the reduction switches branch.
std::vector<float> log_inputs() {
  std::vector<float> v;
  for (float x = 1.0f; x < 1048576.0f; x *= 1.0001f)
    v.push_back(x);
  for (int k = 0; k <= 20; ++k) {
    const float p = std::ldexp(1.0f, k), s = std::ldexp(0.70710678f, k + 1);
    for (float c : {p, s})
      for (float d : {std::nextafter(c, 0.0f), c, std::nextafter(c, 1e30f)})
        if (d >= 1.0f) v.push_back(d);
  }
  return v;
}

TEST(RowOps, Log8IsWithinTwoUlpOfTheExactLog) {
  const std::vector<float> xs = log_inputs();
  ASSERT_GT(xs.size(), 100000u);
  double worst = 0;
  for (size_t i = 0; i + 8 <= xs.size(); i += 8) {
    const V8 y = log8(load8(xs.data() + i));
    for (int l = 0; l < 8; ++l) {
      const double exact = std::log(static_cast<double>(xs[i + l]));
      // One ulp of the result; near x = 1 the result is tiny, so allow one ulp of 1 there too
      // (an absolute 6e-8, what the float subtraction f = m − 1 already rounds to).
      const double ulp = std::max(std::abs(exact), 1.0) * 5.96e-8;
      const double err = std::abs(static_cast<double>(y[l]) - exact) / ulp;
      worst = std::max(worst, err);
      ASSERT_LE(err, 2.0) << "x " << xs[i + l] << ": log8 " << y[l] << ", exact " << exact;
    }
  }
  EXPECT_GT(worst, 0.0);  // the comparison saw real differences, not one value compared to itself
}

TEST(RowOps, Exp8MatchesExpApproxAndTheExactExp) {
  std::vector<float> xs;
  for (float x = -87.0f; x <= 0.0f; x += 0.001f)
    xs.push_back(x);
  while (xs.size() % 8)
    xs.push_back(0.0f);
  for (size_t i = 0; i < xs.size(); i += 8) {
    const V8 y = exp8(load8(xs.data() + i));
    for (int l = 0; l < 8; ++l) {
      ASSERT_EQ(y[l], exp_approx(xs[i + l])) << "x " << xs[i + l];
      const double exact = std::exp(static_cast<double>(xs[i + l]));
      ASSERT_LE(std::abs(y[l] - exact), exact * 4e-7) << "x " << xs[i + l];
    }
  }
}

// exp16 (two edges' heads per register in the eight-head forward) must give exactly what exp8 and
// the scalar exp_approx give, lane for lane; cat16 / low8 / high8 must round-trip the halves.
TEST(RowOps, Exp16MatchesExp8AndTheHalvesRoundTrip) {
  std::vector<float> xs;
  for (float x = -90.0f; x <= 1.0f; x += 0.0007f)
    xs.push_back(x);
  while (xs.size() % 16)
    xs.push_back(0.5f);
  for (size_t i = 0; i < xs.size(); i += 16) {
    const V8 a = load8(xs.data() + i), b = load8(xs.data() + i + 8);
    const V16 v = cat16(a, b);
    float lanes[16];
    std::memcpy(lanes, &v, sizeof lanes);  // clang allows no address of a vector element
    ASSERT_TRUE(std::equal(xs.begin() + i, xs.begin() + i + 16, lanes));
    const V8 lo = low8(v), hi = high8(v);
    for (int l = 0; l < 8; ++l) {
      ASSERT_EQ(lo[l], a[l]);
      ASSERT_EQ(hi[l], b[l]);
    }
    const V16 y = exp16(v);
    const V8 ya = exp8(a), yb = exp8(b);
    for (int l = 0; l < 8; ++l) {
      ASSERT_EQ(y[l], ya[l]) << "x " << xs[i + l];
      ASSERT_EQ(y[8 + l], yb[l]) << "x " << xs[i + 8 + l];
      ASSERT_EQ(y[l], exp_approx(xs[i + l])) << "x " << xs[i + l];
    }
    float out[16];
    store16(out, leaky_relu16(v, 0.2f));
    for (int l = 0; l < 16; ++l)
      ASSERT_EQ(out[l], xs[i + l] > 0.0f ? xs[i + l] : xs[i + l] * 0.2f);
  }
}

}  // namespace
}  // namespace gat::kernels
