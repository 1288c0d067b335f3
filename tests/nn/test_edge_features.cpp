// Tests for edge features in the attention score (edge_dim, fill_value) of GATConv and GATv2Conv:
// forward, attention weights and every gradient (edge features and lin_edge included) against a
// dense double-precision reference that forms PyG's E × H × C lin_edge(edge_attr) in full and
// builds the self-loops' features from the definition of fill_value; node and edge permutation;
// thread-count independence; bad input; state_dict names and round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/graph/generate.h"
#include "gat/io/json.h"
#include "gat/io/safetensors.h"
#include "gat/nn/gat_conv.h"
#include "gat/nn/gatv2_conv.h"
#include "gat/ops/reduce.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/reference.h"
#include "testing/reference_gatv2.h"
#include "testing/temp_dir.h"

namespace gat {
namespace {

using testing::max_relative_error;

std::vector<double> to_double(const Tensor& t) {
  return {t.data(), t.data() + t.numel()};
}

struct Case {
  bool v2;
  int64_t heads;
  bool concat;
  bool self_loops;
  SelfLoopFill fill;
  bool share_weights;  // GATv2 only
};

std::string case_name(const Case& c) {
  return std::string(c.v2 ? "GATv2" : "GAT") + " heads " + std::to_string(c.heads) +
         (c.concat ? " concat" : " mean") + (c.self_loops ? " loops" : " no-loops") + " fill " +
         c.fill.str() + (c.share_weights ? " shared" : "");
}

// Everything the dense reference reads, in double. For GAT, w is lin.weight; for GATv2 it is
// lin_l.weight and wr, bl, br, att are used too.
struct Params {
  std::vector<double> x, edge_attr, w, bl, wr, br, att_src, att_dst, att, we, att_edge, bias;
};

constexpr int64_t kIn = 3, kChannels = 2, kEdgeDim = 2;

// The edges the layer attends over and their features, from the definitions: PyG's
// remove_self_loops, then one loop per node whose features are the mean / sum of the node's
// remaining incoming edges' features (0 without any) or the constant.
void layer_edges(const testing::EdgeList& el, const std::vector<double>& attr, const Case& cs,
                 std::vector<int64_t>& src, std::vector<int64_t>& dst,
                 std::vector<double>& out_attr) {
  src.clear();
  dst.clear();
  out_attr.clear();
  const int64_t d = kEdgeDim;
  for (size_t f = 0; f < el.src.size(); ++f) {
    if (cs.self_loops && el.src[f] == el.dst[f]) continue;
    src.push_back(el.src[f]);
    dst.push_back(el.dst[f]);
    for (int64_t k = 0; k < d; ++k)
      out_attr.push_back(attr[f * d + k]);
  }
  if (!cs.self_loops) return;
  const size_t kept = src.size();
  for (int64_t v = 0; v < el.num_nodes; ++v) {
    std::vector<double> sum(d, 0.0);
    int64_t count = 0;
    for (size_t f = 0; f < kept; ++f)
      if (dst[f] == v) {
        for (int64_t k = 0; k < d; ++k)
          sum[k] += out_attr[f * d + k];
        ++count;
      }
    for (int64_t k = 0; k < d; ++k) {
      double value = sum[k];
      if (cs.fill.kind == SelfLoopFillKind::Mean) value = count ? sum[k] / count : 0.0;
      if (cs.fill.kind == SelfLoopFillKind::Constant) value = cs.fill.value;
      out_attr.push_back(value);
    }
    src.push_back(v);
    dst.push_back(v);
  }
}

// The layer in double, PyG's way: lin_edge(edge_attr) formed as an [E', H·C] matrix.
std::vector<double> dense_layer(const Case& cs, const Params& p, const testing::EdgeList& el,
                                std::vector<double>* alpha = nullptr) {
  const int64_t n = el.num_nodes, h = cs.heads, c = kChannels, width = h * c;
  std::vector<int64_t> src, dst;
  std::vector<double> attr;
  layer_edges(el, p.edge_attr, cs, src, dst, attr);
  const int64_t e = static_cast<int64_t>(src.size());
  const std::vector<double> edge_term = testing::dense_linear(attr, p.we, {}, e, kEdgeDim, width);
  std::vector<double> heads_out;
  if (cs.v2) {
    const std::vector<double> xl = testing::dense_linear(p.x, p.w, p.bl, n, kIn, width);
    const std::vector<double> xr = testing::dense_linear(p.x, p.wr, p.br, n, kIn, width);
    const std::vector<int32_t> s32(src.begin(), src.end()), d32(dst.begin(), dst.end());
    testing::DenseResult r =
        testing::dense_gatv2(n, s32, d32, xl, xr, p.att, h, c, 0.2, {}, edge_term);
    heads_out = std::move(r.out);
    if (alpha) *alpha = std::move(r.alpha);
  } else {
    const std::vector<double> hx = testing::dense_linear(p.x, p.w, {}, n, kIn, width);
    std::vector<double> edge_score(e * h, 0.0);
    for (int64_t f = 0; f < e; ++f)
      for (int64_t hd = 0; hd < h; ++hd)
        for (int64_t k = 0; k < c; ++k)
          edge_score[f * h + hd] += p.att_edge[hd * c + k] * edge_term[f * width + hd * c + k];
    testing::DenseAttention r =
        testing::dense_gat_attention(n, src, dst, hx, p.att_src, p.att_dst, h, c, 0.2, edge_score);
    heads_out = std::move(r.out);
    if (alpha) *alpha = std::move(r.alpha);
  }
  const int64_t out_width = cs.concat ? width : c;
  std::vector<double> y(n * out_width, 0.0);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < width; ++k) {
      if (cs.concat)
        y[v * out_width + k] += heads_out[v * width + k];
      else
        y[v * out_width + k % c] += heads_out[v * width + k] / static_cast<double>(h);
    }
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = 0; k < out_width; ++k)
      y[v * out_width + k] += p.bias[k];
  return y;
}

// A layer of either kind behind one interface, so each test runs for both.
struct Layer {
  std::unique_ptr<GATConv> gat;
  std::unique_ptr<GATv2Conv> gatv2;
  Module& module() { return gat ? static_cast<Module&>(*gat) : *gatv2; }
  Variable forward(const Variable& x, const Graph& g, const Variable& attr,
                   AttentionWeights* aw = nullptr) {
    return gat ? gat->forward(x, g, attr, aw) : gatv2->forward(x, g, attr, aw);
  }
};

Layer make_layer(const Case& cs, Generator& gen) {
  Layer l;
  if (cs.v2)
    l.gatv2 = std::make_unique<GATv2Conv>(GATv2ConvOptions{.in_channels = kIn,
                                                           .out_channels = kChannels,
                                                           .heads = cs.heads,
                                                           .concat = cs.concat,
                                                           .add_self_loops = cs.self_loops,
                                                           .share_weights = cs.share_weights,
                                                           .edge_dim = kEdgeDim,
                                                           .fill_value = cs.fill},
                                          gen);
  else
    l.gat = std::make_unique<GATConv>(GATConvOptions{.in_channels = kIn,
                                                     .out_channels = kChannels,
                                                     .heads = cs.heads,
                                                     .concat = cs.concat,
                                                     .add_self_loops = cs.self_loops,
                                                     .edge_dim = kEdgeDim,
                                                     .fill_value = cs.fill},
                                      gen);
  // Random values everywhere (biases included, so that they are tested).
  for (Variable p : l.module().parameters())
    p.mutable_data() = testing::random_tensor(p.shape(), gen, -1.0f, 1.0f);
  return l;
}

Params params_of(const Layer& l, const Tensor& x, const Tensor& attr) {
  Params p;
  p.x = to_double(x);
  p.edge_attr = to_double(attr);
  if (l.gat) {
    p.w = to_double(l.gat->lin_weight.data());
    p.att_src = to_double(l.gat->att_src.data());
    p.att_dst = to_double(l.gat->att_dst.data());
    p.we = to_double(l.gat->lin_edge_weight.data());
    p.att_edge = to_double(l.gat->att_edge.data());
    p.bias = to_double(l.gat->bias.data());
  } else {
    p.w = to_double(l.gatv2->lin_l_weight.data());
    p.bl = to_double(l.gatv2->lin_l_bias.data());
    p.wr = to_double(l.gatv2->lin_r_weight.data());
    p.br = to_double(l.gatv2->lin_r_bias.data());
    p.att = to_double(l.gatv2->att.data());
    p.we = to_double(l.gatv2->lin_edge_weight.data());
    p.bias = to_double(l.gatv2->bias.data());
  }
  return p;
}

class EdgeFeatureReference : public ::testing::TestWithParam<Case> {};

// Output, α and the gradients of x, edge_attr and every parameter agree with the dense reference
// (numeric gradients of it for the backward) to 1e-5 relative.
TEST_P(EdgeFeatureReference, MatchesDenseReference) {
  const Case cs = GetParam();
  SCOPED_TRACE(case_name(cs));
  for (uint64_t seed = 0; seed < 3; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    Generator gen(seed);
    const testing::EdgeList edges = testing::random_edges(8, 18, gen);
    const int64_t n = edges.num_nodes, e = static_cast<int64_t>(edges.src.size());
    Layer layer = make_layer(cs, gen);
    const Tensor xt = testing::random_tensor({n, kIn}, gen);
    const Tensor at = testing::random_tensor({e, kEdgeDim}, gen);
    Variable x(xt, true), attr(at, true);
    layer.module().zero_grad();
    AttentionWeights aw;
    const Variable y = layer.forward(x, edges.graph(), attr, &aw);
    Params p = params_of(layer, xt, at);
    std::vector<double> ref_alpha;
    const std::vector<double> ref = dense_layer(cs, p, edges, &ref_alpha);
    EXPECT_LE(max_relative_error(y.data().data(), ref), 1e-5);
    // Same edge order as PyG's: kept edges in order, then the loops of nodes 0 .. N−1.
    ASSERT_EQ(aw.alpha.numel(), static_cast<int64_t>(ref_alpha.size()));
    EXPECT_LE(max_relative_error(aw.alpha.data(), ref_alpha), 1e-5);

    Generator wgen(seed + 50);
    const Tensor w = testing::random_tensor(y.shape(), wgen);
    y.backward(w);
    const std::vector<double> wd = to_double(w);
    auto grad_of = [&](std::vector<double>& input) {
      const std::vector<double> saved = input;
      const bool shared = cs.v2 && cs.share_weights;
      auto set = [&](const std::vector<double>& v) {
        input = v;
        if (shared && &input == &p.w) p.wr = v;  // one tensor feeds both sides
        if (shared && &input == &p.bl) p.br = v;
      };
      std::vector<double> g = testing::numeric_gradient(
          [&](const std::vector<double>& v) {
            set(v);
            const std::vector<double> r = dense_layer(cs, p, edges);
            double s = 0;
            for (size_t k = 0; k < wd.size(); ++k)
              s += wd[k] * r[k];
            return s;
          },
          saved);
      set(saved);
      return g;
    };
    constexpr double kFloor = 0.1;  // as in test_gat_attention.cpp
    EXPECT_LE(max_relative_error(x.grad().data(), grad_of(p.x), kFloor), 1e-5) << "x";
    EXPECT_LE(max_relative_error(attr.grad().data(), grad_of(p.edge_attr), kFloor), 1e-5)
        << "edge_attr";
    if (layer.gat) {
      GATConv& l = *layer.gat;
      EXPECT_LE(max_relative_error(l.lin_weight.grad().data(), grad_of(p.w), kFloor), 1e-5);
      EXPECT_LE(max_relative_error(l.att_src.grad().data(), grad_of(p.att_src), kFloor), 1e-5);
      EXPECT_LE(max_relative_error(l.att_dst.grad().data(), grad_of(p.att_dst), kFloor), 1e-5);
      EXPECT_LE(max_relative_error(l.lin_edge_weight.grad().data(), grad_of(p.we), kFloor), 1e-5)
          << "lin_edge.weight";
      EXPECT_LE(max_relative_error(l.att_edge.grad().data(), grad_of(p.att_edge), kFloor), 1e-5)
          << "att_edge";
      EXPECT_LE(max_relative_error(l.bias.grad().data(), grad_of(p.bias), kFloor), 1e-5);
    } else {
      GATv2Conv& l = *layer.gatv2;
      EXPECT_LE(max_relative_error(l.lin_l_weight.grad().data(), grad_of(p.w), kFloor), 1e-5);
      EXPECT_LE(max_relative_error(l.lin_l_bias.grad().data(), grad_of(p.bl), kFloor), 1e-5);
      if (!cs.share_weights) {
        EXPECT_LE(max_relative_error(l.lin_r_weight.grad().data(), grad_of(p.wr), kFloor), 1e-5);
        EXPECT_LE(max_relative_error(l.lin_r_bias.grad().data(), grad_of(p.br), kFloor), 1e-5);
      }
      EXPECT_LE(max_relative_error(l.lin_edge_weight.grad().data(), grad_of(p.we), kFloor), 1e-5)
          << "lin_edge.weight";
      EXPECT_LE(max_relative_error(l.att.grad().data(), grad_of(p.att), kFloor), 1e-5);
      EXPECT_LE(max_relative_error(l.bias.grad().data(), grad_of(p.bias), kFloor), 1e-5);
    }
  }
}

const SelfLoopFill kMean{}, kAdd{SelfLoopFillKind::Add, 0.0f};
const SelfLoopFill kConst = SelfLoopFill::constant(0.5f);

INSTANTIATE_TEST_SUITE_P(LayersHeadsConcatLoopsFill, EdgeFeatureReference,
                         ::testing::Values(Case{false, 1, true, true, kMean, false},
                                           Case{false, 3, true, true, kMean, false},
                                           Case{false, 3, false, true, kAdd, false},
                                           Case{false, 2, true, false, kMean, false},
                                           Case{false, 2, true, true, kConst, false},
                                           Case{true, 1, true, true, kMean, false},
                                           Case{true, 3, true, true, kMean, false},
                                           Case{true, 3, false, true, kAdd, false},
                                           Case{true, 2, true, false, kMean, false},
                                           Case{true, 2, true, true, kConst, true},
                                           Case{true, 2, false, true, kMean, true}),
                         // gtest names: letters, digits and '_' (case_name has spaces and dots).
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = case_name(info.param);
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// Renumbering nodes and reordering edges (features moving with their edges) permutes the output
// rows and nothing else.
TEST(EdgeFeatures, PermutationEquivariant) {
  for (bool v2 : {false, true}) {
    SCOPED_TRACE(v2 ? "GATv2" : "GAT");
    Generator gen(7);
    const testing::EdgeList edges = testing::random_edges(12, 40, gen);
    const int64_t n = edges.num_nodes, e = static_cast<int64_t>(edges.src.size());
    Layer layer = make_layer({v2, 2, true, true, kMean, false}, gen);
    layer.module().eval();
    const Tensor x = testing::random_tensor({n, kIn}, gen);
    const Tensor attr = testing::random_tensor({e, kEdgeDim}, gen);
    const std::vector<int64_t> perm = testing::random_permutation(n, gen);
    std::vector<int64_t> order(e);
    std::iota(order.begin(), order.end(), 0);
    std::reverse(order.begin(), order.end());
    testing::EdgeList pe;
    pe.num_nodes = n;
    const Tensor xp = testing::permute_rows(x, perm);
    Tensor ap = Tensor::empty(attr.shape());
    for (int64_t k = 0; k < e; ++k) {
      pe.src.push_back(perm[edges.src[order[k]]]);
      pe.dst.push_back(perm[edges.dst[order[k]]]);
      std::copy(attr.data() + order[k] * kEdgeDim, attr.data() + (order[k] + 1) * kEdgeDim,
                ap.data() + k * kEdgeDim);
    }
    const Tensor out = layer.forward(Variable(x), edges.graph(), Variable(attr)).data();
    const Tensor outp = layer.forward(Variable(xp), pe.graph(), Variable(ap)).data();
    const int64_t w = out.size(1);
    for (int64_t v = 0; v < n; ++v)
      for (int64_t k = 0; k < w; ++k)
        EXPECT_NEAR(outp.at(perm[v], k), out.at(v, k), 1e-5) << "node " << v << " column " << k;
  }
}

// Forward and every gradient are bitwise the same on 1 and 2 threads.
TEST(EdgeFeatures, ThreadCountIndependent) {
  testing::ThreadCountGuard guard;
  for (bool v2 : {false, true}) {
    SCOPED_TRACE(v2 ? "GATv2" : "GAT");
    std::vector<std::vector<float>> runs;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      Generator gen(3);
      Graph g = power_law_graph(3000, 30000, gen);
      Layer layer = make_layer({v2, 4, true, true, kMean, false}, gen);
      Variable x(testing::random_tensor({g.num_nodes(), kIn}, gen), true);
      Variable attr(testing::random_tensor({g.num_edges(), kEdgeDim}, gen), true);
      layer.module().zero_grad();
      Variable y = layer.forward(x, g, attr);
      y.backward(testing::random_tensor(y.shape(), gen));
      std::vector<float> all(y.data().data(), y.data().data() + y.numel());
      for (const Variable& v : {x, attr})
        all.insert(all.end(), v.grad().data(), v.grad().data() + v.numel());
      for (const Variable& p : layer.module().parameters())
        all.insert(all.end(), p.grad().data(), p.grad().data() + p.numel());
      runs.push_back(std::move(all));
    }
    ASSERT_EQ(runs[0].size(), runs[1].size());
    EXPECT_EQ(0, std::memcmp(runs[0].data(), runs[1].data(), runs[0].size() * sizeof(float)));
  }
}

// One-dimensional edge features [E] are PyG's view(-1, 1).
TEST(EdgeFeatures, OneDimensionalEdgeAttrIsOneColumn) {
  for (bool v2 : {false, true}) {
    SCOPED_TRACE(v2 ? "GATv2" : "GAT");
    Generator gen(11);
    const testing::EdgeList edges = testing::random_edges(6, 12, gen);
    const int64_t e = static_cast<int64_t>(edges.src.size());
    GATConv gat({.in_channels = 3, .out_channels = 2, .heads = 2, .edge_dim = 1}, gen);
    GATv2Conv gatv2({.in_channels = 3, .out_channels = 2, .heads = 2, .edge_dim = 1}, gen);
    const Tensor x = testing::random_tensor({6, 3}, gen);
    const Tensor a1 = testing::random_tensor({e}, gen);
    Tensor a2 = a1.clone();
    a2 = a2.reshape({e, 1});
    auto run = [&](const Tensor& a) {
      return v2 ? gatv2.forward(Variable(x), edges.graph(), Variable(a)).data()
                : gat.forward(Variable(x), edges.graph(), Variable(a)).data();
    };
    const Tensor y1 = run(a1), y2 = run(a2);
    EXPECT_EQ(0, std::memcmp(y1.data(), y2.data(), y1.nbytes()));
  }
}

// Without edge_attr a layer with edge_dim has no edge term (PyG with edge_attr=None): it equals
// the same layer with the edge term's weights set to zero.
TEST(EdgeFeatures, AbsentEdgeAttrMeansNoEdgeTerm) {
  Generator gen(5);
  const testing::EdgeList edges = testing::random_edges(7, 15, gen);
  const int64_t e = static_cast<int64_t>(edges.src.size());
  GATConv gat({.in_channels = 3, .out_channels = 2, .heads = 2, .edge_dim = 2}, gen);
  GATv2Conv gatv2({.in_channels = 3, .out_channels = 2, .heads = 2, .edge_dim = 2}, gen);
  const Tensor x = testing::random_tensor({7, 3}, gen);
  const Tensor a = testing::random_tensor({e, 2}, gen);
  const Tensor without = gat.forward(Variable(x), edges.graph()).data();
  const Tensor without2 = gatv2.forward(Variable(x), edges.graph()).data();
  gat.att_edge.mutable_data() = Tensor::zeros(gat.att_edge.shape());
  gatv2.lin_edge_weight.mutable_data() = Tensor::zeros(gatv2.lin_edge_weight.shape());
  const Tensor with = gat.forward(Variable(x), edges.graph(), Variable(a)).data();
  const Tensor with2 = gatv2.forward(Variable(x), edges.graph(), Variable(a)).data();
  EXPECT_LE(max_relative_error(with.data(), to_double(without)), 1e-6);
  EXPECT_LE(max_relative_error(with2.data(), to_double(without2)), 1e-6);
}

TEST(EdgeFeatures, BadInputIsAClearError) {
  Generator gen(2);
  const testing::EdgeList edges = testing::random_edges(5, 10, gen);
  const Graph g = edges.graph();
  const int64_t e = g.num_edges();
  GATConv plain({.in_channels = 3, .out_channels = 2}, gen);
  GATConv gat({.in_channels = 3, .out_channels = 2, .edge_dim = 2}, gen);
  GATv2Conv gatv2({.in_channels = 3, .out_channels = 2, .edge_dim = 2}, gen);
  const Variable x(testing::random_tensor({5, 3}, gen));
  EXPECT_TRUE(testing::throws_with<InvalidArgument>(
      [&] {
        plain.forward(x, g, Variable(Tensor::zeros({e, 2})));
      },
      "no edge features"));
  for (int v2 = 0; v2 < 2; ++v2) {
    auto run = [&](const Tensor& a) {
      return v2 ? gatv2.forward(x, g, Variable(a)) : gat.forward(x, g, Variable(a));
    };
    EXPECT_TRUE(testing::throws_with<ShapeError>(
        [&] {
          run(Tensor::zeros({e - 1, 2}));
        },
        "edge_attr has " + std::to_string(e - 1) + " rows but the graph has " + std::to_string(e) +
            " edges"));
    EXPECT_TRUE(testing::throws_with<ShapeError>(
        [&] {
          run(Tensor::zeros({e, 3}));
        },
        "3 features per edge but edge_dim is 2"));
    EXPECT_TRUE(testing::throws_with<ShapeError>(
        [&] {
          run(Tensor::zeros({e, 2, 1}));
        },
        "must be [E] or [E, edge_dim]"));
    Tensor nan = Tensor::zeros({e, 2});
    nan.data()[3] = std::nanf("");
    EXPECT_TRUE(
        testing::throws_with<InvalidArgument>([&] { run(nan); }, "edge_attr[1, 1] is not finite"));
  }
  EXPECT_TRUE(testing::throws_with<InvalidArgument>(
      [&] { GATConv({.in_channels = 3, .out_channels = 2, .edge_dim = -1}, gen); },
      "edge_dim must be non-negative"));
  EXPECT_TRUE(testing::throws_with<InvalidArgument>(
      [&] {
        GATv2Conv({.in_channels = 3,
                   .out_channels = 2,
                   .edge_dim = 1,
                   .fill_value = SelfLoopFill::constant(INFINITY)},
                  gen);
      },
      "fill_value must be finite"));
}

TEST(EdgeFeatures, FillValueParsesPygSpellings) {
  EXPECT_EQ(SelfLoopFill::parse("mean").kind, SelfLoopFillKind::Mean);
  EXPECT_EQ(SelfLoopFill::parse("add").kind, SelfLoopFillKind::Add);
  EXPECT_EQ(SelfLoopFill::parse("sum").kind, SelfLoopFillKind::Add);
  const SelfLoopFill c = SelfLoopFill::parse("-1.5");
  EXPECT_EQ(c.kind, SelfLoopFillKind::Constant);
  EXPECT_EQ(c.value, -1.5f);
  EXPECT_EQ(SelfLoopFill::parse(c.str()).value, -1.5f);
  for (const char* bad : {"max", "", "1.5x", "nan", "inf"})
    EXPECT_TRUE(testing::throws_with<InvalidArgument>([&] { SelfLoopFill::parse(bad); },
                                                      "fill_value must be"))
        << bad;
}

TEST(EdgeFeatures, ParameterNamesAndShapesArePygs) {
  Generator gen(1);
  GATConv gat({.in_channels = 6, .out_channels = 4, .heads = 3, .edge_dim = 5}, gen);
  std::vector<std::string> names;
  for (const auto& [name, p] : gat.named_parameters())
    names.push_back(name + " " + p.shape().str());
  EXPECT_EQ(names, (std::vector<std::string>{"lin.weight [12, 6]", "lin_edge.weight [12, 5]",
                                             "att_src [1, 3, 4]", "att_dst [1, 3, 4]",
                                             "att_edge [1, 3, 4]", "bias [12]"}));
  GATv2Conv gatv2({.in_channels = 6, .out_channels = 4, .heads = 3, .edge_dim = 5}, gen);
  names.clear();
  for (const auto& [name, p] : gatv2.named_parameters())
    names.push_back(name + " " + p.shape().str());
  EXPECT_EQ(names,
            (std::vector<std::string>{"lin_l.weight [12, 6]", "lin_l.bias [12]",
                                      "lin_r.weight [12, 6]", "lin_r.bias [12]",
                                      "lin_edge.weight [12, 5]", "att [1, 3, 4]", "bias [12]"}));
}

// state_dict → safetensors file → load_state_dict into a fresh layer gives the same output; with
// share_weights the file carries PyG's lin_r.* duplicates.
TEST(EdgeFeatures, StateDictRoundTripsThroughAFile) {
  testing::TempDir dir;
  for (int kind = 0; kind < 3; ++kind) {
    SCOPED_TRACE(kind);
    const Case cs{kind > 0, 2, true, true, kMean, kind == 2};
    Generator gen(9), gen2(10);
    Layer a = make_layer(cs, gen), b = make_layer(cs, gen2);
    a.module().eval();
    b.module().eval();
    const testing::EdgeList edges = testing::random_edges(6, 12, gen);
    const Variable x(testing::random_tensor({6, kIn}, gen));
    const Variable attr(
        testing::random_tensor({static_cast<int64_t>(edges.src.size()), kEdgeDim}, gen));
    const std::string path = dir.path() + "/layer.safetensors";
    io::save_safetensors(path, a.module().state_dict(), {{"format", "pt"}});
    const io::SafetensorsData file = io::load_safetensors(path);
    std::vector<std::string> keys;
    for (const auto& [name, t] : file.tensors)
      keys.push_back(name);
    std::sort(keys.begin(), keys.end());
    if (cs.share_weights) {
      EXPECT_NE(std::find(keys.begin(), keys.end(), "lin_r.weight"), keys.end());
      EXPECT_NE(std::find(keys.begin(), keys.end(), "lin_r.bias"), keys.end());
    }
    EXPECT_NE(std::find(keys.begin(), keys.end(), "lin_edge.weight"), keys.end());
    b.module().load_state_dict(file.tensors);
    const Tensor ya = a.forward(x, edges.graph(), attr).data();
    const Tensor yb = b.forward(x, edges.graph(), attr).data();
    EXPECT_EQ(0, std::memcmp(ya.data(), yb.data(), ya.nbytes()));
  }
}

TEST(EdgeFeatures, LoadStateDictRefusesMismatches) {
  Generator gen(4);
  GATv2Conv shared({.in_channels = 3, .out_channels = 2, .share_weights = true, .edge_dim = 2},
                   gen);
  const auto good = shared.state_dict();
  auto with = [&](const std::string& key, const Tensor& t) {
    auto sd = good;
    for (auto& [name, v] : sd)
      if (name == key) v = t;
    return sd;
  };
  const Tensor before = shared.lin_l_weight.data().clone();
  EXPECT_TRUE(testing::throws_with<InvalidArgument>(
      [&] {
        shared.load_state_dict(with("lin_r.weight", Tensor::zeros({2, 3})));
      },
      "lin_r.weight differs from lin_l.weight"));
  EXPECT_TRUE(testing::throws_with<ShapeError>(
      [&] {
        shared.load_state_dict(with("lin_edge.weight", Tensor::zeros({2, 3})));
      },
      "tensor lin_edge.weight has shape [2, 3]"));
  auto missing = good;
  missing.erase(missing.begin());
  EXPECT_TRUE(testing::throws_with<InvalidArgument>([&] { shared.load_state_dict(missing); },
                                                    "parameter lin_l.weight is missing"));
  auto extra = good;
  extra.emplace_back("att_edge", Tensor::zeros({1, 1, 2}));
  EXPECT_TRUE(testing::throws_with<InvalidArgument>([&] { shared.load_state_dict(extra); },
                                                    "unexpected key att_edge"));
  // A refused load leaves the layer as it was.
  EXPECT_EQ(0, std::memcmp(before.data(), shared.lin_l_weight.data().data(), before.nbytes()));
}

// Layers with edge features written and run by PyG 2.4 itself (tools/pyg/make_edge_fixture.py):
// loading their state_dicts reproduces PyG's outputs, which checks the edge term, the 1-d/2-d
// handling and the fill_value rules against the peer rather than against our reading of it.
TEST(EdgeFeatures, ReproducesPygsOutputs) {
  const io::SafetensorsData file = io::load_safetensors(
      std::string(GAT_TEST_SOURCE_DIR) + "/tests/fixtures/pyg_edge_layers.safetensors");
  std::map<std::string, Tensor> t(file.tensors.begin(), file.tensors.end());
  const Tensor& x = t.at("x");
  const Tensor& ei = t.at("edge_index");
  const int64_t n = x.size(0), e = ei.size(1);
  std::vector<int64_t> src(e), dst(e);
  for (int64_t k = 0; k < e; ++k) {
    src[k] = static_cast<int64_t>(ei.at(0, k));
    dst[k] = static_cast<int64_t>(ei.at(1, k));
  }
  const Graph g = Graph::from_edges(n, src, dst);
  const Json layers = json::parse(file.metadata.at("layers"), "pyg_edge_layers: layers");
  ASSERT_EQ(layers.size(), 4u);
  for (const auto& [name, o] : layers.items()) {
    SCOPED_TRACE(name);
    const json::Fields f(o, "layers." + name);
    const SelfLoopFill fill = f.at("fill_value").is_string()
                                  ? SelfLoopFill::parse(f.string("fill_value"))
                                  : SelfLoopFill::constant(f.real("fill_value"));
    // The layer's tensors; PyG 2.4 names GATConv's one matrix lin_src.weight and lin_dst.weight.
    std::vector<std::pair<std::string, Tensor>> sd;
    for (const auto& [key, value] : file.tensors) {
      if (key.rfind(name + ".", 0) != 0 || key == name + ".out") continue;
      const std::string local = key.substr(name.size() + 1);
      if (local == "lin_dst.weight") continue;
      sd.emplace_back(local == "lin_src.weight" ? "lin.weight" : local, value);
    }
    const bool concat = f.boolean("concat");
    Generator gen(0);
    Tensor y;
    if (f.string("kind") == "GATConv") {
      GATConv conv({.in_channels = f.integer("in_channels"),
                    .out_channels = f.integer("out_channels"),
                    .heads = f.integer("heads"),
                    .concat = concat,
                    .edge_dim = f.integer("edge_dim"),
                    .fill_value = fill},
                   gen);
      conv.load_state_dict(sd);
      conv.eval();
      y = conv.forward(Variable(x), g, Variable(t.at("edge_attr"))).data();
    } else {
      GATv2Conv conv({.in_channels = f.integer("in_channels"),
                      .out_channels = f.integer("out_channels"),
                      .heads = f.integer("heads"),
                      .concat = concat,
                      .share_weights = f.has("share_weights"),
                      .edge_dim = f.integer("edge_dim"),
                      .fill_value = fill},
                     gen);
      conv.load_state_dict(sd);
      conv.eval();
      y = conv.forward(Variable(x), g, Variable(t.at("edge_attr"))).data();
    }
    const Tensor& want = t.at(name + ".out");
    ASSERT_EQ(y.shape(), want.shape());
    EXPECT_LE(max_relative_error(y.data(), to_double(want)), 1e-5);
  }
}

}  // namespace
}  // namespace gat
