// tests/testing/fixtures.h — random inputs shared by the tests: tensors, and graphs that contain
// the awkward cases on purpose (isolated nodes, duplicate edges, existing self-loops).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gat/core/rng.h"
#include "gat/core/tensor.h"
#include "gat/graph/graph.h"

namespace gat::testing {

/// Uniform entries in [lo, hi).
inline Tensor random_tensor(const Shape& shape, Generator& gen, float lo = -1.0f, float hi = 1.0f) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data()[i] = gen.uniform(lo, hi);
  return t;
}

struct EdgeList {
  int64_t num_nodes = 0;
  std::vector<int64_t> src, dst;
  Graph graph() const { return Graph::from_edges(num_nodes, src, dst); }
};

/// A random directed graph on n nodes with about e random edges among the first n − isolated
/// nodes (the last `isolated` nodes get no edge at all), plus `duplicates` repeated edges and
/// `self_loops` self-loops, shuffled.
inline EdgeList random_edges(int64_t n, int64_t e, Generator& gen, int64_t isolated = 1,
                             int64_t duplicates = 2, int64_t self_loops = 2) {
  EdgeList g;
  g.num_nodes = n;
  const int64_t m = n - isolated;
  if (m <= 0) return g;
  for (int64_t k = 0; k < e; ++k) {
    int64_t s = static_cast<int64_t>(gen.below(m)), t = static_cast<int64_t>(gen.below(m));
    if (s == t) t = (t + 1) % m;
    if (m == 1) break;
    g.src.push_back(s);
    g.dst.push_back(t);
  }
  for (int64_t k = 0; k < duplicates && !g.src.empty(); ++k) {
    size_t pick = gen.below(g.src.size());
    g.src.push_back(g.src[pick]);
    g.dst.push_back(g.dst[pick]);
  }
  for (int64_t k = 0; k < self_loops; ++k) {
    int64_t v = static_cast<int64_t>(gen.below(m));
    g.src.push_back(v);
    g.dst.push_back(v);
  }
  // Fisher–Yates shuffle so that loops and duplicates are not all at the end.
  for (size_t k = g.src.size(); k > 1; --k) {
    size_t j = gen.below(k);
    std::swap(g.src[k - 1], g.src[j]);
    std::swap(g.dst[k - 1], g.dst[j]);
  }
  return g;
}

/// A uniformly random permutation of 0 .. n−1 (Fisher–Yates from the back, drawing from gen).
inline std::vector<int64_t> random_permutation(int64_t n, Generator& gen) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t v = 0; v < n; ++v)
    perm[v] = v;
  for (int64_t k = n - 1; k > 0; --k)
    std::swap(perm[k], perm[gen.below(k + 1)]);
  return perm;
}

/// The same edges with node v renamed perm[v].
inline EdgeList renumber_nodes(const EdgeList& edges, const std::vector<int64_t>& perm) {
  EdgeList out = edges;
  for (auto& s : out.src)
    s = perm[s];
  for (auto& d : out.dst)
    d = perm[d];
  return out;
}

/// Row v of x [N, F] moved to row perm[v].
inline Tensor permute_rows(const Tensor& x, const std::vector<int64_t>& perm) {
  Tensor out = Tensor::empty(x.shape());
  const int64_t width = x.numel() / x.size(0);
  for (int64_t v = 0; v < x.size(0); ++v)
    std::copy(x.data() + v * width, x.data() + (v + 1) * width, out.data() + perm[v] * width);
  return out;
}

/// max_k |a_k − ref_k| / max(max_k |ref_k|, floor): the relative error the reference tests bound.
inline double max_relative_error(const float* a, const std::vector<double>& ref,
                                 double floor = 1e-12) {
  double diff = 0, scale = floor;
  for (size_t k = 0; k < ref.size(); ++k) {
    diff = std::max(diff, std::abs(static_cast<double>(a[k]) - ref[k]));
    scale = std::max(scale, std::abs(ref[k]));
  }
  return diff / scale;
}

}  // namespace gat::testing
