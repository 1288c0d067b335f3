// tests/testing/reference_gatv2.h — the slow, obviously correct GATv2 attention in double
// precision that the GATv2 op and layer tests compare against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace gat::testing {

struct DenseResult {
  std::vector<double> out;    // [N, H, C]
  std::vector<double> alpha;  // [E, H], after dropout
};

// GATv2 attention over the edge list, in double, straight from the definition: per edge and
// head e = Σ_c att·LeakyReLU(xl[j] + xr[i] + edge_term[e]); softmax over each destination's
// edges (max subtracted); α' = α · scale[e,h] (scale empty: 1); out[i] = Σ α' xl[j].
// edge_term [E, H·C] is PyG's lin_edge(edge_attr), formed in full here (empty: none).
inline DenseResult dense_gatv2(int64_t n, const std::vector<int32_t>& src,
                               const std::vector<int32_t>& dst,
                        const std::vector<double>& xl, const std::vector<double>& xr,
                        const std::vector<double>& att, int64_t heads, int64_t channels,
                        double slope, const std::vector<double>& scale = {},
                        const std::vector<double>& edge_term = {}) {
  const int64_t e = static_cast<int64_t>(src.size()), w = heads * channels;
  std::vector<double> score(e * heads), mx(n * heads, -INFINITY), sum(n * heads, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < heads; ++h) {
      double s = 0;
      for (int64_t c = 0; c < channels; ++c) {
        double z = xl[src[f] * w + h * channels + c] + xr[dst[f] * w + h * channels + c];
        if (!edge_term.empty()) z += edge_term[f * w + h * channels + c];
        s += att[h * channels + c] * (z > 0 ? z : slope * z);
      }
      score[f * heads + h] = s;
      mx[dst[f] * heads + h] = std::max(mx[dst[f] * heads + h], s);
    }
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < heads; ++h)
      sum[dst[f] * heads + h] += std::exp(score[f * heads + h] - mx[dst[f] * heads + h]);
  DenseResult r;
  r.out.assign(n * w, 0.0);
  r.alpha.assign(e * heads, 0.0);
  for (int64_t f = 0; f < e; ++f)
    for (int64_t h = 0; h < heads; ++h) {
      const int64_t ih = dst[f] * heads + h;
      double a = std::exp(score[f * heads + h] - mx[ih]) / sum[ih];
      if (!scale.empty()) a *= scale[f * heads + h];
      r.alpha[f * heads + h] = a;
      for (int64_t c = 0; c < channels; ++c)
        r.out[dst[f] * w + h * channels + c] += a * xl[src[f] * w + h * channels + c];
    }
  return r;
}

}  // namespace gat::testing
