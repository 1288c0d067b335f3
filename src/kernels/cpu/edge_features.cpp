// Self-loop edge features and the attention fold; the math is in gat/kernels/edge_features.h.
#include "gat/kernels/edge_features.h"

#include <algorithm>
#include <vector>


namespace gat {

namespace {

// kept_id[e] = the output row of input edge e (its rank among the non-loop edges), or −1 for a
// self-loop, which PyG's remove_self_loops drops. Returns E_kept.
int64_t kept_ids(const Graph& graph, std::vector<int64_t>& kept_id) {
  const int64_t e = graph.num_edges();
  const std::vector<int32_t>& src = graph.src();
  const std::vector<int32_t>& dst = graph.dst();
  kept_id.resize(static_cast<size_t>(e));
  int64_t next = 0;
  for (int64_t f = 0; f < e; ++f) kept_id[f] = src[f] == dst[f] ? -1 : next++;
  return next;
}

// Number of non-loop edges into node i.
int64_t kept_in_degree(const Graph& graph, int64_t i) {
  const int32_t* in_src = graph.in_src();
  int64_t count = 0;
  for (int64_t slot = graph.in_ptr()[i]; slot < graph.in_ptr()[i + 1]; ++slot)
    count += in_src[slot] != i;
  return count;
}

}  // namespace

void self_loop_edge_attr_forward(const Graph& graph, int64_t dim, SelfLoopFillKind kind,
                                 float constant, const float* attr, float* out) {
  const int64_t n = graph.num_nodes(), e = graph.num_edges();
  std::vector<int64_t> kept_id;
  const int64_t kept = kept_ids(graph, kept_id);
  // Strategy: each output row has one writer: kept rows are copies by input edge, loop rows are
  // reduced by their node over its CSR row in ascending edge-id order (thread-count independent).
#pragma omp parallel for schedule(static)
  for (int64_t f = 0; f < e; ++f)
    if (kept_id[f] >= 0) std::copy(attr + f * dim, attr + (f + 1) * dim, out + kept_id[f] * dim);
  const int64_t* in_ptr = graph.in_ptr();
  const int32_t* in_src = graph.in_src();
  const int32_t* in_edge = graph.in_edge();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    float* row = out + (kept + i) * dim;
    if (kind == SelfLoopFillKind::Constant) {
      std::fill(row, row + dim, constant);
      continue;
    }
    std::fill(row, row + dim, 0.0f);
    int64_t count = 0;
    for (int64_t slot = in_ptr[i]; slot < in_ptr[i + 1]; ++slot) {
      if (in_src[slot] == i) continue;
      const float* a = attr + static_cast<int64_t>(in_edge[slot]) * dim;
      for (int64_t d = 0; d < dim; ++d) row[d] += a[d];
      ++count;
    }
    if (kind == SelfLoopFillKind::Mean && count > 0) {
      const float inv = 1.0f / static_cast<float>(count);
      for (int64_t d = 0; d < dim; ++d) row[d] *= inv;
    }
  }
}

void self_loop_edge_attr_backward(const Graph& graph, int64_t dim, SelfLoopFillKind kind,
                                  const float* grad_out, float* grad_attr) {
  const int64_t n = graph.num_nodes(), e = graph.num_edges();
  std::vector<int64_t> kept_id;
  const int64_t kept = kept_ids(graph, kept_id);
  // The factor by which loop(i)'s gradient reaches each kept edge into i.
  std::vector<float> share(static_cast<size_t>(n), 0.0f);
  if (kind != SelfLoopFillKind::Constant) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const int64_t count = kept_in_degree(graph, i);
      share[i] = kind == SelfLoopFillKind::Add ? 1.0f
                 : count > 0                   ? 1.0f / static_cast<float>(count)
                                               : 0.0f;
    }
  }
  const std::vector<int32_t>& dst = graph.dst();
  // Strategy: one writer per input edge; it gathers from its own row and its destination's loop.
#pragma omp parallel for schedule(static)
  for (int64_t f = 0; f < e; ++f) {
    float* g = grad_attr + f * dim;
    if (kept_id[f] < 0) {
      std::fill(g, g + dim, 0.0f);
      continue;
    }
    const float* own = grad_out + kept_id[f] * dim;
    const float* loop = grad_out + (kept + dst[f]) * dim;
    const float s = share[dst[f]];
    for (int64_t d = 0; d < dim; ++d) g[d] = own[d] + s * loop[d];
  }
}

void attention_fold_forward(int64_t heads, int64_t channels, int64_t dim, const float* weight,
                            const float* att, float* v) {
  for (int64_t h = 0; h < heads; ++h) {
    float* vh = v + h * dim;
    std::fill(vh, vh + dim, 0.0f);
    for (int64_t c = 0; c < channels; ++c) {
      const float a = att[h * channels + c];
      const float* w = weight + (h * channels + c) * dim;
      for (int64_t d = 0; d < dim; ++d) vh[d] += a * w[d];
    }
  }
}

void attention_fold_backward(int64_t heads, int64_t channels, int64_t dim, const float* weight,
                             const float* att, const float* grad_v, float* grad_weight,
                             float* grad_att) {
  for (int64_t h = 0; h < heads; ++h) {
    const float* gv = grad_v + h * dim;
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t row = h * channels + c;
      if (grad_weight)
        for (int64_t d = 0; d < dim; ++d) grad_weight[row * dim + d] = att[row] * gv[d];
      if (grad_att) {
        float s = 0.0f;
        for (int64_t d = 0; d < dim; ++d) s += weight[row * dim + d] * gv[d];
        grad_att[row] = s;
      }
    }
  }
}

}  // namespace gat
