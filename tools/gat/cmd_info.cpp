// gat info — what a dataset holds: sizes, split, isolated nodes, degree histogram, labels.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "dataset_args.h"
#include "gat/io/json.h"

namespace gat::cli {

int run_info(int argc, char** argv) {
  DatasetArgs data;
  bool json_out = false;
  ArgParser args("info",
                 "Describes a Planetoid dataset as gat.cpp builds it: nodes, directed edges, "
                 "features, classes, isolated nodes, split sizes, in-degree histogram and "
                 "class sizes.");
  data.add_to(args);
  args.add_flag("json", &json_out, "print JSON");
  if (!args.parse(argc, argv)) return 0;
  NodeTask t = data.load(!json_out);
  const Graph& g = t.graph;

  // In-degree histogram in power-of-two buckets: 0, 1, 2–3, 4–7, ...
  std::vector<int64_t> buckets;
  for (int64_t i = 0; i < g.num_nodes(); ++i) {
    int64_t d = g.in_degree(i), b = 0;
    while (d > 0) {
      ++b;
      d >>= 1;
    }
    if (static_cast<int64_t>(buckets.size()) <= b) buckets.resize(b + 1, 0);
    ++buckets[b];
  }
  auto bucket_name = [](size_t b) {
    if (b == 0) return std::string("0");
    const int64_t lo = int64_t{1} << (b - 1), hi = (int64_t{1} << b) - 1;
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
  };
  std::vector<int64_t> class_sizes(t.num_classes, 0);
  for (int32_t y : t.labels) ++class_sizes[y];
  int64_t nonzeros = 0;
  for (int64_t k = 0; k < t.features.numel(); ++k) nonzeros += t.features.data()[k] != 0.0f;

  if (json_out) {
    json::Value out = json::Value::object();
    out["dataset"] = t.name;
    out["nodes"] = g.num_nodes();
    out["directed_edges"] = g.num_edges();
    out["features"] = t.features.size(1);
    out["feature_nonzeros"] = nonzeros;
    out["classes"] = t.num_classes;
    out["isolated_nodes"] = g.num_isolated_nodes();
    out["self_loops"] = g.num_self_loops();
    out["max_in_degree"] = g.max_in_degree();
    json::Value split = json::Value::object();
    split["train"] = static_cast<int64_t>(t.train.size());
    split["val"] = static_cast<int64_t>(t.val.size());
    split["test"] = static_cast<int64_t>(t.test.size());
    out["split"] = split;
    json::Value hist = json::Value::object();
    for (size_t b = 0; b < buckets.size(); ++b) hist[bucket_name(b)] = buckets[b];
    out["in_degree_histogram"] = hist;
    json::Value cls = json::Value::array();
    for (int64_t c : class_sizes) cls.push_back(c);
    out["class_sizes"] = cls;
    std::printf("%s\n", json::dump(out, 2).c_str());
    return 0;
  }
  std::printf("%s\n", t.name.c_str());
  std::printf("  nodes            %lld\n", static_cast<long long>(g.num_nodes()));
  std::printf("  directed edges   %lld (no self-loops: %lld; max in-degree %lld)\n",
              static_cast<long long>(g.num_edges()), static_cast<long long>(g.num_self_loops()),
              static_cast<long long>(g.max_in_degree()));
  std::printf("  features         %lld (%.2f%% non-zero)\n",
              static_cast<long long>(t.features.size(1)),
              100.0 * static_cast<double>(nonzeros) / static_cast<double>(t.features.numel()));
  std::printf("  classes          %lld  sizes:", static_cast<long long>(t.num_classes));
  for (int64_t c : class_sizes) std::printf(" %lld", static_cast<long long>(c));
  std::printf("\n  isolated nodes   %lld\n", static_cast<long long>(g.num_isolated_nodes()));
  std::printf("  split            train %zu, val %zu, test %zu\n", t.train.size(), t.val.size(),
              t.test.size());
  std::printf("  in-degree histogram:\n");
  int64_t most = 1;
  for (int64_t c : buckets) most = std::max(most, c);
  for (size_t b = 0; b < buckets.size(); ++b)
    std::printf("    %9s %6lld %s\n", bucket_name(b).c_str(), static_cast<long long>(buckets[b]),
                std::string(static_cast<size_t>(40 * buckets[b] / most), '#').c_str());
  return 0;
}

}  // namespace gat::cli
