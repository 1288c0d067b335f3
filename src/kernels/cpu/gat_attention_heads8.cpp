// The eight-head backward passes of the GAT attention kernel (see gat_attention_heads8.h; the
// math is in gat/kernels/gat_attention.h with H = 8).
//
// Row ranges come from partition_by_work() and are processed by a `parallel for schedule(static,
// 1)` over the ranges, as in gat_attention.cpp. Every sum runs in a fixed CSR order, so the
// results do not depend on the thread count.
#include "gat_attention_heads8.h"

#include <vector>

#include "gat/core/parallel.h"
#include "row_ops.h"

namespace gat::kernels {

namespace {

template <int kC>
void backward_impl(const Graph& graph, const GatAttentionArgs& args, const float* x,
                   const float* att_src, const float* att_dst, const float* edge_score,
                   const float* s_src, const float* s_dst, const float* lse, const float* out,
                   const float* bias, const float* grad_out, float* grad_x,
                   float* grad_edge_score, float* ds_dst, float* ds_src, float* node_buf,
                   float* edge_buf) {
  constexpr int64_t kWidth = 8 * kC;
  constexpr int64_t kNode = kHeads8NodeFloats;
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const float slope = args.negative_slope;
  const EdgeDropout mask(args.dropout, args.dropout_key, 8);
  const int parts = num_threads();

  // Pass A, per node: node_buf[i] = (s_dst[i], lse[i], D[i]) with D[i] = ⟨g_i, out_i − bias⟩ per
  // head (= Σ_j α'_ij ⟨g_i, x_j⟩ = Σ_j α_ij dα_ij).
  // Strategy: one thread per node; each writes only its own node_buf row.
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float* o = out + i * kWidth;
    float row[kWidth];
    for (int64_t c = 0; c < kWidth; ++c)
      row[c] = bias ? o[c] - bias[c] : o[c];
    float* info = node_buf + i * kNode;
    store8(info, load8(s_dst + i * 8));
    store8(info + 8, load8(lse + i * 8));
    store8(info + 16, head_dots8<kC>(grad_out + i * kWidth, row));
  }

  // Pass B, by source through the reverse index: for edge j → i, α = exp(LeakyReLU(z) − lse_i),
  // dα = ⟨g_i, x_j⟩·m/(1 − p), dz = α (dα − D_i) LeakyReLU'(z); ds_src[j] = Σ_i dz and
  // dx[j] = Σ_i α'_ij g_i + ds_src[j]·att_src (pass C adds ds_dst[j]·att_dst).
  const int64_t* out_ptr = graph.out_ptr();
  const int32_t* out_dst = graph.out_dst();
  const int32_t* out_edge = graph.out_edge();
  {
    const std::vector<int64_t> bounds = partition_by_work(out_ptr, n, parts);
    // Strategy: one thread owns each source row j and writes only dx[j], ds_src[j], and the dz
    // (edge_buf slot, dedge_score) of j's outgoing edges; g_i and node_buf[i] are only read.
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      for (int64_t j = bounds[part]; j < bounds[part + 1]; ++j) {
        const float* x_j = x + j * kWidth;
        const V8 ss = load8(s_src + j * 8);
        V8 acc = splat8(0.0f);
        float dx[kWidth] = {};
        for (int64_t slot = out_ptr[j]; slot < out_ptr[j + 1]; ++slot) {
          if (slot + kPrefetchDistance < num_slots) {
            const int64_t next = out_dst[slot + kPrefetchDistance];
            prefetch_row(grad_out + next * kWidth, kWidth);
            // A 96-byte node record spans at most two lines.
            __builtin_prefetch(node_buf + next * kNode);
            __builtin_prefetch(node_buf + next * kNode + kNode - 1);
          }
          const int64_t i = out_dst[slot], edge = out_edge[slot];
          const float* info = node_buf + i * kNode;
          const float* g_i = grad_out + i * kWidth;
          V8 z = ss + load8(info);
          if (edge_score) z += load8(edge_score + edge * 8);
          const V8 a = exp8(leaky_relu8(z, slope) - load8(info + 8));
          V8 da = head_dots8<kC>(g_i, x_j);
          V8 am = a;
          if (mask.active) {
            const V8 m = mask8(mask, edge);  // dα = dα' · m / (1 − p), α' = α · m / (1 − p)
            da *= m;
            am *= m;
          }
          const V8 dz = a * (da - load8(info + 16)) * leaky_relu_grad8(z, slope);
          acc += dz;
          store8(edge_buf + slot * 8, dz);
          if (grad_edge_score) store8(grad_edge_score + edge * 8, dz);
          if (!grad_x) continue;
          for (int h = 0; h < 8; ++h) {
#pragma omp simd
            for (int c = 0; c < kC; ++c)
              dx[h * kC + c] += am[h] * g_i[h * kC + c];
          }
        }
        store8(ds_src + j * 8, acc);
        if (!grad_x) continue;
        float* dx_j = grad_x + j * kWidth;
        for (int h = 0; h < 8; ++h) {
#pragma omp simd
          for (int c = 0; c < kC; ++c)
            dx_j[h * kC + c] = dx[h * kC + c] + acc[h] * att_src[h * kC + c];
        }
      }
    }
  }

  // Pass C, by destination: ds_dst[i] = Σ_j dz_ij (the edge_buf slots of i's in-edges) and
  // dx[i] += ds_dst[i]·att_dst.
  const int64_t* in_ptr = graph.in_ptr();
  const int32_t* in_to_out = graph.in_to_out();
  const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
  // Strategy: one thread owns each destination row i and writes only ds_dst[i] and dx[i].
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
      V8 ds = splat8(0.0f);
      for (int64_t s = in_ptr[i]; s < in_ptr[i + 1]; ++s) {
        if (s + kPrefetchDistance < num_slots)
          __builtin_prefetch(edge_buf + static_cast<int64_t>(in_to_out[s + kPrefetchDistance]) * 8);
        ds += load8(edge_buf + static_cast<int64_t>(in_to_out[s]) * 8);
      }
      store8(ds_dst + i * 8, ds);
      if (!grad_x) continue;
      float* dx_i = grad_x + i * kWidth;
      for (int h = 0; h < 8; ++h) {
#pragma omp simd
        for (int c = 0; c < kC; ++c)
          dx_i[h * kC + c] += ds[h] * att_dst[h * kC + c];
      }
    }
  }
}

}  // namespace

void gat_attention_backward_heads8(const Graph& graph, const GatAttentionArgs& args, const float* x,
                                   const float* att_src, const float* att_dst,
                                   const float* edge_score, const float* s_src, const float* s_dst,
                                   const float* lse, const float* out, const float* bias,
                                   const float* grad_out, float* grad_x, float* grad_edge_score,
                                   float* ds_dst, float* ds_src, float* node_buf, float* edge_buf) {
  if (args.channels == 8)
    backward_impl<8>(graph, args, x, att_src, att_dst, edge_score, s_src, s_dst, lse, out, bias,
                     grad_out, grad_x, grad_edge_score, ds_dst, ds_src, node_buf, edge_buf);
  else
    backward_impl<16>(graph, args, x, att_src, att_dst, edge_score, s_src, s_dst, lse, out, bias,
                      grad_out, grad_x, grad_edge_score, ds_dst, ds_src, node_buf, edge_buf);
}

}  // namespace gat::kernels
