// gat/data/node_task.h — a transductive node-classification problem: one graph, node features,
// labels, and a train / validation / test split (node ids). Planetoid datasets and the synthetic
// task both produce one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gat/core/tensor.h"
#include "gat/graph/graph.h"

namespace gat {

/// A transductive node-classification problem: one graph, features, labels and a split.
struct NodeTask {
  std::string name;
  Graph graph;
  Tensor features;              // [N, F]
  std::vector<int32_t> labels;  // N values in [0, num_classes)
  int64_t num_classes = 0;
  std::vector<int64_t> train, val, test;  // node ids
};

}  // namespace gat
