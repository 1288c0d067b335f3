// gat/nn/baselines.h — the baselines of the GAT paper's table as node models, the way PyG's
// examples build them (Kipf & Welling's setup; `bench/pyg_bench.py planetoid --model gcn|mlp`
// runs the same models in PyG):
//
//   MLP: x → dropout(p) → lin1 → ReLU → dropout(p) → lin2            (lin1.weight, lin1.bias, ...)
//   GCN: x → dropout(p) → conv1 → ReLU → dropout(p) → conv2          (conv1.lin.weight, conv1.bias, ...)
//
// with 16 hidden units and p = 0.5 by default.
//
// Example (compiled in tests/nn/test_baselines.cpp):
//
//   gat::Generator gen(0);
//   gat::GCN gcn({.in_channels = 1433, .out_channels = 7}, gen);
//   gat::Variable logits = gcn.forward(x, graph);    // [N, 7]
#pragma once

#include "gat/nn/gcn_conv.h"
#include "gat/nn/linear.h"
#include "gat/nn/node_model.h"

namespace gat {

struct BaselineOptions {
  int64_t in_channels = 0;
  int64_t hidden_channels = 16;
  int64_t out_channels = 0;
  float dropout = 0.5f;
};

class MLP : public NodeModel {
 public:
  MLP(const BaselineOptions& options, Generator& gen);
  /// The graph is ignored (only its node count is checked against x).
  Variable forward(const Variable& x, const Graph& graph) const override;
  /// The same on sparse features: input dropout and lin1 fused (sparse_dropout_linear()).
  Variable forward_sparse(const SparseRows& x, const Graph& graph) const override;
  bool has_sparse_forward() const override { return true; }
  std::string arch() const override { return "MLP"; }
  std::string repr() const override;
  const BaselineOptions& options() const { return options_; }

  Linear lin1, lin2;

 protected:
  std::vector<std::pair<std::string, Module*>> children() const override;

 private:
  BaselineOptions options_;
  Generator* gen_;
};

class GCN : public NodeModel {
 public:
  GCN(const BaselineOptions& options, Generator& gen);
  Variable forward(const Variable& x, const Graph& graph) const override;
  /// The same on sparse features: input dropout and conv1's projection fused
  /// (sparse_dropout_linear()), then conv1.forward_projected().
  Variable forward_sparse(const SparseRows& x, const Graph& graph) const override;
  bool has_sparse_forward() const override { return true; }
  std::string arch() const override { return "GCN"; }
  std::string repr() const override;
  const BaselineOptions& options() const { return options_; }

  GCNConv conv1, conv2;

 protected:
  std::vector<std::pair<std::string, Module*>> children() const override;

 private:
  BaselineOptions options_;
  Generator* gen_;
};

}  // namespace gat
