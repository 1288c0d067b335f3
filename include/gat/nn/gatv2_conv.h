// gat/nn/gatv2_conv.h — GATv2Conv, the "dynamic attention" layer of Brody et al. (ICLR 2022),
// with PyTorch Geometric's semantics and parameter names.
//
//   x_l = lin_l(x), x_r = lin_r(x)                      (both [N, H, C], with their biases)
//   α_ij^h = softmax_j( ⟨att^h, LeakyReLU(x_l[j,h] + x_r[i,h] [+ W_e^h e_ij])⟩ )
//   x'_i = ‖_{h=1..H} Σ_{j ∈ N(i)} α_ij^h x_l[j,h]   (concat)   or   (1/H) Σ_h ...   (mean)
//          (+ bias)
// where N(i) are i's incoming edges (j → i), including a self-loop when add_self_loops (existing
// self-loops are removed first), and dropout with probability `dropout` is applied to α during
// training. With edge_dim = D, edge features e_ij [E, D] enter inside the LeakyReLU (the bracket);
// the self-loops' features follow fill_value (default: the mean of the node's incoming edges'
// features). W_e e_ij is computed per edge inside the fused kernel and never stored (PyG forms
// lin_edge(edge_attr), an E × H × C tensor). The attention op and its derivatives:
// gat/ops/gatv2_attention.h.
//
// Parameters (PyG names; [out, in] layout as torch.nn.Linear):
//   lin_l.weight [H·C, F_in], lin_l.bias [H·C]   (bias only when bias = true)
//   lin_r.weight [H·C, F_in], lin_r.bias [H·C]   (the same Variables as lin_l when share_weights)
//   lin_edge.weight [H·C, D]  (edge_dim = D > 0 only; no bias; GATv2 has no att_edge)
//   att          [1, H, C]
//   bias         [H·C] when concat, [C] otherwise (absent when bias = false)
// Initialisation as PyG: glorot for the weights and att; zeros for every bias.
// With share_weights, named_parameters() lists lin_l.* only, so an optimizer steps the shared
// tensors once; state_dict() also carries lin_r.* (the same tensors), as PyG's does.
//
// Shapes: x [N, F_in], graph with N nodes → [N, H·C] (concat) or [N, C].
//
// Edge cases, as in PyG (tests/nn/test_numerical_edge_cases.cpp): as GATConv's (gat_conv.h):
// scores of any finite size are safe (the row max is subtracted; backward's α from the float
// lse is off by about half an ulp of the row's largest score); all-equal scores give α = 1/deg
// exactly; a node without incoming edges gets the bias; a graph without nodes gives [0, H·C];
// in_channels, out_channels and heads must be positive (gat::InvalidArgument naming the option).
//
// Non-finite inputs: x is not checked, as in PyG. NaN and ±Inf propagate as in PyG, along the
// edges: a non-finite x[j] reaches x_l[j], hence the score of each edge j → i and so row i
// through the softmax, and α'_ij x_l[j] is summed even where attention dropout zeroed α' or exp
// underflowed to 0 (NaN · 0 = NaN, as PyTorch's dropout gives); through x_r[j] it reaches j's
// own row; no row it has no edge to. Gradients follow the same rule. Which non-finite value (NaN
// or ±Inf) an entry gets is not specified. Edge features are checked instead: a NaN or ±Inf in
// edge_attr is gat::InvalidArgument naming the entry.
//
// Example (compiled in tests/nn/test_gatv2_conv.cpp):
//
//   gat::Generator gen(0);
//   gat::GATv2Conv conv({.in_channels = 16, .out_channels = 8, .heads = 4}, gen);
//   gat::Variable y = conv.forward(x, graph);           // [N, 32]
#pragma once

#include <cstdint>
#include <string>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/graph/graph.h"
#include "gat/nn/gat_conv.h"  // AttentionWeights
#include "gat/nn/module.h"
#include "gat/ops/edge_features.h"

namespace gat {

struct GATv2ConvOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t heads = 1;
  bool concat = true;
  float negative_slope = 0.2f;
  float dropout = 0.0f;
  bool add_self_loops = true;
  bool bias = true;
  bool share_weights = false;
  int64_t edge_dim = 0;          // D > 0: edge features [E, D] enter the score (0: none)
  SelfLoopFill fill_value = {};  // the self-loops' edge features (default "mean")
};

class GATv2Conv : public Module {
 public:
  /// Validates options (positive sizes, negative_slope ≥ 0, dropout in [0, 1)) and initialises the
  /// parameters from gen. The generator is kept for attention dropout and must outlive the layer.
  GATv2Conv(const GATv2ConvOptions& options, Generator& gen);

  /// Throws gat::ShapeError when x is not [graph.num_nodes(), in_channels].
  Variable forward(const Variable& x, const Graph& graph,
                   AttentionWeights* attention = nullptr) const;
  /// With edge features edge_attr [E] or [E, edge_dim] in the graph's edge order (undefined: no
  /// edge term, as PyG when edge_attr is None). Errors as GATConv::forward.
  Variable forward(const Variable& x, const Graph& graph, const Variable& edge_attr,
                   AttentionWeights* attention = nullptr) const;

  /// The layer after its two projections, computed by the caller (e.g. by
  /// sparse_dropout_linear() on sparse features, as gat/nn/gatv2.h does for its first layer):
  /// x_l = x · lin_l.weightᵀ + lin_l.bias and x_r = x · lin_r.weightᵀ + lin_r.bias, both
  /// [N, H·C]. forward(x, ...) is forward_projected(lin_l(x), lin_r(x), ...). Throws
  /// gat::ShapeError when x_l or x_r is not [graph.num_nodes(), H·C]; otherwise as forward.
  Variable forward_projected(const Variable& x_l, const Variable& x_r, const Graph& graph,
                             const Variable& edge_attr = Variable(),
                             AttentionWeights* attention = nullptr) const;

  void reset_parameters();
  const GATv2ConvOptions& options() const { return options_; }
  std::string repr() const override;

  // lin_l_bias, lin_r_bias and bias undefined when options.bias is false; lin_r_* alias lin_l_*
  // when options.share_weights; lin_edge_weight undefined when edge_dim is 0.
  Variable lin_l_weight, lin_l_bias, lin_r_weight, lin_r_bias, lin_edge_weight, att, bias;

 protected:
  std::vector<std::pair<std::string, Variable>> own_parameters() const override;
  std::vector<std::pair<std::string, Variable>> own_aliases() const override;

 private:
  // forward_projected's work; `where` names the public entry point in error messages.
  Variable attend(const char* where, const Variable& x_l, const Variable& x_r, const Graph& graph,
                  const Variable& edge_attr, AttentionWeights* attention) const;

  GATv2ConvOptions options_;
  Generator* gen_;
};

}  // namespace gat
