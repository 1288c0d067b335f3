// The fused GATv2 attention kernel: forward in one pass over destination rows, backward in one
// pass by destination and one by source, every per-edge score recomputed where it is needed. The
// math, shapes and strategy are in gat/kernels/gatv2_attention.h.
//
// Row ranges come from partition_by_work() (balanced by edge count) and are processed by a
// `parallel for schedule(static, 1)` over the ranges; if OpenMP grants fewer threads every range
// is still processed exactly once. Each range has its own slice of a scratch buffer allocated
// before the parallel region, so nothing inside a region allocates or throws.
#include "gat/kernels/gatv2_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "gat/core/tensor.h"
#include "row_ops.h"

namespace gat {

namespace {

using kernels::axpy;
using kernels::dot;
using kernels::kPrefetchDistance;
using kernels::leaky_relu;
using kernels::leaky_relu8;
using kernels::leaky_relu_grad;
using kernels::load8;
using kernels::prefetch_row;
using kernels::splat8;
using kernels::store8;
using kernels::V8;

// Work (edges + rows, as partition_by_work counts it) per block of the datt reduction. The
// blocks depend only on the graph, so the summation order of datt never depends on the threads.
constexpr int64_t kDattBlockWork = 4096;

// The row bounds of the datt reduction's work blocks: about kDattBlockWork edges + rows each,
// fixed by the graph alone.
std::vector<int64_t> datt_blocks(const Graph& graph) {
  const int64_t n = graph.num_nodes(), total_work = graph.num_edges() + n;
  const int64_t blocks = std::max<int64_t>(
      1, std::min<int64_t>(n, (total_work + kDattBlockWork - 1) / kDattBlockWork));
  return partition_by_work(graph.in_ptr(), n, static_cast<int>(blocks));
}

// e = Σ_c att[c] · LeakyReLU(xl[c] + xr[c]): one edge's score for one head. Forward and both
// backward passes call this one function, so they see the same value.
inline float edge_score(const float* att, const float* xl_j, const float* xr_i, int64_t n,
                        float slope) {
  float acc = 0.0f;
  for (int64_t c = 0; c < n; ++c)
    acc += att[c] * leaky_relu(xl_j[c] + xr_i[c], slope);
  return acc;
}

// The target side of edge `edge`'s pre-activation: xr[i] alone without edge features, else
// xr[i] + W_e · edge_attr[edge] written into `buf` (width floats). Every pass calls this one
// function, so they all see the same value.
inline const float* edge_target(const float* xr_i, const Gatv2EdgeInputs& edges, int64_t edge,
                                int64_t width, int64_t dim, float* buf) {
  if (!edges.attr) return xr_i;
  const float* a = edges.attr + edge * dim;
  for (int64_t o = 0; o < width; ++o)
    buf[o] = xr_i[o] + dot(edges.weight + o * dim, a, dim);
  return buf;
}

// The eight-head path (H = 8, C = kC a multiple of 8, no edge features): the same passes and
// formulas as the generic code below, with every per-edge head loop a few vector operations
// (kernels::V8) and the destination's or source's row kept in registers.

// e[h] = Σ_c att[h,c] · LeakyReLU(xl_j[h,c] + xr_i[h,c]) for the eight heads.
template <int kC>
inline V8 scores8(const float* att, const float* xl_j, const float* xr_i, float slope) {
  V8 u[8];
  for (int h = 0; h < 8; ++h) {
    V8 acc = splat8(0.0f);
    for (int c = 0; c < kC; c += 8) {
      const int o = h * kC + c;
      acc += load8(att + o) * leaky_relu8(load8(xl_j + o) + load8(xr_i + o), slope);
    }
    u[h] = acc;
  }
  return kernels::reduce_heads8(u);
}

template <int kC>
void forward8(const Graph& graph, const Gatv2AttentionArgs& args, const float* xl, const float* xr,
              const float* att, float* out, float* lse, float* alpha) {
  constexpr int64_t kWidth = 8 * kC;
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const float slope = args.negative_slope;
  const kernels::EdgeDropout mask(args.dropout, args.dropout_key, 8);
  const int64_t* in_ptr = graph.in_ptr();
  const int32_t* in_src = graph.in_src();
  const int32_t* in_edge = graph.in_edge();
  const int parts = num_threads();
  const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
  const int64_t row_size = graph.max_in_degree() * 8;
  std::vector<float> scratch(static_cast<size_t>(row_size * parts));

  // Strategy: as the generic forward (one owner per destination row; rows summed in CSR order).
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    float* score = scratch.data() + part * row_size;
    for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
      const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
      const float* xr_i = xr + i * kWidth;
      float* out_i = out + i * kWidth;
      if (degree == 0) {
        std::fill(out_i, out_i + kWidth, 0.0f);
        std::fill(lse + i * 8, lse + (i + 1) * 8, 0.0f);
        continue;
      }
      V8 mx = splat8(-std::numeric_limits<float>::infinity());
      for (int64_t k = 0; k < degree; ++k) {
        if (begin + k + kPrefetchDistance < num_slots)
          prefetch_row(xl + in_src[begin + k + kPrefetchDistance] * kWidth, kWidth);
        const V8 e =
            scores8<kC>(att, xl + static_cast<int64_t>(in_src[begin + k]) * kWidth, xr_i, slope);
        store8(score + k * 8, e);
        mx = kernels::max8(mx, e);
      }
      V8 sum = splat8(0.0f);
      for (int64_t k = 0; k < degree; ++k) {
        const V8 w = kernels::exp8(load8(score + k * 8) - mx);
        store8(score + k * 8, w);
        sum += w;
      }
      for (int h = 0; h < 8; ++h)
        lse[i * 8 + h] = mx[h] + std::log(sum[h]);
      const V8 inv = 1.0f / sum;
      float acc[kWidth] = {};
      for (int64_t k = 0; k < degree; ++k) {
        const int64_t edge = in_edge[begin + k];
        const float* xl_j = xl + static_cast<int64_t>(in_src[begin + k]) * kWidth;
        V8 a = load8(score + k * 8) * inv;
        if (mask.active) a *= kernels::mask8(mask, edge);
        if (alpha) store8(alpha + edge * 8, a);
        for (int h = 0; h < 8; ++h) {
#pragma omp simd
          for (int c = 0; c < kC; ++c)
            acc[h * kC + c] += a[h] * xl_j[h * kC + c];
        }
      }
      std::copy(acc, acc + kWidth, out_i);
    }
  }
}

template <int kC>
void backward8(const Graph& graph, const Gatv2AttentionArgs& args, const float* xl, const float* xr,
               const float* att, const float* lse, const float* grad_out, float* grad_xl,
               float* grad_xr, float* grad_att) {
  constexpr int64_t kWidth = 8 * kC;
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const float slope = args.negative_slope;
  const kernels::EdgeDropout mask(args.dropout, args.dropout_key, 8);
  const int parts = num_threads();
  Tensor mean_da_t = Tensor::empty({n, 8});  // written in full by pass 1 (see the generic path)
  float* mean_da = mean_da_t.data();

  // Pass 1, by destination (as the generic pass 1: D, dxr[i] and the block's datt partial).
  {
    const int64_t* in_ptr = graph.in_ptr();
    const int32_t* in_src = graph.in_src();
    const int32_t* in_edge = graph.in_edge();
    const std::vector<int64_t> block_bounds = datt_blocks(graph);
    const int64_t blocks = static_cast<int64_t>(block_bounds.size()) - 1;
    std::vector<float> partials(grad_att ? static_cast<size_t>(blocks * kWidth) : 0, 0.0f);
    const int64_t row_size = graph.max_in_degree() * 8;
    std::vector<float> scratch(static_cast<size_t>(2 * row_size * parts));

    // Strategy: as the generic pass 1 (one owner per destination row; datt partials per block
    // fixed by the graph, summed in block order).
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      float* a_row = scratch.data() + part * 2 * row_size;
      float* da_row = a_row + row_size;
      for (int64_t b = part; b < blocks; b += parts) {
        float* datt = grad_att ? partials.data() + b * kWidth : nullptr;
        for (int64_t i = block_bounds[b]; i < block_bounds[b + 1]; ++i) {
          const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
          const float* g_i = grad_out + i * kWidth;
          const float* xr_i = xr + i * kWidth;
          const V8 lse_i = load8(lse + i * 8);
          V8 acc = splat8(0.0f);
          for (int64_t k = 0; k < degree; ++k) {
            const int64_t edge = in_edge[begin + k];
            const float* xl_j = xl + static_cast<int64_t>(in_src[begin + k]) * kWidth;
            if (begin + k + kPrefetchDistance < num_slots)
              prefetch_row(xl + in_src[begin + k + kPrefetchDistance] * kWidth, kWidth);
            const V8 a = kernels::exp8(scores8<kC>(att, xl_j, xr_i, slope) - lse_i);
            V8 da = kernels::head_dots8<kC>(g_i, xl_j);
            if (mask.active) da *= kernels::mask8(mask, edge);
            store8(a_row + k * 8, a);
            store8(da_row + k * 8, da);
            acc += a * da;
          }
          store8(mean_da + i * 8, acc);
          if (!grad_xr && !datt) continue;
          float dxr[kWidth] = {};
          for (int64_t k = 0; k < degree; ++k) {
            const float* xl_j = xl + static_cast<int64_t>(in_src[begin + k]) * kWidth;
            const V8 de = load8(a_row + k * 8) * (load8(da_row + k * 8) - acc);
            for (int h = 0; h < 8; ++h) {
              for (int c = 0; c < kC; c += 8) {
                const int o = h * kC + c;
                const V8 z = load8(xl_j + o) + load8(xr_i + o);
                const V8 dz = de[h] * load8(att + o) * kernels::leaky_relu_grad8(z, slope);
                store8(dxr + o, load8(dxr + o) + dz);
                if (datt) store8(datt + o, load8(datt + o) + de[h] * leaky_relu8(z, slope));
              }
            }
          }
          if (grad_xr) std::copy(dxr, dxr + kWidth, grad_xr + i * kWidth);
        }
      }
    }
    if (grad_att) {
      std::fill(grad_att, grad_att + kWidth, 0.0f);
      for (int64_t b = 0; b < blocks; ++b)
        for (int64_t k = 0; k < kWidth; ++k)
          grad_att[k] += partials[b * kWidth + k];
    }
  }

  // Pass 2, by source through the reverse index (as the generic pass 2).
  if (grad_xl) {
    const int64_t* out_ptr = graph.out_ptr();
    const int32_t* out_dst = graph.out_dst();
    const int32_t* out_edge = graph.out_edge();
    const std::vector<int64_t> bounds = partition_by_work(out_ptr, n, parts);

    // Strategy: as the generic pass 2 (one owner per source row, gathered, no atomics).
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      for (int64_t j = bounds[part]; j < bounds[part + 1]; ++j) {
        const float* xl_j = xl + j * kWidth;
        float dxl[kWidth] = {};
        for (int64_t slot = out_ptr[j]; slot < out_ptr[j + 1]; ++slot) {
          const int64_t i = out_dst[slot], edge = out_edge[slot];
          const float* g_i = grad_out + i * kWidth;
          const float* xr_i = xr + i * kWidth;
          if (slot + kPrefetchDistance < num_slots) {
            const int64_t next = out_dst[slot + kPrefetchDistance];
            prefetch_row(grad_out + next * kWidth, kWidth);
            prefetch_row(xr + next * kWidth, kWidth);
            __builtin_prefetch(lse + next * 8);
            __builtin_prefetch(mean_da + next * 8);
          }
          const V8 a = kernels::exp8(scores8<kC>(att, xl_j, xr_i, slope) - load8(lse + i * 8));
          V8 da = kernels::head_dots8<kC>(g_i, xl_j);
          V8 am = a;
          if (mask.active) {
            const V8 m = kernels::mask8(mask, edge);
            da *= m;
            am *= m;
          }
          const V8 de = a * (da - load8(mean_da + i * 8));
          for (int h = 0; h < 8; ++h) {
            for (int c = 0; c < kC; c += 8) {
              const int o = h * kC + c;
              const V8 z = load8(xl_j + o) + load8(xr_i + o);
              store8(dxl + o, load8(dxl + o) + am[h] * load8(g_i + o) +
                                  de[h] * load8(att + o) * kernels::leaky_relu_grad8(z, slope));
            }
          }
        }
        std::copy(dxl, dxl + kWidth, grad_xl + j * kWidth);
      }
    }
  }
}

}  // namespace

void gatv2_attention_forward(const Graph& graph, const Gatv2AttentionArgs& args, const float* xl,
                             const float* xr, const float* att, const Gatv2EdgeInputs& edges,
                             float* out, float* lse, float* alpha) {
  if (args.heads == 8 && !edges.attr) {
    if (args.channels == 8) return forward8<8>(graph, args, xl, xr, att, out, lse, alpha);
    if (args.channels == 16) return forward8<16>(graph, args, xl, xr, att, out, lse, alpha);
  }
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const int64_t heads = args.heads, channels = args.channels, width = heads * channels;
  const float slope = args.negative_slope;
  const kernels::EdgeDropout mask(args.dropout, args.dropout_key, args.heads);

  const int64_t* in_ptr = graph.in_ptr();
  const int32_t* in_src = graph.in_src();
  const int32_t* in_edge = graph.in_edge();
  const int parts = num_threads();
  const std::vector<int64_t> bounds = partition_by_work(in_ptr, n, parts);
  // Per range: the row's scores, then its exp(e − max) (max_in_degree × H), the row's max and sum
  // per head (2 × H), and one edge's target side with its edge term (width).
  const int64_t dim = edges.attr ? args.edge_dim : 0;
  const int64_t scratch_per_part = (graph.max_in_degree() + 2) * heads + width;
  std::vector<float> scratch(static_cast<size_t>(scratch_per_part * parts));

  // Strategy: one thread owns each destination row i and writes only out[i], lse[i] and the α of
  // i's incoming edges (one destination per edge, so alpha[e] has one writer); xl, xr and att are
  // only read. Rows are summed in CSR order, so the result does not depend on the thread count.
#pragma omp parallel for schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    float* score = scratch.data() + part * scratch_per_part;
    float* row_max = score + graph.max_in_degree() * heads;
    float* row_sum = row_max + heads;
    float* target_buf = row_sum + heads;
    for (int64_t i = bounds[part]; i < bounds[part + 1]; ++i) {
      const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
      const float* xr_i = xr + i * width;
      float* out_i = out + i * width;
      std::fill(out_i, out_i + width, 0.0f);
      if (degree == 0) {
        // No incoming edge: out stays 0 (the layer adds its bias later); any finite lse will do.
        std::fill(lse + i * heads, lse + (i + 1) * heads, 0.0f);
        continue;
      }
      // Phase 1: scores e_ij (O(C) each) and their max per head.
      std::fill(row_max, row_max + heads, -std::numeric_limits<float>::infinity());
      for (int64_t k = 0; k < degree; ++k) {
        const float* xl_j = xl + static_cast<int64_t>(in_src[begin + k]) * width;
        if (begin + k + kPrefetchDistance < num_slots)
          prefetch_row(xl + in_src[begin + k + kPrefetchDistance] * width, width);
        const float* t_ij = edge_target(xr_i, edges, in_edge[begin + k], width, dim, target_buf);
        for (int64_t h = 0; h < heads; ++h) {
          const int64_t o = h * channels;
          const float e = edge_score(att + o, xl_j + o, t_ij + o, channels, slope);
          score[k * heads + h] = e;
          row_max[h] = std::max(row_max[h], e);
        }
      }
      // Phase 2: exp(e − max) and the denominator, which is ≥ 1 (the max term is exp(0)).
      std::fill(row_sum, row_sum + heads, 0.0f);
      for (int64_t k = 0; k < degree; ++k) {
        for (int64_t h = 0; h < heads; ++h) {
          const float w = std::exp(score[k * heads + h] - row_max[h]);
          score[k * heads + h] = w;
          row_sum[h] += w;
        }
      }
      for (int64_t h = 0; h < heads; ++h) {
        lse[i * heads + h] = row_max[h] + std::log(row_sum[h]);
        row_sum[h] = 1.0f / row_sum[h];  // from here on: the reciprocal
      }
      // Phase 3: out[i] = Σ_j α'_ij xl[j] (the rows were just read in phase 1: still cached for
      // ordinary degrees).
      for (int64_t k = 0; k < degree; ++k) {
        const int64_t j = in_src[begin + k], edge = in_edge[begin + k];
        const float* xl_j = xl + j * width;
        for (int64_t h = 0; h < heads; ++h) {
          const float a = score[k * heads + h] * row_sum[h] * mask.factor(edge, h);
          if (alpha) alpha[edge * heads + h] = a;
          // Summed when α' is 0 too: 0 · xl[j] is NaN for a non-finite xl[j], as in PyG's message
          // α' · x_j (gat/nn/gatv2_conv.h, "Non-finite inputs").
          axpy(out_i + h * channels, a, xl_j + h * channels, channels);
        }
      }
    }
  }
}

void gatv2_attention_backward(const Graph& graph, const Gatv2AttentionArgs& args, const float* xl,
                              const float* xr, const float* att, const Gatv2EdgeInputs& edges,
                              const float* lse, const float* grad_out, float* grad_xl,
                              float* grad_xr, float* grad_att, float* grad_edge_attr,
                              float* grad_edge_weight) {
  const int64_t dim = edges.attr ? args.edge_dim : 0;
  if (!edges.attr) grad_edge_attr = grad_edge_weight = nullptr;
  if (!grad_xl && !grad_xr && !grad_att && !grad_edge_attr && !grad_edge_weight) return;
  if (args.heads == 8 && !edges.attr) {
    if (args.channels == 8)
      return backward8<8>(graph, args, xl, xr, att, lse, grad_out, grad_xl, grad_xr, grad_att);
    if (args.channels == 16)
      return backward8<16>(graph, args, xl, xr, att, lse, grad_out, grad_xl, grad_xr, grad_att);
  }
  const int64_t n = graph.num_nodes(), num_slots = graph.num_edges();
  const int64_t heads = args.heads, channels = args.channels, width = heads * channels;
  const float slope = args.negative_slope;
  const kernels::EdgeDropout mask(args.dropout, args.dropout_key, args.heads);
  const int parts = num_threads();

  // D[i,h] = Σ_j α_ij dα_ij (the α-weighted mean of dα): O(N·H), read by pass 2.
  Tensor mean_da_t = Tensor::empty({n, heads});  // written in full by pass 1
  float* mean_da = mean_da_t.data();

  // Pass 1, by destination, over work blocks fixed by the graph (not by the thread count):
  // recompute α and dα for the row's edges (scratch of 2 × max_in_degree × H per range), then D,
  // de, dxr[i] and the block's partial datt.
  {
    const int64_t* in_ptr = graph.in_ptr();
    const int32_t* in_src = graph.in_src();
    const int32_t* in_edge = graph.in_edge();
    const std::vector<int64_t> block_bounds = datt_blocks(graph);
    const int64_t blocks = static_cast<int64_t>(block_bounds.size()) - 1;
    std::vector<float> partials(grad_att ? static_cast<size_t>(blocks * width) : 0, 0.0f);
    std::vector<float> w_partials(grad_edge_weight ? static_cast<size_t>(blocks * width * dim) : 0,
                                  0.0f);
    const int64_t row_size = graph.max_in_degree() * heads;
    // Per range: α and dα of the row's edges, D per head, and one edge's target side and dz.
    const int64_t scratch_per_part = 2 * row_size + heads + 2 * width;
    std::vector<float> scratch(static_cast<size_t>(scratch_per_part * parts));

    // Strategy: one thread owns each destination row i and writes only D[i] and dxr[i]; the
    // blocks are dealt to the threads cyclically, and each block writes only its own datt partial,
    // which is summed in block order below, so datt is bitwise the same for any thread count.
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      float* a_row = scratch.data() + part * scratch_per_part;
      float* da_row = a_row + row_size;
      float* acc = da_row + row_size;
      float* target_buf = acc + heads;
      float* dz = target_buf + width;
      for (int64_t b = part; b < blocks; b += parts) {
        float* datt = grad_att ? partials.data() + b * width : nullptr;
        float* dw = grad_edge_weight ? w_partials.data() + b * width * dim : nullptr;
        for (int64_t i = block_bounds[b]; i < block_bounds[b + 1]; ++i) {
          const int64_t begin = in_ptr[i], degree = in_ptr[i + 1] - begin;
          const float* g_i = grad_out + i * width;
          const float* xr_i = xr + i * width;
          float* dxr_i = grad_xr ? grad_xr + i * width : nullptr;
          if (dxr_i) std::fill(dxr_i, dxr_i + width, 0.0f);
          std::fill(acc, acc + heads, 0.0f);
          for (int64_t k = 0; k < degree; ++k) {
            const int64_t edge = in_edge[begin + k];
            const float* xl_j = xl + static_cast<int64_t>(in_src[begin + k]) * width;
            if (begin + k + kPrefetchDistance < num_slots)
              prefetch_row(xl + in_src[begin + k + kPrefetchDistance] * width, width);
            const float* t_ij = edge_target(xr_i, edges, edge, width, dim, target_buf);
            for (int64_t h = 0; h < heads; ++h) {
              const int64_t o = h * channels;
              const float e = edge_score(att + o, xl_j + o, t_ij + o, channels, slope);
              const float a = std::exp(e - lse[i * heads + h]);
              const float m = mask.factor(edge, h);
              // dα = dα' · m / (1 − p), for a dropped edge too: dα' · 0 is NaN for a non-finite
              // xl[j], as in PyTorch's dropout backward.
              const float da = m * dot(g_i + o, xl_j + o, channels);
              a_row[k * heads + h] = a;
              da_row[k * heads + h] = da;
              acc[h] += a * da;
            }
          }
          for (int64_t h = 0; h < heads; ++h)
            mean_da[i * heads + h] = acc[h];
          const bool edge_grads = grad_edge_attr || dw;
          if (!dxr_i && !datt && !edge_grads) continue;
          // de_ij, then per channel dz = de · att · LeakyReLU'(z) into dxr[i] (and the edge's
          // features and W_e) and de · LeakyReLU(z) into datt (z recomputed: nothing of size C is
          // kept per edge).
          for (int64_t k = 0; k < degree; ++k) {
            const int64_t edge = in_edge[begin + k];
            const float* xl_j = xl + static_cast<int64_t>(in_src[begin + k]) * width;
            const float* t_ij = edge_target(xr_i, edges, edge, width, dim, target_buf);
            for (int64_t h = 0; h < heads; ++h) {
              const int64_t kh = k * heads + h, o = h * channels;
              const float de = a_row[kh] * (da_row[kh] - acc[h]);
              for (int64_t c = 0; c < channels; ++c) {
                const float z = xl_j[o + c] + t_ij[o + c];
                const float dz_c = de * att[o + c] * leaky_relu_grad(z, slope);
                if (dxr_i) dxr_i[o + c] += dz_c;
                if (edge_grads) dz[o + c] = dz_c;
                if (datt) datt[o + c] += de * leaky_relu(z, slope);
              }
            }
            if (!edge_grads) continue;
            // The edge term W_e · a_e: da_e = W_eᵀ dz (this row owns the edge), dW_e += dz a_eᵀ.
            const float* a_e = edges.attr + edge * dim;
            if (grad_edge_attr) {
              float* ga = grad_edge_attr + edge * dim;
              std::fill(ga, ga + dim, 0.0f);
              for (int64_t o = 0; o < width; ++o)
                axpy(ga, dz[o], edges.weight + o * dim, dim);
            }
            if (dw)
              for (int64_t o = 0; o < width; ++o)
                axpy(dw + o * dim, dz[o], a_e, dim);
          }
        }
      }
    }
    if (grad_att) {
      std::fill(grad_att, grad_att + width, 0.0f);
      for (int64_t b = 0; b < blocks; ++b)
        for (int64_t k = 0; k < width; ++k)
          grad_att[k] += partials[b * width + k];
    }
    if (grad_edge_weight) {
      std::fill(grad_edge_weight, grad_edge_weight + width * dim, 0.0f);
      for (int64_t b = 0; b < blocks; ++b)
        for (int64_t k = 0; k < width * dim; ++k)
          grad_edge_weight[k] += w_partials[b * width * dim + k];
    }
  }

  // Pass 2, by source through the reverse index: recompute α', dα and de of j's outgoing edges
  // and sum dxl[j] = Σ_i (α'_ij g[i] + de_ij · att · LeakyReLU'(z_ij)).
  if (grad_xl) {
    const int64_t* out_ptr = graph.out_ptr();
    const int32_t* out_dst = graph.out_dst();
    const int32_t* out_edge = graph.out_edge();
    const std::vector<int64_t> bounds = partition_by_work(out_ptr, n, parts);

    // Strategy: one thread owns each source row j and writes only dxl[j]; the destinations' g,
    // xr, lse and D are only read. The gradient that edge j → i sends to its source is gathered
    // here through the transposed CSR instead of being scattered from row i, so there are no
    // atomics, and each row sums its edges in a fixed order.
    std::vector<float> scratch(static_cast<size_t>(width * parts));
#pragma omp parallel for schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
      float* target_buf = scratch.data() + part * width;
      for (int64_t j = bounds[part]; j < bounds[part + 1]; ++j) {
        const float* xl_j = xl + j * width;
        float* dxl_j = grad_xl + j * width;
        std::fill(dxl_j, dxl_j + width, 0.0f);
        for (int64_t slot = out_ptr[j]; slot < out_ptr[j + 1]; ++slot) {
          const int64_t i = out_dst[slot], edge = out_edge[slot];
          const float* g_i = grad_out + i * width;
          const float* xr_i = xr + i * width;
          if (slot + kPrefetchDistance < num_slots) {
            const int64_t next = out_dst[slot + kPrefetchDistance];
            prefetch_row(grad_out + next * width, width);
            prefetch_row(xr + next * width, width);
            __builtin_prefetch(lse + next * heads);
            __builtin_prefetch(mean_da + next * heads);
          }
          const float* t_ij = edge_target(xr_i, edges, edge, width, dim, target_buf);
          for (int64_t h = 0; h < heads; ++h) {
            const int64_t o = h * channels;
            const float e = edge_score(att + o, xl_j + o, t_ij + o, channels, slope);
            const float a = std::exp(e - lse[i * heads + h]);
            const float m = mask.factor(edge, h);
            const float da = m * dot(g_i + o, xl_j + o, channels);
            const float de = a * (da - mean_da[i * heads + h]);
            const float am = a * m;
            for (int64_t c = 0; c < channels; ++c) {
              const float z = xl_j[o + c] + t_ij[o + c];
              dxl_j[o + c] += am * g_i[o + c] + de * att[o + c] * leaky_relu_grad(z, slope);
            }
          }
        }
      }
    }
  }
}

}  // namespace gat
