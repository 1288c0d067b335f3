// gat/nn/attentional_aggregation.h — PyG's AttentionalAggregation (global soft-attention pooling,
// Li et al., "Gated Graph Sequence Neural Networks", ICLR 2016, eq. 7) with Linear gate and nn:
//
//   r_b = Σ_{i: batch[i] = b} softmax_i(gate_nn(x_i)) · nn(x_i),
//
// the softmax taken over the nodes of graph b (see gat/ops/segment_attention_pool.h for the
// derivative). Here gate_nn = Linear(F_in, 1) and nn = Linear(F_in, F_out); PyG accepts any
// modules (and nn = None), gat.cpp fixes both to gat::Linear. The batch must be sorted ascending
// (as PyG's DataLoader produces it); only a single gate score per node is supported.
//
// Parameters, in PyG's order: gate_nn.weight [1, F_in], gate_nn.bias [1], nn.weight
// [F_out, F_in], nn.bias [F_out]; both Linear layers keep torch.nn.Linear's initialisation.
// Shapes: x [N, F_in], batch N values in [0, B) sorted ascending → [B, F_out]; a graph with no
// nodes gives a zero row.
//
// Example (compiled in tests/nn/test_attentional_aggregation.cpp):
//
//   gat::Generator gen(0);
//   gat::AttentionalAggregation pool(16, 8, gen);
//   gat::Variable x(gat::Tensor::zeros({5, 16}));
//   gat::Variable r = pool.forward(x, {0, 0, 0, 1, 1}, 2);   // [2, 8]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gat/autograd/variable.h"
#include "gat/core/rng.h"
#include "gat/nn/linear.h"
#include "gat/nn/module.h"

namespace gat {

class AttentionalAggregation : public Module {
 public:
  /// gate_nn = Linear(in_channels, 1), nn = Linear(in_channels, out_channels), initialised in
  /// that order from `gen`. Throws gat::InvalidArgument when a size is not positive.
  AttentionalAggregation(int64_t in_channels, int64_t out_channels, Generator& gen);

  /// x [N, in_channels], batch (sorted, values in [0, num_graphs)) → [num_graphs, out_channels].
  /// Throws gat::ShapeError / gat::InvalidArgument naming the bad argument.
  Variable forward(const Variable& x, const std::vector<int64_t>& batch, int64_t num_graphs) const;
  void reset_parameters(Generator& gen);
  std::string repr() const override;

  Linear gate_nn, nn;

 protected:
  std::vector<std::pair<std::string, Module*>> children() const override;

 private:
  int64_t in_, out_;
};

}  // namespace gat
