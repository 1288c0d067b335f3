#include "gat/data/graph_task.h"

#include <algorithm>
#include <utility>

#include "gat/core/error.h"

namespace gat {

namespace {

// In-place Fisher–Yates shuffle driven by gen, so the order is the same on every machine.
template <typename T>
void shuffle(std::vector<T>& v, Generator& gen) {
  for (size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[gen.below(i)]);
}

// A uniform element of v (not empty).
int64_t pick(const std::vector<int64_t>& v, Generator& gen) {
  GAT_ASSERT(!v.empty());
  return v[gen.below(v.size())];
}

}  // namespace

GraphTask marker_neighbour_task(const MarkerNeighbourOptions& o, Generator& gen) {
  const char* where = "marker_neighbour_task";
  check_arg(o.num_graphs >= 10, where,
            "num_graphs must be at least 10 (every split needs a graph), got ", o.num_graphs);
  check_arg(o.red_nodes >= 1, where, "red_nodes must be at least 1, got ", o.red_nodes);
  check_arg(o.min_nodes >= o.red_nodes + 3, where,
            "min_nodes must be at least red_nodes + 3 = ", o.red_nodes + 3, ", got ", o.min_nodes);
  check_arg(o.max_nodes >= o.min_nodes, where, "max_nodes (", o.max_nodes,
            ") must be at least min_nodes (", o.min_nodes, ")");
  check_arg(o.max_nodes <= 100000, where, "max_nodes must be at most 100000, got ", o.max_nodes);
  check_arg(o.num_colours >= 2, where, "num_colours must be at least 2, got ", o.num_colours);
  check_arg(o.extra_edges >= 0.0f && o.extra_edges <= 10.0f, where,
            "extra_edges must be in [0, 10], got ", o.extra_edges);
  const int64_t num_graphs = o.num_graphs, colours = o.num_colours, f = colours + 1;

  GraphTask task;
  task.name = "marker_neighbour";
  task.num_classes = 2;
  task.labels.resize(num_graphs);
  for (int64_t g = 0; g < num_graphs; ++g)
    task.labels[g] = static_cast<int32_t>(g % 2);
  shuffle(task.labels, gen);

  task.node_ptr.assign(1, 0);
  task.edge_ptr.assign(1, 0);
  std::vector<float> feats;
  for (int64_t g = 0; g < num_graphs; ++g) {
    const int64_t n = o.min_nodes + static_cast<int64_t>(gen.below(o.max_nodes - o.min_nodes + 1));
    // Undirected edges as (target, source) pairs, both directions, then sorted and deduplicated.
    std::vector<std::pair<int64_t, int64_t>> pairs;
    auto add_edge = [&](int64_t a, int64_t b) {
      pairs.emplace_back(a, b);
      pairs.emplace_back(b, a);
    };
    for (int64_t i = 1; i < n; ++i)
      add_edge(i, static_cast<int64_t>(gen.below(i)));
    const int64_t extra = static_cast<int64_t>(static_cast<float>(n) * o.extra_edges);
    for (int64_t k = 0; k < extra; ++k) {
      const int64_t a = static_cast<int64_t>(gen.below(n)), b = static_cast<int64_t>(gen.below(n));
      if (a != b) add_edge(a, b);
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    std::vector<std::vector<int64_t>> neighbours(n);
    for (auto [t, s] : pairs) {
      neighbours[t].push_back(s);
      task.src.push_back(s);
      task.dst.push_back(t);
    }

    // The marker: any node with enough non-neighbours for a label-0 placement of the red nodes
    // (a leaf always qualifies, as min_nodes ≥ red_nodes + 3).
    std::vector<int64_t> candidates;
    for (int64_t i = 0; i < n; ++i)
      if (n - 1 - static_cast<int64_t>(neighbours[i].size()) >= o.red_nodes)
        candidates.push_back(i);
    const int64_t marker = pick(candidates, gen);
    std::vector<char> is_neighbour(n, 0);
    for (int64_t j : neighbours[marker])
      is_neighbour[j] = 1;

    // Colours: −1 = not yet coloured; the marker has none.
    std::vector<int64_t> colour(n, -1);
    auto place_red = [&](bool neighbours_allowed, bool others_allowed) {
      std::vector<int64_t> free;
      for (int64_t i = 0; i < n; ++i)
        if (i != marker && colour[i] < 0 && (is_neighbour[i] ? neighbours_allowed : others_allowed))
          free.push_back(i);
      colour[pick(free, gen)] = 0;
    };
    const bool positive = task.labels[g] == 1;
    for (int64_t r = 0; r < o.red_nodes; ++r) {
      if (positive)
        place_red(/*neighbours_allowed=*/true, /*others_allowed=*/r > 0);
      else
        place_red(/*neighbours_allowed=*/false, /*others_allowed=*/true);
    }
    for (int64_t i = 0; i < n; ++i) {
      if (i != marker && colour[i] < 0)
        colour[i] = 1 + static_cast<int64_t>(gen.below(colours - 1));
      for (int64_t c = 0; c < colours; ++c)
        feats.push_back(colour[i] == c ? 1.0f : 0.0f);
      feats.push_back(i == marker ? 1.0f : 0.0f);
    }
    task.node_ptr.push_back(task.node_ptr.back() + n);
    task.edge_ptr.push_back(static_cast<int64_t>(task.src.size()));
  }
  task.features = Tensor::from_vector({task.node_ptr.back(), f}, feats);

  std::vector<int64_t> order(num_graphs);
  for (int64_t g = 0; g < num_graphs; ++g)
    order[g] = g;
  shuffle(order, gen);
  const int64_t n_train = num_graphs * 6 / 10, n_val = num_graphs * 2 / 10;
  task.train.assign(order.begin(), order.begin() + n_train);
  task.val.assign(order.begin() + n_train, order.begin() + n_train + n_val);
  task.test.assign(order.begin() + n_train + n_val, order.end());
  return task;
}

GraphBatch make_graph_batch(const GraphTask& task, const std::vector<int64_t>& graph_ids) {
  const char* where = "make_graph_batch";
  check_arg(!graph_ids.empty(), where, "graph_ids is empty");
  for (size_t b = 0; b < graph_ids.size(); ++b)
    check_arg(graph_ids[b] >= 0 && graph_ids[b] < task.num_graphs(), where, "graph_ids[", b,
              "] = ", graph_ids[b], " out of range for ", task.num_graphs(), " graphs");
  const int64_t f = task.num_features();

  GraphBatch out;
  out.graph_ids = graph_ids;
  out.ptr.assign(1, 0);
  std::vector<int64_t> src, dst;
  for (size_t b = 0; b < graph_ids.size(); ++b) {
    const int64_t g = graph_ids[b];
    const int64_t n = task.node_ptr[g + 1] - task.node_ptr[g], offset = out.ptr.back();
    for (int64_t e = task.edge_ptr[g]; e < task.edge_ptr[g + 1]; ++e) {
      src.push_back(task.src[e] + offset);
      dst.push_back(task.dst[e] + offset);
    }
    out.batch.insert(out.batch.end(), n, static_cast<int64_t>(b));
    out.ptr.push_back(offset + n);
    out.labels.push_back(task.labels[g]);
  }
  out.graph = Graph::from_edges(out.ptr.back(), src, dst);
  out.features = Tensor::zeros({out.ptr.back(), f});
  for (size_t b = 0; b < graph_ids.size(); ++b) {
    const int64_t g = graph_ids[b];
    std::copy(task.features.data() + task.node_ptr[g] * f,
              task.features.data() + task.node_ptr[g + 1] * f,
              out.features.data() + out.ptr[b] * f);
  }
  return out;
}

NodeTask mean_feature_task(const GraphTask& task) {
  const int64_t g_count = task.num_graphs(), f = task.num_features();
  NodeTask out;
  out.name = task.name + "_mean_features";
  out.graph = Graph::from_edges(g_count, {}, {});
  out.features = Tensor::zeros({g_count, f});
  for (int64_t g = 0; g < g_count; ++g) {
    const int64_t n = task.node_ptr[g + 1] - task.node_ptr[g];
    float* row = out.features.data() + g * f;
    for (int64_t i = task.node_ptr[g]; i < task.node_ptr[g + 1]; ++i)
      for (int64_t c = 0; c < f; ++c)
        row[c] += task.features.data()[i * f + c];
    for (int64_t c = 0; c < f; ++c)
      row[c] /= static_cast<float>(n);
  }
  out.labels = task.labels;
  out.num_classes = task.num_classes;
  out.train = task.train;
  out.val = task.val;
  out.test = task.test;
  return out;
}

}  // namespace gat
