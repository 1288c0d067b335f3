// Tests for gat/ops/gat_attention.h and its kernel (gat/kernels/gat_attention.h): forward and
// gradients against the dense double-precision reference (tests/testing/reference.h), gradcheck,
// softmax invariants and edge cases, dropout, node permutation, thread-count independence,
// argument checks, and the header's example.
#include "gat/ops/gat_attention.h"

#include <gtest/gtest.h>

#include <array>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "gat/kernels/gat_attention.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"
#include "testing/reference.h"

using gat::testing::ThreadCountGuard;
using gat::testing::throws_with;

namespace gat {
namespace {

using testing::dense_gat_attention;
using testing::DenseAttention;
using testing::max_relative_error;
using testing::numeric_gradient;
using testing::random_tensor;

std::vector<double> to_double(const Tensor& t) {
  return {t.data(), t.data() + t.numel()};
}
std::vector<int64_t> to_int64(const std::vector<int32_t>& v) {
  return {v.begin(), v.end()};
}

// One random problem: a graph from testing::random_edges (isolated node, duplicate edges and
// self-loops included), optionally with PyG's self-loops, and uniform inputs in [-1, 1).
struct Problem {
  Graph graph;
  int64_t heads = 1, channels = 1;
  Tensor x, att_src, att_dst, edge_score;  // edge_score undefined when absent
};

Problem make_problem(uint64_t seed, int64_t n, int64_t e, int64_t heads, int64_t channels,
                     bool self_loops, bool with_edge_score) {
  Generator gen(seed);
  const Graph base = testing::random_edges(n, e, gen).graph();
  Problem p;
  p.graph = self_loops ? base.with_self_loops() : base;
  p.heads = heads;
  p.channels = channels;
  p.x = random_tensor({n, heads, channels}, gen);
  p.att_src = random_tensor({1, heads, channels}, gen);
  p.att_dst = random_tensor({1, heads, channels}, gen);
  if (with_edge_score) p.edge_score = random_tensor({p.graph.num_edges(), heads}, gen);
  return p;
}

// Dropout's factor m / (1 − p) per edge and head, as the op's contract defines it.
std::vector<double> dropout_scale(uint64_t key, int64_t edges, int64_t heads, float p) {
  std::vector<double> s(static_cast<size_t>(edges * heads));
  for (size_t k = 0; k < s.size(); ++k)
    s[k] = uniform_at(key, k) >= p ? 1.0 / (1.0 - static_cast<double>(p)) : 0.0;
  return s;
}

DenseAttention reference(const Problem& p, float slope, const std::vector<double>& scale = {}) {
  return dense_gat_attention(
      p.graph.num_nodes(), to_int64(p.graph.src()), to_int64(p.graph.dst()), to_double(p.x),
      to_double(p.att_src), to_double(p.att_dst), p.heads, p.channels, slope,
      p.edge_score.defined() ? to_double(p.edge_score) : std::vector<double>{}, scale);
}

Variable run(const Problem& p, const GatAttentionOptions& options, Tensor* alpha = nullptr) {
  const Variable es = p.edge_score.defined() ? Variable(p.edge_score) : Variable();
  return gat_attention(Variable(p.x), Variable(p.att_src), Variable(p.att_dst), p.graph, options,
                       alpha, es);
}

// min |z| over edges and heads, in double: gradcheck's steps must not cross LeakyReLU's kink.
double min_abs_logit(const Problem& p) {
  const int64_t hn = p.heads, c = p.channels;
  double m = INFINITY;
  for (int64_t f = 0; f < p.graph.num_edges(); ++f) {
    for (int64_t h = 0; h < hn; ++h) {
      double z = p.edge_score.defined() ? p.edge_score.at(f, h) : 0.0;
      for (int64_t k = 0; k < c; ++k)
        z += static_cast<double>(p.att_src.at(0, h, k)) * p.x.at(p.graph.src()[f], h, k) +
             static_cast<double>(p.att_dst.at(0, h, k)) * p.x.at(p.graph.dst()[f], h, k);
      m = std::min(m, std::abs(z));
    }
  }
  return m;
}

std::string scientific(double v) {
  std::ostringstream os;
  os << std::scientific << std::setprecision(2) << v;
  return os.str();
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

// ---------------------------------------------------------------------------------------------
// Forward against the dense reference.

TEST(GatAttention, ForwardMatchesDenseReference) {
  double worst = 0;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    // H = 8 with C = 8 or 16 and C ∈ {8, 16} alone take the kernel's specialised paths.
    for (int64_t heads : {1, 4, 8}) {
      for (int64_t channels : {1, 3, 8, 16, 19}) {
        for (bool looped : {false, true}) {
          for (bool with_es : {false, true}) {
            SCOPED_TRACE(::testing::Message()
                         << "seed " << seed << " H " << heads << " C " << channels << " looped "
                         << looped << " es " << with_es);
            const Problem p = make_problem(seed, 17, 50, heads, channels, looped, with_es);
            GatAttentionOptions options;
            options.negative_slope = seed % 3 == 0 ? 0.2f : (seed % 3 == 1 ? 0.0f : 0.7f);
            Tensor alpha;
            const Variable out = run(p, options, &alpha);
            const DenseAttention ref = reference(p, options.negative_slope);
            ASSERT_EQ(out.shape(), (Shape{17, heads, channels}));
            ASSERT_EQ(alpha.shape(), (Shape{p.graph.num_edges(), heads}));
            const double e_out = max_relative_error(out.data().data(), ref.out);
            const double e_alpha = max_relative_error(alpha.data(), ref.alpha);
            EXPECT_LE(e_out, 1e-5);
            EXPECT_LE(e_alpha, 1e-5);
            worst = std::max({worst, e_out, e_alpha});
          }
        }
      }
    }
  }
  RecordProperty("max_relative_error", scientific(worst));
}

// Scores far beyond float's exp range (|z| ≈ 100s) only work with the max subtracted. The
// softmax's relative error is then about |z| · 2^-24 ≈ 1e-5, hence 1e-4 here.
TEST(GatAttention, StableForScoresBeyondFloatExpRange) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Problem p = make_problem(seed, 15, 40, 2, 4, true, true);
    for (int64_t k = 0; k < p.att_src.numel(); ++k)
      p.att_src.data()[k] *= 40.0f;
    for (int64_t k = 0; k < p.att_dst.numel(); ++k)
      p.att_dst.data()[k] *= 40.0f;
    Tensor alpha;
    const Variable out = run(p, {}, &alpha);
    const DenseAttention ref = reference(p, 0.2f);
    for (float v : out.data().to_vector())
      ASSERT_TRUE(std::isfinite(v));
    EXPECT_LE(max_relative_error(out.data().data(), ref.out), 1e-4);
    EXPECT_LE(max_relative_error(alpha.data(), ref.alpha), 1e-4);
  }
}

// ---------------------------------------------------------------------------------------------
// Softmax invariants and edge cases.

TEST(GatAttention, AttentionSumsToOnePerDestinationAndHead) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const Problem p = make_problem(seed, 30, 90, 3, 4, seed % 2 == 1, seed % 3 == 0);
    Tensor alpha;
    run(p, {}, &alpha);
    std::vector<double> sum(static_cast<size_t>(p.graph.num_nodes() * 3), 0.0);
    for (int64_t f = 0; f < p.graph.num_edges(); ++f)
      for (int64_t h = 0; h < 3; ++h)
        sum[p.graph.dst()[f] * 3 + h] += alpha.at(f, h);
    for (int64_t i = 0; i < p.graph.num_nodes(); ++i)
      for (int64_t h = 0; h < 3; ++h) {
        if (p.graph.in_degree(i) == 0) continue;
        EXPECT_NEAR(sum[i * 3 + h], 1.0, 1e-6) << "node " << i << " head " << h;
      }
  }
}

TEST(GatAttention, IsolatedNodeGetsExactZeroAndDegreeOneNodeCopiesItsSource) {
  // random_edges leaves its last node (19) isolated; node 20 is added with a single in-edge.
  Generator gen(3);
  testing::EdgeList el = testing::random_edges(20, 50, gen);
  el.num_nodes = 21;  // node 20: one incoming edge from node 4, nothing else
  el.src.push_back(4);
  el.dst.push_back(20);
  Problem p;
  p.graph = el.graph();
  p.heads = 2;
  p.channels = 5;
  p.x = random_tensor({21, 2, 5}, gen);
  p.att_src = random_tensor({1, 2, 5}, gen);
  p.att_dst = random_tensor({1, 2, 5}, gen);
  ASSERT_EQ(p.graph.in_degree(19), 0);
  ASSERT_EQ(p.graph.in_degree(20), 1);
  Tensor alpha;
  const Variable out = run(p, {}, &alpha);
  for (float v : out.data().to_vector())
    ASSERT_TRUE(std::isfinite(v));
  for (int64_t h = 0; h < 2; ++h) {
    for (int64_t c = 0; c < 5; ++c) {
      EXPECT_EQ(out.data().at(19, h, c), 0.0f);
      EXPECT_EQ(out.data().at(20, h, c), p.x.at(4, h, c));  // α = exp(0) / 1 exactly
    }
    EXPECT_EQ(alpha.at(p.graph.num_edges() - 1, h), 1.0f);
  }
}

TEST(GatAttention, GraphWithoutEdgesOrNodes) {
  for (int64_t n : {0, 4}) {
    SCOPED_TRACE(::testing::Message() << n << " nodes");
    const std::vector<int64_t> none;
    const Graph g = Graph::from_edges(n, none, none);
    Generator gen(1);
    Variable x(random_tensor({n, 2, 3}, gen), true);
    Variable as(random_tensor({1, 2, 3}, gen), true);
    Variable ad(random_tensor({1, 2, 3}, gen), true);
    Variable es(Tensor::zeros({0, 2}), true);
    Tensor alpha;
    const Variable out = gat_attention(x, as, ad, g, {}, &alpha, es);
    ASSERT_EQ(out.shape(), (Shape{n, 2, 3}));
    EXPECT_EQ(alpha.shape(), (Shape{0, 2}));
    for (float v : out.data().to_vector())
      EXPECT_EQ(v, 0.0f);
    out.backward(Tensor::full(out.shape(), 1.0f));
    for (const Variable* v : {&x, &as, &ad}) {
      ASSERT_TRUE(v->grad().defined());
      for (float gv : v->grad().to_vector())
        EXPECT_EQ(gv, 0.0f);
    }
    ASSERT_TRUE(es.grad().defined());
    EXPECT_EQ(es.grad().numel(), 0);
  }
}

// The kernel directly: lse and the node scores it saves for backward, and finite lse for rows
// without edges.
TEST(GatAttentionKernel, SavedStatisticsMatchReference) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const Problem p = make_problem(seed, 25, 70, 3, 6, false, true);
    const int64_t n = 25, hn = 3, c = 6;
    GatAttentionArgs args;
    args.heads = hn;
    args.channels = c;
    std::vector<float> out(n * hn * c), s_src(n * hn), s_dst(n * hn), lse(n * hn);
    gat_attention_forward(p.graph, args, p.x.data(), p.att_src.data(), p.att_dst.data(),
                          p.edge_score.data(), nullptr, out.data(), s_src.data(), s_dst.data(),
                          lse.data(), nullptr);
    std::vector<double> ref_src(n * hn, 0.0), ref_dst(n * hn, 0.0), ref_sum(n * hn, 0.0);
    for (int64_t v = 0; v < n; ++v)
      for (int64_t h = 0; h < hn; ++h)
        for (int64_t k = 0; k < c; ++k) {
          ref_src[v * hn + h] += static_cast<double>(p.att_src.at(0, h, k)) * p.x.at(v, h, k);
          ref_dst[v * hn + h] += static_cast<double>(p.att_dst.at(0, h, k)) * p.x.at(v, h, k);
        }
    for (int64_t f = 0; f < p.graph.num_edges(); ++f)
      for (int64_t h = 0; h < hn; ++h) {
        const int64_t j = p.graph.src()[f], i = p.graph.dst()[f];
        const double z = ref_src[j * hn + h] + ref_dst[i * hn + h] + p.edge_score.at(f, h);
        ref_sum[i * hn + h] += std::exp(z > 0 ? z : 0.2 * z);
      }
    EXPECT_LE(max_relative_error(s_src.data(), ref_src), 1e-6);
    EXPECT_LE(max_relative_error(s_dst.data(), ref_dst), 1e-6);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t h = 0; h < hn; ++h) {
        ASSERT_TRUE(std::isfinite(lse[i * hn + h]));
        if (p.graph.in_degree(i) > 0) {
          EXPECT_NEAR(lse[i * hn + h], std::log(ref_sum[i * hn + h]), 1e-5);
        }
      }
  }
}

// ---------------------------------------------------------------------------------------------
// Gradients.

// The scale below which a gradient is compared in absolute terms. A parameter gradient sums
// terms of size O(1)–O(10) (products of inputs, weights and α) that largely cancel: softmax is
// shift-invariant, so Σ_j α_ij (dα_ij − D_i) is exactly 0 for a row whose logits all lie on one
// side of the kink, and datt_dst can be 1e-3 or even exactly 0 (common with H = C = 1). Float
// rounding leaves ≈ 1.5e-8 of the term scale (measured against a double replica of the
// backward formulas), i.e. up to ≈ 1.5e-7 absolute, which this floor turns into ≤ 1.5e-6.
constexpr double kGradFloor = 0.1;

// Autograd's gradients of L = Σ w · out against central differences of the dense reference in
// double, for every input, with and without edge scores, self-loops and dropout.
TEST(GatAttentionGrad, MatchesNumericGradientOfDenseReference) {
  double worst = 0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    for (int64_t heads : {1, 4, 8}) {
      for (bool with_es : {false, true}) {
        // The generic path (C = 1, 3) and the specialised ones (C = 8, 16; H = 8).
        const int64_t channels = std::array<int64_t, 4>{1, 3, 8, 16}[seed % 4];
        const bool looped = seed % 2 == 1;
        const float p_drop = seed % 3 == 2 ? 0.4f : 0.0f;
        SCOPED_TRACE(::testing::Message() << "seed " << seed << " H " << heads << " C " << channels
                                          << " es " << with_es << " p " << p_drop);
        const Problem p = make_problem(seed, 10, 24, heads, channels, looped, with_es);
        GatAttentionOptions options;
        options.negative_slope = seed % 4 == 3 ? 0.0f : 0.2f;
        options.training = true;
        options.dropout = p_drop;
        Generator gen(seed + 1000);
        options.generator = &gen;
        const std::vector<double> scale = p_drop > 0
                                              ? dropout_scale(Generator(seed + 1000).next_key(),
                                                              p.graph.num_edges(), heads, p_drop)
                                              : std::vector<double>{};

        Variable x(p.x, true), as(p.att_src, true), ad(p.att_dst, true);
        Variable es = with_es ? Variable(p.edge_score, true) : Variable();
        const Variable out = gat_attention(x, as, ad, p.graph, options, nullptr, es);
        Generator wgen(seed + 7);
        const Tensor w = random_tensor(out.shape(), wgen);
        out.backward(w);

        const std::vector<double> wd = to_double(w);
        const auto src = to_int64(p.graph.src()), dst = to_int64(p.graph.dst());
        std::vector<double> xd = to_double(p.x), asd = to_double(p.att_src),
                            add = to_double(p.att_dst);
        std::vector<double> esd = with_es ? to_double(p.edge_score) : std::vector<double>{};
        auto loss = [&]() {
          const DenseAttention r = dense_gat_attention(10, src, dst, xd, asd, add, heads, channels,
                                                       options.negative_slope, esd, scale);
          double s = 0;
          for (size_t k = 0; k < wd.size(); ++k)
            s += wd[k] * r.out[k];
          return s;
        };
        // Each numeric gradient varies one input and holds the others at their values.
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
        const double e_x = max_relative_error(x.grad().data(), grad_of(xd), kGradFloor);
        const double e_as = max_relative_error(as.grad().data(), grad_of(asd), kGradFloor);
        const double e_ad = max_relative_error(ad.grad().data(), grad_of(add), kGradFloor);
        EXPECT_LE(e_x, 1e-5);
        EXPECT_LE(e_as, 1e-5);
        EXPECT_LE(e_ad, 1e-5);
        worst = std::max({worst, e_x, e_as, e_ad});
        if (with_es) {
          const double e_es = max_relative_error(es.grad().data(), grad_of(esd), kGradFloor);
          EXPECT_LE(e_es, 1e-5);
          worst = std::max(worst, e_es);
        }
      }
    }
  }
  RecordProperty("max_relative_error", scientific(worst));
}

// Draws problems until every logit is at least `margin` from LeakyReLU's kink.
Problem problem_away_from_kink(uint64_t& seed, int64_t n, int64_t e, int64_t heads,
                               int64_t channels, bool looped, double margin) {
  for (;; ++seed) {
    Problem p = make_problem(seed, n, e, heads, channels, looped, true);
    if (min_abs_logit(p) >= margin) return p;
  }
}

// gradcheck perturbs one float by 1e-2; with |att|, |x| < 1 a logit then moves by at most 0.02
// (a self-loop's source and destination terms both move), so a margin of 0.05 keeps every step
// on one side of the kink.
TEST(GatAttentionGrad, GradcheckFloat32) {
  uint64_t seed = 0;
  for (int trial = 0; trial < 6; ++trial, ++seed) {
    const Problem p = problem_away_from_kink(seed, 8, 14, 2, 3, trial % 2 == 1, 0.05);
    GatAttentionOptions options;
    options.negative_slope = 0.2f;
    const Graph g = p.graph;
    const testing::VariableFn f = [&](const std::vector<Variable>& v) {
      return gat_attention(v[0], v[1], v[2], g, options, nullptr, v[3]);
    };
    EXPECT_TRUE(testing::gradcheck(
        f, {Variable(p.x.clone(), true), Variable(p.att_src.clone(), true),
            Variable(p.att_dst.clone(), true), Variable(p.edge_score.clone(), true)}))
        << "seed " << seed;
  }
}

// With only some inputs requiring grad the kernel gets null pointers for the others and must give
// the same values for the rest.
TEST(GatAttentionKernel, NullGradientPointersGiveTheSameGradients) {
  const Problem p = make_problem(5, 40, 160, 2, 7, true, true);
  GatAttentionOptions options;
  options.training = true;
  options.dropout = 0.25f;
  auto grads = [&](std::vector<bool> needs) {
    Variable in[4] = {Variable(p.x, needs[0]), Variable(p.att_src, needs[1]),
                      Variable(p.att_dst, needs[2]), Variable(p.edge_score, needs[3])};
    Generator gen(9);
    options.generator = &gen;
    const Variable out = gat_attention(in[0], in[1], in[2], p.graph, options, nullptr, in[3]);
    out.backward(Tensor::full(out.shape(), 0.5f));
    std::vector<Tensor> r;
    for (const Variable& v : in)
      r.push_back(v.grad());
    return r;
  };
  const std::vector<Tensor> all = grads({true, true, true, true});
  for (int k = 0; k < 4; ++k) {
    std::vector<bool> only(4, false);
    only[k] = true;
    const std::vector<Tensor> one = grads(only);
    for (int m = 0; m < 4; ++m)
      EXPECT_EQ(one[m].defined(), m == k);
    EXPECT_TRUE(bitwise_equal(one[k], all[k])) << "input " << k;
  }
}

// ---------------------------------------------------------------------------------------------
// Dropout.

TEST(GatAttentionDropout, SameSeedSameResultAndEvalModeIgnoresDropout) {
  const Problem p = make_problem(2, 30, 100, 2, 4, true, false);
  GatAttentionOptions options;
  options.training = true;
  options.dropout = 0.5f;
  Generator g1(77), g2(77);
  Tensor a1, a2;
  options.generator = &g1;
  const Variable o1 = run(p, options, &a1);
  options.generator = &g2;
  const Variable o2 = run(p, options, &a2);
  EXPECT_TRUE(bitwise_equal(o1.data(), o2.data()));
  EXPECT_TRUE(bitwise_equal(a1, a2));
  Tensor a3;  // the next key gives another mask
  const Variable o3 = run(p, options, &a3);
  EXPECT_FALSE(bitwise_equal(a1, a3));

  GatAttentionOptions eval;
  eval.dropout = 0.5f;  // training is false: no dropout, no generator needed
  Tensor a_eval, a_plain;
  const Variable o_eval = run(p, eval, &a_eval);
  const Variable o_plain = run(p, {}, &a_plain);
  EXPECT_TRUE(bitwise_equal(o_eval.data(), o_plain.data()));
  EXPECT_TRUE(bitwise_equal(a_eval, a_plain));
}

// Every α' is 0 or α / (1 − p), dropped exactly where uniform_at(key, e·H + h) < p for the key
// the op draws from the generator, and out aggregates exactly those α'.
// H = 1, 3 and 8 cover the single-head, generic and eight-head paths' mask draws.
TEST(GatAttentionDropout, AlphaIsZeroOrScaledByTheDocumentedMask) {
  for (uint64_t seed = 0; seed < 12; ++seed) {
    const int64_t heads = std::array<int64_t, 3>{1, 3, 8}[seed % 3];
    const int64_t channels = heads == 8 ? 8 : 5;
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " H " << heads);
    const Problem p = make_problem(seed, 30, 100, heads, channels, seed % 2 == 0, seed % 4 == 0);
    const float p_drop = seed % 2 == 0 ? 0.3f : 0.6f;
    Tensor alpha0, alpha;
    run(p, {}, &alpha0);
    GatAttentionOptions options;
    options.training = true;
    options.dropout = p_drop;
    Generator gen(seed + 50);
    options.generator = &gen;
    const Variable out = run(p, options, &alpha);
    const uint64_t key = Generator(seed + 50).next_key();
    int64_t kept = 0;
    for (int64_t k = 0; k < alpha.numel(); ++k) {
      const bool keep = uniform_at(key, static_cast<uint64_t>(k)) >= p_drop;
      kept += keep;
      if (!keep) {
        EXPECT_EQ(alpha.data()[k], 0.0f) << "entry " << k;
      } else {
        const double want = alpha0.data()[k] / (1.0 - static_cast<double>(p_drop));
        EXPECT_NEAR(alpha.data()[k], want, 1e-6 * want) << "entry " << k;
      }
    }
    EXPECT_GT(kept, 0);
    EXPECT_LT(kept, alpha.numel());
    const DenseAttention ref =
        reference(p, 0.2f, dropout_scale(key, p.graph.num_edges(), heads, p_drop));
    EXPECT_LE(max_relative_error(out.data().data(), ref.out), 1e-5);
    EXPECT_LE(max_relative_error(alpha.data(), ref.alpha), 1e-5);
  }
}

// Dropout is unbiased: over K keys the mean output approaches the output without dropout. An
// entry is Σ_e α_e (m_e / (1 − p)) x_e with independent masks, so its variance is
// Σ_e α_e² x_e² · p / (1 − p); the mean of K draws has standard deviation σ = sqrt(var / K). With
// the CLT each entry stays within 5σ except with probability 6e-7 (1e-4 over the ≈ 200 entries;
// the seeds are fixed, so the test is deterministic). Forgetting the 1/(1 − p) rescaling would
// miss by 0.3·|out| ≫ 5σ.
TEST(GatAttentionDropout, MeanOverKeysIsTheOutputWithoutDropout) {
  const Problem p = make_problem(4, 25, 80, 2, 4, true, false);
  const float p_drop = 0.3f;
  const int keys = 2000;
  const DenseAttention ref = reference(p, 0.2f);
  GatAttentionOptions options;
  options.training = true;
  options.dropout = p_drop;
  Generator gen(2024);
  options.generator = &gen;
  std::vector<double> mean(static_cast<size_t>(p.x.numel()), 0.0);
  for (int k = 0; k < keys; ++k) {
    const Variable out = run(p, options);
    for (size_t m = 0; m < mean.size(); ++m)
      mean[m] += out.data().data()[m] / keys;
  }
  const int64_t hn = 2, c = 4;
  std::vector<double> var(mean.size(), 0.0);
  for (int64_t f = 0; f < p.graph.num_edges(); ++f)
    for (int64_t h = 0; h < hn; ++h)
      for (int64_t k = 0; k < c; ++k) {
        const double a = ref.alpha[f * hn + h], xv = p.x.at(p.graph.src()[f], h, k);
        var[(p.graph.dst()[f] * hn + h) * c + k] += a * a * xv * xv * p_drop / (1.0 - p_drop);
      }
  for (size_t m = 0; m < mean.size(); ++m) {
    const double sigma = std::sqrt(var[m] / keys);
    EXPECT_LE(std::abs(mean[m] - ref.out[m]), 5 * sigma + 1e-6) << "entry " << m;
  }
}

// Backward regenerates forward's mask: gradcheck with the generator re-seeded inside f, so every
// evaluation draws the same key.
TEST(GatAttentionDropout, GradcheckWithFixedKey) {
  uint64_t seed = 100;
  for (int trial = 0; trial < 4; ++trial, ++seed) {
    const Problem p = problem_away_from_kink(seed, 8, 16, 2, 3, trial % 2 == 0, 0.05);
    const Graph g = p.graph;
    const testing::VariableFn f = [&](const std::vector<Variable>& v) {
      Generator gen(31 + trial);
      GatAttentionOptions options;
      options.training = true;
      options.dropout = 0.35f;
      options.generator = &gen;
      return gat_attention(v[0], v[1], v[2], g, options, nullptr, v[3]);
    };
    EXPECT_TRUE(testing::gradcheck(
        f, {Variable(p.x.clone(), true), Variable(p.att_src.clone(), true),
            Variable(p.att_dst.clone(), true), Variable(p.edge_score.clone(), true)}))
        << "seed " << seed;
  }
}

// ---------------------------------------------------------------------------------------------
// Invariances.

// Relabelling nodes by π and reordering edges by σ relabels out's rows by π, and α and the edge
// score gradient follow their edges; x's gradient is relabelled like x.
TEST(GatAttention, PermutingNodesAndEdgesPermutesOutputsAndGradients) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const int64_t n = 40, hn = 3, c = 5;
    Generator gen(seed);
    const testing::EdgeList el = testing::random_edges(n, 150, gen);
    const int64_t e = static_cast<int64_t>(el.src.size());
    std::vector<int64_t> pi(n), sigma(e);
    for (int64_t v = 0; v < n; ++v)
      pi[v] = v;
    for (int64_t f = 0; f < e; ++f)
      sigma[f] = f;
    for (int64_t k = n; k > 1; --k)
      std::swap(pi[k - 1], pi[gen.below(k)]);
    for (int64_t k = e; k > 1; --k)
      std::swap(sigma[k - 1], sigma[gen.below(k)]);
    // New edge f is old edge sigma[f] with its endpoints relabelled.
    std::vector<int64_t> src2(e), dst2(e);
    for (int64_t f = 0; f < e; ++f) {
      src2[f] = pi[el.src[sigma[f]]];
      dst2[f] = pi[el.dst[sigma[f]]];
    }
    const Tensor x = random_tensor({n, hn, c}, gen), as = random_tensor({1, hn, c}, gen),
                 ad = random_tensor({1, hn, c}, gen), es = random_tensor({e, hn}, gen),
                 w = random_tensor({n, hn, c}, gen);
    Tensor x2 = Tensor::empty(x.shape()), es2 = Tensor::empty(es.shape()),
           w2 = Tensor::empty(w.shape());
    for (int64_t v = 0; v < n; ++v)
      for (int64_t k = 0; k < hn * c; ++k) {
        x2.data()[pi[v] * hn * c + k] = x.data()[v * hn * c + k];
        w2.data()[pi[v] * hn * c + k] = w.data()[v * hn * c + k];
      }
    for (int64_t f = 0; f < e; ++f)
      for (int64_t h = 0; h < hn; ++h)
        es2.at(f, h) = es.at(sigma[f], h);

    auto run_graph = [&](const Graph& g, const Tensor& xt, const Tensor& est, const Tensor& wt,
                         Tensor& alpha, Tensor& gx, Tensor& ges) {
      Variable xv(xt, true), esv(est, true);
      const Variable out = gat_attention(xv, Variable(as), Variable(ad), g, {}, &alpha, esv);
      out.backward(wt);
      gx = xv.grad();
      ges = esv.grad();
      return out.data();
    };
    Tensor a1, gx1, ges1, a2, gx2, ges2;
    const Tensor out1 = run_graph(el.graph(), x, es, w, a1, gx1, ges1);
    const Tensor out2 = run_graph(Graph::from_edges(n, src2, dst2), x2, es2, w2, a2, gx2, ges2);
    // Expected permuted values, from the first run; only summation order differs.
    std::vector<double> out_p(out1.numel()), gx_p(gx1.numel()), a_p(a1.numel()),
        ges_p(ges1.numel());
    for (int64_t v = 0; v < n; ++v)
      for (int64_t k = 0; k < hn * c; ++k) {
        out_p[pi[v] * hn * c + k] = out1.data()[v * hn * c + k];
        gx_p[pi[v] * hn * c + k] = gx1.data()[v * hn * c + k];
      }
    for (int64_t f = 0; f < e; ++f)
      for (int64_t h = 0; h < hn; ++h) {
        a_p[f * hn + h] = a1.at(sigma[f], h);
        ges_p[f * hn + h] = ges1.at(sigma[f], h);
      }
    EXPECT_LE(max_relative_error(out2.data(), out_p), 1e-6);
    EXPECT_LE(max_relative_error(a2.data(), a_p), 1e-6);
    EXPECT_LE(max_relative_error(gx2.data(), gx_p), 1e-6);
    EXPECT_LE(max_relative_error(ges2.data(), ges_p), 1e-6);
  }
}

// Every output row has one owner and parameter gradients are reduced in fixed blocks, so 1 and 2
// threads give the same bits, dropout and edge scores included.
TEST(GatAttentionThreads, OneAndTwoThreadsAreBitwiseIdentical) {
  ThreadCountGuard guard;
  // H = 1 takes the single-head path, H = 4 the generic head loops, H = 8 the vector ones.
  for (int64_t heads : {1, 4, 8}) {
    SCOPED_TRACE(heads);
    const Problem p = make_problem(11, 3000, 30000, heads, 8, true, true);
    const std::vector<int64_t> parts = partition_by_work(p.graph.in_ptr(), 3000, 2);
    ASSERT_GT(parts[1], 0);
    ASSERT_LT(parts[1], 3000);
    Generator wgen(5);
    const Tensor w = random_tensor(p.x.shape(), wgen);
    auto run_with = [&](int threads) {
      set_num_threads(threads);
      Variable in[4] = {Variable(p.x, true), Variable(p.att_src, true), Variable(p.att_dst, true),
                        Variable(p.edge_score, true)};
      GatAttentionOptions options;
      options.training = true;
      options.dropout = 0.2f;
      Generator gen(8);
      options.generator = &gen;
      Tensor alpha;
      const Variable out = gat_attention(in[0], in[1], in[2], p.graph, options, &alpha, in[3]);
      out.backward(w);
      std::vector<Tensor> r = {out.data(), alpha};
      for (const Variable& v : in)
        r.push_back(v.grad());
      return r;
    };
    const std::vector<Tensor> one = run_with(1);
    const std::vector<Tensor> two = run_with(2);
    const char* names[] = {"out",          "alpha",        "grad x",
                           "grad att_src", "grad att_dst", "grad edge_score"};
    for (size_t k = 0; k < one.size(); ++k)
      EXPECT_TRUE(bitwise_equal(one[k], two[k])) << names[k];
  }
}

// ---------------------------------------------------------------------------------------------
// Argument checks.

template <typename E>
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no exception)";
}

#define EXPECT_THROW_WITH(stmt, type, text)                                          \
  do {                                                                               \
    EXPECT_THROW(stmt, type);                                                        \
    const std::string msg_ = message_of<type>([&] { stmt; });                        \
    EXPECT_NE(msg_.find(text), std::string::npos) << "message: " << msg_;            \
    EXPECT_NE(msg_.find("gat_attention"), std::string::npos) << "message: " << msg_; \
  } while (0)

TEST(GatAttentionErrors, BadArgumentsThrowTypedErrorsNamingTheArgument) {
  Generator gen(1);
  const Graph g = testing::random_edges(7, 20, gen).graph();
  const int64_t e = g.num_edges();
  const Variable x(random_tensor({7, 2, 4}, gen)), as(random_tensor({1, 2, 4}, gen)),
      ad(random_tensor({1, 2, 4}, gen)), es(random_tensor({e, 2}, gen));
  const GatAttentionOptions ok;
  EXPECT_NO_THROW(gat_attention(x, as, ad, g, ok, nullptr, es));

  EXPECT_THROW_WITH(gat_attention(Variable(Tensor::zeros({7, 8})), as, ad, g, ok), ShapeError,
                    "x must be 3-d [N, H, C], got shape [7, 8]");
  EXPECT_THROW_WITH(gat_attention(Variable(Tensor::zeros({5, 2, 4})), as, ad, g, ok), ShapeError,
                    "x has 5 rows but the graph has 7 nodes");
  EXPECT_THROW_WITH(gat_attention(x, Variable(Tensor::zeros({1, 2, 3})), ad, g, ok), ShapeError,
                    "att_src has shape [1, 2, 3]");
  EXPECT_THROW_WITH(gat_attention(x, Variable(Tensor::zeros({2, 4})), ad, g, ok), ShapeError,
                    "att_src has shape [2, 4]");
  EXPECT_THROW_WITH(gat_attention(x, as, Variable(Tensor::zeros({1, 3, 4})), g, ok), ShapeError,
                    "att_dst has shape [1, 3, 4]");
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, ok, nullptr, Variable(Tensor::zeros({e + 1, 2}))),
                    ShapeError, "edge_score has shape [" + std::to_string(e + 1) + ", 2]");
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, ok, nullptr, Variable(Tensor::zeros({e}))),
                    ShapeError, "edge_score has shape [" + std::to_string(e) + "]");

  GatAttentionOptions bad;
  bad.dropout = 1.0f;
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, bad), InvalidArgument,
                    "dropout must be in [0, 1), got 1");
  bad.dropout = -0.1f;
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, bad), InvalidArgument,
                    "dropout must be in [0, 1), got -0.1");
  bad.dropout = NAN;
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, bad), InvalidArgument, "dropout must be in [0, 1)");
  GatAttentionOptions no_gen;
  no_gen.training = true;
  no_gen.dropout = 0.5f;
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, no_gen), InvalidArgument, "generator is null");
  GatAttentionOptions slope;
  slope.negative_slope = -0.2f;
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, slope), InvalidArgument,
                    "negative_slope must be finite and >= 0, got -0.2");
  slope.negative_slope = INFINITY;
  EXPECT_THROW_WITH(gat_attention(x, as, ad, g, slope), InvalidArgument, "negative_slope");
  EXPECT_THROW_WITH(gat_attention(Variable(), as, ad, g, ok), InvalidArgument, "x is undefined");
}

// ---------------------------------------------------------------------------------------------
// The layer reference that the GATConv tests use: its self-loop handling and edge order must be
// Graph::with_self_loops()'s, and its attention the op's.

TEST(GatAttentionReference, DenseGatConvAgreesWithTheOpOnTheSelfLoopedGraph) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Generator gen(seed);
    const testing::EdgeList el = testing::random_edges(12, 40, gen);
    testing::DenseGatConvParams p;
    p.N = 12;
    p.F = 5;
    p.H = 3;
    p.C = 4;
    auto uniform = [&](int64_t count) {
      std::vector<double> v(static_cast<size_t>(count));
      for (double& d : v)
        d = gen.uniform(-1.0f, 1.0f);
      return v;
    };
    p.x = uniform(p.N * p.F);
    p.W = uniform(p.H * p.C * p.F);
    p.att_src = uniform(p.H * p.C);
    p.att_dst = uniform(p.H * p.C);
    const Graph looped = el.graph().with_self_loops();
    // The op on h = x Wᵀ (computed in double, rounded to float).
    Tensor h = Tensor::zeros({p.N, p.H, p.C});
    for (int64_t v = 0; v < p.N; ++v)
      for (int64_t o = 0; o < p.H * p.C; ++o) {
        double s = 0;
        for (int64_t k = 0; k < p.F; ++k)
          s += p.x[v * p.F + k] * p.W[o * p.F + k];
        h.data()[v * p.H * p.C + o] = static_cast<float>(s);
      }
    auto to_tensor = [](const std::vector<double>& v, const Shape& shape) {
      return Tensor::from_vector(shape, std::vector<float>(v.begin(), v.end()));
    };
    Tensor alpha;
    const Variable out =
        gat_attention(Variable(h), Variable(to_tensor(p.att_src, {1, p.H, p.C})),
                      Variable(to_tensor(p.att_dst, {1, p.H, p.C})), looped, {}, &alpha);

    const testing::DenseGatConv concat = testing::dense_gat_conv(p, el.src, el.dst);
    EXPECT_EQ(concat.src, to_int64(looped.src()));
    EXPECT_EQ(concat.dst, to_int64(looped.dst()));
    EXPECT_LE(max_relative_error(out.data().data(), concat.out), 1e-5);  // [N, H·C] = [N, H, C]
    EXPECT_LE(max_relative_error(alpha.data(), concat.alpha), 1e-5);

    p.concat = false;
    p.bias = uniform(p.C);
    const testing::DenseGatConv mean = testing::dense_gat_conv(p, el.src, el.dst);
    std::vector<float> expected(static_cast<size_t>(p.N * p.C));
    for (int64_t v = 0; v < p.N; ++v)
      for (int64_t k = 0; k < p.C; ++k) {
        double s = 0;
        for (int64_t hd = 0; hd < p.H; ++hd)
          s += out.data().at(v, hd, k);
        expected[v * p.C + k] = static_cast<float>(s / p.H + p.bias[k]);
      }
    EXPECT_LE(max_relative_error(expected.data(), mean.out), 1e-5);

    p.add_self_loops = false;  // the edges as given, self-loops and duplicates included
    const testing::DenseGatConv raw = testing::dense_gat_conv(p, el.src, el.dst);
    EXPECT_EQ(raw.src, el.src);
    EXPECT_EQ(raw.alpha.size(), el.src.size() * 3);
  }
}

// ---------------------------------------------------------------------------------------------

TEST(GatAttention, HeaderExample) {
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 1};
  // --- the example in gat/ops/gat_attention.h ---
  gat::Graph g = gat::Graph::from_edges(3, src, dst).with_self_loops();
  gat::Variable x(gat::Tensor::full({3, 2, 4}, 1.0f), true);  // N × H × C
  gat::Variable a_src(gat::Tensor::full({1, 2, 4}, 0.1f), true);
  gat::Variable a_dst(gat::Tensor::full({1, 2, 4}, 0.1f), true);
  gat::Tensor alpha;
  gat::Variable out = gat::gat_attention(x, a_src, a_dst, g, {}, &alpha);  // [3, 2, 4]
  // ---
  EXPECT_EQ(out.shape(), (Shape{3, 2, 4}));
  EXPECT_EQ(alpha.shape(), (Shape{6, 2}));
  for (float v : out.data().to_vector())
    EXPECT_FLOAT_EQ(v, 1.0f);  // equal scores, equal rows
  // Node 1 has three incoming edges (from 0, from 2, its loop), so each gets 1/3.
  for (int64_t f = 0; f < 6; ++f) {
    if (g.dst()[f] == 1) {
      EXPECT_FLOAT_EQ(alpha.at(f, 0), 1.0f / 3.0f);
    }
  }
}

}  // namespace
}  // namespace gat
