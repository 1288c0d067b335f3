// Tests for the marker-neighbour graph-classification task and block-diagonal batches
// (data/graph_task.h): exact counts, the structure of every graph (undirected, connected, no
// self-loops), the planted label recomputed from the graph, label-independent feature counts,
// splits, batches (block-diagonal, node → graph index), the mean-feature view, determinism and
// bad arguments.
#include "gat/data/graph_task.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <utility>
#include <vector>

#include "gat/core/error.h"
#include "testing/assertions.h"

namespace gat {
namespace {

using testing::throws_with;

TEST(GraphTask, HeaderExample) {
  gat::Generator gen(0);
  gat::GraphTask task = gat::marker_neighbour_task({.num_graphs = 200}, gen);
  gat::GraphBatch train = gat::make_graph_batch(task, task.train);
  ASSERT_EQ(train.num_graphs(), 120);
  int64_t nodes = 0;
  for (int64_t g : task.train)
    nodes += task.node_ptr[g + 1] - task.node_ptr[g];
  EXPECT_EQ(train.graph.num_nodes(), nodes);
  EXPECT_EQ(static_cast<int64_t>(train.batch.size()), nodes);
}

// Every property the header promises, for one task.
void check_task(const GraphTask& t, const MarkerNeighbourOptions& o) {
  const int64_t g_count = o.num_graphs, f = o.num_colours + 1;
  ASSERT_EQ(t.num_graphs(), g_count);
  EXPECT_EQ(t.num_classes, 2);
  ASSERT_EQ(t.num_features(), f);
  ASSERT_EQ(static_cast<int64_t>(t.node_ptr.size()), g_count + 1);
  ASSERT_EQ(static_cast<int64_t>(t.edge_ptr.size()), g_count + 1);
  EXPECT_EQ(t.node_ptr.back(), t.features.size(0));
  EXPECT_EQ(t.edge_ptr.back(), static_cast<int64_t>(t.src.size()));
  ASSERT_EQ(t.src.size(), t.dst.size());
  // Balanced labels: exactly half (rounded down) are 1.
  EXPECT_EQ(std::accumulate(t.labels.begin(), t.labels.end(), int64_t{0}), g_count / 2);

  for (int64_t g = 0; g < g_count; ++g) {
    const int64_t n = t.node_ptr[g + 1] - t.node_ptr[g];
    ASSERT_GE(n, o.min_nodes);
    ASSERT_LE(n, o.max_nodes);
    // Edges: local ids, sorted by (target, source), no duplicates, no self-loops, undirected.
    std::vector<std::pair<int64_t, int64_t>> edges;
    for (int64_t e = t.edge_ptr[g]; e < t.edge_ptr[g + 1]; ++e) {
      ASSERT_GE(t.src[e], 0);
      ASSERT_LT(t.src[e], n);
      ASSERT_GE(t.dst[e], 0);
      ASSERT_LT(t.dst[e], n);
      ASSERT_NE(t.src[e], t.dst[e]) << "graph " << g << " edge " << e;
      edges.emplace_back(t.dst[e], t.src[e]);
    }
    EXPECT_TRUE(std::is_sorted(edges.begin(), edges.end()));
    const std::set<std::pair<int64_t, int64_t>> edge_set(edges.begin(), edges.end());
    ASSERT_EQ(edge_set.size(), edges.size());
    for (auto [d, s] : edge_set)
      EXPECT_TRUE(edge_set.count({s, d}));
    EXPECT_GE(static_cast<int64_t>(edges.size()), 2 * (n - 1));  // the tree
    // Connected: a walk from node 0 reaches every node.
    std::vector<std::vector<int64_t>> adj(n);
    for (auto [d, s] : edges)
      adj[d].push_back(s);
    std::vector<char> seen(n, 0);
    std::vector<int64_t> stack = {0};
    seen[0] = 1;
    while (!stack.empty()) {
      const int64_t v = stack.back();
      stack.pop_back();
      for (int64_t u : adj[v])
        if (!seen[u]) seen[u] = 1, stack.push_back(u);
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), n) << "graph " << g;

    // Features: the marker has only the marker bit; every other node one colour.
    int64_t marker = -1, markers = 0, reds = 0;
    std::vector<int64_t> colour(n, -1);
    for (int64_t i = 0; i < n; ++i) {
      const float* row = t.features.data() + (t.node_ptr[g] + i) * f;
      int64_t ones = 0;
      for (int64_t c = 0; c < f; ++c) {
        ASSERT_TRUE(row[c] == 0.0f || row[c] == 1.0f);
        if (row[c] == 1.0f) {
          ++ones;
          if (c < f - 1) colour[i] = c;
        }
      }
      EXPECT_EQ(ones, 1) << "graph " << g << " node " << i;
      if (row[f - 1] == 1.0f) marker = i, ++markers;
      reds += colour[i] == 0;
    }
    ASSERT_EQ(markers, 1) << "graph " << g;
    EXPECT_EQ(reds, o.red_nodes) << "graph " << g;
    // The label is exactly "the marker has a red neighbour".
    bool red_neighbour = false;
    for (int64_t j : adj[marker])
      red_neighbour |= colour[j] == 0;
    EXPECT_EQ(t.labels[g], red_neighbour ? 1 : 0) << "graph " << g;
  }

  // Splits: 60 / 20 / 20 %, disjoint, covering every graph.
  EXPECT_EQ(static_cast<int64_t>(t.train.size()), g_count * 6 / 10);
  EXPECT_EQ(static_cast<int64_t>(t.val.size()), g_count * 2 / 10);
  EXPECT_EQ(t.train.size() + t.val.size() + t.test.size(), static_cast<size_t>(g_count));
  std::set<int64_t> all(t.train.begin(), t.train.end());
  all.insert(t.val.begin(), t.val.end());
  all.insert(t.test.begin(), t.test.end());
  EXPECT_EQ(static_cast<int64_t>(all.size()), g_count);
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), g_count - 1);
}

TEST(GraphTask, EveryGraphAsDocumentedOverSeeds) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    SCOPED_TRACE(seed);
    const MarkerNeighbourOptions o{
        .num_graphs = 101, .min_nodes = 5, .max_nodes = 25, .num_colours = 3, .red_nodes = 2};
    Generator gen(seed);
    check_task(marker_neighbour_task(o, gen), o);
  }
  const MarkerNeighbourOptions defaults;
  Generator gen(7);
  check_task(marker_neighbour_task(defaults, gen), defaults);
}

TEST(GraphTask, SameSeedSameTaskOtherSeedOtherTask) {
  Generator a(3), b(3), c(4);
  const GraphTask ta = marker_neighbour_task({.num_graphs = 50}, a);
  const GraphTask tb = marker_neighbour_task({.num_graphs = 50}, b);
  const GraphTask tc = marker_neighbour_task({.num_graphs = 50}, c);
  EXPECT_EQ(ta.labels, tb.labels);
  EXPECT_EQ(ta.node_ptr, tb.node_ptr);
  EXPECT_EQ(ta.src, tb.src);
  EXPECT_EQ(ta.dst, tb.dst);
  EXPECT_EQ(ta.features.to_vector(), tb.features.to_vector());
  EXPECT_EQ(ta.train, tb.train);
  EXPECT_EQ(ta.test, tb.test);
  EXPECT_NE(ta.src, tc.src);
  EXPECT_NE(ta.train, tc.train);
}

TEST(GraphTask, BatchIsBlockDiagonalWithSortedIndex) {
  Generator gen(5);
  const GraphTask t = marker_neighbour_task({.num_graphs = 40}, gen);
  const std::vector<int64_t> ids = {7, 3, 3, 39, 0};  // a repeat is allowed
  const GraphBatch b = make_graph_batch(t, ids);
  ASSERT_EQ(b.num_graphs(), 5);
  EXPECT_EQ(b.graph_ids, ids);
  ASSERT_EQ(b.ptr.size(), 6u);
  int64_t nodes = 0, edges = 0;
  for (size_t k = 0; k < ids.size(); ++k) {
    const int64_t g = ids[k];
    EXPECT_EQ(b.ptr[k], nodes);
    EXPECT_EQ(b.labels[k], t.labels[g]);
    nodes += t.node_ptr[g + 1] - t.node_ptr[g];
    edges += t.edge_ptr[g + 1] - t.edge_ptr[g];
  }
  EXPECT_EQ(b.ptr.back(), nodes);
  EXPECT_EQ(b.graph.num_nodes(), nodes);
  EXPECT_EQ(b.graph.num_edges(), edges);
  ASSERT_EQ(b.features.shape(), Shape({nodes, t.num_features()}));
  // The node → graph index is sorted and agrees with ptr.
  ASSERT_EQ(static_cast<int64_t>(b.batch.size()), nodes);
  EXPECT_TRUE(std::is_sorted(b.batch.begin(), b.batch.end()));
  for (int64_t k = 0; k < b.num_graphs(); ++k)
    for (int64_t i = b.ptr[k]; i < b.ptr[k + 1]; ++i)
      ASSERT_EQ(b.batch[i], k);
  // No edge crosses two graphs, and each block is the graph's own edge list shifted.
  for (int64_t e = 0; e < b.graph.num_edges(); ++e)
    ASSERT_EQ(b.batch[b.graph.src()[e]], b.batch[b.graph.dst()[e]]) << "edge " << e;
  int64_t e = 0;
  for (size_t k = 0; k < ids.size(); ++k)
    for (int64_t te = t.edge_ptr[ids[k]]; te < t.edge_ptr[ids[k] + 1]; ++te, ++e) {
      EXPECT_EQ(b.graph.src()[e], t.src[te] + b.ptr[k]);
      EXPECT_EQ(b.graph.dst()[e], t.dst[te] + b.ptr[k]);
    }
  // Feature rows are the graphs' rows, in batch order.
  const int64_t f = t.num_features();
  for (size_t k = 0; k < ids.size(); ++k) {
    const int64_t g = ids[k], n = b.ptr[k + 1] - b.ptr[k];
    for (int64_t x = 0; x < n * f; ++x)
      ASSERT_EQ(b.features.data()[b.ptr[k] * f + x], t.features.data()[t.node_ptr[g] * f + x]);
  }
}

// The pooling-free view: one node per graph with the mean of its node features. Its red and
// marker columns are 2/n and 1/n whatever the label: the counts carry nothing about it.
TEST(GraphTask, MeanFeatureTaskIsTheMeanOfEachGraph) {
  Generator gen(6);
  const GraphTask t = marker_neighbour_task({.num_graphs = 30}, gen);
  const NodeTask m = mean_feature_task(t);
  const int64_t f = t.num_features();
  ASSERT_EQ(m.graph.num_nodes(), 30);
  EXPECT_EQ(m.graph.num_edges(), 0);
  ASSERT_EQ(m.features.shape(), Shape({30, f}));
  EXPECT_EQ(m.labels, t.labels);
  EXPECT_EQ(m.num_classes, 2);
  EXPECT_EQ(m.train, t.train);
  EXPECT_EQ(m.val, t.val);
  EXPECT_EQ(m.test, t.test);
  for (int64_t g = 0; g < 30; ++g) {
    const int64_t n = t.node_ptr[g + 1] - t.node_ptr[g];
    for (int64_t c = 0; c < f; ++c) {
      double sum = 0;
      for (int64_t i = t.node_ptr[g]; i < t.node_ptr[g + 1]; ++i)
        sum += t.features.at(i, c);
      EXPECT_NEAR(m.features.at(g, c), sum / static_cast<double>(n), 1e-6);
    }
    EXPECT_NEAR(m.features.at(g, 0), 2.0 / static_cast<double>(n), 1e-6);
    EXPECT_NEAR(m.features.at(g, f - 1), 1.0 / static_cast<double>(n), 1e-6);
  }
}

TEST(GraphTask, BadArgumentsThrow) {
  Generator gen(0);
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { marker_neighbour_task({.num_graphs = 0}, gen); },
                                           "marker_neighbour_task: num_graphs must be at least "
                                           "10 (every split needs a graph), got 0"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { marker_neighbour_task({.min_nodes = 4}, gen); },
                                           "min_nodes must be at least red_nodes + 3 = 5, got 4"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { marker_neighbour_task({.min_nodes = 20, .max_nodes = 19}, gen); },
      "max_nodes (19) must be at least min_nodes (20)"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { marker_neighbour_task({.num_colours = 1}, gen); },
                                           "num_colours must be at least 2, got 1"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { marker_neighbour_task({.red_nodes = 0}, gen); },
                                           "red_nodes must be at least 1, got 0"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { marker_neighbour_task({.extra_edges = -1.0f}, gen); }, "extra_edges must be in"));

  const GraphTask t = marker_neighbour_task({.num_graphs = 10}, gen);
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { make_graph_batch(t, {}); },
                                           "make_graph_batch: graph_ids is empty"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        make_graph_batch(t, {0, 10});
      },
      "make_graph_batch: graph_ids[1] = 10 out of range for 10 graphs"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { make_graph_batch(t, {-1}); },
                                           "graph_ids[0] = -1 out of range"));
}

}  // namespace
}  // namespace gat
