// gat/nn/graph_classifier.h — a graph-level classifier: two GATConv layers, a global pooling of
// the node representations into one vector per graph, and a linear read-out, over a mini-batch of
// graphs held as one block-diagonal graph plus the node → graph index (gat/data/graph_task.h).
//
//   h  = ELU(conv1(x)),  h = ELU(conv2(h))                    conv_k = GATConv(…, heads=H), concat
//   r_b = Σ_{i ∈ b} softmax_i(gate_nn(h_i)) · nn(h_i)          pooling = attention (PyG's
//                                                               AttentionalAggregation)
//   r_b = (1/n_b) Σ_{i ∈ b} h_i                                 pooling = mean (global_mean_pool)
//   logits_b = lin(r_b)
//
// The logits are returned; the loss applies log_softmax (gat/ops/log_softmax.h), as in
// gat/train/graph_trainer.h. The mean variant is the baseline that shows what attention pooling
// adds; it is the same model without `pool` (mean pooling is segment_attention_pool with equal
// gates).
//
// Parameters (PyG names, as a torch Module with attributes conv1, conv2, pool, lin would have):
//   conv1.lin.weight [H·C, F_in], conv1.att_src [1, H, C], conv1.att_dst, conv1.bias [H·C],
//   conv2.lin.weight [H·C, H·C], conv2.att_src, conv2.att_dst, conv2.bias [H·C],
//   pool.gate_nn.weight [1, H·C], pool.gate_nn.bias [1], pool.nn.weight [H·C, H·C],
//   pool.nn.bias [H·C] (attention pooling only), lin.weight [K, H·C], lin.bias [K].
// Shapes: x [N, F_in], graph with N nodes, batch N values in [0, B) sorted → logits [B, K].
//
// Example (compiled in tests/nn/test_graph_classifier.cpp):
//
//   gat::Generator gen(0);
//   gat::GraphClassifier model({.in_channels = 5, .out_channels = 2}, gen);
//   gat::Variable logits = model.forward(x, graph, batch, num_graphs);   // [B, 2]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/graph/graph.h"
#include "gat/nn/attentional_aggregation.h"
#include "gat/nn/gat_conv.h"
#include "gat/nn/linear.h"
#include "gat/nn/module.h"

namespace gat {

enum class GraphPooling { Attention, Mean };

/// "attention" or "mean".
const char* graph_pooling_name(GraphPooling pooling);
/// The inverse; throws gat::InvalidArgument naming the bad value.
GraphPooling parse_graph_pooling(const std::string& name);

struct GraphClassifierOptions {
  int64_t in_channels = 0;
  int64_t hidden_channels = 16;  // C, per head
  int64_t out_channels = 0;      // K classes
  int64_t heads = 4;             // H, in both layers (concatenated)
  GraphPooling pooling = GraphPooling::Attention;
  float negative_slope = 0.2f;
};

class GraphClassifier : public Module {
 public:
  /// Validates the options (positive sizes) and initialises conv1, conv2, pool, lin from gen, in
  /// that order. Throws gat::InvalidArgument naming the bad option.
  GraphClassifier(const GraphClassifierOptions& options, Generator& gen);

  /// x [N, in_channels], batch (sorted, values in [0, num_graphs)) → logits [num_graphs, K].
  /// Throws gat::ShapeError / gat::InvalidArgument naming the bad argument.
  Variable forward(const Variable& x, const Graph& graph, const std::vector<int64_t>& batch,
                   int64_t num_graphs) const;
  std::string repr() const override;
  const GraphClassifierOptions& options() const { return options_; }

  GATConv conv1, conv2;
  std::optional<AttentionalAggregation> pool;  // present for attention pooling only
  Linear lin;

 protected:
  std::vector<std::pair<std::string, Module*>> children() const override;

 private:
  GraphClassifierOptions options_;
};

}  // namespace gat
