// Tests for gat/ops/edge_features.h: self_loop_edge_attr's rows against hand-computed values for
// every fill rule (dropped self-loops, a node without incoming edges, duplicate edges), its and
// attention_fold's gradients (gradcheck), attention_fold against its definition, bad shapes, and
// the header example.
#include "gat/ops/edge_features.h"

#include <gtest/gtest.h>

#include <vector>

#include "gat/core/error.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

namespace gat {
namespace {

using testing::throws_with;

// 4 nodes; edges: 0→1, 2→1, 1→1 (a self-loop, dropped), 0→2, 0→1 (a duplicate); node 3 has no
// incoming edge. Features [E, 2].
Graph small_graph() {
  return Graph::from_edges(4, std::vector<int64_t>{0, 2, 1, 0, 0},
                           std::vector<int64_t>{1, 1, 1, 2, 1});
}

Tensor small_attr() {
  Tensor t = Tensor::empty({5, 2});
  const float v[] = {1, 10, 2, 20, 100, 100, 3, 30, 6, 60};
  std::copy(v, v + 10, t.data());
  return t;
}

TEST(SelfLoopEdgeAttr, RowsFollowPygsFillRules) {
  const Graph g = small_graph();
  ASSERT_EQ(g.with_self_loops().num_edges(), 4 + 4);  // 4 kept edges + one loop per node
  struct Expect {
    SelfLoopFill fill;
    std::vector<float> rows;
  };
  const std::vector<float> kept = {1, 10, 2, 20, 3, 30, 6, 60};
  const std::vector<Expect> cases = {
      // loops: node 0 none → 0; node 1 from edges 0, 1, 4: mean (1+2+6)/3, (10+20+60)/3;
      // node 2 from edge 3; node 3 none → 0.
      {SelfLoopFill{}, {0, 0, 3, 30, 3, 30, 0, 0}},
      {SelfLoopFill{SelfLoopFillKind::Add, 0.0f}, {0, 0, 9, 90, 3, 30, 0, 0}},
      {SelfLoopFill::constant(-2.0f), {-2, -2, -2, -2, -2, -2, -2, -2}},
  };
  for (const Expect& c : cases) {
    SCOPED_TRACE(c.fill.str());
    const Tensor out = self_loop_edge_attr(Variable(small_attr()), g, c.fill).data();
    ASSERT_EQ(out.shape(), (Shape{8, 2}));
    std::vector<float> want = kept;
    want.insert(want.end(), c.rows.begin(), c.rows.end());
    for (int64_t k = 0; k < 16; ++k) EXPECT_FLOAT_EQ(out.at(k), want[k]) << "entry " << k;
  }
}

TEST(SelfLoopEdgeAttr, GradientsMatchFiniteDifferences) {
  Generator gen(3);
  const testing::EdgeList edges = testing::random_edges(9, 25, gen);
  const Graph g = edges.graph();
  for (const SelfLoopFill fill :
       {SelfLoopFill{}, SelfLoopFill{SelfLoopFillKind::Add, 0.0f}, SelfLoopFill::constant(1.0f)}) {
    SCOPED_TRACE(fill.str());
    Variable attr(testing::random_tensor({g.num_edges(), 3}, gen), true);
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Variable>& in) { return self_loop_edge_attr(in[0], g, fill); },
        {attr}));
  }
}

TEST(AttentionFold, MatchesDefinitionAndGradcheck) {
  Generator gen(5);
  const int64_t h = 3, c = 4, d = 2;
  Variable w(testing::random_tensor({h * c, d}, gen), true);
  Variable att(testing::random_tensor({1, h, c}, gen), true);
  const Tensor v = attention_fold(w, att).data();
  ASSERT_EQ(v.shape(), (Shape{h, d}));
  for (int64_t hd = 0; hd < h; ++hd)
    for (int64_t k = 0; k < d; ++k) {
      double want = 0;
      for (int64_t ch = 0; ch < c; ++ch)
        want += static_cast<double>(att.data().at(0, hd, ch)) * w.data().at(hd * c + ch, k);
      EXPECT_NEAR(v.at(hd, k), want, 1e-5);
    }
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Variable>& in) { return attention_fold(in[0], in[1]); }, {w, att}));
}

TEST(EdgeFeatureOps, BadShapesAreClearErrors) {
  const Graph g = small_graph();
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { self_loop_edge_attr(Variable(Tensor::zeros({4, 2})), g, {}); },
      "edge_attr has 4 rows but the graph has 5 edges"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { self_loop_edge_attr(Variable(Tensor::zeros({5})), g, {}); }, "must be 2-d [E, D]"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { self_loop_edge_attr(Variable(), g, {}); }, "edge_attr is undefined"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        attention_fold(Variable(Tensor::zeros({6, 2})), Variable(Tensor::zeros({1, 2, 4})));
      },
      "weight must be [H·C, D] = [8, D]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { attention_fold(Variable(Tensor::zeros({8, 2})), Variable(Tensor::zeros({2, 4}))); },
      "att_edge must be [1, H, C]"));
}

TEST(EdgeFeatureOps, HeaderExample) {
  const Graph g = small_graph();
  gat::Variable attr(gat::Tensor::full({g.num_edges(), 2}, 1.0f), false);  // [E, D]
  gat::Variable looped = gat::self_loop_edge_attr(attr, g, gat::SelfLoopFill{});
  EXPECT_EQ(looped.shape(), (Shape{g.with_self_loops().num_edges(), 2}));
}

}  // namespace
}  // namespace gat
