// gat demo — trains the GAT paper's two-layer model on a generated node-classification task
// (gat/data/synthetic.h) and reports the test accuracy: the main job until the Planetoid datasets
// land.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "gat/core/parallel.h"
#include "gat/data/synthetic.h"
#include "gat/nn/gat.h"
#include "gat/ops/log_softmax.h"
#include "gat/optim/optimizer.h"

namespace gat::cli {

namespace {

struct Metrics {
  double loss = 0;
  double accuracy = 0;
};

Metrics evaluate(const Variable& logp, const NodeTask& task, const std::vector<int64_t>& nodes) {
  Metrics m;
  if (nodes.empty()) return m;
  m.loss = nll_loss(logp, task.labels, nodes).data().item();
  const int64_t k = logp.size(1);
  int64_t correct = 0;
  for (int64_t i : nodes) {
    const float* row = logp.data().data() + i * k;
    int64_t best = 0;
    for (int64_t c = 1; c < k; ++c)
      if (row[c] > row[best]) best = c;
    correct += best == task.labels[i];
  }
  m.accuracy = static_cast<double>(correct) / static_cast<double>(nodes.size());
  return m;
}

}  // namespace

int run_demo(int argc, char** argv) {
  PlantedTopicsOptions data;
  GATOptions model_opts;
  AdamOptions adam{.lr = 0.005f, .weight_decay = 5e-4f};
  int64_t epochs = 200, seed = 0;
  int threads = num_threads();
  ArgParser args("demo",
                 "Trains the GAT paper's two-layer model (8 heads x 8 hidden units, ELU, dropout "
                 "0.6 on inputs and attention, Adam) on a generated graph with planted classes "
                 "and prints the test accuracy at the epoch of best validation accuracy.");
  args.add("nodes", &data.num_nodes, "nodes in the generated graph");
  args.add("classes", &data.num_classes, "classes");
  args.add("features", &data.num_features, "input features per node");
  args.add("degree", &data.degree, "edges each node sends before symmetrisation");
  args.add("homophily", &data.homophily, "probability that an edge stays inside a class");
  args.add("epochs", &epochs, "training epochs");
  args.add("hidden", &model_opts.hidden_channels, "hidden units per head");
  args.add("heads", &model_opts.heads, "attention heads in the first layer");
  args.add("dropout", &model_opts.dropout, "dropout on layer inputs and on attention");
  args.add("lr", &adam.lr, "Adam learning rate");
  args.add("weight-decay", &adam.weight_decay, "L2 weight decay");
  args.add("seed", &seed, "random seed (data, initialisation, dropout)");
  args.add("threads", &threads, "threads");
  if (!args.parse(argc, argv)) return 0;
  if (epochs < 1) throw UsageError("--epochs must be at least 1");
  set_num_threads(threads);
  model_opts.attn_dropout = model_opts.dropout;

  Generator gen(static_cast<uint64_t>(seed));
  NodeTask task = planted_topics(data, gen);
  std::printf("data: %s, %lld nodes, %lld directed edges, %lld features, %lld classes; "
              "split %zu / %zu / %zu\n",
              task.name.c_str(), static_cast<long long>(task.graph.num_nodes()),
              static_cast<long long>(task.graph.num_edges()),
              static_cast<long long>(task.features.size(1)),
              static_cast<long long>(task.num_classes), task.train.size(), task.val.size(),
              task.test.size());
  model_opts.in_channels = task.features.size(1);
  model_opts.out_channels = task.num_classes;
  GAT model(model_opts, gen);
  Adam opt(model.parameters(), adam);
  std::printf("model: %s, %lld parameters; %d threads\n", model.repr().c_str(),
              static_cast<long long>(model.num_parameters()), threads);

  Variable x(task.features);
  double best_val = -1, test_at_best = 0;
  int64_t best_epoch = 0;
  auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    opt.zero_grad();
    Variable logp = log_softmax(model.forward(x, task.graph));
    Variable loss = nll_loss(logp, task.labels, task.train);
    loss.backward();
    opt.step();
    Metrics train = evaluate(logp, task, task.train);

    model.eval();
    NoGradGuard no_grad;
    Variable eval_logp = log_softmax(model.forward(x, task.graph));
    Metrics val = evaluate(eval_logp, task, task.val);
    if (val.accuracy > best_val) {
      best_val = val.accuracy;
      best_epoch = epoch;
      test_at_best = evaluate(eval_logp, task, task.test).accuracy;
    }
    if (epoch % 10 == 0 || epoch == 1 || epoch == epochs)
      std::printf("epoch %4lld  train loss %.4f acc %5.1f%%  val loss %.4f acc %5.1f%%\n",
                  static_cast<long long>(epoch), train.loss, 100 * train.accuracy, val.loss,
                  100 * val.accuracy);
    std::fflush(stdout);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("best validation accuracy %.1f%% at epoch %lld\n", 100 * best_val,
              static_cast<long long>(best_epoch));
  std::printf("test accuracy: %.1f%%   (%lld epochs in %.2f s, %.1f ms per epoch)\n",
              100 * test_at_best, static_cast<long long>(epochs), seconds,
              1e3 * seconds / static_cast<double>(epochs));
  return 0;
}

}  // namespace gat::cli
