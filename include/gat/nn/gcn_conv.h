// gat/nn/gcn_conv.h — GCNConv, the graph convolution of Kipf & Welling (ICLR 2017), with PyTorch
// Geometric's semantics and parameter names.
//
//   X' = D̂^-1/2 Â D̂^-1/2 X Wᵀ (+ bias),   Â = A + I,   D̂_ii = Σ_j Â_ij
// per node: x'_i = Σ_{e: j→i} deg[j]^-1/2 deg[i]^-1/2 W x_j (+ bias), where the sum runs over i's
// incoming edges (duplicates counted once each) plus i's self-loop, and deg[i] is the number of
// those edges (the target side, as PyG's gcn_norm with flow source_to_target). A node of degree 0
// contributes 0 (PyG turns deg^-1/2 = inf into 0).
//
// Self-loops follow PyG's add_remaining_self_loops with unit weights: a node keeps one self-loop
// of weight 1 whether or not it had one (k existing copies collapse into that one loop), which is
// exactly Graph::with_self_loops(). As in PyG the projection comes first (W x), then propagation.
// normalize = false skips gcn_norm entirely: the graph is used as given with weights 1; PyG rejects
// add_self_loops = true without normalize, and so does this constructor.
//
// Parameters (PyG names; [out, in] layout as torch.nn.Linear):
//   lin.weight [C, F_in]  (no bias in the projection), glorot init
//   bias       [C]        (absent when bias = false), zeros init
//
// Shapes: x [N, F_in], graph with N nodes → [N, C].
//
// Example (compiled in tests/nn/test_gcn_conv.cpp):
//
//   gat::Generator gen(0);
//   gat::GCNConv conv({.in_channels = 16, .out_channels = 7}, gen);
//   gat::Variable y = conv.forward(x, graph);           // [N, 7]
//   conv.repr();                                        // "GCNConv(16, 7)"
#pragma once

#include <cstdint>
#include <string>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/graph/graph.h"
#include "gat/nn/module.h"

namespace gat {

struct GCNConvOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  bool add_self_loops = true;
  bool normalize = true;
  bool bias = true;
};

/// The graph GCNConv propagates over and its per-edge weights, as PyG's gcn_norm returns them.
struct GcnNorm {
  Graph graph;         // the input graph, with self-loops per PyG's rule when add_self_loops
  Tensor edge_weight;  // [E'] in `graph`'s edge order: deg[src]^-1/2 · deg[dst]^-1/2
};

/// PyG's gcn_norm with unit edge weights (E' floats; O(N + E') work, nothing per channel).
GcnNorm gcn_norm(const Graph& graph, bool add_self_loops = true);

class GCNConv : public Module {
 public:
  /// Validates options (positive sizes; add_self_loops needs normalize) and initialises the
  /// parameters from gen, which reset_parameters() reuses and must outlive the layer.
  GCNConv(const GCNConvOptions& options, Generator& gen);

  /// Throws gat::ShapeError when x is not [graph.num_nodes(), in_channels] or a parameter has the
  /// wrong shape.
  Variable forward(const Variable& x, const Graph& graph) const;
  /// The layer after its projection h = x · lin.weightᵀ [N, out_channels], computed by the caller
  /// (e.g. by sparse_dropout_linear() on sparse features, as gat/nn/baselines.h's GCN does).
  /// Throws gat::ShapeError when h is not [graph.num_nodes(), out_channels].
  Variable forward_projected(const Variable& h, const Graph& graph) const;

  void reset_parameters();
  const GCNConvOptions& options() const { return options_; }
  std::string repr() const override;

  Variable lin_weight, bias;  // bias undefined when options.bias is false

 protected:
  std::vector<std::pair<std::string, Variable>> own_parameters() const override;

 private:
  GCNConvOptions options_;
  Generator* gen_;
};

}  // namespace gat
