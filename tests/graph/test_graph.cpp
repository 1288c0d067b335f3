// Tests for gat/graph/graph.h: the CSR both ways against a brute-force construction, degrees,
// PyG's self-loop handling, the with_self_loops() cache, empty graphs and input validation.
#include "gat/graph/graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/rng.h"
#include "testing/fixtures.h"

namespace gat {
namespace {

// Checks one side of the index by brute force: the slots of node v are the edge ids e with
// key[e] == v, ascending, and their neighbour is other[e].
void expect_index_matches(int64_t n, const std::vector<int32_t>& key,
                          const std::vector<int32_t>& other, const int64_t* ptr, const int32_t* nbr,
                          const int32_t* eid, const char* side) {
  const int64_t num_edges = static_cast<int64_t>(key.size());
  ASSERT_EQ(ptr[0], 0) << side;
  ASSERT_EQ(ptr[n], num_edges) << side;
  for (int64_t v = 0; v < n; ++v) {
    std::vector<int32_t> want_eid, want_nbr;
    for (int64_t e = 0; e < num_edges; ++e) {
      if (key[e] != v) continue;
      want_eid.push_back(static_cast<int32_t>(e));
      want_nbr.push_back(other[e]);
    }
    ASSERT_EQ(ptr[v + 1] - ptr[v], static_cast<int64_t>(want_eid.size())) << side << " node " << v;
    std::vector<int32_t> got_eid(eid + ptr[v], eid + ptr[v + 1]);
    std::vector<int32_t> got_nbr(nbr + ptr[v], nbr + ptr[v + 1]);
    EXPECT_EQ(got_eid, want_eid) << side << " node " << v;  // ascending edge ids
    EXPECT_EQ(got_nbr, want_nbr) << side << " node " << v;
  }
}

void expect_csr_matches_edges(const Graph& g) {
  const int64_t n = g.num_nodes();
  expect_index_matches(n, g.dst(), g.src(), g.in_ptr(), g.in_src(), g.in_edge(), "in");
  expect_index_matches(n, g.src(), g.dst(), g.out_ptr(), g.out_dst(), g.out_edge(), "out");
  std::vector<int64_t> in_deg(n, 0), out_deg(n, 0);
  for (int64_t e = 0; e < g.num_edges(); ++e) {
    ++in_deg[g.dst()[e]];
    ++out_deg[g.src()[e]];
  }
  EXPECT_EQ(g.in_degrees(), in_deg);
  EXPECT_EQ(g.out_degrees(), out_deg);
  int64_t max_in = 0, max_out = 0;
  for (int64_t v = 0; v < n; ++v) {
    EXPECT_EQ(g.in_degree(v), in_deg[v]);
    EXPECT_EQ(g.out_degree(v), out_deg[v]);
    max_in = std::max(max_in, in_deg[v]);
    max_out = std::max(max_out, out_deg[v]);
  }
  EXPECT_EQ(g.max_in_degree(), max_in);
  EXPECT_EQ(g.max_out_degree(), max_out);
  // in_to_out is a permutation of the slots that maps each in-slot to the same edge's out-slot.
  std::vector<bool> hit(static_cast<size_t>(g.num_edges()), false);
  for (int64_t s = 0; s < g.num_edges(); ++s) {
    const int32_t t = g.in_to_out()[s];
    ASSERT_GE(t, 0);
    ASSERT_LT(t, g.num_edges());
    EXPECT_FALSE(hit[t]) << "out-slot " << t << " twice";
    hit[t] = true;
    EXPECT_EQ(g.out_edge()[t], g.in_edge()[s]) << "in-slot " << s;
  }
  // The edge list, both indices (two offsets arrays, four slot arrays) and in_to_out.
  EXPECT_EQ(g.memory_bytes(), static_cast<size_t>(2 * (n + 1)) * sizeof(int64_t) +
                                  static_cast<size_t>(7 * g.num_edges()) * sizeof(int32_t));
}

// The message of the InvalidArgument that f throws ("" with a failure if it throws nothing).
template <typename F>
std::string invalid_argument_message(F&& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InvalidArgument thrown";
  return {};
}

TEST(Graph, HeaderExample) {
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 1};
  gat::Graph g = gat::Graph::from_edges(3, src, dst);
  EXPECT_EQ(g.in_degree(1), 2);
  const gat::Graph& gl = g.with_self_loops();
  EXPECT_EQ(gl.num_edges(), 6);
}

TEST(Graph, SmallGraphByHand) {
  // 0→1, 2→1, 1→2, 0→2: node 1 receives edges 0 and 1, node 2 receives 2 and 3.
  std::vector<int64_t> src = {0, 2, 1, 0}, dst = {1, 1, 2, 2};
  Graph g = Graph::from_edges(3, src, dst);
  EXPECT_EQ(g.num_nodes(), 3);
  EXPECT_EQ(g.num_edges(), 4);
  EXPECT_EQ(std::vector<int64_t>(g.in_ptr(), g.in_ptr() + 4), (std::vector<int64_t>{0, 0, 2, 4}));
  EXPECT_EQ(std::vector<int32_t>(g.in_src(), g.in_src() + 4), (std::vector<int32_t>{0, 2, 1, 0}));
  EXPECT_EQ(std::vector<int32_t>(g.in_edge(), g.in_edge() + 4), (std::vector<int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(std::vector<int64_t>(g.out_ptr(), g.out_ptr() + 4), (std::vector<int64_t>{0, 2, 3, 4}));
  EXPECT_EQ(std::vector<int32_t>(g.out_dst(), g.out_dst() + 4), (std::vector<int32_t>{1, 2, 2, 1}));
  EXPECT_EQ(std::vector<int32_t>(g.out_edge(), g.out_edge() + 4),
            (std::vector<int32_t>{0, 3, 2, 1}));
  EXPECT_EQ(g.str(), "Graph(num_nodes=3, num_edges=4)");
}

TEST(Graph, CsrMatchesBruteForceOnRandomGraphs) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Generator gen(seed);
    const int64_t n = 1 + static_cast<int64_t>(gen.below(60));
    const int64_t e = static_cast<int64_t>(gen.below(300));
    testing::EdgeList el = testing::random_edges(n, e, gen, /*isolated=*/n / 5);
    SCOPED_TRACE("seed " + std::to_string(seed));
    Graph g = el.graph();
    ASSERT_EQ(g.num_nodes(), n);
    ASSERT_EQ(g.num_edges(), static_cast<int64_t>(el.src.size()));
    // The edge list is kept as given.
    for (size_t k = 0; k < el.src.size(); ++k) {
      ASSERT_EQ(g.src()[k], el.src[k]);
      ASSERT_EQ(g.dst()[k], el.dst[k]);
    }
    expect_csr_matches_edges(g);
    expect_csr_matches_edges(g.with_self_loops());
    expect_csr_matches_edges(g.without_self_loops());
  }
}

TEST(Graph, DuplicateEdgesAreKept) {
  std::vector<int64_t> src = {0, 0, 0}, dst = {1, 1, 1};
  Graph g = Graph::from_edges(2, src, dst);
  EXPECT_EQ(g.num_edges(), 3);
  EXPECT_EQ(g.in_degree(1), 3);
  EXPECT_EQ(g.out_degree(0), 3);
  EXPECT_EQ(std::vector<int32_t>(g.in_edge(), g.in_edge() + 3), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(g.with_self_loops().num_edges(), 5);  // duplicates survive add_self_loops too
}

TEST(Graph, IsolatedNodesAndSelfLoops) {
  // Node 0 → 1, node 2 has only a self-loop, node 3 only sends, nodes 4 and 5 are isolated.
  std::vector<int64_t> src = {0, 2, 3}, dst = {1, 2, 0};
  Graph g = Graph::from_edges(6, src, dst);
  EXPECT_EQ(g.in_degrees(), (std::vector<int64_t>{1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(g.out_degrees(), (std::vector<int64_t>{1, 0, 1, 1, 0, 0}));
  EXPECT_EQ(g.num_isolated_nodes(), 2);
  EXPECT_EQ(g.num_self_loops(), 1);
  EXPECT_EQ(g.max_in_degree(), 1);
  // An edgeless node has an empty slot range, not a missing one.
  EXPECT_EQ(g.in_ptr()[4], g.in_ptr()[5]);
  EXPECT_EQ(g.in_ptr()[6], 3);

  Graph gl = g.with_self_loops();
  EXPECT_EQ(gl.num_isolated_nodes(), 0);
  EXPECT_EQ(gl.num_self_loops(), 6);
}

TEST(Graph, WithSelfLoopsFollowsPyG) {
  // remove_self_loops then add_self_loops: the loops 2→2 (twice) and 0→0 go, the other edges
  // keep their order, and one loop per node follows in node order.
  std::vector<int64_t> src = {0, 2, 1, 0, 2, 2}, dst = {1, 2, 0, 0, 1, 2};
  Graph g = Graph::from_edges(4, src, dst);
  EXPECT_EQ(g.num_self_loops(), 3);
  const Graph& gl = g.with_self_loops();
  EXPECT_EQ(gl.num_nodes(), 4);
  EXPECT_EQ(gl.num_edges(), 3 + 4);
  EXPECT_EQ(gl.src(), (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 3}));
  EXPECT_EQ(gl.dst(), (std::vector<int32_t>{1, 0, 1, 0, 1, 2, 3}));
  EXPECT_EQ(gl.num_self_loops(), 4);
  // The original graph is unchanged.
  EXPECT_EQ(g.num_edges(), 6);
}

TEST(Graph, WithSelfLoopsOnRandomGraphs) {
  for (uint64_t seed = 100; seed < 110; ++seed) {
    Generator gen(seed);
    testing::EdgeList el = testing::random_edges(40, 200, gen, /*isolated=*/3, /*duplicates=*/5,
                                                 /*self_loops=*/6);
    Graph g = el.graph();
    std::vector<int32_t> want_src, want_dst;
    for (size_t e = 0; e < el.src.size(); ++e) {
      if (el.src[e] == el.dst[e]) continue;
      want_src.push_back(static_cast<int32_t>(el.src[e]));
      want_dst.push_back(static_cast<int32_t>(el.dst[e]));
    }
    const int64_t kept = static_cast<int64_t>(want_src.size());
    EXPECT_EQ(kept, g.num_edges() - g.num_self_loops());
    for (int32_t i = 0; i < 40; ++i) {
      want_src.push_back(i);
      want_dst.push_back(i);
    }
    const Graph& gl = g.with_self_loops();
    EXPECT_EQ(gl.num_edges(), g.num_edges() - g.num_self_loops() + g.num_nodes());
    EXPECT_EQ(gl.src(), want_src) << "seed " << seed;
    EXPECT_EQ(gl.dst(), want_dst) << "seed " << seed;
    // Loop of node i is edge kept + i, and it is the last incoming edge of i.
    for (int64_t i = 0; i < 40; ++i)
      EXPECT_EQ(gl.in_edge()[gl.in_ptr()[i + 1] - 1], kept + i);
  }
}

TEST(Graph, WithSelfLoopsIsCachedAndSharedByCopies) {
  std::vector<int64_t> src = {0, 1}, dst = {1, 0};
  Graph g = Graph::from_edges(3, src, dst);
  const Graph* first = &g.with_self_loops();
  EXPECT_EQ(&g.with_self_loops(), first);
  Graph copy = g;  // a cheap handle: shares the arrays and the cache
  EXPECT_EQ(copy.in_ptr(), g.in_ptr());
  EXPECT_EQ(&copy.with_self_loops(), first);
  // A graph rebuilt from the same edges has its own cache.
  Graph other = Graph::from_edges(3, src, dst);
  EXPECT_NE(&other.with_self_loops(), first);
  EXPECT_EQ(other.with_self_loops().src(), first->src());
}

TEST(Graph, WithSelfLoopsIsCachedOnceAcrossThreads) {
  Generator gen(1);
  testing::EdgeList el = testing::random_edges(500, 5000, gen);
  Graph g = el.graph();
  std::vector<const Graph*> seen(4, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] { seen[t] = &g.with_self_loops(); });
  for (auto& th : threads)
    th.join();
  for (int t = 1; t < 4; ++t)
    EXPECT_EQ(seen[t], seen[0]);
  EXPECT_EQ(seen[0]->num_edges(), g.num_edges() - g.num_self_loops() + 500);
}

TEST(Graph, WithSelfLoopsOfALoopedGraphIsTheSameEdgeList) {
  std::vector<int64_t> src = {0, 1, 1}, dst = {1, 1, 2};
  Graph g = Graph::from_edges(3, src, dst);
  const Graph& once = g.with_self_loops();
  const Graph& twice = once.with_self_loops();
  EXPECT_EQ(twice.src(), once.src());
  EXPECT_EQ(twice.dst(), once.dst());
}

TEST(Graph, WithoutSelfLoops) {
  std::vector<int64_t> src = {1, 0, 2, 3, 2}, dst = {1, 2, 2, 0, 3};
  Graph g = Graph::from_edges(5, src, dst);
  Graph h = g.without_self_loops();
  EXPECT_EQ(h.num_nodes(), 5);
  EXPECT_EQ(h.num_self_loops(), 0);
  EXPECT_EQ(h.src(), (std::vector<int32_t>{0, 3, 2}));
  EXPECT_EQ(h.dst(), (std::vector<int32_t>{2, 0, 3}));
  EXPECT_EQ(h.num_isolated_nodes(), 2);  // nodes 1 (only had a loop) and 4
  expect_csr_matches_edges(h);
}

TEST(Graph, EmptyGraph) {
  Graph g;
  EXPECT_EQ(g.num_nodes(), 0);
  EXPECT_EQ(g.num_edges(), 0);
  EXPECT_EQ(g.in_ptr()[0], 0);
  EXPECT_EQ(g.out_ptr()[0], 0);
  EXPECT_EQ(g.max_in_degree(), 0);
  EXPECT_EQ(g.num_self_loops(), 0);
  EXPECT_EQ(g.num_isolated_nodes(), 0);
  EXPECT_TRUE(g.in_degrees().empty());
  EXPECT_EQ(g.with_self_loops().num_edges(), 0);
  EXPECT_EQ(g.without_self_loops().num_nodes(), 0);
  EXPECT_EQ(g.str(), "Graph(num_nodes=0, num_edges=0)");

  std::vector<int64_t> none;
  Graph h = Graph::from_edges(0, none, none);
  EXPECT_EQ(h.num_nodes(), 0);
  EXPECT_EQ(h.num_edges(), 0);
}

TEST(Graph, NodesWithoutEdges) {
  std::vector<int64_t> none;
  Graph g = Graph::from_edges(4, none, none);
  EXPECT_EQ(g.num_edges(), 0);
  EXPECT_EQ(g.in_degrees(), std::vector<int64_t>(4, 0));
  EXPECT_EQ(g.out_degrees(), std::vector<int64_t>(4, 0));
  EXPECT_EQ(g.num_isolated_nodes(), 4);
  EXPECT_EQ(g.max_out_degree(), 0);
  const Graph& gl = g.with_self_loops();
  EXPECT_EQ(gl.src(), (std::vector<int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(gl.dst(), (std::vector<int32_t>{0, 1, 2, 3}));
  expect_csr_matches_edges(gl);
}

TEST(Graph, FromEdgeIndex) {
  // PyG's edge_index: row 0 sources, row 1 targets, row-major [2, E].
  std::vector<int64_t> edge_index = {0, 1, 2, 2,   // sources
                                     1, 2, 0, 1};  // targets
  Graph g = Graph::from_edge_index(3, edge_index);
  EXPECT_EQ(g.src(), (std::vector<int32_t>{0, 1, 2, 2}));
  EXPECT_EQ(g.dst(), (std::vector<int32_t>{1, 2, 0, 1}));
  expect_csr_matches_edges(g);

  std::vector<int64_t> empty;
  EXPECT_EQ(Graph::from_edge_index(2, empty).num_edges(), 0);
  std::vector<int64_t> odd = {0, 1, 1};
  std::string msg = invalid_argument_message([&] { Graph::from_edge_index(2, odd); });
  EXPECT_NE(msg.find("from_edge_index"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3"), std::string::npos) << msg;
  // Errors name the edge as from_edges does.
  std::vector<int64_t> bad = {0, 1, 1, 5};
  msg = invalid_argument_message([&] { Graph::from_edge_index(3, bad); });
  EXPECT_NE(msg.find("edge 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("5"), std::string::npos) << msg;
}

TEST(Graph, SourceOutOfRangeNamesEdgeValueAndNodeCount) {
  std::vector<int64_t> src(30, 0), dst(30, 1);
  src[17] = 9001;
  src[20] = 9002;  // only the first bad edge is reported
  std::string msg = invalid_argument_message([&] { Graph::from_edges(2708, src, dst); });
  EXPECT_NE(msg.find("Graph::from_edges"), std::string::npos) << msg;
  EXPECT_NE(msg.find("edge 17"), std::string::npos) << msg;
  EXPECT_NE(msg.find("source"), std::string::npos) << msg;
  EXPECT_NE(msg.find("9001"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2708 nodes"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("9002"), std::string::npos) << msg;
}

TEST(Graph, TargetOutOfRangeAndNegativeIndices) {
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 3, 0};
  std::string msg = invalid_argument_message([&] { Graph::from_edges(3, src, dst); });
  EXPECT_NE(msg.find("edge 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("target"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3 nodes"), std::string::npos) << msg;

  std::vector<int64_t> neg_src = {0, -1}, ok_dst = {1, 1};
  msg = invalid_argument_message([&] { Graph::from_edges(3, neg_src, ok_dst); });
  EXPECT_NE(msg.find("edge 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-1"), std::string::npos) << msg;

  std::vector<int64_t> ok_src = {0, 1}, neg_dst = {-7, 1};
  msg = invalid_argument_message([&] { Graph::from_edges(3, ok_src, neg_dst); });
  EXPECT_NE(msg.find("edge 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-7"), std::string::npos) << msg;
}

TEST(Graph, MismatchedLengthsAndNegativeNodeCount) {
  std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2};
  std::string msg = invalid_argument_message([&] { Graph::from_edges(3, src, dst); });
  EXPECT_NE(msg.find("3 sources"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 targets"), std::string::npos) << msg;

  std::vector<int64_t> none;
  msg = invalid_argument_message([&] { Graph::from_edges(-4, none, none); });
  EXPECT_NE(msg.find("num_nodes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-4"), std::string::npos) << msg;

  msg = invalid_argument_message([&] { Graph::from_edges(Graph::kMaxIndex + 1, none, none); });
  EXPECT_NE(msg.find("2147483648"), std::string::npos) << msg;
}

}  // namespace
}  // namespace gat
