#include "gat/data/synthetic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <utility>

#include "gat/core/error.h"

namespace gat {
namespace {

TEST(Synthetic, CountsSplitAndStructure) {
  Generator gen(1);
  NodeTask t = planted_topics({.num_nodes = 1000, .num_classes = 5, .num_features = 100}, gen);
  ASSERT_EQ(t.graph.num_nodes(), 1000);
  ASSERT_EQ(t.features.shape(), Shape({1000, 100}));
  ASSERT_EQ(t.labels.size(), 1000u);
  EXPECT_EQ(t.num_classes, 5);
  // 20 training nodes per class, then val and test, all disjoint.
  EXPECT_EQ(t.train.size(), 100u);
  std::vector<int> per_class(5, 0);
  for (int64_t i : t.train) ++per_class[t.labels[i]];
  for (int c : per_class) EXPECT_EQ(c, 20);
  EXPECT_EQ(t.val.size(), 300u);  // (1000 − 100) / 3
  EXPECT_EQ(t.test.size(), 600u);
  std::set<int64_t> all(t.train.begin(), t.train.end());
  all.insert(t.val.begin(), t.val.end());
  all.insert(t.test.begin(), t.test.end());
  EXPECT_EQ(all.size(), t.train.size() + t.val.size() + t.test.size());
  // Undirected: every edge has its reverse; no self-loops, no duplicates.
  std::set<std::pair<int32_t, int32_t>> edges;
  for (int64_t e = 0; e < t.graph.num_edges(); ++e) edges.emplace(t.graph.src()[e], t.graph.dst()[e]);
  EXPECT_EQ(static_cast<int64_t>(edges.size()), t.graph.num_edges());
  EXPECT_EQ(t.graph.num_self_loops(), 0);
  for (auto [s, d] : edges) EXPECT_TRUE(edges.count({d, s}));
  // Rows sum to 1.
  for (int64_t i = 0; i < 1000; ++i) {
    double s = 0;
    for (int64_t c = 0; c < 100; ++c) s += t.features.at(i, c);
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
}

TEST(Synthetic, EdgesAreHomophilous) {
  Generator gen(2);
  NodeTask t = planted_topics({.num_nodes = 2000, .num_classes = 4, .homophily = 0.8f}, gen);
  int64_t same = 0;
  for (int64_t e = 0; e < t.graph.num_edges(); ++e)
    same += t.labels[t.graph.src()[e]] == t.labels[t.graph.dst()[e]];
  // 0.8 within class + 0.2 · 1/4 by chance = 0.85.
  EXPECT_NEAR(static_cast<double>(same) / t.graph.num_edges(), 0.85, 0.03);
}

TEST(Synthetic, SameSeedSameTask) {
  Generator a(5), b(5);
  NodeTask x = planted_topics({.num_nodes = 300, .num_classes = 3}, a);
  NodeTask y = planted_topics({.num_nodes = 300, .num_classes = 3}, b);
  EXPECT_EQ(x.labels, y.labels);
  EXPECT_EQ(x.graph.src(), y.graph.src());
  EXPECT_EQ(x.features.to_vector(), y.features.to_vector());
}

TEST(Synthetic, BadOptionsThrow) {
  Generator gen(0);
  EXPECT_THROW(planted_topics({.num_nodes = 50, .num_classes = 5}, gen), InvalidArgument);
  EXPECT_THROW(planted_topics({.num_nodes = 500, .num_classes = 1}, gen), InvalidArgument);
  EXPECT_THROW(planted_topics({.num_nodes = 500, .num_classes = 5, .homophily = 1.5f}, gen),
               InvalidArgument);
}

TEST(Synthetic, HeaderExample) {
  gat::Generator gen(0);
  gat::NodeTask task = gat::planted_topics({.num_nodes = 2000, .num_classes = 5}, gen);
  EXPECT_EQ(task.features.shape(), gat::Shape({2000, 500}));
}

}  // namespace
}  // namespace gat
