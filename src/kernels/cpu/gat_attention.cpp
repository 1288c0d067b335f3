// The fused GAT attention kernel: forward in one pass over destination rows, backward in one pass
// by destination and one by source. The math, shapes and strategy are in
// gat/kernels/gat_attention.h.
//
// Row ranges come from partition_by_work() (balanced by edge count) and are processed by a
// `parallel for schedule(static, 1)` over the ranges: with the usual team of num_threads() threads
// thread t takes range t, and if OpenMP grants fewer threads every range is still processed
// exactly once. Each range has its own slice of a scratch buffer allocated before the parallel
// region, so nothing inside a region allocates or throws.
#include "gat/kernels/gat_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "gat/core/tensor.h"
#include "gat_attention_heads8.h"
#include "gat_attention_single_head.h"
#include "row_ops.h"

namespace gat {

namespace {

using kernels::axpy;
using kernels::axpy_fixed;
using kernels::cat16;
using kernels::dot;
using kernels::dot_fixed;
using kernels::exp16;
using kernels::exp8;
using kernels::exp_approx;
using kernels::Fixed;
using kernels::high8;
using kernels::kPrefetchDistance;
using kernels::leaky_relu;
using kernels::leaky_relu16;
using kernels::leaky_relu8;
using kernels::leaky_relu_grad;
using kernels::load16;
using kernels::load8;
using kernels::low8;
using kernels::mask8;
using kernels::max16;
using kernels::max8;
using kernels::prefetch_row;
using kernels::splat16;
using kernels::splat8;
using kernels::store16;
using kernels::store8;
using kernels::V16;
using kernels::V8;

// s_src[n,h] = ⟨att_src[h], x[n,h,:]⟩ and s_dst[n,h] = ⟨att_dst[h], x[n,h,:]⟩.
void node_scores(int64_t n, int64_t heads, int64_t channels, const float* x, const float* att_src,
                 const float* att_dst, float* s_src, float* s_dst) {
  // Strategy: one thread per node; each writes only its own H entries of s_src and s_dst. With
  // eight heads of 8 or 16 channels, a node's eight dots of each kind are one vector
  // (kernels::head_dots8): a stream over x at close to the copy rate instead of 16 scalar
  // reductions per node.
  if (heads == 8 && (channels == 8 || channels == 16)) {
#pragma omp parallel for schedule(static)
    for (int64_t v = 0; v < n; ++v) {
      const float* xv = x + v * 8 * channels;
      const bool c16 = channels == 16;
      store8(s_src + v * 8,
             c16 ? kernels::head_dots8<16>(att_src, xv) : kernels::head_dots8<8>(att_src, xv));
      store8(s_dst + v * 8,
             c16 ? kernels::head_dots8<16>(att_dst, xv) : kernels::head_dots8<8>(att_dst, xv));
    }
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t v = 0; v < n; ++v) {
    for (int64_t h = 0; h < heads; ++h) {
      const float* xv = x + (v * heads + h) * channels;
      s_src[v * heads + h] = dot(att_src + h * channels, xv, channels);
      s_dst[v * heads + h] = dot(att_dst + h * channels, xv, channels);
    }
  }
}

}  // namespace

namespace {

// How many edges ahead the row gather prefetches the source scores of the rows that follow
// (about two rows of the benchmark graph): the score loop's own prefetch, kPrefetchDistance
// ahead, leaves its first loads waiting.
constexpr int64_t kScorePrefetchDistance = 24;

// The forward pass for compile-time head and channel counts kH, kC (0: any, read at run time).
template <int kH, int kC>
void forward_impl(const Graph& graph, const GatAttentionArgs& args, const float* x,
                  const float* edge_score, const float* bias, const float* s_src,
                  const float* s_dst, float* out, float* lse, float* alpha) {
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const Fixed<kH> hd{args.heads};
  const Fixed<kC> ch{args.channels};
  const int64_t heads = hd(), width = hd() * ch();
  const float slope = args.negative_slope;
  const kernels::EdgeDropout mask(args.dropout, args.dropout_key, args.heads);

  const int64_t* in_ptr = graph.in_ptr();
  const int32_t* in_src = graph.in_src();
  const int32_t* in_edge = graph.in_edge();
  const int parts = num_threads();
  const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
  // Per range: the row's scores, then its exp(e − max), then α' (max_in_degree × H), and the
  // row's max and sum per head (2 × H).
  const int64_t scratch_per_part = (graph.max_in_degree() + 2) * heads;
  std::vector<float> scratch(static_cast<size_t>(scratch_per_part * parts));

  // Strategy: one thread owns each destination row i and writes only out[i], lse[i] and the α of
  // i's incoming edges (each edge has exactly one destination, so alpha[e] has one writer); the
  // sources' x and s_src are only read. Rows are summed in CSR order, so the result does not
  // depend on the thread count.
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    float* score = scratch.data() + part * scratch_per_part;
    float* row_max = score + graph.max_in_degree() * heads;
    float* row_sum = row_max + heads;
    for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
      const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
      float* out_i = out + i * width;
      if (degree == 0) {
        // No incoming edge: out is the bias (or 0); any finite lse will do.
        kernels::write_row_plus_bias(out_i, nullptr, bias, width);
        std::fill(lse + i * heads, lse + (i + 1) * heads, 0.0f);
        continue;
      }
      const float* sd_i = s_dst + i * heads;
      [[maybe_unused]] V8 row_inv;  // eight heads: 1 / Σ_j exp(e_ij − max), per head
      if constexpr (kH == 8) {
        // Eight heads: every per-edge head loop is a few vector operations (kernels::V8), two
        // edges at a time where the work is the same for every edge (kernels::V16).
        const V8 sd = load8(sd_i);
        const int32_t* src = in_src + begin;
        const int32_t* eid = in_edge + begin;
        const auto score8 = [&](int64_t k) {
          V8 z = load8(s_src + static_cast<int64_t>(src[k]) * 8) + sd;
          if (edge_score) z += load8(edge_score + static_cast<int64_t>(eid[k]) * 8);
          return z;
        };
        const int64_t pairs_end = degree & ~int64_t{1};
        V16 mx2 = splat16(-std::numeric_limits<float>::infinity());
        for (int64_t k = 0; k < pairs_end; k += 2) {
          if (begin + k + 1 + kPrefetchDistance < num_slots) {
            __builtin_prefetch(s_src + src[k + kPrefetchDistance] * 8);
            __builtin_prefetch(s_src + src[k + 1 + kPrefetchDistance] * 8);
          }
          const V16 e = leaky_relu16(cat16(score8(k), score8(k + 1)), slope);
          store16(score + k * 8, e);
          mx2 = max16(mx2, e);
        }
        V8 mx = max8(low8(mx2), high8(mx2));
        if (pairs_end < degree) {
          const V8 e = leaky_relu8(score8(pairs_end), slope);
          store8(score + pairs_end * 8, e);
          mx = max8(mx, e);
        }
        // The weights stay unnormalised through the gather (w · m, the denominator applied once
        // per row and head at the end), so there is no per-edge normalisation pass. The sum runs
        // edge by edge in CSR order (low half, then high half of each pair).
        const V16 mx16 = cat16(mx, mx);
        V8 sum = splat8(0.0f);
        const auto weigh = [&](auto masked) {
          for (int64_t k = 0; k < pairs_end; k += 2) {
            V16 w = exp16(load16(score + k * 8) - mx16);
            sum += low8(w);
            sum += high8(w);
            if constexpr (decltype(masked)::value)
              w *= cat16(mask8(mask, eid[k]), mask8(mask, eid[k + 1]));
            store16(score + k * 8, w);
          }
          if (pairs_end < degree) {
            V8 w = exp8(load8(score + pairs_end * 8) - mx);
            sum += w;
            if constexpr (decltype(masked)::value) w *= mask8(mask, eid[pairs_end]);
            store8(score + pairs_end * 8, w);
          }
        };
        if (mask.active)
          weigh(std::true_type{});
        else
          weigh(std::false_type{});
        store8(lse + i * 8, mx + kernels::log8(sum));
        row_inv = 1.0f / sum;
        if (alpha)
          for (int64_t k = 0; k < degree; ++k)
            store8(alpha + static_cast<int64_t>(in_edge[begin + k]) * 8,
                   load8(score + k * 8) * row_inv);
      } else {
        // Phase 1: scores e_ij and their max per head.
        std::fill(row_max, row_max + heads, -std::numeric_limits<float>::infinity());
        for (int64_t k = 0; k < degree; ++k) {
          const int64_t j = in_src[begin + k];
          if (begin + k + kPrefetchDistance < num_slots)
            __builtin_prefetch(s_src + in_src[begin + k + kPrefetchDistance] * heads);
          const float* ss_j = s_src + j * heads;
          const float* es =
              edge_score ? edge_score + static_cast<int64_t>(in_edge[begin + k]) * heads : nullptr;
          float* sc = score + k * heads;
          for (int64_t h = 0; h < heads; ++h) {
            const float e = leaky_relu(ss_j[h] + sd_i[h] + (es ? es[h] : 0.0f), slope);
            sc[h] = e;
            row_max[h] = std::max(row_max[h], e);
          }
        }
        // Phase 2: exp(e − max) and the denominator, which is ≥ 1 (the max term is exp(0)).
        std::fill(row_sum, row_sum + heads, 0.0f);
        for (int64_t k = 0; k < degree; ++k) {
          float* sc = score + k * heads;
          for (int64_t h = 0; h < heads; ++h) {
            const float w = exp_approx(sc[h] - row_max[h]);
            sc[h] = w;
            row_sum[h] += w;
          }
        }
        for (int64_t h = 0; h < heads; ++h) {
          lse[i * heads + h] = row_max[h] + std::log(row_sum[h]);
          row_sum[h] = 1.0f / row_sum[h];  // from here on: the reciprocal
        }
        // α' = α · mask, in place, and into the alpha output when asked.
        for (int64_t k = 0; k < degree; ++k) {
          const int64_t edge = in_edge[begin + k];
          float* sc = score + k * heads;
          for (int64_t h = 0; h < heads; ++h)
            sc[h] *= row_sum[h] * mask.factor(edge, h);
          if (alpha) std::copy(sc, sc + heads, alpha + edge * heads);
        }
      }
      // Phase 3: out[i] = Σ_j α'_ij x[j], the row accumulated in registers when its width is
      // known at compile time (eight heads: Σ_j w_ij m_ij x[j], then × 1 / Σ_j w_ij per head).
      if constexpr (kH > 0 && kC > 0) {
        float acc[kH * kC] = {};
        for (int64_t k = 0; k < degree; ++k) {
          const float* x_j = x + static_cast<int64_t>(in_src[begin + k]) * width;
          if (begin + k + kPrefetchDistance < num_slots)
            prefetch_row(x + in_src[begin + k + kPrefetchDistance] * width, width);
          // The next rows' source scores, far enough ahead to arrive before their score loop.
          if (begin + k + kScorePrefetchDistance < num_slots)
            __builtin_prefetch(s_src + in_src[begin + k + kScorePrefetchDistance] * kH);
          const float* a = score + k * kH;
          for (int h = 0; h < kH; ++h) {
#pragma omp simd
            for (int c = 0; c < kC; ++c)
              acc[h * kC + c] += a[h] * x_j[h * kC + c];
          }
        }
        if constexpr (kH == 8) {
          for (int h = 0; h < kH; ++h) {
#pragma omp simd
            for (int c = 0; c < kC; ++c)
              acc[h * kC + c] *= row_inv[h];
          }
        }
        kernels::write_row_plus_bias(out_i, acc, bias, kH * kC);
      } else {
        std::fill(out_i, out_i + width, 0.0f);
        for (int64_t k = 0; k < degree; ++k) {
          const float* x_j = x + static_cast<int64_t>(in_src[begin + k]) * width;
          if (begin + k + kPrefetchDistance < num_slots)
            prefetch_row(x + in_src[begin + k + kPrefetchDistance] * width, width);
          // Every edge is summed, those whose α' is 0 too: 0 · x[j] is NaN for a non-finite
          // x[j], as in PyG's message α' · x_j (gat/nn/gat_conv.h, "Non-finite inputs").
          for (int64_t h = 0; h < heads; ++h)
            axpy_fixed(out_i + h * ch(), score[k * heads + h], x_j + h * ch(), ch);
        }
        if (bias) kernels::write_row_plus_bias(out_i, out_i, bias, width);
      }
    }
  }
}

}  // namespace

void gat_attention_forward(const Graph& graph, const GatAttentionArgs& args, const float* x,
                           const float* att_src, const float* att_dst, const float* edge_score,
                           const float* bias, float* out, float* s_src, float* s_dst, float* lse,
                           float* alpha) {
  node_scores(graph.num_nodes(), args.heads, args.channels, x, att_src, att_dst, s_src, s_dst);
#define GAT_FORWARD(kH, kC) \
  forward_impl<kH, kC>(graph, args, x, edge_score, bias, s_src, s_dst, out, lse, alpha)
  if (args.heads == 1)
    return kernels::gat_attention_forward_single_head(graph, args, x, edge_score, bias, s_src,
                                                      s_dst, out, lse, alpha);
  if (args.heads == 8 && args.channels == 8) return GAT_FORWARD(8, 8);
  if (args.heads == 8 && args.channels == 16) return GAT_FORWARD(8, 16);
  switch (args.channels) {
    case 8:
      return GAT_FORWARD(0, 8);
    case 16:
      return GAT_FORWARD(0, 16);
    case 32:
      return GAT_FORWARD(0, 32);
    case 64:
      return GAT_FORWARD(0, 64);
    default:
      return GAT_FORWARD(0, 0);
  }
#undef GAT_FORWARD
}

namespace {

// The two backward edge passes for a compile-time channel count kC (0: any). Writes mean_da,
// ds_dst, ds_src (when non-empty), grad_x and grad_edge_score (when non-null).
template <int kC>
void backward_impl(const Graph& graph, const GatAttentionArgs& args, const float* x,
                   const float* att_src, const float* att_dst, const float* edge_score,
                   const float* s_src, const float* s_dst, const float* lse, const float* grad_out,
                   float* grad_x, float* grad_edge_score, float* mean_da, float* ds_dst,
                   float* ds_src) {
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const int64_t heads = args.heads, width = heads * args.channels;
  const Fixed<kC> ch{args.channels};
  const float slope = args.negative_slope;
  const kernels::EdgeDropout mask(args.dropout, args.dropout_key, args.heads);
  const int parts = num_threads();

  // Pass 1, by destination: recompute α and dα for the row's edges (kept in a scratch of
  // 3 × max_in_degree × H per range: α, dα and LeakyReLU'), then D, dz, ds_dst and dedge_score.
  {
    const int64_t* in_ptr = graph.in_ptr();
    const int32_t* in_src = graph.in_src();
    const int32_t* in_edge = graph.in_edge();
    const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
    const int64_t row_size = graph.max_in_degree() * heads;
    const int64_t scratch_per_part = 3 * row_size + heads;
    std::vector<float> scratch(static_cast<size_t>(scratch_per_part * parts));

    // Strategy: one thread owns each destination row i and writes only D[i], ds_dst[i] and the
    // dedge_score of i's incoming edges (one destination per edge, so one writer per entry).
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      float* a_row = scratch.data() + part * scratch_per_part;
      float* da_row = a_row + row_size;
      float* lg_row = da_row + row_size;
      float* acc = lg_row + row_size;
      for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
        const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
        const float* g_i = grad_out + i * width;
        const float* sd_i = s_dst + i * heads;
        const float* lse_i = lse + i * heads;
        // The row's e_ij − lse (into a_row), LeakyReLU'(z) and dα.
        for (int64_t k = 0; k < degree; ++k) {
          const int64_t j = in_src[begin + k], edge = in_edge[begin + k];
          const float* x_j = x + j * width;
          if (begin + k + kPrefetchDistance < num_slots) {
            const int64_t next = in_src[begin + k + kPrefetchDistance];
            prefetch_row(x + next * width, width);
            __builtin_prefetch(s_src + next * heads);
          }
          const float* ss_j = s_src + j * heads;
          const float* es = edge_score ? edge_score + edge * heads : nullptr;
          for (int64_t h = 0; h < heads; ++h) {
            const float z = ss_j[h] + sd_i[h] + (es ? es[h] : 0.0f);
            const float m = mask.factor(edge, h);
            // dα = dα' · m / (1 − p), for a dropped edge too: dα' · 0 is NaN for a non-finite
            // x[j], as in PyTorch's dropout backward.
            const float da = m * dot_fixed(g_i + h * ch(), x_j + h * ch(), ch);
            a_row[k * heads + h] = kernels::score_minus(leaky_relu(z, slope), lse_i[h]);
            da_row[k * heads + h] = da;
            lg_row[k * heads + h] = leaky_relu_grad(z, slope);
          }
        }
        // α = exp(e − lse), vectorised over the row, and D = Σ_j α dα.
        std::fill(acc, acc + heads, 0.0f);
        for (int64_t k = 0; k < degree; ++k) {
          float* a_k = a_row + k * heads;
          const float* da_k = da_row + k * heads;
#pragma omp simd
          for (int64_t h = 0; h < heads; ++h) {
            a_k[h] = exp_approx(a_k[h]);
            acc[h] += a_k[h] * da_k[h];
          }
        }
        for (int64_t h = 0; h < heads; ++h) {
          mean_da[i * heads + h] = acc[h];
          acc[h] = 0.0f;  // from here on: ds_dst
        }
        for (int64_t k = 0; k < degree; ++k) {
          for (int64_t h = 0; h < heads; ++h) {
            const int64_t kh = k * heads + h;
            const float dz = a_row[kh] * (da_row[kh] - mean_da[i * heads + h]) * lg_row[kh];
            // dz is stored whether or not dedge_score is wanted: a dz that is only summed could
            // be fused into the sum (FMA), and ds_dst, hence dx and datt_dst, would then change
            // in the last bit with the set of gradients requested.
            da_row[kh] = dz;
            acc[h] += dz;
          }
        }
        for (int64_t h = 0; h < heads; ++h)
          ds_dst[i * heads + h] = acc[h];
        if (grad_edge_score) {
          for (int64_t k = 0; k < degree; ++k) {
            float* ges = grad_edge_score + static_cast<int64_t>(in_edge[begin + k]) * heads;
            std::copy(da_row + k * heads, da_row + (k + 1) * heads, ges);
          }
        }
      }
    }
  }

  // Pass 2, by source through the reverse index: recompute α', dα and dz of j's outgoing edges;
  // sum ds_src[j] and dx[j] = Σ_i α'_ij g[i] + ds_src[j]·att_src + ds_dst[j]·att_dst.
  if (ds_src) {
    const int64_t* out_ptr = graph.out_ptr();
    const int32_t* out_dst = graph.out_dst();
    const int32_t* out_edge = graph.out_edge();
    const std::vector<int64_t> bounds = partition_by_work(out_ptr, n, parts);
    // Per range: ds_src's accumulator and one edge's α, dα and LeakyReLU' per head.
    std::vector<float> scratch(static_cast<size_t>(4 * heads * parts));

    // Strategy: one thread owns each source row j and writes only dx[j] and ds_src[j]; the
    // destinations' g, lse, D and s_dst are only read. The gradient that edge j → i sends to its
    // source is gathered here through the transposed CSR instead of being scattered from row i,
    // so there are no atomics, and each row sums its edges in a fixed order.
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      float* acc = scratch.data() + part * 4 * heads;
      float* a_e = acc + heads;
      float* da_e = a_e + heads;
      float* lg_e = da_e + heads;
      for (int64_t j = bounds[part]; j < bounds[part + 1]; ++j) {
        const float* x_j = x + j * width;
        const float* ss_j = s_src + j * heads;
        float* dx_j = grad_x ? grad_x + j * width : nullptr;
        if (dx_j) std::fill(dx_j, dx_j + width, 0.0f);
        std::fill(acc, acc + heads, 0.0f);
        for (int64_t slot = out_ptr[j]; slot < out_ptr[j + 1]; ++slot) {
          const int64_t i = out_dst[slot], edge = out_edge[slot];
          const float* g_i = grad_out + i * width;
          if (slot + kPrefetchDistance < num_slots) {
            const int64_t next = out_dst[slot + kPrefetchDistance];
            prefetch_row(grad_out + next * width, width);
            __builtin_prefetch(s_dst + next * heads);
            __builtin_prefetch(lse + next * heads);
            __builtin_prefetch(mean_da + next * heads);
          }
          const float* sd_i = s_dst + i * heads;
          const float* lse_i = lse + i * heads;
          const float* es = edge_score ? edge_score + edge * heads : nullptr;
          for (int64_t h = 0; h < heads; ++h) {
            const float z = ss_j[h] + sd_i[h] + (es ? es[h] : 0.0f);
            const float m = mask.factor(edge, h);
            a_e[h] = kernels::score_minus(leaky_relu(z, slope), lse_i[h]);
            lg_e[h] = leaky_relu_grad(z, slope);
            da_e[h] = m * dot_fixed(g_i + h * ch(), x_j + h * ch(), ch);
          }
#pragma omp simd
          for (int64_t h = 0; h < heads; ++h)
            a_e[h] = exp_approx(a_e[h]);
          for (int64_t h = 0; h < heads; ++h) {
            acc[h] += a_e[h] * (da_e[h] - mean_da[i * heads + h]) * lg_e[h];
            const float m = mask.factor(edge, h);
            if (dx_j) axpy_fixed(dx_j + h * ch(), a_e[h] * m, g_i + h * ch(), ch);
          }
        }
        for (int64_t h = 0; h < heads; ++h) {
          ds_src[j * heads + h] = acc[h];
          if (!dx_j) continue;
          float* dx_jh = dx_j + h * ch();
          const float* as = att_src + h * ch();
          const float* ad = att_dst + h * ch();
          const float cs = acc[h], cd = ds_dst[j * heads + h];
#pragma omp simd
          for (int64_t c = 0; c < ch(); ++c)
            dx_jh[c] += cs * as[c] + cd * ad[c];
        }
      }
    }
  }
}

}  // namespace

bool gat_attention_backward_reads_output(const GatAttentionArgs& args) {
  return args.heads == 8 && (args.channels == 8 || args.channels == 16);
}

void gat_attention_backward(const Graph& graph, const GatAttentionArgs& args, const float* x,
                            const float* att_src, const float* att_dst, const float* edge_score,
                            const float* s_src, const float* s_dst, const float* lse,
                            const float* out, const float* bias, const float* grad_out,
                            float* grad_x, float* grad_att_src, float* grad_att_dst,
                            float* grad_edge_score, float* grad_bias) {
  if (!grad_x && !grad_att_src && !grad_att_dst && !grad_edge_score && !grad_bias) return;
  const int64_t n = graph.num_nodes();
  const int64_t heads = args.heads, channels = args.channels, width = heads * channels;

  // O(N·H) temporaries: D[i,h] = Σ_j α_ij dα_ij (mean_da: the α-weighted mean of dα),
  // ds_dst[i,h] = Σ_j dz_ij and ds_src[j,h] = Σ_i dz_ij.
  // The bias gradient alone needs no edge pass.
  const bool need_edges = grad_x || grad_att_src || grad_att_dst || grad_edge_score;
  const bool heads8 = gat_attention_backward_reads_output(args);
  // The eight-head passes compute ds_src whenever they run (it is a by-product of their pass by
  // source).
  const bool need_src = grad_x || grad_att_src || (heads8 && need_edges);
  // Every entry is written before it is read, so the buffers come uninitialised from the
  // tensor allocator (which reuses freed buffers: no page faults or zeroing per step).
  Tensor mean_da_t = need_edges && !heads8 ? Tensor::empty({n, heads}) : Tensor();
  Tensor ds_dst_t = need_edges ? Tensor::empty({n, heads}) : Tensor();
  Tensor ds_src_t = need_src ? Tensor::empty({n, heads}) : Tensor();
  float* ds_dst = need_edges ? ds_dst_t.data() : nullptr;
  float* ds_src = need_src ? ds_src_t.data() : nullptr;
  float* ds_src_ptr = ds_src;
#define GAT_BACKWARD(kC)                                                                       \
  backward_impl<kC>(graph, args, x, att_src, att_dst, edge_score, s_src, s_dst, lse, grad_out, \
                    grad_x, grad_edge_score, mean_da_t.data(), ds_dst, ds_src_ptr)
  if (!need_edges) {
    // Nothing per edge to compute.
  } else if (heads == 1)
    kernels::gat_attention_backward_single_head(graph, args, x, att_src, att_dst, edge_score, s_src,
                                                s_dst, lse, grad_out, grad_x, grad_edge_score,
                                                mean_da_t.data(), ds_dst, ds_src_ptr);
  else if (heads8) {
    // D from the forward's output, then one pass by source that gathers g only, then the dz sums
    // by destination: N × 24 + E × 8 floats of scratch (gat_attention_heads8.h), only while this
    // call runs.
    Tensor node_buf = Tensor::empty({n, kernels::kHeads8NodeFloats});
    Tensor edge_buf = Tensor::empty({graph.num_edges(), kernels::kHeads8EdgeFloats});
    kernels::gat_attention_backward_heads8(graph, args, x, att_src, att_dst, edge_score, s_src,
                                           s_dst, lse, out, bias, grad_out, grad_x, grad_edge_score,
                                           ds_dst, ds_src_ptr, node_buf.data(), edge_buf.data());
  } else
    switch (channels) {
      case 8:
        GAT_BACKWARD(8);
        break;
      case 16:
        GAT_BACKWARD(16);
        break;
      case 32:
        GAT_BACKWARD(32);
        break;
      case 64:
        GAT_BACKWARD(64);
        break;
      default:
        GAT_BACKWARD(0);
        break;
    }
#undef GAT_BACKWARD

  // Parameter gradients: datt_src[h] = Σ_j ds_src[j,h] x[j,h], datt_dst[h] = Σ_i ds_dst[i,h]
  // x[i,h] and dbias = Σ_i g[i], in one deterministic block reduction over the nodes (one read
  // of x and of g).
  const bool want_src = grad_att_src != nullptr, want_dst = grad_att_dst != nullptr;
  const bool want_bias = grad_bias != nullptr;
  if (want_src || want_dst || want_bias) {
    std::vector<float> sums(static_cast<size_t>(3 * width));
    reduce_blocks(n, 3 * width, sums.data(), [&](int64_t begin, int64_t end, float* partial) {
      for (int64_t v = begin; v < end; ++v) {
        if (want_src || want_dst) {
          for (int64_t h = 0; h < heads; ++h) {
            const float* x_vh = x + (v * heads + h) * channels;
            if (want_src) axpy(partial + h * channels, ds_src[v * heads + h], x_vh, channels);
            if (want_dst)
              axpy(partial + width + h * channels, ds_dst[v * heads + h], x_vh, channels);
          }
        }
        if (want_bias) axpy(partial + 2 * width, 1.0f, grad_out + v * width, width);
      }
    });
    if (want_src) std::copy(sums.begin(), sums.begin() + width, grad_att_src);
    if (want_dst) std::copy(sums.begin() + width, sums.begin() + 2 * width, grad_att_dst);
    if (want_bias) std::copy(sums.begin() + 2 * width, sums.end(), grad_bias);
  }
}

}  // namespace gat
