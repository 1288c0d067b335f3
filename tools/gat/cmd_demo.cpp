// gat demo — trains the GAT paper's two-layer model on a generated node-classification task
// (gat/data/synthetic.h) and reports the test accuracy: no dataset or network needed.
#include <cstdio>
#include <string>

#include "args.h"
#include "commands.h"
#include "gat/core/parallel.h"
#include "gat/data/synthetic.h"
#include "gat/nn/gat.h"
#include "gat/train/trainer.h"

namespace gat::cli {

int run_demo(int argc, char** argv) {
  PlantedTopicsOptions data;
  GATOptions model_opts;
  TrainOptions train_opts{.max_epochs = 200, .patience = 0};
  int64_t seed = 0;
  int threads = num_threads();
  ArgParser args("demo",
                 "Trains the GAT paper's two-layer model (8 heads x 8 hidden units, ELU, dropout "
                 "0.6 on inputs and attention, Adam) on a generated graph with planted classes "
                 "(see include/gat/data/synthetic.h) and prints the test accuracy of the weights "
                 "with the best validation accuracy and loss.");
  args.add("nodes", &data.num_nodes, "nodes in the generated graph (at least 20 per class)",
           at_least(1));
  args.add("classes", &data.num_classes, "classes", at_least(2));
  args.add("features", &data.num_features, "input features per node (at least --classes)",
           at_least(1));
  args.add("degree", &data.degree, "edges each node sends before symmetrisation", at_least(0));
  args.add("homophily", &data.homophily, "probability that an edge stays inside a class",
           kProbabilityRange);
  args.add("epochs", &train_opts.max_epochs, "training epochs", at_least(1));
  args.add("hidden", &model_opts.hidden_channels, "hidden units per head", at_least(1));
  args.add("heads", &model_opts.heads, "attention heads in the first layer", at_least(1));
  args.add("dropout", &model_opts.dropout, "dropout on layer inputs and on attention",
           kDropoutRange);
  args.add("lr", &train_opts.adam.lr, "Adam learning rate", at_least(0));
  args.add("weight-decay", &train_opts.adam.weight_decay, "L2 weight decay", at_least(0));
  args.add("seed", &seed, "random seed (data, initialisation, dropout)");
  args.add("threads", &threads, "threads", at_least(1));
  if (!args.parse(argc, argv)) return 0;
  // planted_topics' own limits, checked here so that they name the options.
  if (data.num_nodes / 20 < data.num_classes)  // num_nodes < 20 * num_classes, without overflow
    throw UsageError("--nodes must be at least 20 per class (" + std::to_string(data.num_classes) +
                     " classes), got '" + std::to_string(data.num_nodes) + "'");
  if (data.num_features < data.num_classes)
    throw UsageError("--features must be at least --classes (" + std::to_string(data.num_classes) +
                     "), got '" + std::to_string(data.num_features) + "'");
  set_num_threads(threads);
  model_opts.attn_dropout = model_opts.dropout;

  Generator gen(static_cast<uint64_t>(seed));
  NodeTask task = planted_topics(data, gen);
  std::printf(
      "data: %s, %lld nodes, %lld directed edges, %lld features, %lld classes; "
      "split %zu / %zu / %zu\n",
      task.name.c_str(), static_cast<long long>(task.graph.num_nodes()),
      static_cast<long long>(task.graph.num_edges()), static_cast<long long>(task.features.size(1)),
      static_cast<long long>(task.num_classes), task.train.size(), task.val.size(),
      task.test.size());
  model_opts.in_channels = task.features.size(1);
  model_opts.out_channels = task.num_classes;
  GAT model(model_opts, gen);
  std::printf("model: %s, %lld parameters; %d threads\n", model.repr().c_str(),
              static_cast<long long>(model.num_parameters()), threads);
  TrainResult r = train_node_model(model, task, train_opts, [](const EpochStats& s) {
    if (s.epoch % 10 == 0 || s.epoch == 1) {
      std::printf("epoch %4lld  train loss %.4f acc %5.1f%%  val loss %.4f acc %5.1f%%\n",
                  static_cast<long long>(s.epoch), s.train.loss, 100 * s.train.accuracy, s.val.loss,
                  100 * s.val.accuracy);
      std::fflush(stdout);
    }
  });
  std::printf(
      "test accuracy: %.1f%% (weights of epoch %lld; %lld epochs in %.2f s, %.1f ms "
      "per epoch)\n",
      100 * r.final.test.accuracy, static_cast<long long>(r.best_epoch),
      static_cast<long long>(r.epochs), r.seconds, 1e3 * r.seconds / static_cast<double>(r.epochs));
  return 0;
}

}  // namespace gat::cli
