// The eight-head backward edge passes of the GAT attention kernel (see gat_attention_heads8.h;
// the math is in gat/kernels/gat_attention.h with H = 8).
//
// Row ranges come from partition_by_work() and are processed by a `parallel for schedule(static,
// 1)` over the ranges, as in gat_attention.cpp; scratch is allocated before each region.
#include "gat_attention_heads8.h"

#include <algorithm>
#include <vector>

#include "gat/core/parallel.h"
#include "row_ops.h"

namespace gat::kernels {

namespace {

// One edge's record: α' in floats 0–7, dz in 8–15 (one 64-byte line of the 64-byte-aligned
// buffer). Plain stores: non-temporal ones measured 3 % slower on the whole backward here.
inline void store_record(float* at, V8 alpha_dropped, V8 dz) {
  store8(at, alpha_dropped);
  store8(at + 8, dz);
}

template <int kC>
void backward_impl(const Graph& graph, const GatAttentionArgs& args, const float* x,
                   const float* att_src, const float* att_dst, const float* edge_score,
                   const float* s_src, const float* s_dst, const float* lse, const float* grad_out,
                   float* grad_x, float* grad_edge_score, float* mean_da, float* ds_dst,
                   float* ds_src, float* records) {
  constexpr int64_t kWidth = 8 * kC;
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const float slope = args.negative_slope;
  const EdgeDropout mask(args.dropout, args.dropout_key, 8);
  const int parts = num_threads();

  // Pass 1, by destination: α, dα and LeakyReLU'(z) of the row's edges (a scratch of
  // 3 × max_in_degree × 8 per range), then D, dz and ds_dst; each edge's α' and dz go to its
  // record when pass 2 will run.
  {
    const int64_t* in_ptr = graph.in_ptr();
    const int32_t* in_src = graph.in_src();
    const int32_t* in_edge = graph.in_edge();
    const int32_t* in_to_out = graph.in_to_out();
    const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
    const int64_t row_size = graph.max_in_degree() * 8;
    std::vector<float> scratch(static_cast<size_t>(3 * row_size * parts));

    // Strategy: one thread owns each destination row i and writes only mean_da[i], ds_dst[i],
    // and the dedge_score and record of i's incoming edges (each edge has one destination, so
    // one writer per record).
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      float* a_row = scratch.data() + part * 3 * row_size;
      float* da_row = a_row + row_size;
      float* lg_row = da_row + row_size;
      for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
        const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
        const float* g_i = grad_out + i * kWidth;
        const V8 sd = load8(s_dst + i * 8), lse_i = load8(lse + i * 8);
        V8 acc = splat8(0.0f);
        for (int64_t k = 0; k < degree; ++k) {
          const int64_t j = in_src[begin + k], edge = in_edge[begin + k];
          const float* x_j = x + j * kWidth;
          if (begin + k + kPrefetchDistance < num_slots) {
            const int64_t next = in_src[begin + k + kPrefetchDistance];
            prefetch_row(x + next * kWidth, kWidth);
            __builtin_prefetch(s_src + next * 8);
            // The record this edge's successor will write lies at a random slot: fetch its line
            // for writing now, so the store does not wait for the line to arrive.
            if (records)
              __builtin_prefetch(
                  records + static_cast<int64_t>(in_to_out[begin + k + kPrefetchDistance]) * 16, 1);
          }
          V8 z = load8(s_src + j * 8) + sd;
          if (edge_score) z += load8(edge_score + edge * 8);
          V8 da = head_dots8<kC>(g_i, x_j);
          if (mask.active) da *= mask8(mask, edge);  // dα = dα' · m / (1 − p)
          const V8 a = exp8(leaky_relu8(z, slope) - lse_i);
          store8(a_row + k * 8, a);
          store8(da_row + k * 8, da);
          store8(lg_row + k * 8, leaky_relu_grad8(z, slope));
          acc += a * da;
        }
        store8(mean_da + i * 8, acc);
        V8 ds = splat8(0.0f);
        for (int64_t k = 0; k < degree; ++k) {
          const V8 a = load8(a_row + k * 8);
          const V8 dz = a * (load8(da_row + k * 8) - acc) * load8(lg_row + k * 8);
          // dz is stored whether or not dedge_score is wanted: a dz that is only summed could be
          // fused into the sum (FMA), and ds_dst would then change in the last bit with the set
          // of gradients requested.
          store8(da_row + k * 8, dz);
          ds += dz;
          if (records) {
            const V8 am = mask.active ? a * mask8(mask, in_edge[begin + k]) : a;
            store_record(records + static_cast<int64_t>(in_to_out[begin + k]) * 16, am, dz);
          }
        }
        store8(ds_dst + i * 8, ds);
        if (grad_edge_score)
          for (int64_t k = 0; k < degree; ++k)
            std::copy(da_row + k * 8, da_row + (k + 1) * 8,
                      grad_edge_score + static_cast<int64_t>(in_edge[begin + k]) * 8);
      }
    }
  }

  // Pass 2, by source through the reverse index: ds_src[j] = Σ_i dz_ij and
  // dx[j] = Σ_i α'_ij g[i] + ds_src[j]·att_src + ds_dst[j]·att_dst, from the records (read in
  // order) and the gathered g[i].
  if (!ds_src) return;
  const int64_t* out_ptr = graph.out_ptr();
  const int32_t* out_dst = graph.out_dst();
  const std::vector<int64_t> bounds = partition_by_work(out_ptr, n, parts);

  // Strategy: one thread owns each source row j and writes only dx[j] and ds_src[j]; what edge
  // j → i sends to its source is gathered through the transposed CSR, so there are no atomics
  // and each row sums its edges in a fixed order.
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    for (int64_t j = bounds[part]; j < bounds[part + 1]; ++j) {
      V8 acc = splat8(0.0f);
      float dx[kWidth] = {};
      for (int64_t slot = out_ptr[j]; slot < out_ptr[j + 1]; ++slot) {
        const float* record = records + slot * 16;
        acc += load8(record + 8);
        if (!grad_x) continue;
        if (slot + kPrefetchDistance < num_slots)
          prefetch_row(grad_out + out_dst[slot + kPrefetchDistance] * kWidth, kWidth);
        const float* g_i = grad_out + static_cast<int64_t>(out_dst[slot]) * kWidth;
        const V8 am = load8(record);
        for (int h = 0; h < 8; ++h) {
#pragma omp simd
          for (int c = 0; c < kC; ++c)
            dx[h * kC + c] += am[h] * g_i[h * kC + c];
        }
      }
      store8(ds_src + j * 8, acc);
      if (!grad_x) continue;
      const V8 cd = load8(ds_dst + j * 8);
      float* dx_j = grad_x + j * kWidth;
      for (int h = 0; h < 8; ++h) {
#pragma omp simd
        for (int c = 0; c < kC; ++c)
          dx_j[h * kC + c] =
              dx[h * kC + c] + acc[h] * att_src[h * kC + c] + cd[h] * att_dst[h * kC + c];
      }
    }
  }
}

}  // namespace

void gat_attention_backward_heads8(const Graph& graph, const GatAttentionArgs& args, const float* x,
                                   const float* att_src, const float* att_dst,
                                   const float* edge_score, const float* s_src, const float* s_dst,
                                   const float* lse, const float* grad_out, float* grad_x,
                                   float* grad_edge_score, float* mean_da, float* ds_dst,
                                   float* ds_src, float* records) {
  if (args.channels == 8)
    backward_impl<8>(graph, args, x, att_src, att_dst, edge_score, s_src, s_dst, lse, grad_out,
                     grad_x, grad_edge_score, mean_da, ds_dst, ds_src, records);
  else
    backward_impl<16>(graph, args, x, att_src, att_dst, edge_score, s_src, s_dst, lse, grad_out,
                      grad_x, grad_edge_score, mean_da, ds_dst, ds_src, records);
}

}  // namespace gat::kernels
