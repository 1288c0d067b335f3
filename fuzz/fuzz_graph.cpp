// fuzz/fuzz_graph.cpp — the graph builders (gat/graph/graph.h) on node counts and edge lists
// derived from arbitrary bytes, as an edge list read from a file (gat bench --graph's .npy) or a
// dataset reaches them: Graph::from_edges and Graph::from_edge_index, then with_self_loops().
// A graph that is built is checked against the header: the CSR by destination and the reverse
// index by source hold every edge once, in ascending edge id per node; in_to_out links them; the
// self-looped graph is the graph without its loops plus one loop per node, appended in order.
//
// The input: byte 0 picks the entry point and how ids are read, bytes 1-2 the node count (at most
// 255, or 4095 with mode bit 16, or negative), the rest the ids: 2 bytes each mapped to
// [-1, num_nodes] (mostly valid), or 8 raw bytes each (any int64).
#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_common.h"
#include "gat/core/error.h"
#include "gat/graph/graph.h"

namespace {

void check_index(const gat::Graph& g, bool by_dst) {
  const int64_t n = g.num_nodes(), e_count = g.num_edges();
  const int64_t* ptr = by_dst ? g.in_ptr() : g.out_ptr();
  const int32_t* nbr = by_dst ? g.in_src() : g.out_dst();
  const int32_t* eid = by_dst ? g.in_edge() : g.out_edge();
  const std::vector<int32_t>& key = by_dst ? g.dst() : g.src();
  const std::vector<int32_t>& other = by_dst ? g.src() : g.dst();
  FUZZ_CHECK(ptr[0] == 0 && ptr[n] == e_count);
  std::vector<char> seen(e_count, 0);
  int64_t max_deg = 0;
  for (int64_t i = 0; i < n; ++i) {
    FUZZ_CHECK(ptr[i] <= ptr[i + 1]);
    max_deg = std::max(max_deg, ptr[i + 1] - ptr[i]);
    for (int64_t s = ptr[i]; s < ptr[i + 1]; ++s) {
      const int32_t e = eid[s];
      FUZZ_CHECK(e >= 0 && e < e_count && !seen[e]);
      seen[e] = 1;
      FUZZ_CHECK(key[e] == i && other[e] == nbr[s]);
      FUZZ_CHECK(s == ptr[i] || eid[s - 1] < e);  // ascending edge ids within a node
    }
  }
  FUZZ_CHECK(max_deg == (by_dst ? g.max_in_degree() : g.max_out_degree()));
}

void check_graph(const gat::Graph& g) {
  const int64_t n = g.num_nodes(), e_count = g.num_edges();
  FUZZ_CHECK(n >= 0 && e_count >= 0);
  FUZZ_CHECK(static_cast<int64_t>(g.dst().size()) == e_count);
  for (int64_t e = 0; e < e_count; ++e)
    FUZZ_CHECK(g.src()[e] >= 0 && g.src()[e] < n && g.dst()[e] >= 0 && g.dst()[e] < n);
  check_index(g, true);
  check_index(g, false);
  for (int64_t s = 0; s < e_count; ++s) {
    const int32_t o = g.in_to_out()[s];
    FUZZ_CHECK(o >= 0 && o < e_count && g.out_edge()[o] == g.in_edge()[s]);
  }
  int64_t in_sum = 0, out_sum = 0;
  for (int64_t d : g.in_degrees())
    in_sum += d;
  for (int64_t d : g.out_degrees())
    out_sum += d;
  FUZZ_CHECK(in_sum == e_count && out_sum == e_count);
  FUZZ_CHECK(g.num_isolated_nodes() >= 0 && g.num_isolated_nodes() <= n);
  FUZZ_CHECK(g.memory_bytes() > 0 && !g.str().empty());
}

void check_self_loops(const gat::Graph& g) {
  const gat::Graph& gl = g.with_self_loops();
  check_graph(gl);
  const int64_t n = g.num_nodes(), kept = g.num_edges() - g.num_self_loops();
  FUZZ_CHECK(gl.num_nodes() == n && gl.num_edges() == kept + n);
  FUZZ_CHECK(gl.num_self_loops() == n);
  int64_t k = 0;
  for (int64_t e = 0; e < g.num_edges(); ++e) {
    if (g.src()[e] == g.dst()[e]) continue;
    FUZZ_CHECK(gl.src()[k] == g.src()[e] && gl.dst()[k] == g.dst()[e]);
    ++k;
  }
  for (int64_t i = 0; i < n; ++i)
    FUZZ_CHECK(gl.src()[kept + i] == i && gl.dst()[kept + i] == i);
  FUZZ_CHECK(&g.with_self_loops() == &gl);  // cached
  FUZZ_CHECK(g.without_self_loops().num_edges() == kept);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t mode = data[0];
  const bool edge_index = mode & 1;  // from_edge_index, else from_edges
  const bool wide = mode & 2;        // ids as raw int64, else 2 bytes each
  const bool uneven = mode & 4;      // from_edges: an odd id count leaves one more target
  const bool negative = mode & 8;    // a negative node count
  const bool many = mode & 16;       // up to 4095 nodes, else up to 255
  // Every pass over the nodes is instrumented (coverage hooks on each comparison, ASan), so an
  // input with 65535 nodes takes ~200 ms; 4095 nodes take ~12 ms, and most inputs keep to 255,
  // which runs the same code. Nothing in the builders changes between 4095 and 2^31 nodes but
  // the loop counts (ids are int32; the limits are checked before any index is built).
  int64_t n = many ? (data[1] | (data[2] << 8)) & 0xfff : data[1];
  if (negative) n = -n - 1;
  data += 3;
  size -= 3;

  std::vector<int64_t> ids;
  if (wide) {
    for (; size >= 8; data += 8, size -= 8) {
      int64_t v;
      std::memcpy(&v, data, 8);
      ids.push_back(v);
    }
  } else {
    const int64_t range = n > 0 ? n + 2 : 2;  // [-1, n]: mostly valid ids, and both edges
    for (; size >= 2; data += 2, size -= 2)
      ids.push_back((data[0] | (data[1] << 8)) % range - 1);
  }

  gat::Graph g;
  try {
    if (edge_index) {
      g = gat::Graph::from_edge_index(n, ids);
    } else {
      // Sources are the first half, targets the second; with `uneven`, an odd id left over
      // goes to the targets, which the builder must refuse.
      const size_t e = ids.size() / 2;
      const std::span<const int64_t> all(ids);
      g = gat::Graph::from_edges(n, all.subspan(0, e), uneven ? all.subspan(e) : all.subspan(e, e));
    }
  } catch (const gat::Error&) {
    return 0;  // a typed error (gat::InvalidArgument) names the bad edge or count
  }
  // Checked outside the try: the input was accepted, so every promise must hold.
  FUZZ_CHECK(n >= 0 && g.num_nodes() == n);
  check_graph(g);
  check_self_loops(g);
  return 0;
}
