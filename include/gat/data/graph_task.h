// gat/data/graph_task.h — a generated graph-classification task, and mini-batches of small graphs
// held as one block-diagonal graph plus a node → graph index (PyG's Batch: `edge_index` with
// offsets, `batch`, `ptr`, `y`).
//
// The task ("marker neighbour"). G graphs, each with n nodes, n uniform in [min_nodes, max_nodes]:
//  * Structure: a random recursive tree (node i ≥ 1 joins a uniform earlier node) plus
//    ⌊n · extra_edges⌋ attempts at a uniform extra edge (self-loops and repeats skipped); every
//    edge is kept in both directions, so each graph is undirected and connected.
//  * One node is the marker, uniform among the nodes with at least `red_nodes` non-neighbours.
//    Every other node has a colour in [0, num_colours): exactly `red_nodes` of them are red
//    (colour 0), the rest get a uniform colour in [1, num_colours).
//  * Label: 1 when the marker has a red neighbour, else 0. The labels are balanced (half of each,
//    shuffled); the red nodes are placed to match: for label 1 one red node is a uniform neighbour
//    of the marker and the others are uniform among the remaining nodes; for label 0 all are
//    uniform among the marker's non-neighbours.
//  * Features [n, F], F = num_colours + 1: a one-hot colour (zeros for the marker) and a last
//    column that is 1 on the marker only.
// Why it needs the structure and the pooling: every graph has exactly one marker and exactly
// `red_nodes` red nodes, and the other colours do not depend on the label, so the mean-pooled (or
// summed) input features carry no information about the label — a model on them sits at chance
// (50%). The label is a fact about one place in the graph (the marker's neighbourhood), which
// message passing can write into the marker's (and its red neighbour's) representation; the
// pooling must then pick out those few nodes among 10–30. Attention pooling can learn to weight
// them; mean pooling sees them diluted by 1/n and needs every other node to contribute nothing
// in that direction, which the network also learns on graphs this small but less well on larger
// ones (docs/graph_tasks.md has the figures). (The red neighbour of a label-1 marker is a uniform
// neighbour, hence of slightly higher degree on average than a uniform node: a weak structural
// cue, also only visible through the graph.)
// Splits: a seeded permutation of the graph ids, the first ⌊0.6 G⌋ train, the next ⌊0.2 G⌋
// validation, the rest test.
//
// Example (compiled in tests/data/test_graph_task.cpp):
//
//   gat::Generator gen(0);
//   gat::GraphTask task = gat::marker_neighbour_task({.num_graphs = 200}, gen);
//   gat::GraphBatch train = gat::make_graph_batch(task, task.train);
//   train.graph.num_nodes();               // Σ n over the 120 training graphs
//   train.batch;                           // node → position of its graph in task.train, sorted
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gat/core/rng.h"
#include "gat/core/tensor.h"
#include "gat/data/node_task.h"
#include "gat/graph/graph.h"

namespace gat {

struct MarkerNeighbourOptions {
  int64_t num_graphs = 1000;
  int64_t min_nodes = 10;
  int64_t max_nodes = 30;
  int64_t num_colours = 4;   // colour 0 is red
  int64_t red_nodes = 2;     // exactly this many red nodes per graph
  float extra_edges = 0.2f;  // extra-edge attempts per node on top of the tree
};

/// Many small graphs, stored concatenated: graph g owns nodes node_ptr[g] .. node_ptr[g+1]−1 of
/// `features` and edges edge_ptr[g] .. edge_ptr[g+1]−1 of src/dst, whose ids are local to g
/// (0 .. n_g − 1), both directions kept, sorted by (target, source), no self-loops.
struct GraphTask {
  std::string name;
  int64_t num_classes = 0;
  Tensor features;                        // [N_total, F]
  std::vector<int32_t> labels;            // G values in [0, num_classes)
  std::vector<int64_t> node_ptr;          // G + 1 offsets into the rows of features
  std::vector<int64_t> edge_ptr;          // G + 1 offsets into src / dst
  std::vector<int64_t> src, dst;          // local node ids
  std::vector<int64_t> train, val, test;  // graph ids, disjoint

  int64_t num_graphs() const { return static_cast<int64_t>(labels.size()); }
  int64_t num_features() const { return features.size(1); }
};

/// B graphs as one: the block-diagonal union of their graphs (graph b's nodes shifted by ptr[b]),
/// their feature rows stacked in the same order, and the node → graph index, as PyG's Batch.
struct GraphBatch {
  Graph graph;                     // ptr[B] nodes; no edge joins two graphs
  Tensor features;                 // [ptr[B], F]
  std::vector<int64_t> batch;      // node → b in [0, B), sorted ascending
  std::vector<int64_t> ptr;        // B + 1 node offsets
  std::vector<int32_t> labels;     // B values
  std::vector<int64_t> graph_ids;  // b → the graph's id in the task

  int64_t num_graphs() const { return static_cast<int64_t>(labels.size()); }
};

/// Generates the marker-neighbour task above. Throws gat::InvalidArgument naming the option when
/// num_graphs < 10 (every split needs a graph), min_nodes < red_nodes + 3, max_nodes < min_nodes,
/// num_colours < 2, red_nodes < 1 or extra_edges is negative.
GraphTask marker_neighbour_task(const MarkerNeighbourOptions& options, Generator& gen);

/// The graphs `graph_ids` of `task`, in that order (repeats allowed), as one batch. Throws
/// gat::InvalidArgument when graph_ids is empty or names a graph the task does not have.
GraphBatch make_graph_batch(const GraphTask& task, const std::vector<int64_t>& graph_ids);

/// The pooling-free baseline's view of the task: one node per graph, whose features are the mean
/// of the graph's node features, no edges, the graph labels and the same splits. A node model
/// (an MLP) trained on it sees everything but the structure.
NodeTask mean_feature_task(const GraphTask& task);

}  // namespace gat
