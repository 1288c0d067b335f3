#include "gat/data/synthetic.h"

#include <algorithm>
#include <utility>

#include "gat/core/error.h"

namespace gat {

NodeTask planted_topics(const PlantedTopicsOptions& o, Generator& gen) {
  const char* where = "planted_topics";
  check_arg(o.num_classes >= 2, where, "num_classes must be at least 2, got ", o.num_classes);
  check_arg(o.num_nodes >= 20 * o.num_classes, where, "num_nodes must be at least ",
            20 * o.num_classes, " (20 training nodes per class), got ", o.num_nodes);
  check_arg(o.num_features >= o.num_classes, where, "num_features (", o.num_features,
            ") must be at least num_classes (", o.num_classes, ")");
  check_arg(o.degree >= 0 && o.words_per_node >= 1, where,
            "degree must be non-negative and words_per_node positive");
  check_arg(o.homophily >= 0 && o.homophily <= 1 && o.signal >= 0 && o.signal <= 1, where,
            "homophily and signal must be in [0, 1]");
  const int64_t n = o.num_nodes, k = o.num_classes, f = o.num_features;

  NodeTask task;
  task.name = "planted_topics";
  task.num_classes = k;
  task.labels.resize(n);
  std::vector<std::vector<int64_t>> members(k);
  for (int64_t i = 0; i < n; ++i) {
    task.labels[i] = static_cast<int32_t>(gen.below(k));
    members[task.labels[i]].push_back(i);
  }
  for (int64_t c = 0; c < k; ++c)
    if (members[c].empty()) {  // make sure every class exists
      task.labels[c] = static_cast<int32_t>(c);
      members[c].push_back(c);
    }

  // Undirected edges, duplicates and self-loops removed.
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t d = 0; d < o.degree; ++d) {
      const auto& same = members[task.labels[i]];
      int64_t j = gen.uniform() < o.homophily ? same[gen.below(same.size())]
                                              : static_cast<int64_t>(gen.below(n));
      if (j == i) continue;
      pairs.emplace_back(i, j);
      pairs.emplace_back(j, i);
    }
  std::sort(pairs.begin(), pairs.end(),
            [](auto a, auto b) { return std::make_pair(a.second, a.first) < std::make_pair(b.second, b.first); });
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<int64_t> src, dst;
  for (auto [s, t] : pairs) {
    src.push_back(s);
    dst.push_back(t);
  }
  task.graph = Graph::from_edges(n, src, dst);

  // Bag-of-words features, row-normalised.
  task.features = Tensor::zeros({n, f});
  const int64_t topic = f / k;
  for (int64_t i = 0; i < n; ++i) {
    float* row = task.features.data() + i * f;
    for (int64_t w = 0; w < o.words_per_node; ++w) {
      int64_t word = gen.uniform() < o.signal
                         ? task.labels[i] * topic + static_cast<int64_t>(gen.below(topic))
                         : static_cast<int64_t>(gen.below(f));
      row[word] = 1.0f;
    }
    float s = 0;
    for (int64_t c = 0; c < f; ++c) s += row[c];
    for (int64_t c = 0; c < f; ++c) row[c] /= s;
  }

  // Planetoid-style split: the first 20 nodes of each class train, then 500 val, 1000 test.
  std::vector<int64_t> per_class(k, 0);
  std::vector<char> used(n, 0);
  for (int64_t i = 0; i < n; ++i)
    if (per_class[task.labels[i]] < 20) {
      ++per_class[task.labels[i]];
      task.train.push_back(i);
      used[i] = 1;
    }
  std::vector<int64_t> rest;
  for (int64_t i = 0; i < n; ++i)
    if (!used[i]) rest.push_back(i);
  const int64_t n_val = std::min<int64_t>(500, static_cast<int64_t>(rest.size()) / 3);
  const int64_t n_test = std::min<int64_t>(1000, static_cast<int64_t>(rest.size()) - n_val);
  task.val.assign(rest.begin(), rest.begin() + n_val);
  task.test.assign(rest.begin() + n_val, rest.begin() + n_val + n_test);
  return task;
}

}  // namespace gat
