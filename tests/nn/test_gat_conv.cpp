#include "gat/nn/gat_conv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/ops/reduce.h"
#include "testing/fixtures.h"
#include "testing/reference.h"

namespace gat {
namespace {

using testing::DenseGatConvParams;
using testing::max_relative_error;

std::vector<double> to_double(const Tensor& t) {
  return {t.data(), t.data() + t.numel()};
}

// Sets every parameter to fresh random values (bias too, so that it is tested) and returns x.
Tensor randomise(GATConv& conv, int64_t n, Generator& gen) {
  for (Variable p : conv.parameters())
    p.mutable_data() = testing::random_tensor(p.shape(), gen, -1.0f, 1.0f);
  return testing::random_tensor({n, conv.options().in_channels}, gen, -1.0f, 1.0f);
}

DenseGatConvParams dense_params(const GATConv& conv, const Tensor& x) {
  const GATConvOptions& o = conv.options();
  DenseGatConvParams p;
  p.N = x.size(0);
  p.F = o.in_channels;
  p.H = o.heads;
  p.C = o.out_channels;
  p.concat = o.concat;
  p.negative_slope = o.negative_slope;
  p.add_self_loops = o.add_self_loops;
  p.x = to_double(x);
  p.W = to_double(conv.lin_weight.data());
  p.att_src = to_double(conv.att_src.data());
  p.att_dst = to_double(conv.att_dst.data());
  if (conv.bias.defined()) p.bias = to_double(conv.bias.data());
  return p;
}

struct Case {
  int64_t heads;
  bool concat;
  bool self_loops;
};

class GATConvReference : public ::testing::TestWithParam<Case> {};

// Forward output, attention weights, and the gradients with respect to x and every parameter
// agree with the dense double-precision reference (N × N form) to 1e-5 relative, on random graphs
// with isolated nodes, duplicate edges and existing self-loops.
TEST_P(GATConvReference, MatchesDenseReference) {
  const Case c = GetParam();
  for (uint64_t seed = 0; seed < 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Generator gen(seed);
    const int64_t n = 13, f = 5, ch = 3;
    testing::EdgeList edges = testing::random_edges(n, 30, gen, /*isolated=*/2,
                                                    /*duplicates=*/3, /*self_loops=*/2);
    Graph graph = edges.graph();
    GATConv conv({.in_channels = f,
                  .out_channels = ch,
                  .heads = c.heads,
                  .concat = c.concat,
                  .add_self_loops = c.self_loops},
                 gen);
    Tensor xt = randomise(conv, n, gen);
    Variable x(xt, /*requires_grad=*/true);

    AttentionWeights att;
    Variable out = conv.forward(x, graph, &att);
    testing::DenseGatConv ref =
        testing::dense_gat_conv(dense_params(conv, xt), edges.src, edges.dst);
    ASSERT_EQ(out.numel(), static_cast<int64_t>(ref.out.size()));
    EXPECT_LE(max_relative_error(out.data().data(), ref.out), 1e-5);
    // The attention is over the same edge list, in the same order.
    ASSERT_EQ(att.graph.num_edges(), static_cast<int64_t>(ref.src.size()));
    for (int64_t e = 0; e < att.graph.num_edges(); ++e) {
      ASSERT_EQ(att.graph.src()[e], ref.src[e]);
      ASSERT_EQ(att.graph.dst()[e], ref.dst[e]);
    }
    ASSERT_EQ(att.alpha.shape(), Shape({att.graph.num_edges(), c.heads}));
    EXPECT_LE(max_relative_error(att.alpha.data(), ref.alpha), 1e-5);

    // Gradients of L = Σ w ⊙ out, w fixed random.
    Tensor w = testing::random_tensor(out.shape(), gen, 0.5f, 1.5f);
    out.backward(w);
    const std::vector<double> wd = to_double(w);
    DenseGatConvParams base = dense_params(conv, xt);
    auto loss = [&](const DenseGatConvParams& p) {
      testing::DenseGatConv r = testing::dense_gat_conv(p, edges.src, edges.dst);
      return std::inner_product(r.out.begin(), r.out.end(), wd.begin(), 0.0);
    };
    auto grad_of = [&](std::vector<double> DenseGatConvParams::*field) {
      return testing::numeric_gradient(
          [&](const std::vector<double>& v) {
            DenseGatConvParams p = base;
            p.*field = v;
            return loss(p);
          },
          base.*field);
    };
    EXPECT_LE(max_relative_error(x.grad().data(), grad_of(&DenseGatConvParams::x)), 1e-5) << "x";
    EXPECT_LE(max_relative_error(conv.lin_weight.grad().data(), grad_of(&DenseGatConvParams::W)),
              1e-5)
        << "lin.weight";
    EXPECT_LE(max_relative_error(conv.att_src.grad().data(), grad_of(&DenseGatConvParams::att_src)),
              1e-5)
        << "att_src";
    EXPECT_LE(max_relative_error(conv.att_dst.grad().data(), grad_of(&DenseGatConvParams::att_dst)),
              1e-5)
        << "att_dst";
    EXPECT_LE(max_relative_error(conv.bias.grad().data(), grad_of(&DenseGatConvParams::bias)), 1e-5)
        << "bias";
  }
}

INSTANTIATE_TEST_SUITE_P(HeadsConcatSelfLoops, GATConvReference,
                         ::testing::Values(Case{1, true, true}, Case{1, true, false},
                                           Case{1, false, true}, Case{1, false, false},
                                           Case{4, true, true}, Case{4, true, false},
                                           Case{4, false, true}, Case{4, false, false}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           const Case& c = info.param;
                           return "heads" + std::to_string(c.heads) +
                                  (c.concat ? "_concat" : "_mean") +
                                  (c.self_loops ? "_selfloops" : "_noloops");
                         });

TEST(GATConv, IsolatedNodeGetsBiasOnly) {
  Generator gen(1);
  std::vector<int64_t> src = {0, 1}, dst = {1, 0};  // node 2 has no edge
  Graph graph = Graph::from_edges(3, src, dst);
  GATConv conv({.in_channels = 4, .out_channels = 2, .heads = 3, .add_self_loops = false}, gen);
  Tensor xt = randomise(conv, 3, gen);
  Tensor out = conv.forward(Variable(xt), graph).data();
  for (int64_t k = 0; k < 6; ++k) {
    EXPECT_TRUE(std::isfinite(out.at(2, k)));
    EXPECT_EQ(out.at(2, k), conv.bias.data().at(k));
  }
}

TEST(GATConv, AttentionDropout) {
  const float p = 0.5f;
  Generator data_gen(2);
  testing::EdgeList edges = testing::random_edges(20, 60, data_gen);
  Graph graph = edges.graph();
  Tensor xt = testing::random_tensor({20, 6}, data_gen);
  auto make = [&](Generator& gen) {
    GATConv conv({.in_channels = 6, .out_channels = 4, .heads = 2, .dropout = p}, gen);
    return conv;
  };
  // Reference: the same parameters in eval mode (no dropout).
  Generator g0(7);
  GATConv conv = make(g0);
  conv.eval();
  AttentionWeights clean;
  Tensor clean_out = conv.forward(Variable(xt), graph, &clean).data();
  conv.train();

  // The same seed gives the same output and attention; every α is 0 or α_clean / (1 − p).
  Generator ga(7), gb(7);
  GATConv a = make(ga), b = make(gb);
  AttentionWeights att_a, att_b;
  Tensor out_a = a.forward(Variable(xt), graph, &att_a).data();
  Tensor out_b = b.forward(Variable(xt), graph, &att_b).data();
  EXPECT_EQ(out_a.to_vector(), out_b.to_vector());
  EXPECT_EQ(att_a.alpha.to_vector(), att_b.alpha.to_vector());
  int64_t zeros = 0;
  for (int64_t k = 0; k < att_a.alpha.numel(); ++k) {
    const float v = att_a.alpha.data()[k], ref = clean.alpha.data()[k] / (1 - p);
    if (v == 0.0f) {
      ++zeros;
    } else {
      EXPECT_NEAR(v, ref, 1e-6 * ref) << "edge-head " << k;
    }
  }
  EXPECT_GT(zeros, 0);
  EXPECT_LT(zeros, att_a.alpha.numel());

  // The mean output over many dropout draws approaches the clean output: per element, within
  // 5 standard errors of the sample mean.
  const int draws = 3000;
  std::vector<double> sum(clean_out.numel(), 0.0), sq(clean_out.numel(), 0.0);
  for (int r = 0; r < draws; ++r) {
    NoGradGuard no_grad;
    Tensor o = conv.forward(Variable(xt), graph).data();
    for (int64_t k = 0; k < o.numel(); ++k) {
      sum[k] += o.data()[k];
      sq[k] += static_cast<double>(o.data()[k]) * o.data()[k];
    }
  }
  for (int64_t k = 0; k < clean_out.numel(); ++k) {
    const double mean = sum[k] / draws;
    const double var = std::max(0.0, sq[k] / draws - mean * mean);
    EXPECT_NEAR(mean, clean_out.data()[k], 5 * std::sqrt(var / draws) + 1e-5) << "element " << k;
  }
}

TEST(GATConv, PermutingNodesPermutesOutput) {
  Generator gen(3);
  const int64_t n = 40;
  testing::EdgeList edges = testing::random_edges(n, 150, gen);
  GATConv conv({.in_channels = 5, .out_channels = 3, .heads = 4}, gen);
  Tensor xt = randomise(conv, n, gen);
  const std::vector<int64_t> perm = testing::random_permutation(n, gen);
  const testing::EdgeList permuted = testing::renumber_nodes(edges, perm);
  const Tensor xp = testing::permute_rows(xt, perm);
  Tensor out = conv.forward(Variable(xt), edges.graph()).data();
  Tensor outp = conv.forward(Variable(xp), permuted.graph()).data();
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < out.size(1); ++k)
      EXPECT_NEAR(outp.at(perm[v], k), out.at(v, k), 1e-6 * (1 + std::abs(out.at(v, k))));
}

TEST(GATConv, OneAndTwoThreadsGiveIdenticalResults) {
  Generator gen(4);
  const int64_t n = 3000;
  testing::EdgeList edges = testing::random_edges(n, 30000, gen);
  Graph graph = edges.graph();
  GATConv conv({.in_channels = 32, .out_channels = 8, .heads = 4}, gen);
  Tensor xt = randomise(conv, n, gen);
  auto run = [&](int threads) {
    set_num_threads(threads);
    conv.zero_grad();
    Variable x(xt, true);
    Variable out = conv.forward(x, graph);
    sum(out).backward();
    std::vector<std::vector<float>> r = {out.data().to_vector(), x.grad().to_vector()};
    for (const Variable& p : conv.parameters())
      r.push_back(p.grad().to_vector());
    return r;
  };
  const int saved = num_threads();
  auto one = run(1);
  auto two = run(2);
  set_num_threads(saved);
  ASSERT_EQ(one.size(), two.size());
  for (size_t k = 0; k < one.size(); ++k)
    EXPECT_EQ(one[k], two[k]) << "tensor " << k;
}

TEST(GATConv, BadInputThrowsNamingTheProblem) {
  Generator gen(5);
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 0};
  Graph graph = Graph::from_edges(3, src, dst);
  GATConv conv({.in_channels = 4, .out_channels = 2, .heads = 2}, gen);
  auto expect_message = [](auto&& fn, const std::string& text) {
    try {
      fn();
      ADD_FAILURE() << "no exception; expected one mentioning '" << text << "'";
    } catch (const ShapeError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_message(
      [&] {
        conv.forward(Variable(Tensor::zeros({5, 4})), graph);
      },
      "graph has 3 nodes");
  expect_message([&] { conv.forward(Variable(Tensor::zeros({3, 7})), graph); }, "in_channels is 4");
  expect_message([&] { conv.forward(Variable(Tensor::zeros({12})), graph); }, "2-d");
  GATConv broken = conv;
  broken.lin_weight = Variable(Tensor::zeros({5, 4}), true);
  expect_message([&] { broken.forward(Variable(Tensor::zeros({3, 4})), graph); }, "lin.weight");
  broken = conv;
  broken.att_dst = Variable(Tensor::zeros({1, 3, 2}), true);
  expect_message([&] { broken.forward(Variable(Tensor::zeros({3, 4})), graph); }, "att_dst");

  EXPECT_THROW(GATConv({.in_channels = 4, .out_channels = 2, .heads = 0}, gen), InvalidArgument);
  EXPECT_THROW(GATConv({.in_channels = 0, .out_channels = 2}, gen), InvalidArgument);
  EXPECT_THROW(GATConv({.in_channels = 4, .out_channels = 2, .dropout = 1.0f}, gen),
               InvalidArgument);
  EXPECT_THROW(GATConv({.in_channels = 4, .out_channels = 2, .negative_slope = -0.1f}, gen),
               InvalidArgument);
}

TEST(GATConv, HeaderExample) {
  Generator data(0);
  testing::EdgeList edges = testing::random_edges(10, 30, data);
  gat::Graph graph = edges.graph();
  gat::Variable x(testing::random_tensor({10, 16}, data));
  gat::Generator gen(0);
  gat::GATConv conv({.in_channels = 16, .out_channels = 8, .heads = 4}, gen);
  gat::Variable y = conv.forward(x, graph);  // [N, 32]
  EXPECT_EQ(y.shape(), gat::Shape({10, 32}));
}

}  // namespace
}  // namespace gat
