// gat info — what a dataset holds: sizes, split, isolated nodes, degree histogram, labels.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "dataset_args.h"
#include "gat/io/json.h"
#include "output.h"

namespace gat::cli {

namespace {

// What a dataset holds, counted once for both outputs.
struct Summary {
  std::vector<int64_t> degree_buckets;  // in-degree 0, 1, 2-3, 4-7, ...
  std::vector<int64_t> class_sizes;
  int64_t nonzeros = 0;
};

std::string bucket_name(size_t b) {
  if (b == 0) return "0";
  const int64_t lo = int64_t{1} << (b - 1), hi = (int64_t{1} << b) - 1;
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

Summary summarise(const NodeTask& t) {
  const Graph& g = t.graph;
  Summary s;
  for (int64_t i = 0; i < g.num_nodes(); ++i) {
    int64_t d = g.in_degree(i), b = 0;
    while (d > 0) {
      ++b;
      d >>= 1;
    }
    if (static_cast<int64_t>(s.degree_buckets.size()) <= b) s.degree_buckets.resize(b + 1, 0);
    ++s.degree_buckets[b];
  }
  s.class_sizes.assign(t.num_classes, 0);
  for (int32_t y : t.labels)
    ++s.class_sizes[y];
  for (int64_t k = 0; k < t.features.numel(); ++k)
    s.nonzeros += t.features.data()[k] != 0.0f;
  return s;
}

class InfoCommand final : public Command {
 public:
  std::string description() const override {
    return "Describes a Planetoid dataset as gat.cpp builds it: nodes, directed edges, features, "
           "classes, isolated nodes, split sizes, in-degree histogram and class sizes.";
  }
  void declare(Options& o) override {
    data_.add_to(o);
    o.common(&common, kJson);
  }
  int run(const Options&, Output& out) override {
    const NodeTask t = data_.load(out.text());
    const Summary s = summarise(t);
    out.document(to_json(t, s));
    if (out.text()) print(t, s);
    return 0;
  }

 private:
  static Json to_json(const NodeTask& t, const Summary& s) {
    const Graph& g = t.graph;
    Json hist = Json::object();
    for (size_t b = 0; b < s.degree_buckets.size(); ++b)
      hist[bucket_name(b)] = s.degree_buckets[b];
    return {{"dataset", t.name},
            {"nodes", g.num_nodes()},
            {"directed_edges", g.num_edges()},
            {"features", t.features.size(1)},
            {"feature_nonzeros", s.nonzeros},
            {"classes", t.num_classes},
            {"isolated_nodes", g.num_isolated_nodes()},
            {"self_loops", g.num_self_loops()},
            {"max_in_degree", g.max_in_degree()},
            {"split", {{"train", t.train.size()}, {"val", t.val.size()}, {"test", t.test.size()}}},
            {"in_degree_histogram", hist},
            {"class_sizes", s.class_sizes}};
  }

  static void print(const NodeTask& t, const Summary& s) {
    const std::vector<int64_t>& buckets = s.degree_buckets;
    const int64_t nonzeros = s.nonzeros;
    const std::vector<int64_t>& class_sizes = s.class_sizes;
    const Graph& g = t.graph;
    std::printf("%s\n", t.name.c_str());
    std::printf("  nodes            %lld\n", static_cast<long long>(g.num_nodes()));
    std::printf("  directed edges   %lld (no self-loops: %lld; max in-degree %lld)\n",
                static_cast<long long>(g.num_edges()), static_cast<long long>(g.num_self_loops()),
                static_cast<long long>(g.max_in_degree()));
    std::printf("  features         %lld (%.2f%% non-zero)\n",
                static_cast<long long>(t.features.size(1)),
                100.0 * static_cast<double>(nonzeros) / static_cast<double>(t.features.numel()));
    std::printf("  classes          %lld  sizes:", static_cast<long long>(t.num_classes));
    for (int64_t c : class_sizes)
      std::printf(" %lld", static_cast<long long>(c));
    std::printf("\n  isolated nodes   %lld\n", static_cast<long long>(g.num_isolated_nodes()));
    std::printf("  split            train %zu, val %zu, test %zu\n", t.train.size(), t.val.size(),
                t.test.size());
    std::printf("  in-degree histogram:\n");
    int64_t most = 1;
    for (int64_t c : buckets)
      most = std::max(most, c);
    for (size_t b = 0; b < buckets.size(); ++b)
      std::printf("    %9s %6lld %s\n", bucket_name(b).c_str(), static_cast<long long>(buckets[b]),
                  std::string(static_cast<size_t>(40 * buckets[b] / most), '#').c_str());
  }

  DatasetArgs data_;
};

}  // namespace

std::unique_ptr<Command> info_command() {
  return std::make_unique<InfoCommand>();
}

}  // namespace gat::cli
