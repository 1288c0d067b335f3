#include "gat/graph/generate.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gat/core/error.h"

namespace gat {

Graph power_law_graph(int64_t num_nodes, int64_t num_edges, Generator& gen, double s) {
  const char* where = "power_law_graph";
  check_arg(num_nodes >= 0 && num_edges >= 0, where, "sizes must be non-negative, got ",
            num_nodes, " nodes and ", num_edges, " edges");
  check_arg(num_edges <= num_nodes * std::max<int64_t>(num_nodes - 1, 0), where, num_edges,
            " distinct edges do not fit in ", num_nodes, " nodes");
  check_arg(num_nodes <= Graph::kMaxIndex && num_edges <= Graph::kMaxIndex, where,
            "sizes exceed the graph limit ", Graph::kMaxIndex);
  if (num_edges == 0) return Graph::from_edges(num_nodes, {}, {});
  const int64_t n = num_nodes;
  // Cumulative popularity, over a random permutation of the ids so hubs are spread out.
  std::vector<double> cdf(n);
  double total = 0;
  for (int64_t k = 0; k < n; ++k) cdf[k] = (total += std::pow(static_cast<double>(k + 1), -s));
  for (double& c : cdf) c /= total;
  std::vector<int64_t> perm(n);
  for (int64_t k = 0; k < n; ++k) perm[k] = k;
  for (int64_t k = n - 1; k > 0; --k) std::swap(perm[k], perm[gen.below(k + 1)]);

  std::vector<int64_t> keys;  // src * n + dst, distinct
  double over = 1.15;
  while (true) {
    const int64_t m = static_cast<int64_t>(std::ceil(static_cast<double>(num_edges) * over));
    keys.clear();
    keys.reserve(m);
    for (int64_t k = 0; k < m; ++k) {
      const double u = static_cast<double>(gen.next_u64() >> 11) * (1.0 / 9007199254740992.0);
      int64_t r = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
      const int64_t src = perm[std::min(r, n - 1)];
      const int64_t dst = static_cast<int64_t>(gen.below(n));
      if (src != dst) keys.push_back(src * n + dst);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (static_cast<int64_t>(keys.size()) >= num_edges) break;
    over *= 1.3;
  }
  // Keep a uniformly random subset of exactly num_edges (partial Fisher–Yates), then order the
  // edges by (target, source) as gen_graph.py does.
  for (int64_t k = 0; k < num_edges; ++k)
    std::swap(keys[k], keys[k + gen.below(keys.size() - k)]);
  keys.resize(num_edges);
  std::sort(keys.begin(), keys.end(), [n](int64_t a, int64_t b) {
    return std::make_pair(a % n, a / n) < std::make_pair(b % n, b / n);
  });
  std::vector<int64_t> src(num_edges), dst(num_edges);
  for (int64_t k = 0; k < num_edges; ++k) {
    src[k] = keys[k] / n;
    dst[k] = keys[k] % n;
  }
  return Graph::from_edges(n, src, dst);
}

}  // namespace gat
