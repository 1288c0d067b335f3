// Tests for gat::gemm (kernels/gemm.h): every transpose combination against a naive double
// product, strided operands, the beta contract, k = 0, and thread-count independence.
#include "gat/kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"

using gat::testing::ThreadCountGuard;
using gat::testing::throws_with;

namespace gat {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A row-major matrix of `rows` × `cols` stored with row stride ld ≥ cols; the padding holds NaN,
// so a gemm that reads past a row's end poisons its result.
struct Strided {
  int64_t rows, cols, ld;
  std::vector<float> v;
  /// Uniform entries in [-1, 1), or, with `small_integers`, integers in [-2, 2].
  Strided(int64_t r, int64_t c, int64_t pad, Generator& gen, bool small_integers = false)
      : rows(r), cols(c), ld(c + pad), v(static_cast<size_t>(r * (c + pad)), kNaN) {
    for (int64_t i = 0; i < r; ++i)
      for (int64_t j = 0; j < c; ++j)
        v[i * ld + j] = small_integers ? static_cast<float>(static_cast<int64_t>(gen.below(5)) - 2)
                                       : gen.uniform(-1.0f, 1.0f);
  }
  double at(int64_t i, int64_t j) const { return v[i * ld + j]; }
};

// op(A) [m, k] · op(B) [k, n] in double, straight from the definition.
std::vector<double> reference(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha,
                              const Strided& a, const Strided& b, double beta,
                              const std::vector<double>& c0) {
  std::vector<double> c(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p)
        s += (ta ? a.at(p, i) : a.at(i, p)) * (tb ? b.at(j, p) : b.at(p, j));
      c[i * n + j] = alpha * s + (beta == 0 ? 0.0 : beta * c0[i * n + j]);
    }
  return c;
}

// The float32 product of k terms in [-1, 1] is off by at most about k · 2⁻²⁴ · Σ|a b| ≤ k² · 6e-8
// (1e-4 for k = 40) in the worst case, and by about √k · 6e-8 · √k typically; relative to the
// largest |entry| (≈ √k / 3) 2e-5 leaves room for the worst case at k ≤ 40 without hiding a
// wrong index, which gives errors of order 1.
constexpr double kTol = 2e-5;

struct Case {
  bool ta, tb;
};

class GemmKernelTransposes : public ::testing::TestWithParam<Case> {};

TEST_P(GemmKernelTransposes, MatchesDoubleReferenceWithStrides) {
  const auto [ta, tb] = GetParam();
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Generator gen(seed);
    const int64_t m = 1 + static_cast<int64_t>(gen.below(40)),
                  n = 1 + static_cast<int64_t>(gen.below(40)),
                  k = 1 + static_cast<int64_t>(gen.below(40));
    Strided a(ta ? k : m, ta ? m : k, 3, gen), b(tb ? n : k, tb ? k : n, 5, gen);
    const int64_t ldc = n + 2;
    std::vector<float> c(static_cast<size_t>(m * ldc), kNaN);  // beta = 0: NaN must be ignored
    const float alpha = 0.75f;
    gemm(ta, tb, m, n, k, alpha, a.v.data(), a.ld, b.v.data(), b.ld, 0.0f, c.data(), ldc);
    std::vector<double> ref = reference(ta, tb, m, n, k, alpha, a, b, 0.0, {});
    std::vector<float> got(static_cast<size_t>(m * n));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j)
        got[i * n + j] = c[i * ldc + j];
      // The padding of C is not C: it must be left alone.
      EXPECT_TRUE(std::isnan(c[i * ldc + n]) && std::isnan(c[i * ldc + n + 1])) << "row " << i;
    }
    EXPECT_LE(testing::max_relative_error(got.data(), ref), kTol)
        << "seed " << seed << " m=" << m << " n=" << n << " k=" << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Gemm, GemmKernelTransposes,
                         ::testing::Values(Case{false, false}, Case{false, true}, Case{true, false},
                                           Case{true, true}),
                         [](const auto& info) {
                           return std::string(info.param.ta ? "T" : "N") +
                                  (info.param.tb ? "T" : "N");
                         });

// gemm splits large products into tiles whose sizes depend only on the shape: by rows of C when M
// is large, by columns when N is, by fixed blocks of K (partials added in order) when only K is.
// Each case below takes one of those paths, with every transpose combination, strided operands
// (NaN padding) and beta = 0 (C holds NaN), 1 and 0.5. With integer entries in [-2, 2] every
// product and partial sum is an integer below 2²⁴ and alpha = 0.75, beta = 0.5 only add two
// fractional bits, so float32 arithmetic is exact in any order: results must equal the double
// reference exactly, and any misplaced tile, block or stride shows.
TEST(GemmKernel, TiledPathsAreExactOnSmallIntegers) {
  struct Dims {
    const char* path;
    int64_t m, n, k;
  };
  const Dims cases[] = {
      {"rows", 2100, 7, 9}, {"columns", 5, 600, 9}, {"depth", 5, 7, 17000}, {"serial", 30, 20, 50}};
  Generator gen(3);
  for (const Dims& d : cases)
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      Strided a(ta ? d.k : d.m, ta ? d.m : d.k, 2, gen, true);
      Strided b(tb ? d.n : d.k, tb ? d.k : d.n, 3, gen, true);
      const int64_t ldc = d.n + 1;
      std::vector<double> c0(static_cast<size_t>(d.m * d.n));
      for (double& v : c0)
        v = static_cast<double>(gen.below(5)) - 2;
      for (float beta : {0.0f, 1.0f, 0.5f}) {
        std::vector<float> c(static_cast<size_t>(d.m * ldc), kNaN);
        if (beta != 0.0f)
          for (int64_t i = 0; i < d.m; ++i)
            for (int64_t j = 0; j < d.n; ++j)
              c[i * ldc + j] = static_cast<float>(c0[i * d.n + j]);
        gemm(ta, tb, d.m, d.n, d.k, 0.75f, a.v.data(), a.ld, b.v.data(), b.ld, beta, c.data(), ldc);
        const std::vector<double> ref = reference(ta, tb, d.m, d.n, d.k, 0.75, a, b, beta, c0);
        int64_t wrong = 0;
        for (int64_t i = 0; i < d.m; ++i) {
          for (int64_t j = 0; j < d.n; ++j)
            wrong += c[i * ldc + j] != ref[i * d.n + j];
          wrong += !std::isnan(c[i * ldc + d.n]);  // the padding of C is left alone
        }
        EXPECT_EQ(wrong, 0) << d.path << " path, trans_a " << ta << " trans_b " << tb << " beta "
                            << beta;
      }
    }
}

TEST(GemmKernel, BetaOneAccumulatesAndBetaScales) {
  Generator gen(7);
  const int64_t m = 13, n = 11, k = 9;
  Strided a(m, k, 0, gen), b(k, n, 0, gen);
  std::vector<double> c0(static_cast<size_t>(m * n));
  for (double& v : c0)
    v = gen.uniform(-1.0f, 1.0f);
  for (float beta : {1.0f, 0.5f}) {
    std::vector<float> c(c0.begin(), c0.end());
    gemm(false, false, m, n, k, 1.0f, a.v.data(), k, b.v.data(), n, beta, c.data(), n);
    EXPECT_LE(testing::max_relative_error(c.data(),
                                          reference(false, false, m, n, k, 1.0, a, b, beta, c0)),
              kTol)
        << "beta " << beta;
  }
}

TEST(GemmKernel, ZeroInnerDimension) {
  // k = 0: op(A) op(B) is the zero matrix, so C = beta · C (and beta = 0 overwrites NaN).
  const float dummy = 1.0f;
  std::vector<float> c = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  gemm(false, false, 2, 3, 0, 1.0f, &dummy, 1, &dummy, 3, 0.0f, c.data(), 3);
  for (float v : c)
    EXPECT_EQ(v, 0.0f);
  c = {1, 2, 3, 4, 5, 6};
  gemm(true, true, 2, 3, 0, 1.0f, &dummy, 2, &dummy, 1, 1.0f, c.data(), 3);
  EXPECT_EQ(c, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  gemm(false, true, 2, 3, 0, 1.0f, &dummy, 1, &dummy, 1, 0.5f, c.data(), 3);
  EXPECT_EQ(c, (std::vector<float>{0.5f, 1, 1.5f, 2, 2.5f, 3}));
}

TEST(GemmKernel, EmptyOutputTouchesNothing) {
  std::vector<float> c = {7.0f};
  const float dummy = 1.0f;
  gemm(false, false, 0, 1, 3, 1.0f, &dummy, 3, &dummy, 1, 0.0f, c.data(), 1);
  gemm(false, false, 1, 0, 3, 1.0f, &dummy, 3, &dummy, 1, 0.0f, c.data(), 1);
  EXPECT_EQ(c[0], 7.0f);
}

// The backend must not let the thread count change the summation order (a BLAS that splits or
// re-blocks K by thread count would fail here). Large enough that the backend does go parallel,
// with both a long M (the forward X Wᵀ and dX = dY W of a layer) and a long K (dW = dYᵀ X).
TEST(GemmKernel, BitwiseIdenticalForOneAndTwoThreads) {
  ThreadCountGuard guard;
  Generator gen(11);
  const int64_t big = 20000, p = 64, q = 48;
  std::vector<float> x(static_cast<size_t>(big * p)), y(static_cast<size_t>(big * q));
  for (float& v : x)
    v = gen.uniform(-1.0f, 1.0f);
  for (float& v : y)
    v = gen.uniform(-1.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(q * p));
  for (float& v : w)
    v = gen.uniform(-1.0f, 1.0f);
  struct Product {
    const char* name;
    bool ta, tb;
    int64_t m, n, k;
    const float* a;
    int64_t lda;
    const float* b;
    int64_t ldb;
  };
  const Product products[] = {
      {"X Wt [20000x64]x[64x48]", false, true, big, q, p, x.data(), p, w.data(), p},
      {"dY W [20000x48]x[48x64]", false, false, big, p, q, y.data(), q, w.data(), p},
      {"dYt X [48x20000]x[20000x64]", true, false, q, p, big, y.data(), q, x.data(), p},
      {"Xt dY [64x20000]x[20000x48] (both transposed)", true, true, p, q, big, x.data(), p,
       w.data(), big},
  };
  for (const Product& pr : products) {
    if (pr.b == w.data() && pr.k == big) continue;  // needs a [48, 20000] B; covered below
    std::vector<float> c1(static_cast<size_t>(pr.m * pr.n)), c2(c1.size());
    set_num_threads(1);
    gemm(pr.ta, pr.tb, pr.m, pr.n, pr.k, 1.0f, pr.a, pr.lda, pr.b, pr.ldb, 0.0f, c1.data(), pr.n);
    set_num_threads(2);
    gemm(pr.ta, pr.tb, pr.m, pr.n, pr.k, 1.0f, pr.a, pr.lda, pr.b, pr.ldb, 0.0f, c2.data(), pr.n);
    EXPECT_EQ(std::memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)), 0) << pr.name;
  }
  // Both transposed with a long K: op(A) = Xᵀ [64, 20000], op(B) = (Yᵀ)ᵀ... B stored [48, 20000].
  std::vector<float> yt(static_cast<size_t>(q * big));
  for (int64_t i = 0; i < big; ++i)
    for (int64_t j = 0; j < q; ++j)
      yt[j * big + i] = y[i * q + j];
  std::vector<float> c1(static_cast<size_t>(p * q)), c2(c1.size());
  set_num_threads(1);
  gemm(true, true, p, q, big, 1.0f, x.data(), p, yt.data(), big, 0.0f, c1.data(), q);
  set_num_threads(2);
  gemm(true, true, p, q, big, 1.0f, x.data(), p, yt.data(), big, 0.0f, c2.data(), q);
  EXPECT_EQ(std::memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)), 0)
      << "Xt Y [64x20000]x[20000x48]";
}

}  // namespace
}  // namespace gat
