// gat train — the GAT paper's transductive experiment on a Planetoid dataset: train with early
// stopping, restore the best weights, report test accuracy; --runs N repeats with seeds
// seed, seed+1, ... and summarises mean ± std.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "dataset_args.h"
#include "gat/core/parallel.h"
#include "gat/io/json.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gat.h"
#include "gat/nn/gatv2.h"
#include "gat/train/checkpoint.h"
#include "gat/train/trainer.h"
#include "model_setup.h"

namespace gat::cli {

namespace {

struct Summary {
  double mean = 0, std = 0;  // std: sample standard deviation (0 for one run)
};

Summary summarise(const std::vector<double>& v) {
  Summary s;
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

json::Value metrics_json(const SplitMetrics& m) {
  json::Value v = json::Value::object();
  v["loss"] = m.loss;
  v["accuracy"] = m.accuracy;
  return v;
}

}  // namespace

int run_train(int argc, char** argv) {
  DatasetArgs data;
  GATOptions model_opts;
  TrainOptions train_opts;
  int64_t runs = 1, seed = 0;
  int threads = num_threads();
  int log_every = 10;
  std::string save;
  bool json_out = false, quiet = false;
  std::string arch = "gat";
  ArgParser args(
      "train",
      "Trains the GAT paper's two-layer model on a Planetoid dataset (public split) with the "
      "paper's setup: 8 heads x 8 hidden units, ELU, one output head (PubMed: 8, averaged), "
      "dropout 0.6 on the layer inputs and on attention, Adam lr 0.005 and weight decay 5e-4 "
      "(PubMed: 0.01 and 0.001), early stopping with patience 100 on validation loss and "
      "accuracy (the paper's rule), best weights restored; then prints the test accuracy. "
      "--runs repeats with seeds seed, seed+1, ... and prints mean +- std.");
  data.add_to(args);
  args.add("model", &arch,
           "gat, gatv2 (the same model with GATv2Conv layers), or a baseline of the paper's "
           "table: gcn or mlp (Kipf & Welling's setup: 16 "
           "hidden units, ReLU, dropout 0.5, lr 0.01, 200 epochs without early stopping)",
           {"gat", "gatv2", "gcn", "mlp"});
  args.add("runs", &runs, "independent runs (seeds seed .. seed+runs-1)", at_least(1));
  args.add("seed", &seed, "first random seed");
  args.add("epochs", &train_opts.max_epochs, "maximum epochs per run", at_least(1));
  args.add("patience", &train_opts.patience, "early-stopping patience in epochs (0: off)",
           at_least(0));
  args.add("lr", &train_opts.adam.lr, "Adam learning rate", at_least(0));
  args.add("weight-decay", &train_opts.adam.weight_decay, "L2 weight decay", at_least(0));
  args.add("hidden", &model_opts.hidden_channels, "hidden units (per head for gat)", at_least(1));
  args.add("heads", &model_opts.heads, "attention heads in the first layer", at_least(1));
  args.add("out-heads", &model_opts.out_heads, "attention heads in the output layer (averaged)",
           at_least(1));
  args.add("dropout", &model_opts.dropout, "dropout on the layer inputs", kDropoutRange);
  args.add("attn-dropout", &model_opts.attn_dropout, "dropout on the attention coefficients",
           kDropoutRange);
  args.add("threads", &threads, "threads", at_least(1));
  args.add("log-every", &log_every, "print a log line every N epochs (0: none)", at_least(0));
  args.add_path("save", &save, PathKind::kOutputFile,
                "write the weights of the run with the best validation accuracy to this "
                ".safetensors file (PyG state_dict names; see README)");
  bool dense_features = false;
  args.add_flag("dense-features", &dense_features,
                "keep sparse input features dense (by default features at most 10% non-zero, "
                "as Planetoid's, take the sparse input path: same results up to float "
                "summation order, faster)");
  args.add_flag("json", &json_out, "print one JSON object with every run and the summary");
  args.add_flag("quiet", &quiet, "only the final summary");
  if (!args.parse(argc, argv)) return 0;
  set_num_threads(threads);
  if (dense_features) train_opts.sparse_max_density = 0;

  // The published setup of the model on the dataset; options the user gave win.
  const ModelSetup defaults = default_setup(arch, data.dataset);
  auto use_default = [&](const char* name, auto& field, auto value) {
    if (!args.given(name)) field = value;
  };
  use_default("hidden", model_opts.hidden_channels, defaults.model.hidden_channels);
  use_default("out-heads", model_opts.out_heads, defaults.model.out_heads);
  use_default("dropout", model_opts.dropout, defaults.model.dropout);
  use_default("lr", train_opts.adam.lr, defaults.train.adam.lr);
  use_default("weight-decay", train_opts.adam.weight_decay, defaults.train.adam.weight_decay);
  use_default("epochs", train_opts.max_epochs, defaults.train.max_epochs);
  use_default("patience", train_opts.patience, defaults.train.patience);
  const ModelSetup setup{arch, model_opts, train_opts};
  const bool text = !json_out;
  const bool progress = text && !quiet && isatty(STDERR_FILENO);
  NodeTask task = data.load(text && !quiet);
  model_opts.in_channels = task.features.size(1);
  model_opts.out_channels = task.num_classes;
  if (text && !quiet) {
    std::printf(
        "%s: %lld nodes, %lld directed edges, %lld features, %lld classes; "
        "split %zu / %zu / %zu\n",
        task.name.c_str(), static_cast<long long>(task.graph.num_nodes()),
        static_cast<long long>(task.graph.num_edges()),
        static_cast<long long>(task.features.size(1)), static_cast<long long>(task.num_classes),
        task.train.size(), task.val.size(), task.test.size());
    Generator repr_gen(0);
    std::printf(
        "model: %s\nAdam lr %g, weight decay %g; up to %lld epochs, patience %lld; "
        "%d threads\n",
        make_model(setup, model_opts.in_channels, model_opts.out_channels, repr_gen)
            ->repr()
            .c_str(),
        train_opts.adam.lr, train_opts.adam.weight_decay,
        static_cast<long long>(train_opts.max_epochs), static_cast<long long>(train_opts.patience),
        threads);
  }

  json::Value run_list = json::Value::array();
  std::vector<double> test_acc, val_acc, epochs, seconds, ms_per_epoch;
  double best_val = -1;
  for (int64_t r = 0; r < runs; ++r) {
    const uint64_t run_seed = static_cast<uint64_t>(seed + r);
    Generator gen(run_seed);
    std::unique_ptr<NodeModel> model_ptr =
        make_model(setup, model_opts.in_channels, model_opts.out_channels, gen);
    NodeModel& model = *model_ptr;
    if (text && !quiet && runs > 1)
      std::printf("run %lld/%lld (seed %llu)\n", static_cast<long long>(r + 1),
                  static_cast<long long>(runs), static_cast<unsigned long long>(run_seed));
    auto on_epoch = [&](const EpochStats& s) {
      if (text && !quiet && log_every > 0 && s.epoch % log_every == 0) {
        if (progress) std::fprintf(stderr, "\r%72s\r", "");
        std::printf("epoch %4lld  train loss %.4f acc %5.1f%%  val loss %.4f acc %5.1f%%\n",
                    static_cast<long long>(s.epoch), s.train.loss, 100 * s.train.accuracy,
                    s.val.loss, 100 * s.val.accuracy);
        std::fflush(stdout);
      }
      if (progress) {
        std::fprintf(stderr, "\r  run %lld/%lld  epoch %lld/%lld  val acc %5.1f%%",
                     static_cast<long long>(r + 1), static_cast<long long>(runs),
                     static_cast<long long>(s.epoch), static_cast<long long>(train_opts.max_epochs),
                     100 * s.val.accuracy);
        std::fflush(stderr);
      }
    };
    TrainResult res = train_node_model(model, task, train_opts, on_epoch);
    if (progress) std::fprintf(stderr, "\r%72s\r", "");
    const double per_epoch = 1e3 * res.seconds / static_cast<double>(res.epochs);
    test_acc.push_back(res.final.test.accuracy);
    val_acc.push_back(res.final.val.accuracy);
    epochs.push_back(static_cast<double>(res.epochs));
    seconds.push_back(res.seconds);
    ms_per_epoch.push_back(per_epoch);
    if (text)
      std::printf(
          "run %lld: %lld epochs (best %lld%s): test accuracy %.1f%%, val %.1f%%, "
          "train %.1f%%; %.2f s, %.2f ms per epoch\n",
          static_cast<long long>(r + 1), static_cast<long long>(res.epochs),
          static_cast<long long>(res.best_epoch), res.stopped_early ? ", stopped early" : "",
          100 * res.final.test.accuracy, 100 * res.final.val.accuracy,
          100 * res.final.train.accuracy, res.seconds, per_epoch);
    if (!save.empty() && res.final.val.accuracy > best_val) {
      best_val = res.final.val.accuracy;
      json::Value extra = json::Value::object();
      extra["dataset"] = task.name;
      extra["normalize_features"] = !data.raw_features;
      extra["seed"] = static_cast<int64_t>(run_seed);
      save_checkpoint(save, model, extra);
    }
    json::Value rj = json::Value::object();
    rj["seed"] = static_cast<int64_t>(run_seed);
    rj["epochs"] = res.epochs;
    rj["best_epoch"] = res.best_epoch;
    rj["stopped_early"] = res.stopped_early;
    rj["train"] = metrics_json(res.final.train);
    rj["val"] = metrics_json(res.final.val);
    rj["test"] = metrics_json(res.final.test);
    rj["seconds"] = res.seconds;
    rj["ms_per_epoch"] = per_epoch;
    rj["sparse_features"] = res.sparse_features;
    run_list.push_back(rj);
  }

  const Summary t = summarise(test_acc), v = summarise(val_acc), e = summarise(epochs),
                s = summarise(seconds), m = summarise(ms_per_epoch);
  if (json_out) {
    json::Value out = json::Value::object();
    out["dataset"] = task.name;
    const json::Value cfg = setup_json(setup, model_opts.in_channels, model_opts.out_channels);
    out["model"] = cfg.at("model");
    json::Value train_cfg = cfg.at("training");
    train_cfg["normalize_features"] = !data.raw_features;
    train_cfg["threads"] = threads;
    out["training"] = train_cfg;
    out["runs"] = run_list;
    json::Value sum = json::Value::object();
    sum["runs"] = runs;
    sum["test_accuracy_mean"] = t.mean;
    sum["test_accuracy_std"] = t.std;
    sum["val_accuracy_mean"] = v.mean;
    sum["epochs_mean"] = e.mean;
    sum["seconds_per_run_mean"] = s.mean;
    sum["ms_per_epoch_mean"] = m.mean;
    out["summary"] = sum;
    std::printf("%s\n", json::dump(out, 2).c_str());
  } else {
    // One run has no spread to show: "± 0.0" would read as a measured zero.
    if (runs == 1)
      std::printf(
          "%s, 1 run: test accuracy %.1f %% (val %.1f %%); %.0f epochs, %.2f s, %.2f ms "
          "per epoch\n",
          task.name.c_str(), 100 * t.mean, 100 * v.mean, e.mean, s.mean, m.mean);
    else
      std::printf(
          "%s, %lld runs: test accuracy %.1f ± %.1f %% (val %.1f %%); mean %.0f epochs, "
          "%.2f s per run, %.2f ms per epoch\n",
          task.name.c_str(), static_cast<long long>(runs), 100 * t.mean, 100 * t.std, 100 * v.mean,
          e.mean, s.mean, m.mean);
    if (!save.empty()) std::printf("saved the best run's weights to %s\n", save.c_str());
  }
  return 0;
}

}  // namespace gat::cli
