// The GCN aggregation kernel: a weighted gather over destination rows (forward) and over source
// rows through the reverse index (backward). The math, shapes and strategy are in
// gat/kernels/gcn_aggregate.h.
//
// Row ranges come from partition_by_work() and are processed by a `parallel for schedule(static,
// 1)` over the ranges, as in the attention kernel: every range is processed exactly once whatever
// team OpenMP grants. Nothing inside a parallel region allocates or throws.
#include "gat/kernels/gcn_aggregate.h"

#include <algorithm>
#include <vector>

#include "gat/core/parallel.h"
#include "row_ops.h"

namespace gat {

namespace {

using kernels::axpy;
using kernels::kPrefetchDistance;
using kernels::prefetch_row;

// One weighted gather over a compressed index: for every row r, out[r,:] = Σ_{slot of r}
// w[edge[slot]] · in[other[slot],:]. Forward passes the CSR by destination, backward the reverse
// index by source; the code is the same.
void weighted_gather(int64_t n, int64_t num_slots, int64_t channels, const int64_t* ptr,
                     const int32_t* other, const int32_t* edge, const float* edge_weight,
                     const float* in, float* out) {
  const int parts = num_threads();
  const std::vector<int64_t> bounds = partition_by_work(ptr, n, parts);

  // Strategy: one thread owns each row r and writes only out[r]; the rows of `in` and the weights
  // are only read. The edges of a row are summed in slot order, so the result does not depend on
  // the thread count, and the transpose needed by backward comes from the reverse index instead
  // of a scatter, so there are no atomics.
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    for (int64_t r = bounds[part]; r < bounds[part + 1]; ++r) {
      float* out_r = out + r * channels;
      std::fill(out_r, out_r + channels, 0.0f);
      for (int64_t slot = ptr[r]; slot < ptr[r + 1]; ++slot) {
        if (slot + kPrefetchDistance < num_slots) {
          prefetch_row(in + static_cast<int64_t>(other[slot + kPrefetchDistance]) * channels,
                       channels);
          if (edge_weight) __builtin_prefetch(edge_weight + edge[slot + kPrefetchDistance]);
        }
        const float w = edge_weight ? edge_weight[edge[slot]] : 1.0f;
        axpy(out_r, w, in + static_cast<int64_t>(other[slot]) * channels, channels);
      }
    }
  }
}

}  // namespace

void gcn_aggregate_forward(const Graph& graph, int64_t channels, const float* h,
                           const float* edge_weight, float* out) {
  weighted_gather(graph.num_nodes(), graph.num_edges(), channels, graph.in_ptr(), graph.in_src(),
                  graph.in_edge(), edge_weight, h, out);
}

void gcn_aggregate_backward(const Graph& graph, int64_t channels, const float* edge_weight,
                            const float* grad_out, float* grad_h) {
  weighted_gather(graph.num_nodes(), graph.num_edges(), channels, graph.out_ptr(), graph.out_dst(),
                  graph.out_edge(), edge_weight, grad_out, grad_h);
}

}  // namespace gat
