// gat/nn/node_model.h — the interface of models that map node features and a graph to per-node
// outputs (logits), so that training, evaluation, checkpoints and the CLI work with any of them
// (GAT, GATv2, GCN, MLP).
//
// Sparse input features (Planetoid's bag-of-words, about 1 % non-zero) can be given as
// SparseRows to forward_sparse(). The built-in models override it to fuse the input dropout and
// the first projection into gat/ops/sparse_dropout_linear.h, which gives the dense forward's
// result up to the order of float sums and draws the same random numbers; the default densifies.
#pragma once

#include <string>

#include "gat/autograd/variable.h"
#include "gat/core/sparse.h"
#include "gat/graph/graph.h"
#include "gat/nn/module.h"

namespace gat {

class NodeModel : public Module {
 public:
  /// x [N, F_in], graph with N nodes → [N, out_channels].
  virtual Variable forward(const Variable& x, const Graph& graph) const = 0;
  /// The same model on features held as SparseRows [N, F_in]. The default runs
  /// forward(x.to_dense(), graph); a model with a sparse path of its own overrides it and
  /// has_sparse_forward().
  virtual Variable forward_sparse(const SparseRows& x, const Graph& graph) const {
    return forward(Variable(x.to_dense()), graph);
  }
  /// True when forward_sparse() is a sparse path of its own (then the trainer uses it for sparse
  /// features), false when it only densifies.
  virtual bool has_sparse_forward() const { return false; }
  /// The architecture's name as stored in checkpoints ("GAT").
  virtual std::string arch() const = 0;
};

}  // namespace gat
