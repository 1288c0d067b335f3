// gat train — the GAT paper's transductive experiment on a Planetoid dataset: train with early
// stopping, restore the best weights, report test accuracy; --runs N repeats with seeds
// seed, seed+1, ... and summarises mean ± std.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "dataset_args.h"
#include "gat/train/checkpoint.h"
#include "gat/train/model_registry.h"
#include "model_args.h"
#include "output.h"

namespace gat::cli {

namespace {

struct Run {
  uint64_t seed = 0;
  TrainResult result;
  double ms_per_epoch = 0;
};

class TrainCommand final : public Command {
 public:
  std::string description() const override {
    return "Trains a model on a Planetoid dataset (public split) in its published setup; by "
           "default the GAT paper's two-layer model: 8 heads x 8 hidden units, ELU, one output "
           "head (PubMed: 8, averaged), dropout 0.6 on the layer inputs and on attention, Adam "
           "lr 0.005 and weight decay 5e-4 (PubMed: 0.01 and 0.001), early stopping with "
           "patience 100 on validation loss and accuracy (the paper's rule), best weights "
           "restored; then prints the test accuracy. --runs repeats with seeds seed, seed+1, "
           "... and prints mean +- std.";
  }

  void declare(Options& o) override {
    data_.add_to(o);
    model_.add_to(o);
    o.add("runs", &runs_, "independent runs (seeds seed .. seed+runs-1)", at_least(1));
    o.common(&common, kSeed | kThreads | kJson | kQuiet, "first random seed");
    o.add("log-every", &log_every_, "print a log line every N epochs (0: none)", at_least(0));
    o.add_path("save", &save_, PathKind::kOutputFile,
               "write the weights of the run with the best validation accuracy to this "
               ".safetensors file (PyG state_dict names; see README)");
    o.add_flag("dense-features", &dense_features_,
               "keep sparse input features dense (by default features at most 10% non-zero, "
               "as Planetoid's, take the sparse input path: same results up to float summation "
               "order, faster)");
  }

  void validate(const Options& o) override { model_.check(o); }

  int run(const Options& o, Output& out) override {
    const NodeTask task = data_.load(out.chatty());
    config_ = model_.config(o, data_.dataset, task.features.size(1), task.num_classes);
    train_ = model_.training(o, data_.dataset);
    if (dense_features_) train_.sparse_max_density = 0;
    describe(task, out);
    const std::vector<Run> runs = train_runs(task, out);
    report(task, runs, out);
    return 0;
  }

 private:
  void describe(const NodeTask& task, const Output& out) const {
    out.info("%s\n", task_text(task).c_str());
    Generator gen(0);
    out.info(
        "model: %s\nAdam lr %g, weight decay %g; up to %lld epochs, patience %lld; %d "
        "threads\n",
        make_model(config_, gen)->repr().c_str(), train_.adam.lr, train_.adam.weight_decay,
        static_cast<long long>(train_.max_epochs), static_cast<long long>(train_.patience),
        common.threads);
  }

  // The runs, each from its own seed; the best one by validation accuracy is saved.
  std::vector<Run> train_runs(const NodeTask& task, const Output& out) const {
    std::vector<Run> runs;
    double best_val = -1;
    for (int64_t r = 0; r < runs_; ++r) {
      Run run;
      run.seed = static_cast<uint64_t>(common.seed + r);
      Generator gen(run.seed);
      std::unique_ptr<NodeModel> model = make_node_model(config_, gen);
      if (runs_ > 1)
        out.info("run %lld/%lld (seed %llu)\n", static_cast<long long>(r + 1),
                 static_cast<long long>(runs_), static_cast<unsigned long long>(run.seed));
      run.result = train_node_model(*model, task, train_, [&](const EpochStats& s) {
        out.epoch(s.epoch, s.train, s.val, log_every_);
        out.progress("  run %lld/%lld  epoch %lld/%lld  val acc %5.1f%%",
                     static_cast<long long>(r + 1), static_cast<long long>(runs_),
                     static_cast<long long>(s.epoch), static_cast<long long>(train_.max_epochs),
                     100 * s.val.accuracy);
      });
      out.clear_progress();
      const TrainResult& res = run.result;
      run.ms_per_epoch = 1e3 * res.seconds / static_cast<double>(res.epochs);
      out.result(
          "run %lld: %lld epochs (best %lld%s): test accuracy %.1f%%, val %.1f%%, train "
          "%.1f%%; %.2f s, %.2f ms per epoch\n",
          static_cast<long long>(r + 1), static_cast<long long>(res.epochs),
          static_cast<long long>(res.best_epoch), res.stopped_early ? ", stopped early" : "",
          100 * res.final.test.accuracy, 100 * res.final.val.accuracy,
          100 * res.final.train.accuracy, res.seconds, run.ms_per_epoch);
      if (!save_.empty() && res.final.val.accuracy > best_val) {
        best_val = res.final.val.accuracy;
        save_checkpoint(save_, *model,
                        {{"dataset", task.name},
                         {"normalize_features", !data_.raw_features},
                         {"seed", run.seed}});
      }
      runs.push_back(run);
    }
    return runs;
  }

  void report(const NodeTask& task, const std::vector<Run>& runs, const Output& out) const {
    std::vector<double> test, val, epochs, seconds, ms;
    Json run_list = Json::array();
    for (const Run& r : runs) {
      const TrainResult& res = r.result;
      test.push_back(res.final.test.accuracy);
      val.push_back(res.final.val.accuracy);
      epochs.push_back(static_cast<double>(res.epochs));
      seconds.push_back(res.seconds);
      ms.push_back(r.ms_per_epoch);
      Json j = {{"seed", r.seed},
                {"epochs", res.epochs},
                {"best_epoch", res.best_epoch},
                {"stopped_early", res.stopped_early}};
      j.update(evaluation_json(res.final));
      j.update({{"seconds", res.seconds},
                {"ms_per_epoch", r.ms_per_epoch},
                {"sparse_features", res.sparse_features}});
      run_list.push_back(j);
    }
    const MeanStd t = mean_std(test), v = mean_std(val), e = mean_std(epochs),
                  s = mean_std(seconds), m = mean_std(ms);
    Json doc = {{"dataset", task.name}};
    doc.update(setup_json(config_, train_));
    doc["training"].update(
        {{"normalize_features", !data_.raw_features}, {"threads", common.threads}});
    doc["runs"] = run_list;
    doc["summary"] = {{"runs", runs_},
                      {"test_accuracy_mean", t.mean},
                      {"test_accuracy_std", t.std},
                      {"val_accuracy_mean", v.mean},
                      {"epochs_mean", e.mean},
                      {"seconds_per_run_mean", s.mean},
                      {"ms_per_epoch_mean", m.mean}};
    out.document(doc);
    out.result(
        "%s, %lld run%s: test accuracy %s (val %.1f %%); %s%.0f epochs, %.2f s per run, "
        "%.2f ms per epoch\n",
        task.name.c_str(), static_cast<long long>(runs_), runs_ == 1 ? "" : "s",
        accuracy_text(t, runs_).c_str(), 100 * v.mean, runs_ == 1 ? "" : "mean ", e.mean, s.mean,
        m.mean);
    if (!save_.empty()) out.result("saved the best run's weights to %s\n", save_.c_str());
  }

  DatasetArgs data_;
  ModelArgs model_;
  int64_t runs_ = 1;
  int log_every_ = 10;
  std::string save_;
  bool dense_features_ = false;
  Json config_;
  TrainOptions train_;
};

}  // namespace

std::unique_ptr<Command> train_command() {
  return std::make_unique<TrainCommand>();
}

}  // namespace gat::cli
