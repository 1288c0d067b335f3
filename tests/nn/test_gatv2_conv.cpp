// Tests for gat/nn/gatv2_conv.h: forward, attention weights and every gradient against a dense
// double-precision reference built here from the definition (own linear maps, own self-loop
// handling, testing::dense_gatv2 for the attention), PyG's parameter names and initialisation,
// weight sharing, node permutation, thread-count independence, bad input, the header example.
#include "gat/nn/gatv2_conv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/ops/reduce.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/reference.h"
#include "testing/reference_gatv2.h"

namespace gat {
namespace {

using testing::max_relative_error;

std::vector<double> to_double(const Tensor& t) {
  return {t.data(), t.data() + t.numel()};
}

// Sets every parameter to fresh random values (biases too, so that they are tested); returns x.
Tensor randomise(GATv2Conv& conv, int64_t n, Generator& gen) {
  for (Variable p : conv.parameters())
    p.mutable_data() = testing::random_tensor(p.shape(), gen, -1.0f, 1.0f);
  return testing::random_tensor({n, conv.options().in_channels}, gen, -1.0f, 1.0f);
}

struct DenseParams {
  std::vector<double> x, wl, bl, wr, br, att, bias;  // empty bias vectors: no bias
};

DenseParams dense_params(const GATv2Conv& conv, const Tensor& x) {
  DenseParams p;
  p.x = to_double(x);
  p.wl = to_double(conv.lin_l_weight.data());
  p.wr = to_double(conv.lin_r_weight.data());
  if (conv.lin_l_bias.defined()) p.bl = to_double(conv.lin_l_bias.data());
  if (conv.lin_r_bias.defined()) p.br = to_double(conv.lin_r_bias.data());
  p.att = to_double(conv.att.data());
  if (conv.bias.defined()) p.bias = to_double(conv.bias.data());
  return p;
}

// The edges the layer attends over: the input's, minus self-loops, plus one loop per node.
void layer_edges(const testing::EdgeList& el, bool add_self_loops, std::vector<int32_t>& src,
                 std::vector<int32_t>& dst) {
  src.clear();
  dst.clear();
  for (size_t f = 0; f < el.src.size(); ++f) {
    if (add_self_loops && el.src[f] == el.dst[f]) continue;
    src.push_back(static_cast<int32_t>(el.src[f]));
    dst.push_back(static_cast<int32_t>(el.dst[f]));
  }
  if (add_self_loops)
    for (int64_t v = 0; v < el.num_nodes; ++v) {
      src.push_back(static_cast<int32_t>(v));
      dst.push_back(static_cast<int32_t>(v));
    }
}

std::vector<double> dense_gatv2_conv(const GATv2ConvOptions& o, const DenseParams& p, int64_t n,
                                     const std::vector<int32_t>& src,
                                     const std::vector<int32_t>& dst,
                                     std::vector<double>* alpha = nullptr) {
  const int64_t h = o.heads, c = o.out_channels, f = o.in_channels;
  const std::vector<double> xl = testing::dense_linear(p.x, p.wl, p.bl, n, f, h * c);
  const std::vector<double> xr = testing::dense_linear(p.x, p.wr, p.br, n, f, h * c);
  const testing::DenseResult r =
      testing::dense_gatv2(n, src, dst, xl, xr, p.att, h, c, o.negative_slope);
  if (alpha) *alpha = r.alpha;
  const int64_t width = o.concat ? h * c : c;
  std::vector<double> y(n * width, 0.0);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < h * c; ++k) {
      if (o.concat)
        y[v * width + k] += r.out[v * h * c + k];
      else
        y[v * width + k % c] += r.out[v * h * c + k] / static_cast<double>(h);
    }
  if (!p.bias.empty())
    for (int64_t v = 0; v < n; ++v)
      for (int64_t k = 0; k < width; ++k)
        y[v * width + k] += p.bias[k];
  return y;
}

struct Case {
  int64_t heads;
  bool concat;
  bool self_loops;
  bool share_weights;
};

class GATv2ConvReference : public ::testing::TestWithParam<Case> {};

// Output, attention weights and the gradients of x and every parameter agree with the dense
// reference (numeric gradients of it for the backward) to 1e-5 relative.
TEST_P(GATv2ConvReference, MatchesDenseReference) {
  const Case cs = GetParam();
  for (uint64_t seed = 0; seed < 5; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    Generator gen(seed);
    const int64_t n = 9;
    const testing::EdgeList edges = testing::random_edges(n, 20, gen);
    GATv2ConvOptions o{.in_channels = 4,
                       .out_channels = 3,
                       .heads = cs.heads,
                       .concat = cs.concat,
                       .add_self_loops = cs.self_loops,
                       .share_weights = cs.share_weights};
    GATv2Conv conv(o, gen);
    const Tensor xt = randomise(conv, n, gen);
    Variable x(xt, true);
    conv.zero_grad();
    AttentionWeights aw;
    const Variable y = conv.forward(x, edges.graph(), &aw);
    std::vector<int32_t> src, dst;
    layer_edges(edges, cs.self_loops, src, dst);
    DenseParams p = dense_params(conv, xt);
    std::vector<double> ref_alpha;
    const std::vector<double> ref = dense_gatv2_conv(o, p, n, src, dst, &ref_alpha);
    EXPECT_LE(max_relative_error(y.data().data(), ref), 1e-5);
    // The layer's graph may order its edges differently: compare α per (src, dst, head) sums.
    ASSERT_EQ(aw.graph.num_edges(), static_cast<int64_t>(src.size()));
    std::vector<double> got(n * n * cs.heads, 0.0), want(n * n * cs.heads, 0.0);
    for (int64_t f = 0; f < aw.graph.num_edges(); ++f)
      for (int64_t h = 0; h < cs.heads; ++h) {
        got[(aw.graph.src()[f] * n + aw.graph.dst()[f]) * cs.heads + h] += aw.alpha.at(f, h);
        want[(src[f] * n + dst[f]) * cs.heads + h] += ref_alpha[f * cs.heads + h];
      }
    for (size_t k = 0; k < got.size(); ++k)
      EXPECT_NEAR(got[k], want[k], 1e-6);

    Generator wgen(seed + 50);
    const Tensor w = testing::random_tensor(y.shape(), wgen);
    y.backward(w);
    const std::vector<double> wd = to_double(w);
    auto grad_of = [&](std::vector<double>& input) {
      const std::vector<double> at = input;
      std::vector<double> g = testing::numeric_gradient(
          [&](const std::vector<double>& v) {
            input = v;
            if (cs.share_weights) {  // one tensor feeds both sides
              if (&input == &p.wl) p.wr = v;
              if (&input == &p.bl) p.br = v;
            }
            const std::vector<double> r = dense_gatv2_conv(o, p, n, src, dst);
            double s = 0;
            for (size_t k = 0; k < wd.size(); ++k)
              s += wd[k] * r[k];
            return s;
          },
          at);
      input = at;
      if (cs.share_weights) {
        if (&input == &p.wl) p.wr = at;
        if (&input == &p.bl) p.br = at;
      }
      return g;
    };
    constexpr double kFloor = 0.1;  // as in test_gat_attention.cpp
    EXPECT_LE(max_relative_error(x.grad().data(), grad_of(p.x), kFloor), 1e-5) << "x";
    EXPECT_LE(max_relative_error(conv.lin_l_weight.grad().data(), grad_of(p.wl), kFloor), 1e-5);
    EXPECT_LE(max_relative_error(conv.lin_l_bias.grad().data(), grad_of(p.bl), kFloor), 1e-5);
    if (!cs.share_weights) {
      EXPECT_LE(max_relative_error(conv.lin_r_weight.grad().data(), grad_of(p.wr), kFloor), 1e-5);
      EXPECT_LE(max_relative_error(conv.lin_r_bias.grad().data(), grad_of(p.br), kFloor), 1e-5);
    }
    EXPECT_LE(max_relative_error(conv.att.grad().data(), grad_of(p.att), kFloor), 1e-5);
    EXPECT_LE(max_relative_error(conv.bias.grad().data(), grad_of(p.bias), kFloor), 1e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(HeadsConcatSelfLoopsShare, GATv2ConvReference,
                         ::testing::Values(Case{1, true, true, false}, Case{4, true, true, false},
                                           Case{4, false, true, false}, Case{3, true, false, false},
                                           Case{2, true, true, true}, Case{2, false, false, true}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           const Case& c = info.param;
                           return "heads" + std::to_string(c.heads) +
                                  (c.concat ? "_concat" : "_mean") +
                                  (c.self_loops ? "_selfloops" : "_noloops") +
                                  (c.share_weights ? "_shared" : "");
                         });

TEST(GATv2Conv, ParameterNamesShapesAndInitialisation) {
  Generator gen(1);
  GATv2Conv conv({.in_channels = 6, .out_channels = 4, .heads = 3}, gen);
  const auto named = conv.named_parameters();
  const std::vector<std::string> names = {"lin_l.weight", "lin_l.bias", "lin_r.weight",
                                          "lin_r.bias",   "att",        "bias"};
  const std::vector<Shape> shapes = {{12, 6}, {12}, {12, 6}, {12}, {1, 3, 4}, {12}};
  ASSERT_EQ(named.size(), names.size());
  for (size_t k = 0; k < names.size(); ++k) {
    EXPECT_EQ(named[k].first, names[k]);
    EXPECT_EQ(named[k].second.shape(), shapes[k]) << names[k];
  }
  const double bound = std::sqrt(6.0 / (12 + 6));
  for (float v : conv.lin_l_weight.data().to_vector())
    EXPECT_LE(std::abs(v), bound);
  for (const Variable* b : {&conv.lin_l_bias, &conv.lin_r_bias, &conv.bias})
    for (float v : b->data().to_vector())
      EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(conv.repr(), "GATv2Conv(6, 4, heads=3)");

  GATv2Conv mean({.in_channels = 6,
                  .out_channels = 4,
                  .heads = 3,
                  .concat = false,
                  .bias = false,
                  .share_weights = true},
                 gen);
  const auto mnamed = mean.named_parameters();
  ASSERT_EQ(mnamed.size(), 2u);
  EXPECT_EQ(mnamed[0].first, "lin_l.weight");
  EXPECT_EQ(mnamed[1].first, "att");
  EXPECT_EQ(mean.lin_r_weight.data().data(), mean.lin_l_weight.data().data());
}

TEST(GATv2Conv, IsolatedNodeGetsBiasOnly) {
  Generator gen(2);
  const testing::EdgeList edges = testing::random_edges(8, 20, gen);  // node 7 isolated
  GATv2Conv conv({.in_channels = 3, .out_channels = 2, .heads = 2, .add_self_loops = false}, gen);
  const Tensor xt = randomise(conv, 8, gen);
  const Tensor y = conv.forward(Variable(xt), edges.graph()).data();
  for (int64_t k = 0; k < 4; ++k)
    EXPECT_EQ(y.at(7, k), conv.bias.data().at(k));
}

TEST(GATv2Conv, PermutingNodesPermutesOutput) {
  Generator gen(3);
  const int64_t n = 40;
  testing::EdgeList edges = testing::random_edges(n, 150, gen);
  GATv2Conv conv({.in_channels = 5, .out_channels = 3, .heads = 4}, gen);
  Tensor xt = randomise(conv, n, gen);
  const std::vector<int64_t> perm = testing::random_permutation(n, gen);
  const testing::EdgeList permuted = testing::renumber_nodes(edges, perm);
  const Tensor xp = testing::permute_rows(xt, perm);
  Tensor out = conv.forward(Variable(xt), edges.graph()).data();
  Tensor outp = conv.forward(Variable(xp), permuted.graph()).data();
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < out.size(1); ++k)
      EXPECT_NEAR(outp.at(perm[v], k), out.at(v, k), 1e-5 * (1 + std::abs(out.at(v, k))));
}

TEST(GATv2Conv, OneAndTwoThreadsGiveIdenticalResults) {
  testing::ThreadCountGuard guard;
  Generator gen(4);
  const int64_t n = 3000;
  testing::EdgeList edges = testing::random_edges(n, 30000, gen);
  Graph graph = edges.graph();
  GATv2Conv conv({.in_channels = 32, .out_channels = 8, .heads = 4}, gen);
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
  conv.eval();  // the op test covers dropout across thread counts
  auto one = run(1);
  auto two = run(2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t k = 0; k < one.size(); ++k)
    EXPECT_EQ(one[k], two[k]) << "tensor " << k;
}

TEST(GATv2Conv, BadInputThrowsNamingTheProblem) {
  Generator gen(5);
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 0};
  Graph graph = Graph::from_edges(3, src, dst);
  GATv2Conv conv({.in_channels = 4, .out_channels = 2, .heads = 2}, gen);
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
  GATv2Conv broken = conv;
  broken.lin_r_weight = Variable(Tensor::zeros({5, 4}), true);
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        broken.forward(Variable(Tensor::zeros({3, 4})), graph);
      },
      "lin_r.weight"));
  broken = conv;
  broken.att = Variable(Tensor::zeros({1, 3, 2}), true);
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        broken.forward(Variable(Tensor::zeros({3, 4})), graph);
      },
      "att"));
  EXPECT_THROW(GATv2Conv({.in_channels = 4, .out_channels = 2, .heads = 0}, gen), InvalidArgument);
  EXPECT_THROW(GATv2Conv({.in_channels = 0, .out_channels = 2}, gen), InvalidArgument);
  EXPECT_THROW(GATv2Conv({.in_channels = 4, .out_channels = 2, .dropout = 1.0f}, gen),
               InvalidArgument);
  EXPECT_THROW(GATv2Conv({.in_channels = 4, .out_channels = 2, .negative_slope = -0.1f}, gen),
               InvalidArgument);
}

TEST(GATv2Conv, HeaderExample) {
  Generator data(0);
  testing::EdgeList edges = testing::random_edges(10, 30, data);
  gat::Graph graph = edges.graph();
  gat::Variable x(testing::random_tensor({10, 16}, data));
  gat::Generator gen(0);
  gat::GATv2Conv conv({.in_channels = 16, .out_channels = 8, .heads = 4}, gen);
  gat::Variable y = conv.forward(x, graph);  // [N, 32]
  EXPECT_EQ(y.shape(), gat::Shape({10, 32}));
}

}  // namespace
}  // namespace gat
