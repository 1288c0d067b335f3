// tests/testing/reference.h — slow, obviously correct references in double precision.
//
// They work on dense N × N matrices and plain edge lists, never on gat's CSR, so a kernel bug in
// the index structures cannot hide in the reference too. Duplicate edges are separate edges of
// the softmax, as in PyG: each copy of j → i adds its own term to i's denominator.
//
//   dense_gat_attention   out[i,h,:] = Σ_{e: j→i} α_e x[j,h,:] (the op gat::gat_attention)
//   dense_gat_conv        PyG's GATConv layer (linear map, self-loops, attention, heads, bias)
//   numeric_gradient      central differences of any double → double function
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace gat::testing {

/// The result of dense_gat_attention: out [N, H, C] and alpha [E, H] in edge order.
struct DenseAttention {
  std::vector<double> out;
  std::vector<double> alpha;
};

/// GAT attention and aggregation (Veličković et al., 2018), per head hd:
///   s_src[j] = ⟨att_src[hd], x[j,hd,:]⟩, s_dst[i] = ⟨att_dst[hd], x[i,hd,:]⟩
///   score_e = LeakyReLU(s_src[src_e] + s_dst[dst_e] + edge_score[e,hd])
///   α_e = exp(score_e) / Σ_{f: dst_f = dst_e} exp(score_f),   α'_e = α_e · alpha_scale[e,hd]
///   out[i,hd,:] = Σ_j A[i][j] x[j,hd,:] with the dense matrix A[i][j] = Σ_{e: j→i} α'_e
/// A node without incoming edges gets out = 0. edge_score and alpha_scale ([E, H], the latter
/// e.g. dropout's mask / (1 − p)) are optional: empty means 0 and 1.
/// Shapes: x [N, H, C]; att_src, att_dst [H, C]; src, dst [E].
inline DenseAttention dense_gat_attention(
    int64_t num_nodes, const std::vector<int64_t>& src, const std::vector<int64_t>& dst,
    const std::vector<double>& x, const std::vector<double>& att_src,
    const std::vector<double>& att_dst, int64_t heads, int64_t channels, double negative_slope,
    const std::vector<double>& edge_score = {}, const std::vector<double>& alpha_scale = {}) {
  const int64_t n = num_nodes, hn = heads, c = channels, e = static_cast<int64_t>(src.size());
  auto xv = [&](int64_t node, int64_t hd, int64_t k) { return x[(node * hn + hd) * c + k]; };
  DenseAttention r;
  r.out.assign(static_cast<size_t>(n * hn * c), 0.0);
  r.alpha.assign(static_cast<size_t>(e * hn), 0.0);
  for (int64_t hd = 0; hd < hn; ++hd) {
    std::vector<double> s_src(n, 0.0), s_dst(n, 0.0);
    for (int64_t v = 0; v < n; ++v)
      for (int64_t k = 0; k < c; ++k) {
        s_src[v] += att_src[hd * c + k] * xv(v, hd, k);
        s_dst[v] += att_dst[hd * c + k] * xv(v, hd, k);
      }
    std::vector<double> score(e);
    std::vector<double> row_max(n, -std::numeric_limits<double>::infinity());
    for (int64_t f = 0; f < e; ++f) {
      double z = s_src[src[f]] + s_dst[dst[f]];
      if (!edge_score.empty()) z += edge_score[f * hn + hd];
      score[f] = z > 0 ? z : negative_slope * z;
      row_max[dst[f]] = std::max(row_max[dst[f]], score[f]);
    }
    // Softmax over each destination's edges (the max subtracted only to avoid overflow).
    std::vector<double> denom(n, 0.0);
    for (int64_t f = 0; f < e; ++f)
      denom[dst[f]] += std::exp(score[f] - row_max[dst[f]]);
    std::vector<double> a(static_cast<size_t>(n * n), 0.0);  // A[i][j], row-major
    for (int64_t f = 0; f < e; ++f) {
      double alpha = std::exp(score[f] - row_max[dst[f]]) / denom[dst[f]];
      if (!alpha_scale.empty()) alpha *= alpha_scale[f * hn + hd];
      r.alpha[f * hn + hd] = alpha;
      a[dst[f] * n + src[f]] += alpha;
    }
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t k = 0; k < c; ++k)
          r.out[(i * hn + hd) * c + k] += a[i * n + j] * xv(j, hd, k);
  }
  return r;
}

/// The inputs of dense_gat_conv, in PyG's GATConv terms: in_channels F, heads H, out_channels C.
struct DenseGatConvParams {
  int64_t N = 0;  // nodes
  int64_t F = 0;  // input features
  int64_t H = 1;  // heads
  int64_t C = 0;  // channels per head
  bool concat = true;
  double negative_slope = 0.2;
  bool add_self_loops = true;
  std::vector<double> x;        // [N, F]
  std::vector<double> W;        // [H·C, F], lin.weight (PyG's lin has no bias)
  std::vector<double> att_src;  // [H, C] (PyG's [1, H, C])
  std::vector<double> att_dst;  // [H, C]
  std::vector<double> bias;     // [H·C] if concat else [C]; empty = no bias
};

/// The result of dense_gat_conv: out [N, H·C] (concat) or [N, C] (mean over heads), and alpha
/// [E', H] over the edge list actually used (src, dst: after the self-loop handling).
struct DenseGatConv {
  std::vector<double> out;
  std::vector<double> alpha;
  std::vector<int64_t> src, dst;
};

/// PyG's GATConv in eval mode: h = x Wᵀ viewed as [N, H, C]; with add_self_loops, existing
/// self-loops are removed and one loop per node is appended after the other edges (PyG's
/// remove_self_loops + add_self_loops); attention as dense_gat_attention; heads concatenated or
/// averaged; then + bias.
inline DenseGatConv dense_gat_conv(const DenseGatConvParams& p, const std::vector<int64_t>& src,
                                   const std::vector<int64_t>& dst) {
  DenseGatConv r;
  if (p.add_self_loops) {
    for (size_t f = 0; f < src.size(); ++f) {
      if (src[f] == dst[f]) continue;
      r.src.push_back(src[f]);
      r.dst.push_back(dst[f]);
    }
    for (int64_t v = 0; v < p.N; ++v) {
      r.src.push_back(v);
      r.dst.push_back(v);
    }
  } else {
    r.src = src;
    r.dst = dst;
  }
  const int64_t width = p.H * p.C;
  std::vector<double> h(static_cast<size_t>(p.N * width), 0.0);
  for (int64_t v = 0; v < p.N; ++v)
    for (int64_t o = 0; o < width; ++o)
      for (int64_t k = 0; k < p.F; ++k)
        h[v * width + o] += p.x[v * p.F + k] * p.W[o * p.F + k];
  DenseAttention att =
      dense_gat_attention(p.N, r.src, r.dst, h, p.att_src, p.att_dst, p.H, p.C, p.negative_slope);
  r.alpha = std::move(att.alpha);
  const int64_t out_width = p.concat ? width : p.C;
  r.out.assign(static_cast<size_t>(p.N * out_width), 0.0);
  for (int64_t v = 0; v < p.N; ++v) {
    for (int64_t hd = 0; hd < p.H; ++hd) {
      for (int64_t k = 0; k < p.C; ++k) {
        const double y = att.out[(v * p.H + hd) * p.C + k];
        if (p.concat)
          r.out[v * out_width + hd * p.C + k] = y;
        else
          r.out[v * out_width + k] += y / static_cast<double>(p.H);
      }
    }
    if (!p.bias.empty())
      for (int64_t o = 0; o < out_width; ++o)
        r.out[v * out_width + o] += p.bias[o];
  }
  return r;
}

/// y = x Wᵀ + b in double: x [rows, in], w [out, in] (torch.nn.Linear's layout), b [out] or empty
/// (no bias) → y [rows, out].
inline std::vector<double> dense_linear(const std::vector<double>& x, const std::vector<double>& w,
                                        const std::vector<double>& b, int64_t rows, int64_t in,
                                        int64_t out) {
  std::vector<double> y(static_cast<size_t>(rows * out), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double s = b.empty() ? 0.0 : b[o];
      for (int64_t k = 0; k < in; ++k) s += x[r * in + k] * w[o * in + k];
      y[r * out + o] = s;
    }
  return y;
}

/// ∂f/∂at[k] for every k by central differences, (f(at + h e_k) − f(at − h e_k)) divided by the
/// distance actually stepped (at[k] ± h rounded). f must be smooth within h of `at`.
inline std::vector<double> numeric_gradient(
    const std::function<double(const std::vector<double>&)>& f, std::vector<double> at,
    double h = 1e-6) {
  std::vector<double> grad(at.size());
  for (size_t k = 0; k < at.size(); ++k) {
    const double orig = at[k], plus = orig + h, minus = orig - h;
    at[k] = plus;
    const double fp = f(at);
    at[k] = minus;
    const double fm = f(at);
    at[k] = orig;
    grad[k] = (fp - fm) / (plus - minus);
  }
  return grad;
}

}  // namespace gat::testing
