// gat/nn/gatv2.h — the two-layer model of gat/nn/gat.h with GATv2Conv layers (Brody et al., 2022):
//
//   x → dropout(p) → conv1 = GATv2Conv(F_in, hidden, heads, concat) → ELU → dropout(p)
//     → conv2 = GATv2Conv(hidden·heads, classes, out_heads, concat=false) → logits
//
// with attention dropout in both layers; the same options as GAT (GATOptions). Parameter names:
// conv1.lin_l.weight, conv1.lin_l.bias, conv1.lin_r.weight, conv1.lin_r.bias, conv1.att,
// conv1.bias, conv2.*.
//
// Example (compiled in tests/nn/test_gatv2_model.cpp):
//
//   gat::Generator gen(0);
//   gat::GATv2 model({.in_channels = 1433, .out_channels = 7}, gen);
//   gat::Variable logits = model.forward(x, graph);     // [N, 7]
#pragma once

#include "gat/nn/gat.h"
#include "gat/nn/gatv2_conv.h"
#include "gat/nn/node_model.h"

namespace gat {

class GATv2 : public NodeModel {
 public:
  GATv2(const GATOptions& options, Generator& gen);
  Variable forward(const Variable& x, const Graph& graph) const override;
  /// The same on sparse features: the input dropout (one mask) and conv1's two projections are
  /// two sparse_dropout_linear() calls sharing one draw, then conv1.forward_projected().
  Variable forward_sparse(const SparseRows& x, const Graph& graph) const override;
  bool has_sparse_forward() const override { return true; }
  std::string arch() const override { return "GATv2"; }
  std::string repr() const override;
  const GATOptions& options() const { return options_; }

  GATv2Conv conv1, conv2;

 protected:
  std::vector<std::pair<std::string, Module*>> children() const override;

 private:
  GATOptions options_;
  Generator* gen_;
};

}  // namespace gat
