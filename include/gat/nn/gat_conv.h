// gat/nn/gat_conv.h — GATConv, the graph attention layer of Veličković et al. (ICLR 2018),
// with PyTorch Geometric's semantics and parameter names.
//
//   x'_i = ‖_{h=1..H} Σ_{j ∈ N(i)} α_ij^h W^h x_j   (concat)   or   (1/H) Σ_h ...   (mean)
//          (+ bias)
//   α_ij^h = softmax_j( LeakyReLU( ⟨att_src^h, W^h x_j⟩ + ⟨att_dst^h, W^h x_i⟩
//                                  [+ ⟨att_edge^h, W_e^h e_ij⟩] ) )
// where N(i) are i's incoming edges (j → i), including a self-loop when add_self_loops (existing
// self-loops are removed first), and dropout with probability `dropout` is applied to α during
// training. With edge_dim = D, edge features e_ij [E, D] enter the score (the bracket); the
// self-loops' features follow fill_value (default: the mean of the node's incoming edges'
// features). The edge term is computed as e_ij · v[h] with v[h] = Σ_c att_edge[h,c] W_e[h·C+c]
// (gat/ops/edge_features.h): E × H numbers, never PyG's E × H × C lin_edge(edge_attr).
//
// Parameters (PyG 2.5+ names; [out, in] layout as torch.nn.Linear):
//   lin.weight [H·C, F_in]  (no bias in the projection)
//   att_src    [1, H, C]
//   att_dst    [1, H, C]
//   lin_edge.weight [H·C, D]  (edge_dim = D > 0 only; no bias)
//   att_edge   [1, H, C]      (edge_dim > 0 only)
//   bias       [H·C] when concat, [C] otherwise (absent when bias = false)
// Initialisation as PyG: glorot for lin.weight, lin_edge.weight, att_src, att_dst, att_edge;
// zeros for bias.
//
// Shapes: x [N, F_in], graph with N nodes → [N, H·C] (concat) or [N, C].
//
// Edge cases, as in PyG (tests/nn/test_numerical_edge_cases.cpp):
//  * Scores of any finite size are safe: the softmax subtracts each row's max, forward and
//    backward. Backward recomputes α = exp(e − lse) from the saved float lse, so α there is off
//    by about half an ulp of the row's largest score (2e-6 relative at 50): several scores tied
//    at ±1e30 each get α = 1 in backward, as lse cannot hold log(deg) next to 1e30 (finite
//    gradients, not exact ones).
//  * All-equal scores give α = 1/deg exactly (before attention dropout).
//  * A node without incoming edges (add_self_loops = false) gets the bias: PyG sums no
//    messages. A graph without nodes gives [0, H·C].
//  * in_channels, out_channels and heads must be positive (gat::InvalidArgument naming the
//    option): PyG fails on zero heads or channels, and its in_channels ≤ 0 means a lazily sized
//    layer, which gat.cpp does not have.
//
// Non-finite inputs: x is not checked (PyG does not check it either, and a check would cost a
// pass per call). NaN and ±Inf propagate as in PyG, along the edges: a non-finite x[j] enters the
// score of each edge j → i, so the softmax makes row i non-finite, and α'_ij x[j] is summed even
// where attention dropout zeroed α' or exp underflowed to 0 (NaN · 0 = NaN, as PyTorch's dropout
// gives); it reaches j's own row through its self-loop, and no row it has no edge to. Gradients
// follow the same rule. Which non-finite value (NaN or ±Inf) an entry gets is not specified.
// Edge features are checked instead: a NaN or ±Inf in edge_attr is gat::InvalidArgument naming
// the entry.
//
// Example (compiled in tests/nn/test_gat_conv.cpp):
//
//   gat::Generator gen(0);
//   gat::GATConv conv({.in_channels = 16, .out_channels = 8, .heads = 4}, gen);
//   gat::Variable y = conv.forward(x, graph);           // [N, 32]
#pragma once

#include <cstdint>
#include <string>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/graph/graph.h"
#include "gat/nn/module.h"
#include "gat/ops/edge_features.h"

namespace gat {

struct GATConvOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t heads = 1;
  bool concat = true;
  float negative_slope = 0.2f;
  float dropout = 0.0f;
  bool add_self_loops = true;
  bool bias = true;
  int64_t edge_dim = 0;          // D > 0: edge features [E, D] enter the score (0: none)
  SelfLoopFill fill_value = {};  // the self-loops' edge features (default "mean")
};

/// The attention weights of one forward pass, as PyG's return_attention_weights gives them:
/// the edges the layer attended over (the input graph after self-loop handling) and α [E', H]
/// in that graph's edge order (after dropout, when training).
struct AttentionWeights {
  Graph graph;
  Tensor alpha;
};

class GATConv : public Module {
 public:
  /// Validates options (positive sizes, negative_slope ≥ 0, dropout in [0, 1)) and initialises the
  /// parameters from gen. The generator is kept for attention dropout and must outlive the layer.
  GATConv(const GATConvOptions& options, Generator& gen);

  /// Throws gat::ShapeError when x is not [graph.num_nodes(), in_channels].
  Variable forward(const Variable& x, const Graph& graph,
                   AttentionWeights* attention = nullptr) const;
  /// With edge features edge_attr [E] or [E, edge_dim] in the graph's edge order (undefined: no
  /// edge term, as PyG when edge_attr is None). Throws gat::InvalidArgument when the layer has
  /// no edge_dim or a feature is not finite, gat::ShapeError when the rows are not the graph's
  /// edges or the width is not edge_dim.
  Variable forward(const Variable& x, const Graph& graph, const Variable& edge_attr,
                   AttentionWeights* attention = nullptr) const;

  /// The layer after its projection: `projected` = x · lin.weightᵀ [N, H·C], computed by the
  /// caller — e.g. by sparse_dropout_linear() on sparse features (gat/nn/gat.h does this for its
  /// first layer). forward(x, ...) is forward_projected(linear(x, lin.weight), ...). Throws
  /// gat::ShapeError when projected is not [graph.num_nodes(), H·C]; otherwise as forward.
  Variable forward_projected(const Variable& projected, const Graph& graph,
                             const Variable& edge_attr = Variable(),
                             AttentionWeights* attention = nullptr) const;

  void reset_parameters();
  const GATConvOptions& options() const { return options_; }
  std::string repr() const override;

  // bias undefined when options.bias is false; lin_edge_weight, att_edge when edge_dim is 0.
  Variable lin_weight, att_src, att_dst, lin_edge_weight, att_edge, bias;

 protected:
  std::vector<std::pair<std::string, Variable>> own_parameters() const override;

 private:
  // forward_projected's work; `where` names the public entry point in error messages.
  Variable attend(const char* where, const Variable& projected, const Graph& graph,
                  const Variable& edge_attr, AttentionWeights* attention) const;

  GATConvOptions options_;
  Generator* gen_;
};

}  // namespace gat
