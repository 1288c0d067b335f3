// gat/nn/node_model.h — the interface of models that map node features and a graph to per-node
// outputs (logits), so that training, evaluation, checkpoints and the CLI work with any of them
// (GAT now; GATv2, GCN and MLP later).
#pragma once

#include <string>

#include "gat/autograd/variable.h"
#include "gat/graph/graph.h"
#include "gat/nn/module.h"

namespace gat {

class NodeModel : public Module {
 public:
  /// x [N, F_in], graph with N nodes → [N, out_channels].
  virtual Variable forward(const Variable& x, const Graph& graph) const = 0;
  /// The architecture's name as stored in checkpoints ("GAT").
  virtual std::string arch() const = 0;
};

}  // namespace gat
