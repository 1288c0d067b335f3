// gat/nn/gat.h — the two-layer GAT of the paper's transductive experiments (Veličković et al.,
// 2018, §3.3), as PyG's examples/gat.py builds it:
//
//   x → dropout(p) → conv1 = GATConv(F_in, hidden, heads, concat) → ELU → dropout(p)
//     → conv2 = GATConv(hidden·heads, classes, out_heads, concat=false) → logits
//
// with attention dropout p in both layers. Parameter names: conv1.lin.weight, conv1.att_src,
// conv1.att_dst, conv1.bias, conv2.* (PyG's state_dict of that model).
//
// Example (compiled in tests/nn/test_gat.cpp):
//
//   gat::Generator gen(0);
//   gat::GAT model({.in_channels = 1433, .hidden_channels = 8, .out_channels = 7}, gen);
//   gat::Variable logits = model.forward(x, graph);     // [N, 7]
#pragma once

#include <memory>

#include "gat/nn/gat_conv.h"
#include "gat/nn/node_model.h"

namespace gat {

struct GATOptions {
  int64_t in_channels = 0;
  int64_t hidden_channels = 8;
  int64_t out_channels = 0;
  int64_t heads = 8;
  int64_t out_heads = 1;
  float dropout = 0.6f;        // on the layer inputs
  float attn_dropout = 0.6f;   // on α, in both layers
  float negative_slope = 0.2f;
  bool add_self_loops = true;
};

class GAT : public NodeModel {
 public:
  GAT(const GATOptions& options, Generator& gen);

  /// x [N, F_in] → logits [N, out_channels].
  Variable forward(const Variable& x, const Graph& graph) const override;
  /// The same on sparse features: the input dropout and conv1's projection are one
  /// sparse_dropout_linear() (same mask, same generator use), then conv1.forward_projected().
  Variable forward_sparse(const SparseRows& x, const Graph& graph) const override;
  bool has_sparse_forward() const override { return true; }
  std::string arch() const override { return "GAT"; }

  const GATOptions& options() const { return options_; }
  std::string repr() const override;

  GATConv conv1, conv2;

 protected:
  std::vector<std::pair<std::string, Module*>> children() const override;

 private:
  GATOptions options_;
  Generator* gen_;
};

}  // namespace gat
