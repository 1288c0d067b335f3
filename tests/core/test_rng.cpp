// Tests for gat/core/rng.h: reproducibility, the distribution of uniform(), below() and normal(),
// and the counter-based random_bits / uniform_at.
//
// The statistical bounds are 5 standard errors of the estimator (or the p = 1e-4 quantile for the
// chi-square test), so a correct generator fails each with probability below ~1e-4 per seed; the
// seeds are fixed, so the tests are deterministic.
#include "gat/core/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gat/core/error.h"

namespace gat {
namespace {

constexpr uint64_t kSeeds[] = {0, 1, 42, 0xdeadbeefULL};

struct Moments {
  double mean = 0, var = 0;
};

template <typename F>
Moments moments(int64_t n, F&& draw) {
  double s = 0, s2 = 0;
  for (int64_t i = 0; i < n; ++i) {
    double x = draw();
    s += x;
    s2 += x * x;
  }
  Moments m;
  m.mean = s / n;
  m.var = (s2 - n * m.mean * m.mean) / (n - 1);
  return m;
}

TEST(Rng, SameSeedSameSequence) {
  for (uint64_t seed : kSeeds) {
    Generator a(seed), b(seed);
    for (int i = 0; i < 1000; ++i)
      ASSERT_EQ(a.next_u64(), b.next_u64()) << "seed " << seed;
    EXPECT_EQ(a.uniform(), b.uniform());
    EXPECT_EQ(a.normal(), b.normal());
    EXPECT_EQ(a.below(1000), b.below(1000));
    EXPECT_EQ(a.next_key(), b.next_key());
  }
}

TEST(Rng, KnownFirstValueOfSplitMix64) {
  // SplitMix64 seeded with 0 starts 0xe220a8397b1dcdaf (Vigna's reference implementation), so
  // streams match across machines and compilers.
  Generator g(0);
  EXPECT_EQ(g.next_u64(), 0xe220a8397b1dcdafULL);
}

TEST(Rng, DifferentSeedsDiffer) {
  Generator a(1), b(2);
  int equal = 0;
  for (int i = 0; i < 100; ++i)
    equal += a.next_u64() == b.next_u64();
  EXPECT_EQ(equal, 0);
}

TEST(Rng, UniformInUnitIntervalWithUniformMoments) {
  // U(0, 1): mean 1/2, variance 1/12. Standard error of the mean sqrt(1/12 / n); of the sample
  // variance sqrt((mu4 - sigma^4) / n) with mu4 = 1/80.
  const int64_t n = 200000;
  const double se_mean = std::sqrt(1.0 / 12.0 / n);
  const double se_var = std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / n);
  for (uint64_t seed : kSeeds) {
    Generator g(seed);
    float lo = 1.0f, hi = 0.0f;
    Moments m = moments(n, [&] {
      float u = g.uniform();
      lo = std::min(lo, u);
      hi = std::max(hi, u);
      return static_cast<double>(u);
    });
    EXPECT_GE(lo, 0.0f);
    EXPECT_LT(hi, 1.0f);
    EXPECT_NEAR(m.mean, 0.5, 5 * se_mean) << "seed " << seed;
    EXPECT_NEAR(m.var, 1.0 / 12.0, 5 * se_var) << "seed " << seed;
  }
}

TEST(Rng, UniformRange) {
  Generator g(3);
  for (int i = 0; i < 10000; ++i) {
    float u = g.uniform(-2.0f, 3.0f);
    ASSERT_GE(u, -2.0f);
    ASSERT_LT(u, 3.0f);
  }
}

TEST(Rng, BelowIsUnbiased) {
  // Pearson's chi-square over k equally likely outcomes has k - 1 degrees of freedom; for
  // k = 10 the p = 1e-4 quantile is 33.72.
  const int k = 10;
  const int64_t n = 100000;
  for (uint64_t seed : kSeeds) {
    Generator g(seed);
    std::vector<int64_t> count(k, 0);
    for (int64_t i = 0; i < n; ++i) {
      uint64_t r = g.below(k);
      ASSERT_LT(r, static_cast<uint64_t>(k));
      ++count[r];
    }
    double chi2 = 0, expected = static_cast<double>(n) / k;
    for (int64_t c : count)
      chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, 33.72) << "seed " << seed;
  }
}

TEST(Rng, BelowEdgeCases) {
  Generator g(5);
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(g.below(1), 0u);
  // n = 3 * 2^62: a plain `next_u64() % n` would wrap [n, 2^64) onto [0, 2^62), giving that
  // first third of the range probability 1/2 instead of 1/3. Rejection sampling keeps it at 1/3.
  const uint64_t n = 3ULL << 62;
  int64_t first_third = 0;
  const int64_t draws = 20000;
  for (int64_t i = 0; i < draws; ++i) {
    uint64_t r = g.below(n);
    ASSERT_LT(r, n);
    first_third += r < (1ULL << 62);
  }
  // Fair: Binomial(draws, 1/3), sd = sqrt(draws * 2/9) ≈ 67; biased: ≈ draws / 2.
  EXPECT_NEAR(static_cast<double>(first_third), draws / 3.0, 5 * std::sqrt(draws * 2.0 / 9.0));
}

TEST(Rng, BelowZeroThrows) {
  Generator g(0);
  EXPECT_THROW(g.below(0), InvalidArgument);
}

TEST(Rng, NormalMoments) {
  // N(0, 1): standard error of the mean 1/sqrt(n), of the sample variance sqrt(2/n).
  const int64_t n = 200000;
  for (uint64_t seed : kSeeds) {
    Generator g(seed);
    bool finite = true;
    int64_t beyond_2 = 0;
    Moments m = moments(n, [&] {
      float z = g.normal();
      finite = finite && std::isfinite(z);
      beyond_2 += std::abs(z) > 2.0f;
      return static_cast<double>(z);
    });
    EXPECT_TRUE(finite);
    EXPECT_NEAR(m.mean, 0.0, 5 / std::sqrt(n)) << "seed " << seed;
    EXPECT_NEAR(m.var, 1.0, 5 * std::sqrt(2.0 / n)) << "seed " << seed;
    // P(|Z| > 2) = 0.0455: checks the shape, not just two moments.
    const double p = 0.04550026;
    EXPECT_NEAR(static_cast<double>(beyond_2) / n, p, 5 * std::sqrt(p * (1 - p) / n));
  }
}

TEST(Rng, RandomBitsArePureFunctionsOfKeyAndIndex) {
  const uint64_t key = Generator(9).next_key();
  std::vector<uint64_t> forward(1000);
  for (uint64_t i = 0; i < forward.size(); ++i)
    forward[i] = random_bits(key, i);
  // Any order, any repetition, interleaved with other streams: the same bits.
  for (uint64_t i = forward.size(); i-- > 0;) {
    EXPECT_EQ(random_bits(key + 1, i), random_bits(key + 1, i));
    ASSERT_EQ(random_bits(key, i), forward[i]) << "index " << i;
    ASSERT_EQ(uniform_at(key, i), static_cast<float>(forward[i] >> 40) * (1.0f / 16777216.0f));
  }
  // Neighbouring keys and indices give unrelated bits (about half of 64 bits differ).
  int64_t differing = 0;
  for (uint64_t i = 0; i < 1000; ++i)
    differing += __builtin_popcountll(random_bits(key, i) ^ random_bits(key + 1, i));
  EXPECT_NEAR(differing / 1000.0, 32.0, 1.0);  // sd of the mean: 4 / sqrt(1000) ≈ 0.13
  EXPECT_NE(random_bits(key, 0), random_bits(key, 1));
}

TEST(Rng, UniformAtMoments) {
  const int64_t n = 200000;
  const uint64_t key = 0x1234;
  uint64_t i = 0;
  float lo = 1.0f, hi = 0.0f;
  Moments m = moments(n, [&] {
    float u = uniform_at(key, i++);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    return static_cast<double>(u);
  });
  EXPECT_GE(lo, 0.0f);
  EXPECT_LT(hi, 1.0f);
  EXPECT_NEAR(m.mean, 0.5, 5 * std::sqrt(1.0 / 12.0 / n));
  EXPECT_NEAR(m.var, 1.0 / 12.0, 5 * std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / n));
}

// The split key (mix_key once, random_bits_mixed per element) is random_bits itself, and the
// integer keep rule of the kernels is the float one, uniform_at(key, i) >= p, for every 24-bit
// draw: checked exhaustively at p on and next to the 2^-24 grid and at dropout rates in use.
TEST(Rng, MixedKeyAndIntegerKeepRuleAreTheFloatOnes) {
  for (uint64_t key : {0ULL, 1ULL, 0x1234ULL, ~0ULL})
    for (uint64_t i = 0; i < 1000; ++i)
      EXPECT_EQ(random_bits_mixed(mix_key(key), i), random_bits(key, i));
  std::vector<float> ps = {0.0f, 0.1f, 0.2f, 0.25f, 0.35f, 0.4f, 0.5f, 0.6f, 0.9f};
  for (float grid :
       {1.0f / 16777216.0f, 0.5f, 0.6f - 0.6f / 16777216.0f, 1.0f - 1.0f / 16777216.0f}) {
    ps.push_back(grid);
    ps.push_back(std::nextafter(grid, 0.0f));
    ps.push_back(std::nextafter(grid, 1.0f));
  }
  for (float p : ps) {
    SCOPED_TRACE(p);
    const uint64_t t = keep_threshold(p);
    // Every draw k·2^-24 near the threshold, where a rounding slip would show.
    for (uint64_t k = t > 4 ? t - 4 : 0; k < std::min<uint64_t>(t + 4, 1ULL << 24); ++k) {
      const float u = static_cast<float>(k) * (1.0f / 16777216.0f);
      EXPECT_EQ(k >= t, u >= p) << "k " << k;
    }
  }
  EXPECT_EQ(keep_threshold(0.0f), 0u);
  EXPECT_EQ(keep_threshold(0.5f), 1u << 23);
}

TEST(Rng, HeaderExample) {
  gat::Generator gen(42);
  float u = gen.uniform();        // in [0, 1)
  uint64_t key = gen.next_key();  // one key per dropout call
  bool keep = gat::uniform_at(key, 17) >= 0.6f;
  EXPECT_GE(u, 0.0f);
  EXPECT_LT(u, 1.0f);
  EXPECT_EQ(keep, gat::uniform_at(key, 17) >= 0.6f);
}

}  // namespace
}  // namespace gat
