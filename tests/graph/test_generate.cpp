#include "gat/graph/generate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>

#include "gat/core/error.h"

namespace gat {
namespace {

TEST(GenerateGraph, ExactEdgeCountDistinctNoLoops) {
  Generator gen(12345);
  Graph g = power_law_graph(2000, 20000, gen);
  ASSERT_EQ(g.num_nodes(), 2000);
  ASSERT_EQ(g.num_edges(), 20000);
  EXPECT_EQ(g.num_self_loops(), 0);
  std::set<std::pair<int32_t, int32_t>> seen;
  for (int64_t e = 0; e < g.num_edges(); ++e) seen.emplace(g.src()[e], g.dst()[e]);
  EXPECT_EQ(static_cast<int64_t>(seen.size()), g.num_edges());
  // Sorted by (target, source).
  for (int64_t e = 1; e < g.num_edges(); ++e)
    EXPECT_LE(std::make_pair(g.dst()[e - 1], g.src()[e - 1]), std::make_pair(g.dst()[e], g.src()[e]));
}

TEST(GenerateGraph, OutDegreesAreSkewedInDegreesAreNot) {
  Generator gen(7);
  Graph g = power_law_graph(5000, 50000, gen);
  // Mean degree 10: uniform targets give a Poisson-like in-degree (max a few times the mean),
  // Zipf sources give hubs with hundreds of out-edges.
  EXPECT_GT(g.max_out_degree(), 10 * g.max_in_degree() / 2);
  EXPECT_LT(g.max_in_degree(), 60);
  EXPECT_GT(g.max_out_degree(), 200);
}

TEST(GenerateGraph, SameSeedSameGraph) {
  Generator a(3), b(3);
  Graph ga = power_law_graph(300, 2000, a), gb = power_law_graph(300, 2000, b);
  EXPECT_EQ(ga.src(), gb.src());
  EXPECT_EQ(ga.dst(), gb.dst());
}

TEST(GenerateGraph, RejectsImpossibleSizes) {
  Generator gen(0);
  EXPECT_THROW(power_law_graph(3, 7, gen), InvalidArgument);
  EXPECT_THROW(power_law_graph(-1, 0, gen), InvalidArgument);
  EXPECT_EQ(power_law_graph(3, 6, gen).num_edges(), 6);  // the complete graph fits exactly
  EXPECT_EQ(power_law_graph(0, 0, gen).num_nodes(), 0);
}

TEST(GenerateGraph, HeaderExample) {
  gat::Generator gen(12345);
  gat::Graph g = gat::power_law_graph(10000, 100000, gen);
  EXPECT_EQ(g.num_edges(), 100000);
}

}  // namespace
}  // namespace gat
