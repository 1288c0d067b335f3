// Tests of GCNConv (gat/nn/gcn_conv.h), gcn_norm, and the op under it, gcn_aggregate
// (gat/ops/gcn_aggregate.h, kernel gat/kernels/gcn_aggregate.h), against a dense double-precision
// D^-1/2 (A + I) D^-1/2 X Wᵀ + b written here from the edge list, never from gat's CSR.
#include "gat/nn/gcn_conv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>

#include "gat/autograd/op_kind.h"
#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/ops/gcn_aggregate.h"
#include "gat/ops/reduce.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

namespace gat {
namespace {

using testing::max_relative_error;

std::vector<double> to_double(const Tensor& t) {
  return {t.data(), t.data() + t.numel()};
}

// The dense propagation matrix M [N × N] of GCNConv: A[i][j] counts the edges j → i (duplicates
// each count); with add_self_loops, PyG's add_remaining_self_loops with unit weights sets every
// diagonal entry to exactly 1 (existing loops, however many, become one loop); with normalize,
// M_ij = deg_i^-1/2 A_ij deg_j^-1/2 with deg_i = Σ_j A_ij (0 when deg_i = 0).
std::vector<double> dense_propagation(int64_t n, const std::vector<int64_t>& src,
                                      const std::vector<int64_t>& dst, bool add_self_loops,
                                      bool normalize) {
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (size_t e = 0; e < src.size(); ++e)
    a[dst[e] * n + src[e]] += 1.0;
  if (add_self_loops)
    for (int64_t i = 0; i < n; ++i)
      a[i * n + i] = 1.0;
  if (!normalize) return a;
  std::vector<double> dinv(n, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    double deg = 0;
    for (int64_t j = 0; j < n; ++j)
      deg += a[i * n + j];
    dinv[i] = deg > 0 ? 1.0 / std::sqrt(deg) : 0.0;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      a[i * n + j] *= dinv[i] * dinv[j];
  return a;
}

// out = M X Wᵀ + b and the exact gradients of L = Σ g ⊙ out (the layer is linear in each input):
// dX = Mᵀ g W, dW = (Mᵀ g)ᵀ X, db = Σ_i g[i].
struct DenseGcn {
  std::vector<double> out, dx, dw, db;
};

DenseGcn dense_gcn_conv(int64_t n, int64_t f, int64_t c, const std::vector<double>& m,
                        const std::vector<double>& x, const std::vector<double>& w,
                        const std::vector<double>& b, const std::vector<double>& g) {
  std::vector<double> xw(n * c, 0.0), mtg(n * c, 0.0);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t o = 0; o < c; ++o)
      for (int64_t k = 0; k < f; ++k)
        xw[j * c + o] += x[j * f + k] * w[o * f + k];
  DenseGcn r;
  r.out.assign(n * c, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < c; ++o) {
      double s = b.empty() ? 0.0 : b[o];
      for (int64_t j = 0; j < n; ++j)
        s += m[i * n + j] * xw[j * c + o];
      r.out[i * c + o] = s;
    }
  for (int64_t j = 0; j < n; ++j)
    for (int64_t o = 0; o < c; ++o)
      for (int64_t i = 0; i < n; ++i)
        mtg[j * c + o] += m[i * n + j] * g[i * c + o];
  r.dx.assign(n * f, 0.0);
  r.dw.assign(c * f, 0.0);
  r.db.assign(c, 0.0);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t o = 0; o < c; ++o)
      for (int64_t k = 0; k < f; ++k) {
        r.dx[j * f + k] += mtg[j * c + o] * w[o * f + k];
        r.dw[o * f + k] += mtg[j * c + o] * x[j * f + k];
      }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < c; ++o)
      r.db[o] += g[i * c + o];
  return r;
}

// Sets every parameter to fresh random values (bias too, so that it is tested) and returns x.
Tensor randomise(GCNConv& conv, int64_t n, Generator& gen) {
  for (Variable p : conv.parameters())
    p.mutable_data() = testing::random_tensor(p.shape(), gen, -1.0f, 1.0f);
  return testing::random_tensor({n, conv.options().in_channels}, gen, -1.0f, 1.0f);
}

struct Case {
  bool add_self_loops;
  bool normalize;
  bool bias;
};

class GCNConvReference : public ::testing::TestWithParam<Case> {};

// Forward and the gradients of x, lin.weight and bias agree with the dense reference to 1e-5
// relative, on random graphs with isolated nodes, duplicate edges and (repeated) self-loops.
TEST_P(GCNConvReference, MatchesDenseReference) {
  const Case cs = GetParam();
  for (uint64_t seed = 0; seed < 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Generator gen(seed);
    const int64_t n = 13, f = 5, c = 3;
    // Up to 6 self-loops among 11 nodes: some node usually gets two.
    testing::EdgeList edges = testing::random_edges(n, 30, gen, /*isolated=*/2,
                                                    /*duplicates=*/3, /*self_loops=*/2 + seed % 5);
    GCNConv conv({.in_channels = f,
                  .out_channels = c,
                  .add_self_loops = cs.add_self_loops,
                  .normalize = cs.normalize,
                  .bias = cs.bias},
                 gen);
    Tensor xt = randomise(conv, n, gen);
    Variable x(xt, /*requires_grad=*/true);
    Variable out = conv.forward(x, edges.graph());
    ASSERT_EQ(out.shape(), Shape({n, c}));
    Tensor g = testing::random_tensor(out.shape(), gen, 0.5f, 1.5f);
    out.backward(g);

    const std::vector<double> m =
        dense_propagation(n, edges.src, edges.dst, cs.add_self_loops, cs.normalize);
    const DenseGcn ref =
        dense_gcn_conv(n, f, c, m, to_double(xt), to_double(conv.lin_weight.data()),
                       cs.bias ? to_double(conv.bias.data()) : std::vector<double>{}, to_double(g));
    EXPECT_LE(max_relative_error(out.data().data(), ref.out), 1e-5) << "out";
    EXPECT_LE(max_relative_error(x.grad().data(), ref.dx), 1e-5) << "x";
    EXPECT_LE(max_relative_error(conv.lin_weight.grad().data(), ref.dw), 1e-5) << "lin.weight";
    if (cs.bias) {
      EXPECT_LE(max_relative_error(conv.bias.grad().data(), ref.db), 1e-5) << "bias";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(GCNConvVariants, GCNConvReference,
                         ::testing::Values(Case{true, true, true}, Case{false, true, true},
                                           Case{false, false, true}, Case{true, true, false}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           const Case& c = info.param;
                           return std::string(c.add_self_loops ? "selfloops" : "noloops") +
                                  (c.normalize ? "_normalize" : "_raw") +
                                  (c.bias ? "_bias" : "_nobias");
                         });

TEST(GCNConv, IsolatedNodeGetsItsOwnFeaturesOrBias) {
  // Node 2 has no edge: with self-loops deg = 1 and x'_2 = W x_2 + b; without, x'_2 = b.
  Generator gen(1);
  std::vector<int64_t> src = {0, 1}, dst = {1, 0};
  Graph graph = Graph::from_edges(3, src, dst);
  GCNConv conv({.in_channels = 2, .out_channels = 2}, gen);
  Tensor xt = randomise(conv, 3, gen);
  Tensor out = conv.forward(Variable(xt), graph).data();
  for (int64_t o = 0; o < 2; ++o) {
    const float expected = conv.lin_weight.data().at(o, 0) * xt.at(2, 0) +
                           conv.lin_weight.data().at(o, 1) * xt.at(2, 1) + conv.bias.data().at(o);
    EXPECT_NEAR(out.at(2, o), expected, 1e-6);
  }
  GCNConv plain({.in_channels = 2, .out_channels = 2, .add_self_loops = false}, gen);
  Tensor outp = plain.forward(Variable(xt), graph).data();
  for (int64_t o = 0; o < 2; ++o)
    EXPECT_EQ(outp.at(2, o), plain.bias.data().at(o));
}

TEST(GcnNorm, WeightsFollowPygSelfLoopRule) {
  // 0→1 twice, two self-loops on 1, 2→0. add_remaining_self_loops keeps 0→1, 0→1, 2→0, then one
  // loop per node: deg = {2, 3, 1} on the target side.
  std::vector<int64_t> src = {0, 1, 0, 1, 2}, dst = {1, 1, 1, 1, 0};
  Graph graph = Graph::from_edges(3, src, dst);
  GcnNorm norm = gcn_norm(graph);
  ASSERT_EQ(norm.graph.num_edges(), 6);
  ASSERT_EQ(norm.edge_weight.shape(), Shape({6}));
  const std::vector<int32_t> esrc = {0, 0, 2, 0, 1, 2}, edst = {1, 1, 0, 0, 1, 2};
  EXPECT_EQ(norm.graph.src(), esrc);
  EXPECT_EQ(norm.graph.dst(), edst);
  const double expected[6] = {
      1 / std::sqrt(6.0), 1 / std::sqrt(6.0), 1 / std::sqrt(2.0), 0.5, 1.0 / 3.0, 1.0};
  for (int k = 0; k < 6; ++k)
    EXPECT_NEAR(norm.edge_weight.at(k), expected[k], 1e-7) << k;

  // Without self-loops, the given edges (loops counted twice) and deg = {1, 4, 0}.
  GcnNorm bare = gcn_norm(graph, /*add_self_loops=*/false);
  ASSERT_EQ(bare.graph.num_edges(), 5);
  const double expected_bare[5] = {0.5, 0.25, 0.5, 0.25, 0.0};  // 2→0: deg[2] = 0 → 0
  for (int k = 0; k < 5; ++k)
    EXPECT_NEAR(bare.edge_weight.at(k), expected_bare[k], 1e-7) << k;
}

TEST(GcnAggregate, MatchesDenseWeightedSum) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Generator gen(seed);
    const int64_t n = 17, c = 6;
    testing::EdgeList edges = testing::random_edges(n, 60, gen, 3, 4, 3);
    Graph graph = edges.graph();
    const int64_t e = graph.num_edges();
    Tensor w = testing::random_tensor({e}, gen, -1.0f, 1.0f);
    Tensor ht = testing::random_tensor({n, c}, gen);
    Variable h(ht, true);
    Variable out = gcn_aggregate(h, graph, w);
    Tensor g = testing::random_tensor({n, c}, gen, 0.5f, 1.5f);
    out.backward(g);
    std::vector<double> ref(n * c, 0.0), dref(n * c, 0.0);
    for (int64_t k = 0; k < e; ++k)
      for (int64_t o = 0; o < c; ++o) {
        ref[edges.dst[k] * c + o] += double(w.at(k)) * ht.at(edges.src[k], o);
        dref[edges.src[k] * c + o] += double(w.at(k)) * g.at(edges.dst[k], o);
      }
    EXPECT_LE(max_relative_error(out.data().data(), ref), 1e-6);
    EXPECT_LE(max_relative_error(h.grad().data(), dref), 1e-6);
  }
}

TEST(GcnAggregate, Gradcheck) {
  Generator gen(7);
  testing::EdgeList edges = testing::random_edges(9, 25, gen);
  Graph graph = edges.graph();
  Tensor w = testing::random_tensor({graph.num_edges()}, gen);
  Variable h(testing::random_tensor({9, 4}, gen), true);
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Variable>& in) { return gcn_aggregate(in[0], graph, w); }, {h}));
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Variable>& in) { return gcn_aggregate(in[0], graph); }, {h}));
}

TEST(GcnAggregate, EmptyGraphsAndNoEdges) {
  Variable h(Tensor::full({3, 2}, 1.0f), true);
  Variable out = gcn_aggregate(h, Graph::from_edges(3, {}, {}));
  EXPECT_EQ(out.data().to_vector(), std::vector<float>(6, 0.0f));
  sum(out).backward();
  EXPECT_EQ(h.grad().to_vector(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(gcn_aggregate(Variable(Tensor::zeros({0, 2})), Graph()).shape(), Shape({0, 2}));
  EXPECT_STREQ(op_kind_name(OpKind::GcnAggregate), "gcn_aggregate");
}

TEST(GcnAggregate, BadShapesThrowNamingTheProblem) {
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 0};
  Graph graph = Graph::from_edges(3, src, dst);
  using testing::throws_with;
  EXPECT_TRUE(throws_with<ShapeError>([&] { gcn_aggregate(Variable(Tensor::zeros({6})), graph); },
                                      "h must be 2-d"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gcn_aggregate(Variable(Tensor::zeros({4, 2})), graph);
      },
      "graph has 3 nodes"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gcn_aggregate(Variable(Tensor::zeros({3, 2})), graph, Tensor::zeros({4}));
      },
      "edge_weight has shape"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gcn_aggregate(Variable(Tensor::zeros({3, 2})), graph, Tensor::zeros({3, 1}));
      },
      "edge_weight"));
  EXPECT_TRUE(
      throws_with<InvalidArgument>([&] { gcn_aggregate(Variable(), graph); }, "h is undefined"));
}

TEST(GCNConv, PermutingNodesPermutesOutput) {
  Generator gen(3);
  const int64_t n = 40;
  testing::EdgeList edges = testing::random_edges(n, 150, gen);
  GCNConv conv({.in_channels = 5, .out_channels = 3}, gen);
  Tensor xt = randomise(conv, n, gen);
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t k = n - 1; k > 0; --k)
    std::swap(perm[k], perm[gen.below(k + 1)]);
  testing::EdgeList permuted = edges;
  for (auto& s : permuted.src)
    s = perm[s];
  for (auto& d : permuted.dst)
    d = perm[d];
  Tensor xp = Tensor::empty(xt.shape());
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < 5; ++k)
      xp.at(perm[v], k) = xt.at(v, k);
  Tensor out = conv.forward(Variable(xt), edges.graph()).data();
  Tensor outp = conv.forward(Variable(xp), permuted.graph()).data();
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < 3; ++k)
      EXPECT_NEAR(outp.at(perm[v], k), out.at(v, k), 1e-6 * (1 + std::abs(out.at(v, k))));
}

TEST(GCNConv, OneAndTwoThreadsGiveIdenticalResults) {
  testing::ThreadCountGuard guard;
  Generator gen(4);
  const int64_t n = 3000;
  testing::EdgeList edges = testing::random_edges(n, 30000, gen);
  Graph graph = edges.graph();
  GCNConv conv({.in_channels = 32, .out_channels = 16}, gen);
  Tensor xt = randomise(conv, n, gen);
  Tensor g = testing::random_tensor({n, 16}, gen, 0.5f, 1.5f);
  auto run = [&](int threads) {
    set_num_threads(threads);
    conv.zero_grad();
    Variable x(xt, true);
    Variable out = conv.forward(x, graph);
    out.backward(g);
    std::vector<std::vector<float>> r = {out.data().to_vector(), x.grad().to_vector()};
    for (const Variable& p : conv.parameters())
      r.push_back(p.grad().to_vector());
    return r;
  };
  auto one = run(1);
  auto two = run(2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t k = 0; k < one.size(); ++k)
    EXPECT_EQ(one[k], two[k]) << "tensor " << k;
}

TEST(GCNConv, BadInputThrowsNamingTheProblem) {
  Generator gen(5);
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 0};
  Graph graph = Graph::from_edges(3, src, dst);
  GCNConv conv({.in_channels = 4, .out_channels = 2}, gen);
  using testing::throws_with;
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        conv.forward(Variable(Tensor::zeros({5, 4})), graph);
      },
      "graph has 3 nodes"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        conv.forward(Variable(Tensor::zeros({3, 7})), graph);
      },
      "in_channels is 4"));
  EXPECT_TRUE(
      throws_with<ShapeError>([&] { conv.forward(Variable(Tensor::zeros({12})), graph); }, "2-d"));
  GCNConv broken = conv;
  broken.lin_weight = Variable(Tensor::zeros({4, 2}), true);
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        broken.forward(Variable(Tensor::zeros({3, 4})), graph);
      },
      "lin.weight"));
  broken = conv;
  broken.bias = Variable(Tensor::zeros({3}), true);
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        broken.forward(Variable(Tensor::zeros({3, 4})), graph);
      },
      "parameter bias"));

  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { GCNConv({.in_channels = 0, .out_channels = 2}, gen); }, "in_channels"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { GCNConv({.in_channels = 4, .out_channels = -1}, gen); }, "out_channels"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { GCNConv({.in_channels = 4, .out_channels = 2, .normalize = false}, gen); },
      "add_self_loops"));
}

TEST(GCNConv, ParameterNamesShapesAndInit) {
  Generator gen(6);
  GCNConv conv({.in_channels = 16, .out_channels = 7}, gen);
  EXPECT_EQ(conv.repr(), "GCNConv(16, 7)");
  auto named = conv.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "lin.weight");
  EXPECT_EQ(named[0].second.shape(), Shape({7, 16}));
  EXPECT_EQ(named[1].first, "bias");
  EXPECT_EQ(named[1].second.shape(), Shape({7}));
  EXPECT_EQ(conv.bias.data().to_vector(), std::vector<float>(7, 0.0f));
  // Glorot: uniform in ±sqrt(6 / (fan_in + fan_out)), not all zero.
  const float bound = std::sqrt(6.0f / (16 + 7));
  double norm = 0;
  for (float v : conv.lin_weight.data().to_vector()) {
    EXPECT_LE(std::abs(v), bound);
    norm += std::abs(v);
  }
  EXPECT_GT(norm, 0.0);
  EXPECT_EQ(conv.num_parameters(), 7 * 16 + 7);

  GCNConv nobias({.in_channels = 3, .out_channels = 2, .bias = false}, gen);
  ASSERT_EQ(nobias.named_parameters().size(), 1u);
  EXPECT_EQ(nobias.named_parameters()[0].first, "lin.weight");
  EXPECT_FALSE(nobias.bias.defined());
}

TEST(GCNConv, HeaderExample) {
  Generator data(0);
  testing::EdgeList edges = testing::random_edges(10, 30, data);
  gat::Graph graph = edges.graph();
  gat::Variable x(testing::random_tensor({10, 16}, data));
  gat::Generator gen(0);
  gat::GCNConv conv({.in_channels = 16, .out_channels = 7}, gen);
  gat::Variable y = conv.forward(x, graph);  // [N, 7]
  EXPECT_EQ(y.shape(), gat::Shape({10, 7}));
  EXPECT_EQ(conv.repr(), "GCNConv(16, 7)");
}

TEST(GcnAggregate, HeaderExample) {
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 1};
  gat::Graph g = gat::Graph::from_edges(3, src, dst);      // 3 edges
  gat::Variable h(gat::Tensor::full({3, 4}, 1.0f), true);  // N × C
  gat::Tensor w = gat::Tensor::full({3}, 0.5f);            // [E]
  gat::Variable out = gat::gcn_aggregate(h, g, w);         // [3, 4]
  EXPECT_EQ(out.shape(), gat::Shape({3, 4}));
  EXPECT_EQ(out.data().at(1, 0), 1.0f);  // two edges into node 1, each 0.5 · 1
  EXPECT_EQ(out.data().at(0, 0), 0.0f);
}

}  // namespace
}  // namespace gat
