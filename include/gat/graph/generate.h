// gat/graph/generate.h — synthetic graphs for demos, tests and benchmarks.
//
// power_law_graph() follows the algorithm of bench/gen_graph.py (the graphs of the PyG comparison,
// bench/README.md): sources drawn with Zipf-like popularity w_k = (k + 1)^(−s) over a random
// permutation of the node ids, targets uniform, self-loops dropped, duplicate pairs removed, and
// exactly E edges kept. The statistics match; the exact edges differ (another random stream).
//
// Example (compiled in tests/graph/test_generate.cpp):
//
//   gat::Generator gen(12345);
//   gat::Graph g = gat::power_law_graph(10000, 100000, gen);   // 10k nodes, 100k edges
#pragma once

#include <cstdint>

#include "gat/core/rng.h"
#include "gat/graph/graph.h"

namespace gat {

/// A directed graph with exactly num_edges distinct non-loop edges, power-law out-degrees
/// (exponent s), uniform in-degrees. Throws gat::InvalidArgument when num_edges exceeds
/// N·(N − 1) or the sizes are negative.
Graph power_law_graph(int64_t num_nodes, int64_t num_edges, Generator& gen, double s = 0.7);

}  // namespace gat
