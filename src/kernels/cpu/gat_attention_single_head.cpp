// The single-head edge passes of the GAT attention kernel (see gat_attention_single_head.h; the
// math is in gat/kernels/gat_attention.h with H = 1, so every [N, H] array is [N]).
//
// Row ranges come from partition_by_work() and are processed by a `parallel for schedule(static,
// 1)` over the ranges, as in gat_attention.cpp: each range has its own slice of a scratch buffer
// allocated before the region, so nothing inside a region allocates or throws.
#include "gat_attention_single_head.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "gat/core/parallel.h"
#include "row_ops.h"

namespace gat::kernels {

void gat_attention_forward_single_head(const Graph& graph, const GatAttentionArgs& args,
                                       const float* x, const float* edge_score, const float* bias,
                                       const float* s_src, const float* s_dst, float* out,
                                       float* lse, float* alpha) {
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const int64_t width = args.channels;
  const float slope = args.negative_slope;
  const EdgeDropout mask(args.dropout, args.dropout_key, 1);
  const int64_t* in_ptr = graph.in_ptr();
  const int32_t* in_src = graph.in_src();
  const int32_t* in_edge = graph.in_edge();
  const int parts = num_threads();
  const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
  // Per range: the row's scores, then exp(e − max), then α' (max_in_degree floats).
  const int64_t scratch_per_part = std::max<int64_t>(graph.max_in_degree(), 1);
  std::vector<float> scratch(static_cast<size_t>(scratch_per_part * parts));

  // Strategy: one thread owns each destination row i and writes only out[i], lse[i] and the α of
  // i's incoming edges (one destination per edge: one writer per alpha entry). Rows are summed in
  // CSR order, so the result does not depend on the thread count.
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    float* w = scratch.data() + part * scratch_per_part;
    for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
      const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
      float* out_i = out + i * width;
      if (degree == 0) {
        write_row_plus_bias(out_i, nullptr, bias, width);
        lse[i] = 0.0f;  // no incoming edge: out is the bias (or 0); any finite lse will do
        continue;
      }
      std::fill(out_i, out_i + width, 0.0f);
      const int32_t* src = in_src + begin;
      const int32_t* eid = in_edge + begin;
      const float sd = s_dst[i];
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < degree; ++k) {
        if (begin + k + kPrefetchDistance < num_slots)
          __builtin_prefetch(s_src + src[k + kPrefetchDistance]);
        const float z = s_src[src[k]] + sd + (edge_score ? edge_score[eid[k]] : 0.0f);
        const float e = leaky_relu(z, slope);
        w[k] = e;
        mx = std::max(mx, e);
      }
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (int64_t k = 0; k < degree; ++k) {
        w[k] = exp_approx(w[k] - mx);
        sum += w[k];
      }
      lse[i] = mx + std::log(sum);  // sum ≥ 1: the max term is exp(0)
      const float inv = 1.0f / sum;
      if (mask.active) {
#pragma omp simd
        for (int64_t k = 0; k < degree; ++k)
          w[k] *= inv * mask.factor(eid[k], 0);
      } else {
#pragma omp simd
        for (int64_t k = 0; k < degree; ++k)
          w[k] *= inv;
      }
      if (alpha)
        for (int64_t k = 0; k < degree; ++k)
          alpha[eid[k]] = w[k];
      for (int64_t k = 0; k < degree; ++k) {
        if (begin + k + kPrefetchDistance < num_slots)
          prefetch_row(x + static_cast<int64_t>(src[k + kPrefetchDistance]) * width, width);
        axpy(out_i, w[k], x + static_cast<int64_t>(src[k]) * width, width);
      }
      if (bias) write_row_plus_bias(out_i, out_i, bias, width);
    }
  }
}

void gat_attention_backward_single_head(const Graph& graph, const GatAttentionArgs& args,
                                        const float* x, const float* att_src, const float* att_dst,
                                        const float* edge_score, const float* s_src,
                                        const float* s_dst, const float* lse, const float* grad_out,
                                        float* grad_x, float* grad_edge_score, float* mean_da,
                                        float* ds_dst, float* ds_src) {
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const int64_t width = args.channels;
  const float slope = args.negative_slope;
  const EdgeDropout mask(args.dropout, args.dropout_key, 1);
  const int parts = num_threads();

  // Pass 1, by destination: α, dα = dα'·m/(1 − p) and LeakyReLU'(z) of the row's edges (a
  // scratch of 3 × max_in_degree per range), then D[i], dz and ds_dst[i].
  {
    const int64_t* in_ptr = graph.in_ptr();
    const int32_t* in_src = graph.in_src();
    const int32_t* in_edge = graph.in_edge();
    const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
    const int64_t row_size = std::max<int64_t>(graph.max_in_degree(), 1);
    std::vector<float> scratch(static_cast<size_t>(3 * row_size * parts));

    // Strategy: one thread owns each destination row i and writes only mean_da[i], ds_dst[i]
    // and the dedge_score of i's incoming edges (one destination per edge).
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      float* a_row = scratch.data() + part * 3 * row_size;
      float* da_row = a_row + row_size;
      float* lg_row = da_row + row_size;
      for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
        const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
        const int32_t* src = in_src + begin;
        const int32_t* eid = in_edge + begin;
        const float* g_i = grad_out + i * width;
        const float sd = s_dst[i], lse_i = lse[i];
        for (int64_t k = 0; k < degree; ++k) {
          if (begin + k + kPrefetchDistance < num_slots) {
            const int64_t next = src[k + kPrefetchDistance];
            prefetch_row(x + next * width, width);
            __builtin_prefetch(s_src + next);
          }
          const int64_t j = src[k];
          const float z = s_src[j] + sd + (edge_score ? edge_score[eid[k]] : 0.0f);
          a_row[k] = score_minus(leaky_relu(z, slope), lse_i);
          lg_row[k] = leaky_relu_grad(z, slope);
          da_row[k] = dot(g_i, x + j * width, width);
        }
        if (mask.active) {
#pragma omp simd
          for (int64_t k = 0; k < degree; ++k)
            da_row[k] *= mask.factor(eid[k], 0);
        }
        float d = 0.0f;
#pragma omp simd reduction(+ : d)
        for (int64_t k = 0; k < degree; ++k) {
          a_row[k] = exp_approx(a_row[k]);
          d += a_row[k] * da_row[k];
        }
        mean_da[i] = d;
        float ds = 0.0f;
        // dz is stored whether or not dedge_score is wanted, as in the generic path: ds_dst must
        // not change in the last bit with the set of gradients requested.
        for (int64_t k = 0; k < degree; ++k) {
          const float dz = a_row[k] * (da_row[k] - d) * lg_row[k];
          da_row[k] = dz;
          ds += dz;
        }
        ds_dst[i] = ds;
        if (grad_edge_score)
          for (int64_t k = 0; k < degree; ++k)
            grad_edge_score[eid[k]] = da_row[k];
      }
    }
  }

  // Pass 2, by source through the reverse index: ds_src[j] = Σ_i dz_ij and
  // dx[j] = Σ_i α'_ij g[i] + ds_src[j]·att_src + ds_dst[j]·att_dst.
  if (!ds_src) return;
  const int64_t* out_ptr = graph.out_ptr();
  const int32_t* out_dst = graph.out_dst();
  const int32_t* out_edge = graph.out_edge();
  const std::vector<int64_t> bounds = partition_by_work(out_ptr, n, parts);

  // Strategy: one thread owns each source row j and writes only dx[j] and ds_src[j]; what edge
  // j → i sends to its source is gathered through the transposed CSR, so there are no atomics
  // and each row sums its edges in a fixed order.
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    for (int64_t j = bounds[part]; j < bounds[part + 1]; ++j) {
      const float* x_j = x + j * width;
      const float ss = s_src[j];
      float* dx_j = grad_x ? grad_x + j * width : nullptr;
      if (dx_j) std::fill(dx_j, dx_j + width, 0.0f);
      float acc = 0.0f;
      for (int64_t slot = out_ptr[j]; slot < out_ptr[j + 1]; ++slot) {
        const int64_t i = out_dst[slot], edge = out_edge[slot];
        const float* g_i = grad_out + i * width;
        if (slot + kPrefetchDistance < num_slots) {
          const int64_t next = out_dst[slot + kPrefetchDistance];
          prefetch_row(grad_out + next * width, width);
          __builtin_prefetch(s_dst + next);
          __builtin_prefetch(lse + next);
          __builtin_prefetch(mean_da + next);
        }
        const float z = ss + s_dst[i] + (edge_score ? edge_score[edge] : 0.0f);
        const float a = exp_approx(score_minus(leaky_relu(z, slope), lse[i]));
        const float m = mask.factor(edge, 0);
        const float da = m * dot(g_i, x_j, width);
        acc += a * (da - mean_da[i]) * leaky_relu_grad(z, slope);
        if (dx_j) axpy(dx_j, a * m, g_i, width);
      }
      ds_src[j] = acc;
      if (!dx_j) continue;
      const float cd = ds_dst[j];
#pragma omp simd
      for (int64_t c = 0; c < width; ++c)
        dx_j[c] += acc * att_src[c] + cd * att_dst[c];
    }
  }
}

}  // namespace gat::kernels
