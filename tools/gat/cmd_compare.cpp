// gat compare — the GAT paper's comparison table: models × datasets × runs, each model in its
// published setup (model_setup.h), mean ± std test accuracy and time per epoch.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "dataset_args.h"
#include "gat/core/parallel.h"
#include "gat/io/json.h"
#include "model_setup.h"

namespace gat::cli {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

struct Stats {
  double mean = 0, std = 0;
};

Stats stats(const std::vector<double>& v) {
  Stats s;
  for (double x : v)
    s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double sq = 0;
    for (double x : v)
      sq += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(sq / static_cast<double>(v.size() - 1));
  }
  return s;
}

}  // namespace

int run_compare(int argc, char** argv) {
  DatasetArgs data;
  std::string models = "mlp,gcn,gat,gatv2", datasets = "cora,citeseer";
  int64_t runs = 10, seed = 0, epochs = 0;
  int threads = num_threads();
  bool json_out = false;
  ArgParser args("compare",
                 "Trains every model on every dataset --runs times (seeds seed, seed+1, ...), "
                 "each in its published setup (gat, gatv2: the GAT paper's; gcn, mlp: Kipf & "
                 "Welling's), and prints a table of mean +- std test accuracy and time per epoch, "
                 "like the GAT paper's Table 2.");
  args.add("models", &models, "comma-separated: mlp, gcn, gat, gatv2");
  args.add("datasets", &datasets, "comma-separated: cora, citeseer, pubmed");
  args.add("runs", &runs, "runs per model and dataset", at_least(1));
  args.add("epochs", &epochs,
           "maximum epochs per run, for every model (default: each model's published setup, "
           "1000 with early stopping for gat and gatv2, 200 for gcn and mlp)",
           at_least(1));
  args.add("seed", &seed, "first random seed");
  args.add("threads", &threads, "threads", at_least(1));
  args.add_flag("json", &json_out, "print one JSON object with every cell");
  data.add_to(args, /*with_dataset=*/false);
  if (!args.parse(argc, argv)) return 0;
  std::vector<std::string> model_list = split_list(models), dataset_list = split_list(datasets);
  if (model_list.empty() || dataset_list.empty())
    throw UsageError("--models and --datasets must name at least one each");
  for (std::string& m : model_list)
    m = check_choice("models", m, {"mlp", "gcn", "gat", "gatv2"});
  for (std::string& d : dataset_list)
    d = check_choice("datasets", d, planetoid_names());
  set_num_threads(threads);
  const bool progress = !json_out && isatty(STDERR_FILENO);

  json::Value cells = json::Value::array();
  if (!json_out)
    std::printf("%-9s %-6s %16s %8s %10s %8s\n", "dataset", "model", "test accuracy", "epochs",
                "ms/epoch", "s/run");
  for (const std::string& name : dataset_list) {
    DatasetArgs d = data;
    d.dataset = name;
    NodeTask task = d.load(false);
    for (const std::string& arch : model_list) {
      ModelSetup setup = default_setup(arch, name);
      if (args.given("epochs")) setup.train.max_epochs = epochs;
      std::vector<double> acc, epochs, ms, secs;
      for (int64_t r = 0; r < runs; ++r) {
        Generator gen(static_cast<uint64_t>(seed + r));
        auto model = make_model(setup, task.features.size(1), task.num_classes, gen);
        TrainResult res = train_node_model(*model, task, setup.train);
        acc.push_back(res.final.test.accuracy);
        epochs.push_back(static_cast<double>(res.epochs));
        secs.push_back(res.seconds);
        ms.push_back(1e3 * res.seconds / static_cast<double>(res.epochs));
        if (progress)
          std::fprintf(stderr, "\r%s %s run %lld/%lld: %.1f%%   ", task.name.c_str(), arch.c_str(),
                       static_cast<long long>(r + 1), static_cast<long long>(runs),
                       100 * res.final.test.accuracy);
      }
      const Stats a = stats(acc), e = stats(epochs), m = stats(ms), s = stats(secs);
      if (json_out) {
        json::Value c = setup_json(setup, task.features.size(1), task.num_classes);
        c["dataset"] = task.name;
        c["runs"] = runs;
        c["test_accuracy_mean"] = a.mean;
        c["test_accuracy_std"] = a.std;
        c["epochs_mean"] = e.mean;
        c["ms_per_epoch_mean"] = m.mean;
        c["seconds_per_run_mean"] = s.mean;
        json::Value per_run = json::Value::array();
        for (double v : acc)
          per_run.push_back(v);
        c["test_accuracy_per_run"] = per_run;
        cells.push_back(c);
      } else {
        if (progress) std::fprintf(stderr, "\r%60s\r", "");
        // One run has no spread to show: "± 0.0" would read as a measured zero.
        char cell[32];
        if (runs == 1)
          std::snprintf(cell, sizeof cell, "%.1f %%", 100 * a.mean);
        else
          std::snprintf(cell, sizeof cell, "%.1f ± %.1f %%", 100 * a.mean, 100 * a.std);
        // printf pads by bytes: "±" is two bytes in UTF-8 but one column.
        const int width = runs == 1 ? 16 : 17;
        std::printf("%-9s %-6s %*s %8.0f %10.2f %8.2f\n", task.name.c_str(), arch.c_str(), width,
                    cell, e.mean, m.mean, s.mean);
        std::fflush(stdout);
      }
    }
  }
  if (json_out) {
    json::Value out = json::Value::object();
    out["threads"] = threads;
    out["cells"] = cells;
    std::printf("%s\n", json::dump(out, 2).c_str());
  }
  return 0;
}

}  // namespace gat::cli
