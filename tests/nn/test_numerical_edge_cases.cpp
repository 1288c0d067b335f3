// Numerical edge cases of the attention layers (GATConv, GATv2Conv) and their fused ops
// (gat/ops/gat_attention.h, gat/ops/gatv2_attention.h): scores of ±1e30, all-equal scores, a node
// with 100,000 neighbours, graphs without edges or nodes, zero sizes, and non-finite inputs.
//
// Every kernel path is run: one head, eight heads of 8 or 16 channels, and the generic loops with
// a compile-time (8) or run-time (3, 5) channel count. Each is compared, forward and backward,
// with an edge-list reference in double that sums over the graph's edges as PyG's message passing
// does (out[i] = Σ_{e: j→i} α'_e x[j]), so a non-finite x[j] reaches only the rows j sends to. The
// dense N × N references of tests/testing multiply every x[j] by A[i][j], zeros included, so a
// NaN anywhere would reach every row there; the edge-list references are checked against them
// on finite inputs first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/rng.h"
#include "gat/graph/graph.h"
#include "gat/nn/gat_conv.h"
#include "gat/nn/gatv2_conv.h"
#include "gat/ops/add.h"
#include "gat/ops/edge_features.h"
#include "gat/ops/gat_attention.h"
#include "gat/ops/gatv2_attention.h"
#include "gat/ops/reduce.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/reference.h"
#include "testing/reference_gatv2.h"

namespace gat {
namespace {

using testing::numeric_gradient;
using testing::random_tensor;
using testing::throws_with;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<double> to_double(const Tensor& t) {
  return {t.data(), t.data() + t.numel()};
}

double leaky(double z, double slope) {
  return z > 0 ? z : z * slope;
}
double leaky_grad(double z, double slope) {
  return z > 0 ? 1.0 : slope;
}

// The kernel paths, by (H, C): see gat/kernels/gat_attention.h and gatv2_attention.h.
struct Path {
  int64_t heads, channels;
};
constexpr Path kPaths[] = {{1, 4}, {8, 8}, {8, 16}, {2, 8}, {3, 5}};

// ---------------------------------------------------------------------------------------------
// Edge-list references in double, forward and backward.

/// GAT attention (the op gat_attention) and, when g (= ∂L/∂out) is given, its gradients, from the
/// formulas of gat/kernels/gat_attention.h applied edge by edge. edge_score and scale (dropout's
/// m / (1 − p)) are [E, H] or empty. The row max is subtracted as PyG's softmax does; a NaN score
/// makes its row's denominator NaN whichever max is taken.
struct GatReference {
  std::vector<double> out, alpha;                           // [N, H, C], [E, H] (after dropout)
  std::vector<double> dx, datt_src, datt_dst, dedge_score;  // only with g
};

GatReference gat_reference(const Graph& graph, int64_t heads, int64_t channels,
                           const std::vector<double>& x, const std::vector<double>& att_src,
                           const std::vector<double>& att_dst, double slope,
                           const std::vector<double>& edge_score = {},
                           const std::vector<double>& scale = {},
                           const std::vector<double>& g = {}) {
  const int64_t n = graph.num_nodes(), e = graph.num_edges(), hn = heads, c = channels;
  const auto& src = graph.src();
  const auto& dst = graph.dst();
  auto at = [&](const std::vector<double>& v, int64_t node, int64_t h) {
    return v.data() + (node * hn + h) * c;
  };
  std::vector<double> s_src(n * hn, 0.0), s_dst(n * hn, 0.0);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t h = 0; h < hn; ++h)
      for (int64_t k = 0; k < c; ++k) {
        s_src[v * hn + h] += att_src[h * c + k] * at(x, v, h)[k];
        s_dst[v * hn + h] += att_dst[h * c + k] * at(x, v, h)[k];
      }
  std::vector<double> z(e * hn), a(e * hn), mx(n * hn, -INFINITY), sum(n * hn, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      double zf = s_src[src[f] * hn + h] + s_dst[dst[f] * hn + h];
      if (!edge_score.empty()) zf += edge_score[f * hn + h];
      z[f * hn + h] = zf;
      mx[dst[f] * hn + h] = std::max(mx[dst[f] * hn + h], leaky(zf, slope));
    }
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h)
      sum[dst[f] * hn + h] += std::exp(leaky(z[f * hn + h], slope) - mx[dst[f] * hn + h]);
  GatReference r;
  r.out.assign(n * hn * c, 0.0);
  r.alpha.assign(e * hn, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      const int64_t ih = dst[f] * hn + h;
      a[f * hn + h] = std::exp(leaky(z[f * hn + h], slope) - mx[ih]) / sum[ih];
      const double a_drop = a[f * hn + h] * (scale.empty() ? 1.0 : scale[f * hn + h]);
      r.alpha[f * hn + h] = a_drop;
      for (int64_t k = 0; k < c; ++k)
        r.out[(dst[f] * hn + h) * c + k] += a_drop * at(x, src[f], h)[k];
    }
  if (g.empty()) return r;

  // dα' = ⟨g_i, x_j⟩, dα = dα'·m/(1 − p), D_i = Σ α dα, dz = α (dα − D) LeakyReLU'(z).
  std::vector<double> da(e * hn), d(n * hn, 0.0), ds_src(n * hn, 0.0), ds_dst(n * hn, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      double dot = 0;
      for (int64_t k = 0; k < c; ++k)
        dot += at(g, dst[f], h)[k] * at(x, src[f], h)[k];
      da[f * hn + h] = dot * (scale.empty() ? 1.0 : scale[f * hn + h]);
      d[dst[f] * hn + h] += a[f * hn + h] * da[f * hn + h];
    }
  r.dx.assign(n * hn * c, 0.0);
  r.dedge_score.assign(e * hn, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      const int64_t fh = f * hn + h;
      const double dz = a[fh] * (da[fh] - d[dst[f] * hn + h]) * leaky_grad(z[fh], slope);
      r.dedge_score[fh] = dz;
      ds_src[src[f] * hn + h] += dz;
      ds_dst[dst[f] * hn + h] += dz;
      for (int64_t k = 0; k < c; ++k)
        r.dx[(src[f] * hn + h) * c + k] += r.alpha[fh] * at(g, dst[f], h)[k];
    }
  r.datt_src.assign(hn * c, 0.0);
  r.datt_dst.assign(hn * c, 0.0);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t h = 0; h < hn; ++h)
      for (int64_t k = 0; k < c; ++k) {
        r.dx[(v * hn + h) * c + k] +=
            ds_src[v * hn + h] * att_src[h * c + k] + ds_dst[v * hn + h] * att_dst[h * c + k];
        r.datt_src[h * c + k] += ds_src[v * hn + h] * at(x, v, h)[k];
        r.datt_dst[h * c + k] += ds_dst[v * hn + h] * at(x, v, h)[k];
      }
  return r;
}

/// GATv2 attention (the op gatv2_attention) and, with g, its gradients, from the formulas of
/// gat/kernels/gatv2_attention.h applied edge by edge (no edge features).
struct Gatv2Reference {
  std::vector<double> out, alpha;      // [N, H, C], [E, H]
  std::vector<double> dxl, dxr, datt;  // only with g
};

Gatv2Reference gatv2_reference(const Graph& graph, int64_t heads, int64_t channels,
                               const std::vector<double>& xl, const std::vector<double>& xr,
                               const std::vector<double>& att, double slope,
                               const std::vector<double>& scale = {},
                               const std::vector<double>& g = {}) {
  const int64_t n = graph.num_nodes(), e = graph.num_edges(), hn = heads, c = channels;
  const auto& src = graph.src();
  const auto& dst = graph.dst();
  auto at = [&](const std::vector<double>& v, int64_t node, int64_t h) {
    return v.data() + (node * hn + h) * c;
  };
  std::vector<double> score(e * hn, 0.0), a(e * hn), mx(n * hn, -INFINITY), sum(n * hn, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      for (int64_t k = 0; k < c; ++k)
        score[f * hn + h] +=
            att[h * c + k] * leaky(at(xl, src[f], h)[k] + at(xr, dst[f], h)[k], slope);
      mx[dst[f] * hn + h] = std::max(mx[dst[f] * hn + h], score[f * hn + h]);
    }
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h)
      sum[dst[f] * hn + h] += std::exp(score[f * hn + h] - mx[dst[f] * hn + h]);
  Gatv2Reference r;
  r.out.assign(n * hn * c, 0.0);
  r.alpha.assign(e * hn, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      const int64_t ih = dst[f] * hn + h;
      a[f * hn + h] = std::exp(score[f * hn + h] - mx[ih]) / sum[ih];
      r.alpha[f * hn + h] = a[f * hn + h] * (scale.empty() ? 1.0 : scale[f * hn + h]);
      for (int64_t k = 0; k < c; ++k)
        r.out[(dst[f] * hn + h) * c + k] += r.alpha[f * hn + h] * at(xl, src[f], h)[k];
    }
  if (g.empty()) return r;

  std::vector<double> da(e * hn), d(n * hn, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      double dot = 0;
      for (int64_t k = 0; k < c; ++k)
        dot += at(g, dst[f], h)[k] * at(xl, src[f], h)[k];
      da[f * hn + h] = dot * (scale.empty() ? 1.0 : scale[f * hn + h]);
      d[dst[f] * hn + h] += a[f * hn + h] * da[f * hn + h];
    }
  r.dxl.assign(n * hn * c, 0.0);
  r.dxr.assign(n * hn * c, 0.0);
  r.datt.assign(hn * c, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < hn; ++h) {
      const int64_t fh = f * hn + h;
      const double de = a[fh] * (da[fh] - d[dst[f] * hn + h]);
      for (int64_t k = 0; k < c; ++k) {
        const double zk = at(xl, src[f], h)[k] + at(xr, dst[f], h)[k];
        const double dz = de * att[h * c + k] * leaky_grad(zk, slope);
        r.dxr[(dst[f] * hn + h) * c + k] += dz;
        r.dxl[(src[f] * hn + h) * c + k] += r.alpha[fh] * at(g, dst[f], h)[k] + dz;
        r.datt[h * c + k] += de * leaky(zk, slope);
      }
    }
  return r;
}

// Dropout's factor m / (1 − p) per edge and head, as the ops' contract defines it.
std::vector<double> dropout_scale(uint64_t key, int64_t edges, int64_t heads, float p) {
  std::vector<double> s(static_cast<size_t>(edges * heads));
  for (size_t k = 0; k < s.size(); ++k)
    s[k] = uniform_at(key, k) >= p ? 1.0 / (1.0 - static_cast<double>(p)) : 0.0;
  return s;
}

/// got[k] against ref[k] for k in [begin, end) (end < 0: all): non-finite in exactly the same
/// entries (NaN and ±Inf are not told apart: where PyG multiplies an α of exactly 0 by −Inf and
/// gets NaN, the kernels' α is ≈ 1e-38 and gives −Inf), and finite entries within
/// tol · max(floor, the largest finite |ref| of the range).
::testing::AssertionResult agrees(const float* got, const std::vector<double>& ref, double tol,
                                  double floor = 1.0, int64_t begin = 0, int64_t end = -1) {
  if (end < 0) end = static_cast<int64_t>(ref.size());
  double scale = floor;
  for (int64_t k = begin; k < end; ++k)
    if (std::isfinite(ref[k])) scale = std::max(scale, std::abs(ref[k]));
  for (int64_t k = begin; k < end; ++k) {
    if (std::isfinite(got[k]) != std::isfinite(ref[k]))
      return ::testing::AssertionFailure() << "entry " << k << ": got " << got[k] << ", reference "
                                           << ref[k] << " (finite in one only)";
    if (std::isfinite(ref[k]) && std::abs(got[k] - ref[k]) > tol * scale)
      return ::testing::AssertionFailure() << "entry " << k << ": got " << got[k] << ", reference "
                                           << ref[k] << " (scale " << scale << ")";
  }
  return ::testing::AssertionSuccess();
}

bool all_finite(const Tensor& t) {
  for (int64_t k = 0; k < t.numel(); ++k)
    if (!std::isfinite(t.data()[k])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Running the ops with their gradients.

struct GatInputs {
  Graph graph;
  int64_t heads = 1, channels = 1;
  Tensor x, att_src, att_dst, edge_score;  // edge_score undefined when absent
};

GatInputs random_gat_inputs(uint64_t seed, int64_t n, int64_t e, Path path, bool with_es) {
  Generator gen(seed);
  GatInputs p;
  p.graph = testing::random_edges(n, e, gen).graph().with_self_loops();
  p.heads = path.heads;
  p.channels = path.channels;
  p.x = random_tensor({n, path.heads, path.channels}, gen);
  p.att_src = random_tensor({1, path.heads, path.channels}, gen);
  p.att_dst = random_tensor({1, path.heads, path.channels}, gen);
  if (with_es) p.edge_score = random_tensor({p.graph.num_edges(), path.heads}, gen);
  return p;
}

// A random graph on n nodes without duplicate edges (about e of them), with PyG's self-loops.
Graph simple_graph(int64_t n, int64_t e, uint64_t seed) {
  Generator gen(seed);
  std::vector<char> seen(static_cast<size_t>(n * n), 0);
  std::vector<int64_t> src, dst;
  for (int64_t k = 0; k < e; ++k) {
    const auto j = static_cast<int64_t>(gen.below(n)), i = static_cast<int64_t>(gen.below(n));
    if (j == i || seen[i * n + j]) continue;
    seen[i * n + j] = 1;
    src.push_back(j);
    dst.push_back(i);
  }
  return Graph::from_edges(n, src, dst).with_self_loops();
}

struct GatRun {
  Tensor out, alpha, dx, datt_src, datt_dst, dedge_score;
};

// The op on p, then backward with grad_out g. dropout > 0 trains with a generator seeded `key_seed`
// (the reference's mask: dropout_scale(Generator(key_seed).next_key(), ...)).
GatRun run_gat(const GatInputs& p, const Tensor& g, float dropout = 0.0f, uint64_t key_seed = 0,
               float slope = 0.2f) {
  Variable x(p.x, true), as(p.att_src, true), ad(p.att_dst, true);
  Variable es = p.edge_score.defined() ? Variable(p.edge_score, true) : Variable();
  Generator gen(key_seed);
  GatAttentionOptions options;
  options.negative_slope = slope;
  options.training = dropout > 0.0f;
  options.dropout = dropout;
  options.generator = &gen;
  GatRun r;
  const Variable out = gat_attention(x, as, ad, p.graph, options, &r.alpha, es);
  out.backward(g);
  r.out = out.data();
  r.dx = x.grad();
  r.datt_src = as.grad();
  r.datt_dst = ad.grad();
  if (es.defined()) r.dedge_score = es.grad();
  return r;
}

GatReference reference_of(const GatInputs& p, const Tensor& g, float dropout = 0.0f,
                          uint64_t key_seed = 0, double slope = 0.2) {
  const std::vector<double> scale =
      dropout > 0.0f
          ? dropout_scale(Generator(key_seed).next_key(), p.graph.num_edges(), p.heads, dropout)
          : std::vector<double>{};
  return gat_reference(p.graph, p.heads, p.channels, to_double(p.x), to_double(p.att_src),
                       to_double(p.att_dst), slope,
                       p.edge_score.defined() ? to_double(p.edge_score) : std::vector<double>{},
                       scale, to_double(g));
}

// Every output and gradient of the op against the reference.
void expect_gat_agrees(const GatRun& r, const GatReference& ref, double tol, double grad_floor) {
  EXPECT_TRUE(agrees(r.out.data(), ref.out, tol)) << "out";
  EXPECT_TRUE(agrees(r.alpha.data(), ref.alpha, tol)) << "alpha";
  EXPECT_TRUE(agrees(r.dx.data(), ref.dx, tol, grad_floor)) << "dx";
  EXPECT_TRUE(agrees(r.datt_src.data(), ref.datt_src, tol, grad_floor)) << "datt_src";
  EXPECT_TRUE(agrees(r.datt_dst.data(), ref.datt_dst, tol, grad_floor)) << "datt_dst";
  if (r.dedge_score.defined()) {
    EXPECT_TRUE(agrees(r.dedge_score.data(), ref.dedge_score, tol, grad_floor)) << "dedge_score";
  }
}

struct Gatv2Inputs {
  Graph graph;
  int64_t heads = 1, channels = 1;
  Tensor xl, xr, att;
};

Gatv2Inputs random_gatv2_inputs(uint64_t seed, int64_t n, int64_t e, Path path) {
  Generator gen(seed);
  Gatv2Inputs p;
  p.graph = testing::random_edges(n, e, gen).graph().with_self_loops();
  p.heads = path.heads;
  p.channels = path.channels;
  p.xl = random_tensor({n, path.heads, path.channels}, gen);
  p.xr = random_tensor({n, path.heads, path.channels}, gen);
  p.att = random_tensor({1, path.heads, path.channels}, gen);
  return p;
}

struct Gatv2Run {
  Tensor out, alpha, dxl, dxr, datt;
};

Gatv2Run run_gatv2(const Gatv2Inputs& p, const Tensor& g, float dropout = 0.0f,
                   uint64_t key_seed = 0) {
  Variable xl(p.xl, true), xr(p.xr, true), att(p.att, true);
  Generator gen(key_seed);
  Gatv2AttentionOptions options;
  options.training = dropout > 0.0f;
  options.dropout = dropout;
  options.generator = &gen;
  Gatv2Run r;
  const Variable out = gatv2_attention(xl, xr, att, p.graph, options, &r.alpha);
  out.backward(g);
  r.out = out.data();
  r.dxl = xl.grad();
  r.dxr = xr.grad();
  r.datt = att.grad();
  return r;
}

Gatv2Reference reference_of(const Gatv2Inputs& p, const Tensor& g, float dropout = 0.0f,
                            uint64_t key_seed = 0) {
  const std::vector<double> scale =
      dropout > 0.0f
          ? dropout_scale(Generator(key_seed).next_key(), p.graph.num_edges(), p.heads, dropout)
          : std::vector<double>{};
  return gatv2_reference(p.graph, p.heads, p.channels, to_double(p.xl), to_double(p.xr),
                         to_double(p.att), 0.2, scale, to_double(g));
}

void expect_gatv2_agrees(const Gatv2Run& r, const Gatv2Reference& ref, double tol,
                         double grad_floor) {
  EXPECT_TRUE(agrees(r.out.data(), ref.out, tol)) << "out";
  EXPECT_TRUE(agrees(r.alpha.data(), ref.alpha, tol)) << "alpha";
  EXPECT_TRUE(agrees(r.dxl.data(), ref.dxl, tol, grad_floor)) << "dxl";
  EXPECT_TRUE(agrees(r.dxr.data(), ref.dxr, tol, grad_floor)) << "dxr";
  EXPECT_TRUE(agrees(r.datt.data(), ref.datt, tol, grad_floor)) << "datt";
}

// Parameter gradients sum O(1) terms that largely cancel (see test_gat_attention.cpp): they are
// compared relative to max(|ref|, 0.1).
constexpr double kGradFloor = 0.1;

// ---------------------------------------------------------------------------------------------
// The references themselves, on finite inputs: the dense references' forward and the numeric
// gradient of their loss.

TEST(NumericalEdgeCasesReference, EdgeListReferencesAgreeWithTheDenseOnes) {
  const Path path{2, 3};
  const GatInputs p = random_gat_inputs(4, 9, 20, path, true);
  Generator wgen(5);
  const Tensor w = random_tensor({9, 2, 3}, wgen);
  const std::vector<double> scale =
      dropout_scale(Generator(6).next_key(), p.graph.num_edges(), 2, 0.3f);
  std::vector<int64_t> src(p.graph.src().begin(), p.graph.src().end());
  std::vector<int64_t> dst(p.graph.dst().begin(), p.graph.dst().end());
  std::vector<double> x = to_double(p.x), as = to_double(p.att_src), ad = to_double(p.att_dst),
                      es = to_double(p.edge_score);
  const std::vector<double> wd = to_double(w);
  const GatReference r = gat_reference(p.graph, 2, 3, x, as, ad, 0.2, es, scale, wd);
  const testing::DenseAttention dense =
      testing::dense_gat_attention(9, src, dst, x, as, ad, 2, 3, 0.2, es, scale);
  for (size_t k = 0; k < r.out.size(); ++k)
    ASSERT_NEAR(r.out[k], dense.out[k], 1e-12);
  for (size_t k = 0; k < r.alpha.size(); ++k)
    ASSERT_NEAR(r.alpha[k], dense.alpha[k], 1e-12);
  auto loss = [&] {
    const testing::DenseAttention d =
        testing::dense_gat_attention(9, src, dst, x, as, ad, 2, 3, 0.2, es, scale);
    double s = 0;
    for (size_t k = 0; k < wd.size(); ++k)
      s += wd[k] * d.out[k];
    return s;
  };
  auto numeric = [&](std::vector<double>& input) {
    const std::vector<double> at = input;
    std::vector<double> grad = numeric_gradient(
        [&](const std::vector<double>& v) {
          input = v;
          return loss();
        },
        at);
    input = at;
    return grad;
  };
  auto expect_near = [](const std::vector<double>& a, const std::vector<double>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k)
      EXPECT_NEAR(a[k], b[k], 1e-6) << k;
  };
  expect_near(r.dx, numeric(x));
  expect_near(r.datt_src, numeric(as));
  expect_near(r.datt_dst, numeric(ad));
  expect_near(r.dedge_score, numeric(es));

  const Gatv2Inputs q = random_gatv2_inputs(7, 9, 20, path);
  std::vector<double> xl = to_double(q.xl), xr = to_double(q.xr), att = to_double(q.att);
  const std::vector<double> scale2 =
      dropout_scale(Generator(8).next_key(), q.graph.num_edges(), 2, 0.3f);
  const Gatv2Reference r2 = gatv2_reference(q.graph, 2, 3, xl, xr, att, 0.2, scale2, wd);
  auto loss2 = [&] {
    const testing::DenseResult d =
        testing::dense_gatv2(9, q.graph.src(), q.graph.dst(), xl, xr, att, 2, 3, 0.2, scale2);
    double s = 0;
    for (size_t k = 0; k < wd.size(); ++k)
      s += wd[k] * d.out[k];
    return s;
  };
  const testing::DenseResult dense2 =
      testing::dense_gatv2(9, q.graph.src(), q.graph.dst(), xl, xr, att, 2, 3, 0.2, scale2);
  for (size_t k = 0; k < r2.out.size(); ++k)
    ASSERT_NEAR(r2.out[k], dense2.out[k], 1e-12);
  auto numeric2 = [&](std::vector<double>& input) {
    const std::vector<double> at = input;
    std::vector<double> grad = numeric_gradient(
        [&](const std::vector<double>& v) {
          input = v;
          return loss2();
        },
        at);
    input = at;
    return grad;
  };
  expect_near(r2.dxl, numeric2(xl));
  expect_near(r2.dxr, numeric2(xr));
  expect_near(r2.datt, numeric2(att));
}

// ---------------------------------------------------------------------------------------------
// Scores of ±1e30: the row max is subtracted before exp, so nothing overflows.

// Edge scores of ±(1 to 2)·1e30 on every edge: each row's largest score is unique and 1e29 or
// more above the next, so α is one-hot in float and in double, and every gradient is finite.
TEST(NumericalEdgeCases, GatScoresOfPlusMinus1e30StayFiniteForwardAndBackward) {
  for (const Path path : kPaths) {
    SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels);
    GatInputs p = random_gat_inputs(11, 14, 45, path, true);
    Generator gen(12);
    for (int64_t k = 0; k < p.edge_score.numel(); ++k)
      p.edge_score.data()[k] = (gen.uniform() < 0.5f ? -1e30f : 1e30f) * gen.uniform(1.0f, 2.0f);
    const Tensor g = random_tensor(p.x.shape(), gen);
    const GatRun r = run_gat(p, g);
    for (const Tensor* t : {&r.out, &r.alpha, &r.dx, &r.datt_src, &r.datt_dst, &r.dedge_score})
      EXPECT_TRUE(all_finite(*t));
    expect_gat_agrees(r, reference_of(p, g), 1e-5, kGradFloor);
  }
}

// The same through the node scores. Channel 0 of att_src and att_dst is 2^96 ≈ 7.9e28 and
// x[v, h, 0] = ±(v + 1)/16, so s_src[j] + s_dst[i] = 2^96 (x[j,h,0] + x[i,h,0]) exactly in float
// and in double (the other channels' O(1) terms vanish below its ulp); the |x[v,h,0]| are distinct
// and the graph has no duplicate edge, so each row's scores are distinct, none is 0, and α is
// one-hot. (Random values of that size would be no test: sums of opposite terms of 1e29 keep
// only rounding noise, different in float and in double.)
TEST(NumericalEdgeCases, GatHugeNodeScoresStayFiniteForwardAndBackward) {
  for (const Path path : kPaths) {
    SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels);
    GatInputs p = random_gat_inputs(13, 14, 45, path, false);
    p.graph = simple_graph(14, 45, 13);
    for (int64_t h = 0; h < path.heads; ++h) {
      p.att_src.at(0, h, 0) = 0x1p96f;
      p.att_dst.at(0, h, 0) = 0x1p96f;
      for (int64_t v = 0; v < 14; ++v)
        p.x.at(v, h, 0) = static_cast<float>(v % 2 == 1 ? -(v + 1) : v + 1) / 16.0f;
    }
    Generator gen(14);
    const Tensor g = random_tensor(p.x.shape(), gen);
    const GatRun r = run_gat(p, g);
    for (const Tensor* t : {&r.out, &r.alpha, &r.dx, &r.datt_src, &r.datt_dst})
      EXPECT_TRUE(all_finite(*t));
    // dx includes ds_src · att_src: dz of the other edges (α ≈ 1e-38 in float, 0 in double)
    // times 2^96, i.e. ≈ 1e-9 against gradients of order 1.
    expect_gat_agrees(r, reference_of(p, g), 1e-5, kGradFloor);
  }
}

// GATv2's score Σ_c att·LeakyReLU(xl + xr) of order 1e30: att[h, 0] = 2^100 and the other
// channels 0, xl[v, h, 0] = ±(v + 1)/16 and xr on a grid of 1/16, so the scores are exact up to
// LeakyReLU's rounding and distinct within each row (LeakyReLU is strictly increasing).
TEST(NumericalEdgeCases, Gatv2ScoresOfOrder1e30StayFiniteForwardAndBackward) {
  for (const Path path : kPaths) {
    SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels);
    Gatv2Inputs p = random_gatv2_inputs(15, 14, 45, path);
    p.graph = simple_graph(14, 45, 15);
    Generator gen(16);
    for (int64_t h = 0; h < path.heads; ++h) {
      for (int64_t c = 0; c < path.channels; ++c)
        p.att.at(0, h, c) = c == 0 ? 0x1p100f : 0.0f;
      for (int64_t v = 0; v < 14; ++v) {
        p.xl.at(v, h, 0) = static_cast<float>(v % 2 == 1 ? -(v + 1) : v + 1) / 16.0f;
        p.xr.at(v, h, 0) = static_cast<float>(static_cast<int>(gen.below(33)) - 16) / 16.0f;
      }
    }
    const Tensor g = random_tensor(p.xl.shape(), gen);
    const Gatv2Run r = run_gatv2(p, g);
    for (const Tensor* t : {&r.out, &r.alpha, &r.dxl, &r.dxr, &r.datt})
      EXPECT_TRUE(all_finite(*t));
    // dxl and dxr include de · att: de of the other edges (α ≈ 1e-38 in the eight-head path's
    // exp, 0 in double) times 2^100, i.e. ≈ 1e-8.
    expect_gatv2_agrees(r, reference_of(p, g), 1e-5, kGradFloor);
  }
}

// ---------------------------------------------------------------------------------------------
// All-equal scores: exp(0) = 1 exactly, the denominator is the degree, and α = 1/deg exactly.

TEST(NumericalEdgeCases, GatAllEqualScoresGiveExactlyUniformAttention) {
  for (const Path path : kPaths) {
    // Scores all 0 (att = 0); all equal to a moderate value (every x row the same, so
    // s_src[j] + s_dst[i] is the same for each of i's edges); and all 1e30 or all −2e29 (an edge
    // score of ±1e30 that absorbs everything else, in float and in double).
    for (int mode = 0; mode < 4; ++mode) {
      SCOPED_TRACE(::testing::Message()
                   << "H " << path.heads << " C " << path.channels << " mode " << mode);
      GatInputs p = random_gat_inputs(17, 12, 40, path, mode >= 2);
      if (mode == 0) {
        p.att_src = Tensor::zeros(p.att_src.shape());
        p.att_dst = Tensor::zeros(p.att_dst.shape());
      } else if (mode == 1) {
        const int64_t w = path.heads * path.channels;
        for (int64_t v = 1; v < p.graph.num_nodes(); ++v)
          std::copy(p.x.data(), p.x.data() + w, p.x.data() + v * w);
      } else {
        p.edge_score = Tensor::full(p.edge_score.shape(), mode == 2 ? 1e30f : -1e30f);
      }
      Generator gen(18);
      const Tensor g = random_tensor(p.x.shape(), gen);
      const GatRun r = run_gat(p, g);
      for (int64_t f = 0; f < p.graph.num_edges(); ++f) {
        const float uniform = 1.0f / static_cast<float>(p.graph.in_degree(p.graph.dst()[f]));
        for (int64_t h = 0; h < path.heads; ++h)
          ASSERT_EQ(r.alpha.at(f, h), uniform) << "edge " << f << " head " << h;
      }
      const GatReference ref = reference_of(p, g);
      EXPECT_TRUE(agrees(r.out.data(), ref.out, 1e-6));
      if (mode < 2) {
        expect_gat_agrees(r, ref, 1e-5, kGradFloor);
      } else {
        // Backward recomputes α = exp(e − lse) from the float lse = max + log Σ exp(e − max),
        // which cannot hold log(deg) next to |max| ≥ 2e29 (its ulp is ≥ 1.5e22): tied scores
        // that large each get α = 1 there instead of 1/deg. The gradients stay finite.
        for (const Tensor* t : {&r.dx, &r.datt_src, &r.datt_dst, &r.dedge_score})
          EXPECT_TRUE(all_finite(*t));
      }
    }
  }
}

TEST(NumericalEdgeCases, Gatv2AllEqualScoresGiveExactlyUniformAttention) {
  for (const Path path : kPaths) {
    // att = 0, and every xl row the same (e_ij then depends on i only).
    for (int mode = 0; mode < 2; ++mode) {
      SCOPED_TRACE(::testing::Message()
                   << "H " << path.heads << " C " << path.channels << " mode " << mode);
      Gatv2Inputs p = random_gatv2_inputs(19, 12, 40, path);
      if (mode == 0) {
        p.att = Tensor::zeros(p.att.shape());
      } else {
        const int64_t w = path.heads * path.channels;
        for (int64_t v = 1; v < p.graph.num_nodes(); ++v)
          std::copy(p.xl.data(), p.xl.data() + w, p.xl.data() + v * w);
      }
      Generator gen(20);
      const Tensor g = random_tensor(p.xl.shape(), gen);
      const Gatv2Run r = run_gatv2(p, g);
      for (int64_t f = 0; f < p.graph.num_edges(); ++f) {
        const float uniform = 1.0f / static_cast<float>(p.graph.in_degree(p.graph.dst()[f]));
        for (int64_t h = 0; h < path.heads; ++h)
          ASSERT_EQ(r.alpha.at(f, h), uniform) << "edge " << f << " head " << h;
      }
      expect_gatv2_agrees(r, reference_of(p, g), 1e-5, kGradFloor);
    }
  }
}

// The layers: with zero attention vectors every α is 1/deg over the self-looped graph.
TEST(NumericalEdgeCases, LayersWithZeroAttentionVectorsAttendUniformly) {
  Generator gen(21);
  const Graph graph = testing::random_edges(15, 50, gen).graph();
  const Tensor x = random_tensor({15, 6}, gen);
  GATConv conv({.in_channels = 6, .out_channels = 4, .heads = 3}, gen);
  conv.att_src.mutable_data() = Tensor::zeros({1, 3, 4});
  conv.att_dst.mutable_data() = Tensor::zeros({1, 3, 4});
  GATv2Conv conv2({.in_channels = 6, .out_channels = 4, .heads = 3}, gen);
  conv2.att.mutable_data() = Tensor::zeros({1, 3, 4});
  AttentionWeights a1, a2;
  conv.forward(Variable(x), graph, &a1);
  conv2.forward(Variable(x), graph, &a2);
  for (const AttentionWeights* a : {&a1, &a2}) {
    ASSERT_EQ(a->graph.num_edges(), graph.with_self_loops().num_edges());
    for (int64_t f = 0; f < a->graph.num_edges(); ++f)
      for (int64_t h = 0; h < 3; ++h)
        ASSERT_EQ(a->alpha.at(f, h),
                  1.0f / static_cast<float>(a->graph.in_degree(a->graph.dst()[f])));
  }
}

// ---------------------------------------------------------------------------------------------
// A node with 100,000 neighbours: a star whose hub 0 receives an edge from every other node (and
// sends one back to node 1), with PyG's self-loops. Its row is one thread's work and its scratch
// is 100,001 × H floats; everything else has degree 1 or 2.

Graph star_graph(int64_t spokes) {
  std::vector<int64_t> src, dst;
  for (int64_t j = 1; j <= spokes; ++j) {
    src.push_back(j);
    dst.push_back(0);
  }
  src.push_back(0);
  dst.push_back(1);
  return Graph::from_edges(spokes + 1, src, dst).with_self_loops();
}

constexpr int64_t kSpokes = 100000;

// The hub's α are ≈ 1e-5 each and its row sums 100,001 terms in order in float: the error grows
// like √n · 2⁻²⁴ ≈ 2e-5 of the sum of the terms' magnitudes (n · 2⁻²⁴ ≈ 6e-3 at worst). x is
// positive here so that the hub's output is a weighted mean of order 1, not a cancelling sum.
// The hub's gradient sums do cancel: ds_dst (GAT) and dxr (GATv2) of the hub, and the attention
// vectors' gradients through them, sum 100,001 terms α_j (dα_j − D) whose exact sum is 0 and whose
// magnitudes sum to about 1, so they are compared on a scale of 1 (kHubGradFloor).
constexpr double kHubTolerance = 1e-4;
constexpr double kHubGradFloor = 1.0;

TEST(NumericalEdgeCases, GatHubWith100000NeighboursMatchesTheReference) {
  const Graph graph = star_graph(kSpokes);
  ASSERT_EQ(graph.in_degree(0), kSpokes + 1);
  for (const Path path : {Path{1, 4}, Path{2, 3}, Path{8, 8}}) {
    SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels);
    Generator gen(22);
    GatInputs p;
    p.graph = graph;
    p.heads = path.heads;
    p.channels = path.channels;
    const int64_t n = graph.num_nodes(), w = path.heads * path.channels;
    p.x = random_tensor({n, path.heads, path.channels}, gen, 0.5f, 1.5f);
    p.att_src = random_tensor({1, path.heads, path.channels}, gen);
    p.att_dst = random_tensor({1, path.heads, path.channels}, gen);
    const Tensor g = random_tensor(p.x.shape(), gen);
    const GatRun r = run_gat(p, g);
    const GatReference ref = reference_of(p, g);
    for (const Tensor* t : {&r.out, &r.alpha, &r.dx, &r.datt_src, &r.datt_dst})
      EXPECT_TRUE(all_finite(*t));
    EXPECT_TRUE(agrees(r.out.data(), ref.out, kHubTolerance, 1.0, 0, w)) << "hub row";
    EXPECT_TRUE(agrees(r.out.data(), ref.out, 1e-6, 1.0, w)) << "other rows";
    EXPECT_TRUE(agrees(r.alpha.data(), ref.alpha, kHubTolerance, 1e-5, 0, kSpokes * path.heads))
        << "the hub's α";
    EXPECT_TRUE(agrees(r.dx.data(), ref.dx, kHubTolerance, kHubGradFloor)) << "dx";
    EXPECT_TRUE(agrees(r.datt_src.data(), ref.datt_src, kHubTolerance, kHubGradFloor));
    EXPECT_TRUE(agrees(r.datt_dst.data(), ref.datt_dst, kHubTolerance, kHubGradFloor));
  }
}

TEST(NumericalEdgeCases, Gatv2HubWith100000NeighboursMatchesTheReference) {
  const Graph graph = star_graph(kSpokes);
  for (const Path path : {Path{2, 3}, Path{8, 8}}) {
    SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels);
    Generator gen(23);
    Gatv2Inputs p;
    p.graph = graph;
    p.heads = path.heads;
    p.channels = path.channels;
    const int64_t n = graph.num_nodes(), w = path.heads * path.channels;
    p.xl = random_tensor({n, path.heads, path.channels}, gen, 0.5f, 1.5f);
    p.xr = random_tensor({n, path.heads, path.channels}, gen);
    p.att = random_tensor({1, path.heads, path.channels}, gen);
    const Tensor g = random_tensor(p.xl.shape(), gen);
    const Gatv2Run r = run_gatv2(p, g);
    const Gatv2Reference ref = reference_of(p, g);
    for (const Tensor* t : {&r.out, &r.alpha, &r.dxl, &r.dxr, &r.datt})
      EXPECT_TRUE(all_finite(*t));
    EXPECT_TRUE(agrees(r.out.data(), ref.out, kHubTolerance, 1.0, 0, w)) << "hub row";
    EXPECT_TRUE(agrees(r.out.data(), ref.out, 1e-6, 1.0, w)) << "other rows";
    EXPECT_TRUE(agrees(r.alpha.data(), ref.alpha, kHubTolerance, 1e-5, 0, kSpokes * path.heads))
        << "the hub's α";
    EXPECT_TRUE(agrees(r.dxl.data(), ref.dxl, kHubTolerance, kHubGradFloor)) << "dxl";
    EXPECT_TRUE(agrees(r.dxr.data(), ref.dxr, kHubTolerance, kHubGradFloor)) << "dxr";
    EXPECT_TRUE(agrees(r.datt.data(), ref.datt, kHubTolerance, kHubGradFloor)) << "datt";
  }
}

// ---------------------------------------------------------------------------------------------
// The layers on graphs without edges or without nodes. PyG sums messages over edges, so a node
// without incoming edges gets 0, then the bias; with self-loops every node attends to itself
// alone (α = 1) and gets its own projection plus the bias.

// PyG's GATConv (concat, eval) over the graph's edges: x Wᵀ, attention, then + bias.
std::vector<double> gat_conv_reference(const GATConv& conv, const Tensor& x, const Graph& graph,
                                       const std::vector<double>& scale = {}) {
  const GATConvOptions& o = conv.options();
  const int64_t n = x.size(0), hc = o.heads * o.out_channels;
  const std::vector<double> proj = testing::dense_linear(
      to_double(x), to_double(conv.lin_weight.data()), {}, n, o.in_channels, hc);
  const Graph& g = o.add_self_loops ? graph.with_self_loops() : graph;
  std::vector<double> out =
      gat_reference(g, o.heads, o.out_channels, proj, to_double(conv.att_src.data()),
                    to_double(conv.att_dst.data()), o.negative_slope, {}, scale)
          .out;
  for (int64_t k = 0; k < n * hc; ++k)
    out[k] += conv.bias.data().at(k % hc);
  return out;
}

// PyG's GATv2Conv (concat) over the graph's edges: lin_l, lin_r, attention, then + bias.
std::vector<double> gatv2_conv_reference(const GATv2Conv& conv, const Tensor& x, const Graph& graph,
                                         const std::vector<double>& scale = {}) {
  const GATv2ConvOptions& o = conv.options();
  const int64_t n = x.size(0), hc = o.heads * o.out_channels;
  const std::vector<double> xd = to_double(x);
  const std::vector<double> xl =
      testing::dense_linear(xd, to_double(conv.lin_l_weight.data()),
                            to_double(conv.lin_l_bias.data()), n, o.in_channels, hc);
  const std::vector<double> xr =
      testing::dense_linear(xd, to_double(conv.lin_r_weight.data()),
                            to_double(conv.lin_r_bias.data()), n, o.in_channels, hc);
  const Graph& g = o.add_self_loops ? graph.with_self_loops() : graph;
  std::vector<double> out = gatv2_reference(g, o.heads, o.out_channels, xl, xr,
                                            to_double(conv.att.data()), o.negative_slope, scale)
                                .out;
  for (int64_t k = 0; k < n * hc; ++k)
    out[k] += conv.bias.data().at(k % hc);
  return out;
}

// Non-zero biases (PyG initialises them to 0), so that "the bias" is visible in the output.
void randomise(Variable& bias, Generator& gen) {
  bias.mutable_data() = random_tensor(bias.shape(), gen);
}

Graph graph_without_edges(int64_t n) {
  const std::vector<int64_t> none;
  return Graph::from_edges(n, none, none);
}

TEST(NumericalEdgeCases, LayersOnAGraphOfIsolatedNodesOnly) {
  const int64_t n = 5, f = 4, h = 2, c = 3;
  const Graph graph = graph_without_edges(n);
  for (bool loops : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "add_self_loops " << loops);
    Generator gen(31);
    GATConv conv({.in_channels = f, .out_channels = c, .heads = h, .add_self_loops = loops}, gen);
    GATv2Conv conv2({.in_channels = f, .out_channels = c, .heads = h, .add_self_loops = loops},
                    gen);
    randomise(conv.bias, gen);
    randomise(conv2.bias, gen);
    randomise(conv2.lin_l_bias, gen);
    randomise(conv2.lin_r_bias, gen);
    const Tensor xt = random_tensor({n, f}, gen);
    const Tensor g = random_tensor({n, h * c}, gen);
    Variable x(xt, true), x2(xt, true);
    AttentionWeights a1, a2;
    const Variable out = conv.forward(x, graph, &a1);
    const Variable out2 = conv2.forward(x2, graph, &a2);
    out.backward(g);
    out2.backward(g);
    ASSERT_EQ(a1.graph.num_edges(), loops ? n : 0);
    ASSERT_EQ(a2.graph.num_edges(), loops ? n : 0);
    for (const AttentionWeights* a : {&a1, &a2})
      for (float v : a->alpha.to_vector())
        EXPECT_EQ(v, 1.0f);  // one edge per row: exp(0) / 1
    EXPECT_TRUE(agrees(out.data().data(), gat_conv_reference(conv, xt, graph), 1e-6));
    EXPECT_TRUE(agrees(out2.data().data(), gatv2_conv_reference(conv2, xt, graph), 1e-6));
    // dbias = Σ_i g[i] either way.
    for (int64_t k = 0; k < h * c; ++k) {
      double sum = 0;
      for (int64_t i = 0; i < n; ++i)
        sum += g.at(i, k);
      EXPECT_NEAR(conv.bias.grad().at(k), sum, 1e-6);
      EXPECT_NEAR(conv2.bias.grad().at(k), sum, 1e-6);
    }
    if (!loops) {
      // No messages: the output is exactly the bias, and nothing but the bias gets a gradient.
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < h * c; ++k) {
          ASSERT_EQ(out.data().at(i, k), conv.bias.data().at(k));
          ASSERT_EQ(out2.data().at(i, k), conv2.bias.data().at(k));
        }
      for (const Tensor* t :
           {&x.grad(), &conv.lin_weight.grad(), &conv.att_src.grad(), &conv.att_dst.grad(),
            &x2.grad(), &conv2.lin_l_weight.grad(), &conv2.lin_l_bias.grad(),
            &conv2.lin_r_weight.grad(), &conv2.lin_r_bias.grad(), &conv2.att.grad()})
        for (float v : t->to_vector())
          ASSERT_EQ(v, 0.0f);
    } else {
      // α = 1 whatever the score: the attention vectors' gradient is α (dα − D) = 0 in exact
      // arithmetic (the eight-head path takes D from out − bias, so float leaves ≈ 1e-7).
      for (const Tensor* t : {&conv.att_src.grad(), &conv.att_dst.grad(), &conv2.att.grad()})
        for (float v : t->to_vector())
          EXPECT_NEAR(v, 0.0f, 1e-6f);
      for (const Tensor* t : {&x.grad(), &conv.lin_weight.grad(), &x2.grad(),
                              &conv2.lin_l_weight.grad(), &conv2.lin_r_weight.grad()})
        EXPECT_TRUE(all_finite(*t));
    }
  }
}

// A node without incoming edges whose self-loop gets edge features by fill_value "mean": the
// mean over no edges is 0 (PyG's scatter mean clamps the count to 1), not 0/0.
TEST(NumericalEdgeCases, SelfLoopFeaturesOfANodeWithoutIncomingEdgesAreFinite) {
  const std::vector<int64_t> src = {0, 1}, dst = {1, 0};  // node 2 has no edge
  const Graph graph = Graph::from_edges(3, src, dst);
  Generator gen(32);
  const Tensor xt = random_tensor({3, 4}, gen);
  const Tensor attr = random_tensor({2, 2}, gen);
  GATConv conv({.in_channels = 4, .out_channels = 3, .heads = 2, .edge_dim = 2}, gen);
  GATv2Conv conv2({.in_channels = 4, .out_channels = 3, .heads = 2, .edge_dim = 2}, gen);
  for (const Graph& gr : {graph, graph_without_edges(3)}) {
    const Variable ea(gr.num_edges() == 0 ? Tensor::zeros({0, 2}) : attr, true);
    const Variable looped = self_loop_edge_attr(ea, gr, SelfLoopFill{});
    for (int64_t d = 0; d < 2; ++d)
      EXPECT_EQ(looped.data().at(looped.size(0) - 1, d), 0.0f);  // node 2's loop
    const Variable out = conv.forward(Variable(xt), gr, ea);
    const Variable out2 = conv2.forward(Variable(xt), gr, ea);
    EXPECT_TRUE(all_finite(out.data()));
    EXPECT_TRUE(all_finite(out2.data()));
    // Node 2 attends to its loop alone (α = 1), whatever its score.
    const std::vector<double> ref = gat_conv_reference(conv, xt, gr);
    const std::vector<double> ref2 = gatv2_conv_reference(conv2, xt, gr);
    EXPECT_TRUE(agrees(out.data().data(), ref, 1e-6, 1.0, 2 * 6, 3 * 6));
    EXPECT_TRUE(agrees(out2.data().data(), ref2, 1e-6, 1.0, 2 * 6, 3 * 6));
    add(sum(out), sum(out2)).backward();
    EXPECT_TRUE(all_finite(conv.lin_edge_weight.grad()));
    EXPECT_TRUE(all_finite(conv2.lin_edge_weight.grad()));
    if (gr.num_edges() > 0) {
      EXPECT_TRUE(all_finite(ea.grad()));
    }
    conv.zero_grad();
    conv2.zero_grad();
  }
}

TEST(NumericalEdgeCases, LayersOnTheEmptyGraph) {
  const Graph graph;  // no nodes, no edges
  for (bool loops : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "add_self_loops " << loops);
    Generator gen(33);
    GATConv conv(
        {.in_channels = 4, .out_channels = 3, .heads = 2, .add_self_loops = loops, .edge_dim = 2},
        gen);
    GATv2Conv conv2(
        {.in_channels = 4, .out_channels = 3, .heads = 2, .add_self_loops = loops, .edge_dim = 2},
        gen);
    Variable x(Tensor::zeros({0, 4}), true);
    const Variable ea(Tensor::zeros({0, 2}), true);
    const Variable out = conv.forward(x, graph, ea);
    const Variable out2 = conv2.forward(x, graph, ea);
    EXPECT_EQ(out.shape(), (Shape{0, 6}));
    EXPECT_EQ(out2.shape(), (Shape{0, 6}));
    add(sum(out), sum(out2)).backward();
    EXPECT_EQ(x.grad().shape(), (Shape{0, 4}));
    for (const Tensor* t : {&conv.lin_weight.grad(), &conv.att_src.grad(), &conv.bias.grad(),
                            &conv.lin_edge_weight.grad(), &conv2.lin_l_weight.grad(),
                            &conv2.att.grad(), &conv2.bias.grad()})
      for (float v : t->to_vector())
        ASSERT_EQ(v, 0.0f);
  }
}

// ---------------------------------------------------------------------------------------------
// Zero sizes. A layer needs positive in_channels, out_channels and heads: PyG fails on zero heads
// or channels (view(-1, H, C) of an empty projection), and its in_channels ≤ 0 means a lazily
// sized layer, which gat.cpp does not have. The ops themselves are defined for empty heads or
// channels, as the PyTorch expressions they follow are: an empty dot product is 0, so C = 0 gives
// all scores 0 and α = 1/deg, and H = 0 gives no α at all.

TEST(NumericalEdgeCases, LayersWithZeroSizesAreRejectedNamingTheOption) {
  Generator gen(34);
  const struct {
    int64_t in, out, heads;
    const char* message;
  } cases[] = {{0, 3, 2, "in_channels must be positive, got 0"},
               {4, 0, 2, "out_channels must be positive, got 0"},
               {4, 3, 0, "heads must be positive, got 0"},
               {-1, 3, 2, "in_channels must be positive, got -1"}};
  for (const auto& c : cases) {
    EXPECT_TRUE(throws_with<InvalidArgument>(
        [&] { GATConv({.in_channels = c.in, .out_channels = c.out, .heads = c.heads}, gen); },
        std::string("GATConv: ") + c.message));
    EXPECT_TRUE(throws_with<InvalidArgument>(
        [&] { GATv2Conv({.in_channels = c.in, .out_channels = c.out, .heads = c.heads}, gen); },
        std::string("GATv2Conv: ") + c.message));
  }
  // x with no features for a layer that expects some.
  const Graph graph = graph_without_edges(3);
  GATConv conv({.in_channels = 4, .out_channels = 3, .heads = 2}, gen);
  GATv2Conv conv2({.in_channels = 4, .out_channels = 3, .heads = 2}, gen);
  const Variable x(Tensor::zeros({3, 0}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { conv.forward(x, graph); },
                                      "x has 0 features but in_channels is 4"));
  EXPECT_TRUE(throws_with<ShapeError>([&] { conv2.forward(x, graph); },
                                      "x has 0 features but in_channels is 4"));
}

TEST(NumericalEdgeCases, OpsWithZeroHeadsOrChannelsAreDefined) {
  Generator gen(35);
  const Graph graph = testing::random_edges(6, 14, gen).graph().with_self_loops();
  for (const Path path : {Path{2, 0}, Path{8, 0}, Path{1, 0}, Path{0, 3}}) {
    SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels);
    const Shape shape{6, path.heads, path.channels}, att_shape{1, path.heads, path.channels};
    Variable x(Tensor::zeros(shape), true), xr(Tensor::zeros(shape), true);
    Variable as(Tensor::zeros(att_shape), true), ad(Tensor::zeros(att_shape), true);
    Tensor alpha, alpha2;
    const Variable out = gat_attention(x, as, ad, graph, {}, &alpha);
    const Variable out2 = gatv2_attention(x, xr, as, graph, {}, &alpha2);
    EXPECT_EQ(out.shape(), shape);
    EXPECT_EQ(out2.shape(), shape);
    ASSERT_EQ(alpha.shape(), (Shape{graph.num_edges(), path.heads}));
    ASSERT_EQ(alpha2.shape(), (Shape{graph.num_edges(), path.heads}));
    for (int64_t f = 0; f < graph.num_edges(); ++f)
      for (int64_t h = 0; h < path.heads; ++h) {
        const float uniform = 1.0f / static_cast<float>(graph.in_degree(graph.dst()[f]));
        EXPECT_EQ(alpha.at(f, h), uniform);
        EXPECT_EQ(alpha2.at(f, h), uniform);
      }
    add(sum(out), sum(out2)).backward();
    for (const Variable* v : {&x, &xr, &as, &ad})
      EXPECT_EQ(v->grad().shape(), v->shape());
  }
}

// ---------------------------------------------------------------------------------------------
// Non-finite inputs. x is not checked: NaN and ±Inf propagate as in PyG, along the edges. In
// PyG a non-finite x[j] enters the score of each edge j → i, so the softmax makes all of row i
// NaN; and out[i] = Σ_j α'_ij x[j] multiplies x[j] by α' even where attention dropout zeroed it
// (NaN · 0 = NaN) or where exp underflowed to 0 (a score of −Inf: 0 · (−Inf) = NaN). The kernels
// follow the same rule, forward and backward, on every path. Edge features are checked at the
// layers' boundary instead.

// The node with the most outgoing edges (so that dropout removes some of them).
int64_t busiest_source(const Graph& graph) {
  const std::vector<int64_t> degrees = graph.out_degrees();
  return std::max_element(degrees.begin(), degrees.end()) - degrees.begin();
}

// Checks every edge j → i (i ≠ j) of head h whose α' is 0 — dropped (with the mask of
// Generator(key_seed)'s first key) or exp(−Inf) — gives out[i, h, 0] NaN in the reference and
// non-finite in the kernel; returns how many there are.
int64_t count_silent_edges(const Graph& graph, int64_t j, Path path, int64_t h, float p_drop,
                           uint64_t key_seed, const std::vector<double>& ref_alpha,
                           const std::vector<double>& ref_out, const Tensor& out) {
  const std::vector<double> scale =
      p_drop > 0.0f
          ? dropout_scale(Generator(key_seed).next_key(), graph.num_edges(), path.heads, p_drop)
          : std::vector<double>{};
  int64_t count = 0;
  for (int64_t f = 0; f < graph.num_edges(); ++f) {
    const int64_t i = graph.dst()[f], fh = f * path.heads + h;
    const bool dropped = !scale.empty() && scale[fh] == 0.0;
    if (graph.src()[f] != j || i == j || !(dropped || ref_alpha[fh] == 0.0)) continue;
    ++count;
    EXPECT_TRUE(std::isnan(ref_out[(i * path.heads + h) * path.channels])) << "node " << i;
    EXPECT_FALSE(std::isfinite(out.at(i, h, 0))) << "node " << i;
  }
  return count;
}

// x[j, h, 0] = NaN, or −Inf with att_src[h, 0] = att_dst[h, 0] = 0.5 (a score of −Inf on j's
// edges: α_ij = 0 with the row's other α finite), with and without attention dropout.
TEST(NumericalEdgeCases, GatNonFiniteXReachesWhatItReachesInPyG) {
  for (const Path path : kPaths) {
    for (const float bad : {kNaN, -kInf}) {
      for (const float p_drop : {0.0f, 0.5f}) {
        SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels << " x "
                                          << bad << " dropout " << p_drop);
        GatInputs p = random_gat_inputs(41, 14, 45, path, true);
        const int64_t j = busiest_source(p.graph), h = path.heads - 1;
        p.x.at(j, h, 0) = bad;
        p.att_src.at(0, h, 0) = 0.5f;
        p.att_dst.at(0, h, 0) = 0.5f;
        Generator gen(42);
        const Tensor g = random_tensor(p.x.shape(), gen);
        const GatRun r = run_gat(p, g, p_drop, 43);
        const GatReference ref = reference_of(p, g, p_drop, 43);
        expect_gat_agrees(r, ref, 1e-5, kGradFloor);
        // The case that tells "NaN · 0 = NaN" from "dropped edges are skipped": an edge j → i
        // that dropout removed, or whose α is exp(−Inf) = 0, still makes out[i, h, 0] NaN.
        const int64_t silent =
            count_silent_edges(p.graph, j, path, h, p_drop, 43, ref.alpha, ref.out, r.out);
        if (p_drop > 0.0f || !std::isnan(bad)) {
          EXPECT_GT(silent, 0);
        }
      }
    }
  }
}

TEST(NumericalEdgeCases, Gatv2NonFiniteXReachesWhatItReachesInPyG) {
  for (const Path path : kPaths) {
    for (const float bad : {kNaN, -kInf}) {
      for (const float p_drop : {0.0f, 0.5f}) {
        SCOPED_TRACE(::testing::Message() << "H " << path.heads << " C " << path.channels << " xl "
                                          << bad << " dropout " << p_drop);
        Gatv2Inputs p = random_gatv2_inputs(44, 14, 45, path);
        const int64_t j = busiest_source(p.graph), h = path.heads - 1;
        p.xl.at(j, h, 0) = bad;
        p.att.at(0, h, 0) = 0.5f;
        Generator gen(45);
        const Tensor g = random_tensor(p.xl.shape(), gen);
        const Gatv2Run r = run_gatv2(p, g, p_drop, 46);
        const Gatv2Reference ref = reference_of(p, g, p_drop, 46);
        expect_gatv2_agrees(r, ref, 1e-5, kGradFloor);
        const int64_t silent =
            count_silent_edges(p.graph, j, path, h, p_drop, 46, ref.alpha, ref.out, r.out);
        if (p_drop > 0.0f || !std::isnan(bad)) {
          EXPECT_GT(silent, 0);
        }
      }
    }
  }
}

// Through the layers: a NaN feature of node j reaches every row j sends an edge to (its own
// through its self-loop), all of each such row, and no other row; with attention dropout too.
TEST(NumericalEdgeCases, LayersPropagateANaNInXAlongTheEdges) {
  Generator gen(47);
  const Graph graph = testing::random_edges(10, 25, gen).graph();
  Tensor xt = random_tensor({10, 4}, gen);
  const int64_t j = 2;
  xt.at(j, 1) = kNaN;
  for (const float p_drop : {0.0f, 0.5f}) {
    SCOPED_TRACE(::testing::Message() << "dropout " << p_drop);
    GATConv conv({.in_channels = 4, .out_channels = 3, .heads = 2, .dropout = p_drop}, gen);
    GATv2Conv conv2({.in_channels = 4, .out_channels = 3, .heads = 2, .dropout = p_drop}, gen);
    randomise(conv.bias, gen);
    randomise(conv2.bias, gen);
    const int64_t e = graph.with_self_loops().num_edges();
    // The keys the layers will draw for attention dropout: the generator's next ones.
    Generator next = gen;
    const std::vector<double> scale1 =
        p_drop > 0 ? dropout_scale(next.next_key(), e, 2, p_drop) : std::vector<double>{};
    const std::vector<double> scale2 =
        p_drop > 0 ? dropout_scale(next.next_key(), e, 2, p_drop) : std::vector<double>{};
    if (p_drop == 0) {
      conv.eval();
      conv2.eval();
    }
    const Variable out = conv.forward(Variable(xt), graph);
    const Variable out2 = conv2.forward(Variable(xt), graph);
    EXPECT_TRUE(agrees(out.data().data(), gat_conv_reference(conv, xt, graph, scale1), 1e-5));
    EXPECT_TRUE(agrees(out2.data().data(), gatv2_conv_reference(conv2, xt, graph, scale2), 1e-5));
    for (int64_t i = 0; i < 10; ++i) {
      bool reached = i == j;
      for (int64_t f = 0; f < graph.num_edges(); ++f)
        reached = reached || (graph.src()[f] == j && graph.dst()[f] == i);
      for (int64_t k = 0; k < 6; ++k) {
        EXPECT_EQ(std::isfinite(out.data().at(i, k)), !reached) << "node " << i;
        EXPECT_EQ(std::isfinite(out2.data().at(i, k)), !reached) << "node " << i;
      }
    }
  }
}

TEST(NumericalEdgeCases, NonFiniteEdgeFeaturesAreRejectedAtTheBoundary) {
  Generator gen(48);
  const Graph graph = testing::random_edges(6, 12, gen).graph();
  const Variable x(random_tensor({6, 4}, gen));
  GATConv conv({.in_channels = 4, .out_channels = 3, .heads = 2, .edge_dim = 2}, gen);
  GATv2Conv conv2({.in_channels = 4, .out_channels = 3, .heads = 2, .edge_dim = 2}, gen);
  for (const float bad : {kNaN, kInf, -kInf}) {
    Tensor attr = random_tensor({graph.num_edges(), 2}, gen);
    attr.at(1, 0) = bad;
    EXPECT_TRUE(throws_with<InvalidArgument>([&] { conv.forward(x, graph, Variable(attr)); },
                                             "GATConv::forward: edge_attr[1, 0] is not finite"));
    EXPECT_TRUE(throws_with<InvalidArgument>([&] { conv2.forward(x, graph, Variable(attr)); },
                                             "GATv2Conv::forward: edge_attr[1, 0] is not finite"));
  }
}

}  // namespace
}  // namespace gat
