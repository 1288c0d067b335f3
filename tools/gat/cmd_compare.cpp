// gat compare — the GAT paper's comparison table: models × datasets × runs, each model in its
// published setup (the model registry's), mean ± std test accuracy and time per epoch.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "dataset_args.h"
#include "gat/train/model_registry.h"
#include "model_args.h"
#include "output.h"

namespace gat::cli {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// One cell of the table: a model on a dataset over --runs seeds.
struct Cell {
  std::string dataset, model;
  Json config;
  TrainOptions train;
  std::vector<double> accuracy, epochs, ms_per_epoch, seconds;
};

class CompareCommand final : public Command {
 public:
  std::string description() const override {
    return "Trains every model on every dataset --runs times (seeds seed, seed+1, ...), each in "
           "its published setup (gat, gatv2: the GAT paper's; gcn, mlp: Kipf & Welling's), and "
           "prints a table of mean +- std test accuracy and time per epoch, like the GAT "
           "paper's Table 2.";
  }

  void declare(Options& o) override {
    std::string names;
    for (const std::string& n : node_model_choices())
      names += (names.empty() ? "" : ", ") + n;
    models_ = "mlp,gcn,gat,gatv2";
    o.add("models", &models_, "comma-separated: " + names);
    o.add("datasets", &datasets_, "comma-separated: cora, citeseer, pubmed");
    o.add("runs", &runs_, "runs per model and dataset", at_least(1));
    o.add("epochs", &epochs_,
          "maximum epochs per run, for every model (default: each model's published setup, "
          "1000 with early stopping for gat and gatv2, 200 for gcn and mlp)",
          at_least(1));
    o.common(&common, kSeed | kThreads | kJson, "first random seed");
    data_.add_to(o, /*with_dataset=*/false);
  }

  void validate(const Options&) override {
    model_list_ = split_list(models_);
    dataset_list_ = split_list(datasets_);
    if (model_list_.empty() || dataset_list_.empty())
      throw UsageError("--models and --datasets must name at least one each");
    for (std::string& m : model_list_)
      m = check_choice("models", m, node_model_choices());
    for (std::string& d : dataset_list_)
      d = check_choice("datasets", d, planetoid_names());
  }

  int run(const Options& o, Output& out) override {
    out.result("%-9s %-6s %16s %8s %10s %8s\n", "dataset", "model", "test accuracy", "epochs",
               "ms/epoch", "s/run");
    Json cells = Json::array();
    for (const std::string& name : dataset_list_) {
      DatasetArgs d = data_;
      d.dataset = name;
      const NodeTask task = d.load(false);
      for (const std::string& model : model_list_) {
        const Cell cell = train_cell(o, task, name, model, out);
        cells.push_back(report(cell, out));
      }
    }
    out.document({{"threads", common.threads}, {"cells", cells}});
    return 0;
  }

 private:
  Cell train_cell(const Options& o, const NodeTask& task, const std::string& dataset,
                  const std::string& model, const Output& out) const {
    const ModelEntry& entry = ModelRegistry::global().at(model);
    Cell c;
    c.dataset = task.name;
    c.model = model;
    c.config = published_config(entry, dataset, task.features.size(1), task.num_classes);
    c.train = entry.published(dataset).train;
    if (o.given("epochs")) c.train.max_epochs = epochs_;
    for (int64_t r = 0; r < runs_; ++r) {
      Generator gen(static_cast<uint64_t>(common.seed + r));
      const TrainResult res = train_node_model(*make_node_model(c.config, gen), task, c.train);
      c.accuracy.push_back(res.final.test.accuracy);
      c.epochs.push_back(static_cast<double>(res.epochs));
      c.seconds.push_back(res.seconds);
      c.ms_per_epoch.push_back(1e3 * res.seconds / static_cast<double>(res.epochs));
      out.progress("%s %s run %lld/%lld: %.1f%%", task.name.c_str(), model.c_str(),
                   static_cast<long long>(r + 1), static_cast<long long>(runs_),
                   100 * res.final.test.accuracy);
    }
    out.clear_progress();
    return c;
  }

  // Prints the cell's row and returns its JSON.
  Json report(const Cell& c, const Output& out) const {
    const MeanStd a = mean_std(c.accuracy), e = mean_std(c.epochs), m = mean_std(c.ms_per_epoch),
                  s = mean_std(c.seconds);
    // printf pads by bytes: "±" is two bytes in UTF-8 but one column.
    const int width = runs_ == 1 ? 16 : 17;
    out.result("%-9s %-6s %*s %8.0f %10.2f %8.2f\n", c.dataset.c_str(), c.model.c_str(), width,
               accuracy_text(a, runs_).c_str(), e.mean, m.mean, s.mean);
    Json j = setup_json(c.config, c.train);
    j.update({{"dataset", c.dataset},
              {"runs", runs_},
              {"test_accuracy_mean", a.mean},
              {"test_accuracy_std", a.std},
              {"epochs_mean", e.mean},
              {"ms_per_epoch_mean", m.mean},
              {"seconds_per_run_mean", s.mean},
              {"test_accuracy_per_run", c.accuracy}});
    return j;
  }

  DatasetArgs data_;
  std::string models_, datasets_ = "cora,citeseer";
  int64_t runs_ = 10, epochs_ = 0;
  std::vector<std::string> model_list_, dataset_list_;
};

}  // namespace

std::unique_ptr<Command> compare_command() {
  return std::make_unique<CompareCommand>();
}

}  // namespace gat::cli
