// CPU kernels of gat/kernels/segment_attention_pool.h; the parallel strategy is described there.
#include "gat/kernels/segment_attention_pool.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gat/core/parallel.h"

namespace gat {

namespace {

// One range per thread when the work is large enough to pay for a parallel region, else one.
int pool_parts(int64_t num_nodes, int64_t channels) {
  return num_nodes * std::max<int64_t>(channels, 1) >= kParallelMinElements ? num_threads() : 1;
}

// ⟨a, b⟩ over n floats, summed in double in index order.
double dot(const float* a, const float* b, int64_t n) {
  double d = 0.0;
  for (int64_t c = 0; c < n; ++c)
    d += static_cast<double>(a[c]) * b[c];
  return d;
}

}  // namespace

void segment_attention_pool_forward(int64_t num_graphs, int64_t channels, const int64_t* ptr,
                                    const float* gate, const float* f, float* out, double* lse) {
  if (num_graphs == 0) return;
  const int parts = pool_parts(ptr[num_graphs], channels);
  const std::vector<int64_t> bounds = partition_by_work(ptr, num_graphs, parts);
  std::vector<double> scratch(static_cast<size_t>(parts * channels));

#pragma omp parallel for schedule(static, 1) if (parallel : parts > 1)
  for (int part = 0; part < parts; ++part) {
    double* acc = scratch.data() + part * channels;
    for (int64_t b = bounds[part]; b < bounds[part + 1]; ++b) {
      const int64_t begin = ptr[b], end = ptr[b + 1];
      float* out_b = out + b * channels;
      if (begin == end) {  // no nodes: r_b = 0, never NaN
        std::fill(out_b, out_b + channels, 0.0f);
        lse[b] = 0.0;
        continue;
      }
      double m = gate[begin];
      for (int64_t i = begin + 1; i < end; ++i)
        m = std::max(m, static_cast<double>(gate[i]));
      // Every term is in (0, 1] and the max contributes 1: s ∈ [1, n], no overflow, log finite.
      double s = 0.0;
      for (int64_t i = begin; i < end; ++i)
        s += std::exp(gate[i] - m);
      const double log_s = std::log(s);
      lse[b] = m + log_s;
      std::fill(acc, acc + channels, 0.0);
      for (int64_t i = begin; i < end; ++i) {
        // (gate − m) − log s rather than gate − lse: exact for large gates.
        const double alpha = std::exp((gate[i] - m) - log_s);
        const float* f_i = f + i * channels;
        for (int64_t c = 0; c < channels; ++c)
          acc[c] += alpha * f_i[c];
      }
      for (int64_t c = 0; c < channels; ++c)
        out_b[c] = static_cast<float>(acc[c]);
    }
  }
}

void segment_attention_pool_backward(int64_t num_graphs, int64_t channels, const int64_t* ptr,
                                     const float* gate, const float* f, const double* lse,
                                     const float* dout, float* dgate, float* df) {
  if (num_graphs == 0) return;
  const int parts = pool_parts(ptr[num_graphs], channels);
  const std::vector<int64_t> bounds = partition_by_work(ptr, num_graphs, parts);

#pragma omp parallel for schedule(static, 1) if (parallel : parts > 1)
  for (int part = 0; part < parts; ++part) {
    for (int64_t b = bounds[part]; b < bounds[part + 1]; ++b) {
      const int64_t begin = ptr[b], end = ptr[b + 1];
      const float* g_b = dout + b * channels;
      // Rows of a graph are written by this thread only. d_i is recomputed in the second pass
      // rather than stored in float: d_i − Σ cancels when the attention is concentrated.
      double weighted = 0.0;
      for (int64_t i = begin; i < end; ++i) {
        const double alpha = std::exp(gate[i] - lse[b]);
        if (dgate) weighted += alpha * dot(g_b, f + i * channels, channels);
        if (df) {
          float* df_i = df + i * channels;
          const float a = static_cast<float>(alpha);
          for (int64_t c = 0; c < channels; ++c)
            df_i[c] = a * g_b[c];
        }
      }
      if (!dgate) continue;
      for (int64_t i = begin; i < end; ++i) {
        const double alpha = std::exp(gate[i] - lse[b]);
        dgate[i] = static_cast<float>(alpha * (dot(g_b, f + i * channels, channels) - weighted));
      }
    }
  }
}

}  // namespace gat
