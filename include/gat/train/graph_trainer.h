// gat/train/graph_trainer.h — mini-batch training and evaluation of a graph classifier on a
// graph-level task (many small graphs, a train/val/test split of the graphs).
//
// Each epoch: the training graphs in a fresh seeded order, cut into mini-batches of batch_size
// graphs (each one block-diagonal graph, gat/data/graph_task.h); per mini-batch one Adam step on
// the mean NLL of log-softmax over its graphs. Then the validation graphs are evaluated in eval
// mode. The weights of the epoch with the best validation accuracy (ties: the lower validation
// loss; then the earlier epoch) are kept and restored at the end, and train / val / test are
// evaluated with them.
//
// Example (compiled in tests/train/test_graph_trainer.cpp):
//
//   gat::Generator gen(0);
//   gat::GraphTask task = gat::marker_neighbour_task({.num_graphs = 400}, gen);
//   gat::GraphClassifier model({.in_channels = task.num_features(), .out_channels = 2}, gen);
//   gat::GraphTrainResult r = gat::train_graph_classifier(model, task, {.epochs = 20});
//   std::printf("test accuracy %.1f%%\n", 100 * r.final.test.accuracy);
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "gat/data/graph_task.h"
#include "gat/nn/graph_classifier.h"
#include "gat/optim/optimizer.h"
#include "gat/train/trainer.h"

namespace gat {

struct GraphTrainOptions {
  int64_t epochs = 50;
  int64_t batch_size = 32;  // graphs per mini-batch
  AdamOptions adam{.lr = 0.005f};
  uint64_t shuffle_seed = 0;  // the order of the training graphs in each epoch
};

struct GraphEpochStats {
  int64_t epoch = 0;   // 1-based
  SplitMetrics train;  // mean over the epoch's mini-batches, from their training forward passes
  SplitMetrics val;    // eval mode
  bool kept = false;   // these weights became the kept ones
};

struct GraphTrainResult {
  int64_t epochs = 0;
  int64_t best_epoch = 0;  // the epoch whose weights were kept
  Evaluation final;        // of the kept weights, over train / val / test graphs
  double seconds = 0;      // wall-clock of the epochs (not the final evaluation)
};

/// Loss and accuracy of `model` (in eval mode, no graph recorded) over the graphs of `batch`.
/// The model's train/eval state is restored afterwards.
SplitMetrics evaluate_graph_classifier(GraphClassifier& model, const GraphBatch& batch);

/// Trains `model` in place and leaves it holding the kept weights, in eval mode. on_epoch, when
/// given, is called after every epoch. Throws gat::InvalidArgument when epochs or batch_size is
/// not positive or a split of the task is empty.
GraphTrainResult train_graph_classifier(
    GraphClassifier& model, const GraphTask& task, const GraphTrainOptions& options,
    const std::function<void(const GraphEpochStats&)>& on_epoch = {});

}  // namespace gat
