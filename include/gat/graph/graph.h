// gat/graph/graph.h — a directed graph in compressed sparse form, keyed by destination.
//
// A Graph is built once from an edge list (source j → target i, PyG's edge_index rows 0 and 1)
// and never changes. It keeps:
//  * the edge list as given (edge e is src[e] → dst[e]; duplicates kept, order kept);
//  * the CSR by destination: the incoming edges of node i are slots in_ptr[i] .. in_ptr[i+1]−1,
//    each with its source in_src[slot] and its edge id in_edge[slot] (stable: ascending edge id
//    within a node), which is what forward kernels walk, one thread per destination row;
//  * the reverse index by source: the outgoing edges of node j are slots out_ptr[j] ..
//    out_ptr[j+1]−1, with out_dst[slot] and out_edge[slot], which backward kernels walk to gather
//    the source-side gradient without atomics.
// A Graph is a cheap handle: copies share the immutable arrays.
// Node ids and edge ids are int32 (up to 2^31 − 1 nodes and edges); offsets are int64.
//
// Self-loops follow PyG: with_self_loops() = remove_self_loops() then one loop per node appended
// after the remaining edges (edge ids E' .. E'+N−1 are the loops of nodes 0 .. N−1). The result
// is computed once and cached.
//
// Example (compiled in tests/graph/test_graph.cpp):
//
//   std::vector<int64_t> src = {0, 1, 2}, dst = {1, 2, 1};
//   gat::Graph g = gat::Graph::from_edges(3, src, dst);
//   g.in_degree(1);                          // 2
//   const gat::Graph& gl = g.with_self_loops();
//   gl.num_edges();                          // 6
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace gat {

class Graph {
 public:
  /// The largest node or edge count a Graph holds (ids are int32).
  static constexpr int64_t kMaxIndex = 2147483647;

  /// An empty graph with no nodes.
  Graph();

  /// Builds the graph from the edge list src[e] → dst[e]. Throws gat::InvalidArgument naming the
  /// first bad edge ("Graph::from_edges: edge 17: source 9001 out of range for 2708 nodes"), on
  /// src/dst of different lengths, or a negative num_nodes.
  static Graph from_edges(int64_t num_nodes, std::span<const int64_t> src,
                          std::span<const int64_t> dst);
  /// Same, from PyG's edge_index layout: a row-major [2, E] array (row 0 sources, row 1 targets).
  static Graph from_edge_index(int64_t num_nodes, std::span<const int64_t> edge_index);

  int64_t num_nodes() const { return d_->n; }
  int64_t num_edges() const { return static_cast<int64_t>(d_->src.size()); }

  // The edge list as given.
  const std::vector<int32_t>& src() const { return d_->src; }
  const std::vector<int32_t>& dst() const { return d_->dst; }

  // CSR by destination (incoming edges).
  const int64_t* in_ptr() const { return d_->in_ptr.data(); }
  const int32_t* in_src() const { return d_->in_src.data(); }
  const int32_t* in_edge() const { return d_->in_edge.data(); }

  // Reverse index by source (outgoing edges).
  const int64_t* out_ptr() const { return d_->out_ptr.data(); }
  const int32_t* out_dst() const { return d_->out_dst.data(); }
  const int32_t* out_edge() const { return d_->out_edge.data(); }
  /// For each slot of the CSR by destination, the slot of the same edge in the reverse index:
  /// out_edge()[in_to_out()[s]] == in_edge()[s]. A backward pass by destination uses it to read
  /// the per-edge values that a pass by source left in reverse-index order.
  const int32_t* in_to_out() const { return d_->in_to_out.data(); }

  int64_t in_degree(int64_t i) const { return d_->in_ptr[i + 1] - d_->in_ptr[i]; }
  int64_t out_degree(int64_t j) const { return d_->out_ptr[j + 1] - d_->out_ptr[j]; }
  std::vector<int64_t> in_degrees() const;
  std::vector<int64_t> out_degrees() const;
  int64_t max_in_degree() const { return d_->max_in_degree; }
  int64_t max_out_degree() const { return d_->max_out_degree; }
  /// Edges with src == dst.
  int64_t num_self_loops() const;
  /// Nodes with neither incoming nor outgoing edges.
  int64_t num_isolated_nodes() const;

  /// The graph without its self-loops (other edges keep their relative order).
  Graph without_self_loops() const;
  /// PyG's add_self_loops: remove existing self-loops, then append one loop per node. Cached.
  const Graph& with_self_loops() const;

  /// Bytes of the arrays this graph holds: the edge list, both indices and in_to_out (not its
  /// cached self-looped copy).
  size_t memory_bytes() const;

  /// "Graph(num_nodes=3, num_edges=6)"
  std::string str() const;

 private:
  Graph(int64_t n, std::vector<int32_t> src, std::vector<int32_t> dst);  // edges already checked

  // Immutable after construction and shared by copies, so a Graph is a cheap handle that ops can
  // keep for their backward pass.
  struct Data {
    int64_t n = 0;
    std::vector<int32_t> src, dst;
    std::vector<int64_t> in_ptr, out_ptr;
    std::vector<int32_t> in_src, in_edge, out_dst, out_edge, in_to_out;
    int64_t max_in_degree = 0, max_out_degree = 0;
  };
  // with_self_loops() cache, shared by copies too.
  struct Cache {
    std::once_flag once;
    std::unique_ptr<Graph> looped;
  };
  std::shared_ptr<const Data> d_;
  std::shared_ptr<Cache> cache_;
};

}  // namespace gat
