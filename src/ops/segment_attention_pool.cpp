#include "gat/ops/segment_attention_pool.h"

#include <memory>
#include <string>

#include "gat/core/error.h"
#include "gat/kernels/segment_attention_pool.h"

namespace gat {

Variable segment_attention_pool(const Variable& gate, const Variable& f,
                                const std::vector<int64_t>& batch, int64_t num_graphs) {
  constexpr const char* kWhere = "segment_attention_pool";
  check_arg(gate.defined(), kWhere, "gate is undefined");
  check_arg(f.defined(), kWhere, "f is undefined");
  check_shape(f.shape().ndim() == 2, kWhere, "f must be 2-D [N, F], got ", f.shape().str());
  const int64_t n = f.size(0), channels = f.size(1);
  check_shape(gate.shape().ndim() == 2 && gate.size(1) == 1, kWhere,
              "gate must be [N, 1] (one score per node; per-feature gates [N, F] are not "
              "supported), got ",
              gate.shape().str());
  check_shape(gate.size(0) == n, kWhere, "gate has ", gate.size(0), " rows but f has ", n,
              " (gate ", gate.shape().str(), ", f ", f.shape().str(), ")");
  check_shape(static_cast<int64_t>(batch.size()) == n, kWhere, "batch has ", batch.size(),
              " entries but f has ", n, " rows");
  check_arg(num_graphs >= 0, kWhere, "num_graphs must be non-negative, got ", num_graphs);
  for (int64_t i = 0; i < n; ++i) {
    check_arg(batch[i] >= 0 && batch[i] < num_graphs, kWhere, "batch[", i, "] = ", batch[i],
              " out of range for ", num_graphs, " graphs");
    check_arg(i == 0 || batch[i] >= batch[i - 1], kWhere,
              "batch must be sorted ascending, but batch[", i, "] = ", batch[i], " < batch[", i - 1,
              "] = ", batch[i - 1]);
  }

  // ptr[b] = first node of graph b (the batch is sorted, so each graph's nodes are contiguous).
  auto ptr = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(num_graphs + 1), 0);
  for (int64_t i = 0; i < n; ++i)
    ++(*ptr)[batch[i] + 1];
  for (int64_t b = 0; b < num_graphs; ++b)
    (*ptr)[b + 1] += (*ptr)[b];

  // lse in double: α = exp(gate − lse) stays exact in backward even for gates of size 1e4.
  auto lse = std::make_shared<std::vector<double>>(static_cast<size_t>(num_graphs));
  Tensor r = Tensor::empty({num_graphs, channels});
  segment_attention_pool_forward(num_graphs, channels, ptr->data(), gate.data().data(),
                                 f.data().data(), r.data(), lse->data());

  // Saved: gate, f (shared buffers), the graph offsets and the per-graph log-sum-exp.
  const Tensor gate_t = gate.data(), f_t = f.data();
  return make_output(std::move(r), OpKind::SegmentAttentionPool, {gate, f},
                     [gate_t, f_t, ptr, lse, num_graphs, channels](const Tensor& g,
                                                                   const std::vector<bool>& needs) {
                       Tensor dgate, df;
                       if (needs[0]) dgate = Tensor::empty(gate_t.shape());
                       if (needs[1]) df = Tensor::empty(f_t.shape());
                       if (needs[0] || needs[1])
                         segment_attention_pool_backward(
                             num_graphs, channels, ptr->data(), gate_t.data(), f_t.data(),
                             lse->data(), g.data(), needs[0] ? dgate.data() : nullptr,
                             needs[1] ? df.data() : nullptr);
                       return std::vector<Tensor>{dgate, df};
                     });
}

}  // namespace gat
