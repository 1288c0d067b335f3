// Tests for gat/ops/gatv2_attention.h and its kernel (gat/kernels/gatv2_attention.h): forward,
// α and gradients against the dense double-precision reference (testing/reference_gatv2.h),
// gradcheck, dropout, node permutation, thread-count independence, argument checks, and the
// header's example.
#include "gat/ops/gatv2_attention.h"

#include <gtest/gtest.h>

#include <array>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"
#include "testing/reference.h"
#include "testing/reference_gatv2.h"

using gat::testing::ThreadCountGuard;
using gat::testing::throws_with;

namespace gat {
namespace {

using testing::dense_gatv2;
using testing::DenseResult;
using testing::max_relative_error;
using testing::numeric_gradient;
using testing::random_tensor;

std::vector<double> to_double(const Tensor& t) {
  return {t.data(), t.data() + t.numel()};
}

struct Problem {
  Graph graph;
  int64_t heads = 1, channels = 1;
  Tensor xl, xr, att;
};

Problem make_problem(uint64_t seed, int64_t n, int64_t e, int64_t heads, int64_t channels,
                     bool self_loops) {
  Generator gen(seed);
  const Graph base = testing::random_edges(n, e, gen).graph();
  Problem p;
  p.graph = self_loops ? base.with_self_loops() : base;
  p.heads = heads;
  p.channels = channels;
  p.xl = random_tensor({n, heads, channels}, gen);
  p.xr = random_tensor({n, heads, channels}, gen);
  p.att = random_tensor({1, heads, channels}, gen);
  return p;
}

DenseResult reference(const Problem& p, double slope, const std::vector<double>& scale = {}) {
  return dense_gatv2(p.graph.num_nodes(), p.graph.src(), p.graph.dst(), to_double(p.xl),
                     to_double(p.xr), to_double(p.att), p.heads, p.channels, slope, scale);
}

std::vector<double> dropout_scale(uint64_t key, int64_t edges, int64_t heads, float p) {
  std::vector<double> s(static_cast<size_t>(edges * heads));
  for (size_t k = 0; k < s.size(); ++k)
    s[k] = uniform_at(key, k) >= p ? 1.0 / (1.0 - static_cast<double>(p)) : 0.0;
  return s;
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

// See test_gat_attention.cpp: parameter gradients sum O(1) terms that largely cancel, so they
// are compared relative to max(|ref|, 0.1).
constexpr double kGradFloor = 0.1;

TEST(Gatv2Attention, ForwardMatchesDenseReference) {
  for (uint64_t seed = 0; seed < 8; ++seed)
    // H = 8 with C = 8 or 16 takes the kernel's eight-head vector path.
    for (int64_t heads : {1, 4, 8})
      for (int64_t channels : {1, 3, 8, 16, 19})
        for (bool looped : {false, true}) {
          SCOPED_TRACE(::testing::Message() << "seed " << seed << " H " << heads << " C "
                                            << channels << " looped " << looped);
          const Problem p = make_problem(seed, 17, 50, heads, channels, looped);
          Gatv2AttentionOptions options;
          options.negative_slope = seed % 3 == 0 ? 0.2f : (seed % 3 == 1 ? 0.0f : 0.7f);
          Tensor alpha;
          const Variable out = gatv2_attention(Variable(p.xl), Variable(p.xr), Variable(p.att),
                                               p.graph, options, &alpha);
          const DenseResult ref = reference(p, options.negative_slope);
          ASSERT_EQ(out.shape(), (Shape{17, heads, channels}));
          ASSERT_EQ(alpha.shape(), (Shape{p.graph.num_edges(), heads}));
          EXPECT_LE(max_relative_error(out.data().data(), ref.out), 1e-5);
          EXPECT_LE(max_relative_error(alpha.data(), ref.alpha), 1e-5);
        }
}

TEST(Gatv2Attention, EmptyGraphAndIsolatedNodesGiveZero) {
  for (int64_t n : {0, 4}) {
    const std::vector<int64_t> none;
    const Graph g = Graph::from_edges(n, none, none);
    Generator gen(1);
    Variable xl(random_tensor({n, 2, 3}, gen), true), xr(random_tensor({n, 2, 3}, gen), true);
    Variable att(random_tensor({1, 2, 3}, gen), true);
    const Variable out = gatv2_attention(xl, xr, att, g, {});
    for (float v : out.data().to_vector())
      EXPECT_EQ(v, 0.0f);
    out.backward(Tensor::full(out.shape(), 1.0f));
    for (const Variable* v : {&xl, &xr, &att})
      for (float gv : v->grad().to_vector())
        EXPECT_EQ(gv, 0.0f);
  }
}

TEST(Gatv2AttentionGrad, MatchesNumericGradientOfDenseReference) {
  for (uint64_t seed = 0; seed < 8; ++seed)
    for (int64_t heads : {1, 4, 8}) {
      // The generic path (C = 1, 3) and the eight-head one (H = 8 with C = 8, 16).
      const int64_t channels = std::array<int64_t, 4>{1, 3, 8, 16}[seed % 4];
      const bool looped = seed % 2 == 1;
      const float p_drop = seed % 3 == 2 ? 0.4f : 0.0f;
      SCOPED_TRACE(::testing::Message()
                   << "seed " << seed << " H " << heads << " C " << channels << " p " << p_drop);
      const Problem p = make_problem(seed, 10, 24, heads, channels, looped);
      Gatv2AttentionOptions options;
      options.negative_slope = seed % 4 == 3 ? 0.0f : 0.2f;
      options.training = true;
      options.dropout = p_drop;
      Generator gen(seed + 1000);
      options.generator = &gen;
      const std::vector<double> scale =
          p_drop > 0
              ? dropout_scale(Generator(seed + 1000).next_key(), p.graph.num_edges(), heads, p_drop)
              : std::vector<double>{};
      Variable xl(p.xl, true), xr(p.xr, true), att(p.att, true);
      const Variable out = gatv2_attention(xl, xr, att, p.graph, options);
      Generator wgen(seed + 7);
      const Tensor w = random_tensor(out.shape(), wgen);
      out.backward(w);

      const std::vector<double> wd = to_double(w);
      std::vector<double> xld = to_double(p.xl), xrd = to_double(p.xr), attd = to_double(p.att);
      auto loss = [&]() {
        const DenseResult r = dense_gatv2(10, p.graph.src(), p.graph.dst(), xld, xrd, attd, heads,
                                          channels, options.negative_slope, scale);
        double s = 0;
        for (size_t k = 0; k < wd.size(); ++k)
          s += wd[k] * r.out[k];
        return s;
      };
      auto grad_of = [&](std::vector<double>& input) {
        const std::vector<double> at = input;
        std::vector<double> g = numeric_gradient(
            [&](const std::vector<double>& v) {
              input = v;
              return loss();
            },
            at);
        input = at;
        return g;
      };
      EXPECT_LE(max_relative_error(xl.grad().data(), grad_of(xld), kGradFloor), 1e-5);
      EXPECT_LE(max_relative_error(xr.grad().data(), grad_of(xrd), kGradFloor), 1e-5);
      EXPECT_LE(max_relative_error(att.grad().data(), grad_of(attd), kGradFloor), 1e-5);
    }
}

// min |xl[j,h,c] + xr[i,h,c]| over edges, heads and channels: LeakyReLU's kink sits at each.
double min_abs_preactivation(const Problem& p) {
  double m = INFINITY;
  for (int64_t f = 0; f < p.graph.num_edges(); ++f)
    for (int64_t h = 0; h < p.heads; ++h)
      for (int64_t c = 0; c < p.channels; ++c)
        m = std::min(m, std::abs(static_cast<double>(p.xl.at(p.graph.src()[f], h, c)) +
                                 p.xr.at(p.graph.dst()[f], h, c)));
  return m;
}

// gradcheck steps one float by 1e-2, moving a pre-activation by 1e-2 (xl and xr are separate
// inputs), so a margin of 0.03 keeps every step on one side of the kink.
TEST(Gatv2AttentionGrad, GradcheckFloat32) {
  uint64_t seed = 0;
  for (int trial = 0; trial < 6; ++trial, ++seed) {
    Problem p;
    for (;; ++seed) {
      p = make_problem(seed, 6, 8, 2, 2, trial % 2 == 1);
      if (min_abs_preactivation(p) >= 0.03) break;
    }
    const Graph g = p.graph;
    const testing::VariableFn f = [&](const std::vector<Variable>& v) {
      return gatv2_attention(v[0], v[1], v[2], g, {});
    };
    EXPECT_TRUE(testing::gradcheck(f, {Variable(p.xl.clone(), true), Variable(p.xr.clone(), true),
                                       Variable(p.att.clone(), true)}))
        << "seed " << seed;
  }
}

TEST(Gatv2Attention, DropoutIsReproducibleAndScalesOrZeroes) {
  const Problem p = make_problem(5, 40, 200, 3, 4, true);
  const float drop = 0.3f;
  Tensor a1, a2, a0;
  Gatv2AttentionOptions options;
  options.dropout = drop;
  options.training = true;
  Generator g1(77), g2(77);
  options.generator = &g1;
  const Variable o1 =
      gatv2_attention(Variable(p.xl), Variable(p.xr), Variable(p.att), p.graph, options, &a1);
  options.generator = &g2;
  const Variable o2 =
      gatv2_attention(Variable(p.xl), Variable(p.xr), Variable(p.att), p.graph, options, &a2);
  EXPECT_TRUE(bitwise_equal(o1.data(), o2.data()));
  EXPECT_TRUE(bitwise_equal(a1, a2));
  gatv2_attention(Variable(p.xl), Variable(p.xr), Variable(p.att), p.graph, {}, &a0);
  int64_t dropped = 0;
  for (int64_t k = 0; k < a1.numel(); ++k) {
    if (a1.data()[k] == 0.0f) {
      ++dropped;
      continue;
    }
    EXPECT_NEAR(a1.data()[k], a0.data()[k] / (1.0f - drop), 1e-6f);
  }
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, a1.numel());
  // Against the reference with the mask the op's contract defines.
  const DenseResult ref =
      reference(p, 0.2, dropout_scale(Generator(77).next_key(), p.graph.num_edges(), 3, drop));
  EXPECT_LE(max_relative_error(o1.data().data(), ref.out), 1e-5);
  EXPECT_LE(max_relative_error(a1.data(), ref.alpha), 1e-5);
}

TEST(Gatv2Attention, ThreadCountDoesNotChangeAnyBit) {
  ThreadCountGuard guard;
  for (int64_t heads : {4, 8}) {  // the generic and the eight-head paths
    SCOPED_TRACE(heads);
    const Problem p = make_problem(11, 3000, 30000, heads, 8, true);
    Generator wgen(3);
    const Tensor w = random_tensor({3000, heads, 8}, wgen);
    std::vector<Tensor> results[2];
    for (int t : {1, 2}) {
      set_num_threads(t);
      Gatv2AttentionOptions options;
      options.dropout = 0.2f;
      options.training = true;
      Generator gen(9);
      options.generator = &gen;
      Variable xl(p.xl, true), xr(p.xr, true), att(p.att, true);
      Tensor alpha;
      const Variable out = gatv2_attention(xl, xr, att, p.graph, options, &alpha);
      out.backward(w);
      results[t - 1] = {out.data(), alpha, xl.grad(), xr.grad(), att.grad()};
    }
    for (size_t k = 0; k < results[0].size(); ++k)
      EXPECT_TRUE(bitwise_equal(results[0][k], results[1][k])) << "result " << k;
  }
}

TEST(Gatv2Attention, PermutingNodesPermutesTheOutput) {
  const int64_t n = 30, heads = 2, channels = 5;
  Generator gen(21);
  const testing::EdgeList el = testing::random_edges(n, 100, gen);
  std::vector<int64_t> perm(n);
  for (int64_t v = 0; v < n; ++v)
    perm[v] = v;
  for (int64_t k = n; k > 1; --k)
    std::swap(perm[k - 1], perm[gen.below(k)]);
  testing::EdgeList pl = el;
  for (size_t f = 0; f < el.src.size(); ++f) {
    pl.src[f] = perm[el.src[f]];
    pl.dst[f] = perm[el.dst[f]];
  }
  const Tensor xl = random_tensor({n, heads, channels}, gen);
  const Tensor xr = random_tensor({n, heads, channels}, gen);
  const Tensor att = random_tensor({1, heads, channels}, gen);
  Tensor pxl = Tensor::empty(xl.shape()), pxr = Tensor::empty(xr.shape());
  const int64_t w = heads * channels;
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < w; ++k) {
      pxl.data()[perm[v] * w + k] = xl.data()[v * w + k];
      pxr.data()[perm[v] * w + k] = xr.data()[v * w + k];
    }
  Tensor a, pa;
  const Variable out =
      gatv2_attention(Variable(xl), Variable(xr), Variable(att), el.graph(), {}, &a);
  const Variable pout =
      gatv2_attention(Variable(pxl), Variable(pxr), Variable(att), pl.graph(), {}, &pa);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < w; ++k)
      EXPECT_NEAR(pout.data().data()[perm[v] * w + k], out.data().data()[v * w + k], 1e-5f);
  for (int64_t k = 0; k < a.numel(); ++k)
    EXPECT_NEAR(pa.data()[k], a.data()[k], 1e-6f);
}

TEST(Gatv2Attention, BadArgumentsThrowNamingTheArgument) {
  const Problem p = make_problem(1, 5, 8, 2, 3, false);
  const Variable xl(p.xl), xr(p.xr), att(p.att);
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gatv2_attention(Variable(Tensor::zeros({5, 6})), xr, att, p.graph, {});
      },
      "xl"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gatv2_attention(Variable(Tensor::zeros({4, 2, 3})), xr, att, p.graph, {});
      },
      "graph has 5 nodes"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gatv2_attention(xl, Variable(Tensor::zeros({5, 2, 4})), att, p.graph, {});
      },
      "xr"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gatv2_attention(xl, xr, Variable(Tensor::zeros({2, 3})), p.graph, {});
      },
      "att"));
  Gatv2AttentionOptions bad;
  bad.dropout = 1.0f;
  EXPECT_TRUE(
      throws_with<InvalidArgument>([&] { gatv2_attention(xl, xr, att, p.graph, bad); }, "dropout"));
  bad.dropout = 0.5f;
  bad.training = true;
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { gatv2_attention(xl, xr, att, p.graph, bad); },
                                           "generator"));
  bad = {};
  bad.negative_slope = -1.0f;
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { gatv2_attention(xl, xr, att, p.graph, bad); },
                                           "negative_slope"));
}

// The example in gat/ops/gatv2_attention.h, verbatim.
TEST(Gatv2Attention, HeaderExample) {
  const std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 0};
  gat::Graph g = gat::Graph::from_edges(3, src, dst).with_self_loops();
  gat::Variable xl(gat::Tensor::full({3, 2, 4}, 1.0f), true);  // N × H × C, source side
  gat::Variable xr(gat::Tensor::full({3, 2, 4}, 0.5f), true);  // N × H × C, target side
  gat::Variable att(gat::Tensor::full({1, 2, 4}, 0.1f), true);
  gat::Tensor alpha;
  gat::Variable out = gat::gatv2_attention(xl, xr, att, g, {}, &alpha);  // [3, 2, 4]
  EXPECT_EQ(out.shape(), (Shape{3, 2, 4}));
  for (float v : out.data().to_vector())
    EXPECT_FLOAT_EQ(v, 1.0f);  // all equal: α = 1/2 each
  for (float a : alpha.to_vector())
    EXPECT_FLOAT_EQ(a, 0.5f);
}

}  // namespace
}  // namespace gat
