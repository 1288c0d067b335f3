// gat/data/synthetic.h — a generated node-classification task, for the demo and the tests, until
// the real Planetoid datasets land.
//
// The task ("planted topics"): N nodes, K classes, labels uniform. Edges: each node sends
// `degree` edges; each goes to a node of the same class with probability `homophily`, otherwise
// to a uniformly random node (then both directions are kept, duplicates removed — undirected, like
// the citation graphs). Features: a bag of `words_per_node` words out of F; each word comes from
// the node's class "topic" (F/K words) with probability `signal`, otherwise uniform over all F;
// rows are binary then row-normalised. Features alone are weakly informative and neighbours carry
// the rest, so a GAT clearly beats chance and a feature-only model.
// Split as Planetoid's public split: 20 training nodes per class, then 500 validation and 1000
// test nodes (fewer if N is small).
//
// Example (compiled in tests/data/test_synthetic.cpp):
//
//   gat::Generator gen(0);
//   gat::NodeTask task = gat::planted_topics({.num_nodes = 2000, .num_classes = 5}, gen);
//   task.features.shape();                 // [2000, 500]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gat/core/rng.h"
#include "gat/core/tensor.h"
#include "gat/data/node_task.h"
#include "gat/graph/graph.h"

namespace gat {


struct PlantedTopicsOptions {
  int64_t num_nodes = 2708;
  int64_t num_classes = 7;
  int64_t num_features = 500;
  int64_t degree = 2;
  float homophily = 0.8f;
  int64_t words_per_node = 18;
  float signal = 0.2f;
};

NodeTask planted_topics(const PlantedTopicsOptions& options, Generator& gen);

}  // namespace gat
