// gat demo — trains the GAT paper's two-layer model on a generated node-classification task
// (gat/data/synthetic.h) and reports the test accuracy: no dataset or network needed.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "gat/data/synthetic.h"
#include "gat/nn/gat.h"
#include "gat/train/trainer.h"
#include "output.h"

namespace gat::cli {

namespace {

class DemoCommand final : public Command {
 public:
  std::string description() const override {
    return "Trains the GAT paper's two-layer model (8 heads x 8 hidden units, ELU, dropout 0.6 "
           "on inputs and attention, Adam) on a generated graph with planted classes (see "
           "include/gat/data/synthetic.h) and prints the test accuracy of the weights with the "
           "best validation accuracy and loss.";
  }

  void declare(Options& o) override {
    o.add("nodes", &data_.num_nodes, "nodes in the generated graph (at least 20 per class)",
          at_least(1));
    o.add("classes", &data_.num_classes, "classes", at_least(2));
    o.add("features", &data_.num_features, "input features per node (at least --classes)",
          at_least(1));
    o.add("degree", &data_.degree, "edges each node sends before symmetrisation", at_least(0));
    o.add("homophily", &data_.homophily, "probability that an edge stays inside a class",
          kProbabilityRange);
    o.add("epochs", &train_.max_epochs, "training epochs", at_least(1));
    o.add("hidden", &model_.hidden_channels, "hidden units per head", at_least(1));
    o.add("heads", &model_.heads, "attention heads in the first layer", at_least(1));
    o.add("dropout", &model_.dropout, "dropout on layer inputs and on attention", kDropoutRange);
    o.add("lr", &train_.adam.lr, "Adam learning rate", at_least(0));
    o.add("weight-decay", &train_.adam.weight_decay, "L2 weight decay", at_least(0));
    o.common(&common, kSeed | kThreads, "random seed (data, initialisation, dropout)");
  }

  // planted_topics' own limits, checked here so that they name the options.
  void validate(const Options&) override {
    if (data_.num_nodes / 20 < data_.num_classes)  // nodes < 20 * classes, without overflow
      throw UsageError("--nodes must be at least 20 per class (" +
                       std::to_string(data_.num_classes) + " classes), got '" +
                       std::to_string(data_.num_nodes) + "'");
    if (data_.num_features < data_.num_classes)
      throw UsageError("--features must be at least --classes (" +
                       std::to_string(data_.num_classes) + "), got '" +
                       std::to_string(data_.num_features) + "'");
    model_.attn_dropout = model_.dropout;
  }

  int run(const Options&, Output& out) override {
    Generator gen(static_cast<uint64_t>(common.seed));
    const NodeTask task = planted_topics(data_, gen);
    out.result("%s\n", task_text(task).c_str());
    model_.in_channels = task.features.size(1);
    model_.out_channels = task.num_classes;
    GAT model(model_, gen);
    out.result("model: %s, %lld parameters; %d threads\n", model.repr().c_str(),
               static_cast<long long>(model.num_parameters()), common.threads);
    const TrainResult r = train_node_model(model, task, train_, [&](const EpochStats& s) {
      out.epoch(s.epoch, s.train, s.val, 10, /*first_too=*/true);
    });
    out.result(
        "test accuracy: %.1f%% (weights of epoch %lld; %lld epochs in %.2f s, %.1f ms per "
        "epoch)\n",
        100 * r.final.test.accuracy, static_cast<long long>(r.best_epoch),
        static_cast<long long>(r.epochs), r.seconds,
        1e3 * r.seconds / static_cast<double>(r.epochs));
    return 0;
  }

 private:
  PlantedTopicsOptions data_;
  GATOptions model_;
  TrainOptions train_{.max_epochs = 200, .patience = 0};
};

}  // namespace

std::unique_ptr<Command> demo_command() {
  return std::make_unique<DemoCommand>();
}

}  // namespace gat::cli
