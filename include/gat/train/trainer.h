// gat/train/trainer.h — full-batch training and evaluation of a node classifier on a
// transductive task (one graph, a train/val/test split), with the GAT paper's early stopping.
//
// Each epoch: one training step (train mode: dropout on; NLL loss of log-softmax over the train
// nodes; Adam), then an evaluation of the validation nodes in eval mode. Early stopping follows
// the GAT paper's released code (Veličković et al., 2018, execute_cora.py):
//   if val_acc ≥ best_acc or val_loss ≤ best_loss:
//     if val_acc ≥ best_acc and val_loss ≤ best_loss: keep these weights
//     best_acc = max(best_acc, val_acc); best_loss = min(best_loss, val_loss); waited = 0
//   else: waited += 1; stop when waited == patience
// At the end the kept weights are restored and train / val / test are evaluated in eval mode.
//
// Sparse features: when the model has a sparse path (NodeModel::has_sparse_forward) and at most
// sparse_max_density of the features are non-zero (Planetoid: about 1 %), the features are
// converted once to SparseRows and every epoch's two forwards go through forward_sparse(): the
// input dropout and first projection cost O(nnz) instead of O(N · F_in), with the same random
// draws, so the run matches the dense one up to the order of float sums. The final evaluation
// uses the dense path.
//
// Example (compiled in tests/train/test_trainer.cpp):
//
//   gat::Generator gen(0);
//   gat::GAT model({.in_channels = task.features.size(1), .out_channels = task.num_classes}, gen);
//   gat::TrainResult r = gat::train_node_model(model, task, {.max_epochs = 200});
//   std::printf("test accuracy %.1f%%\n", 100 * r.final.test.accuracy);
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "gat/data/node_task.h"
#include "gat/nn/node_model.h"
#include "gat/optim/optimizer.h"

namespace gat {

struct SplitMetrics {
  double loss = 0;      // mean NLL over the split's nodes
  double accuracy = 0;  // fraction of nodes whose argmax logit is the label
};

/// Loss and accuracy of logits [N, K] on `nodes`. Throws gat::InvalidArgument when nodes is empty.
SplitMetrics split_metrics(const Tensor& logits, const std::vector<int32_t>& labels,
                           const std::vector<int64_t>& nodes);

struct Evaluation {
  SplitMetrics train, val, test;
};

/// The model in eval mode (no dropout, no graph recorded) on the task's three splits. The model's
/// train/eval state is restored afterwards.
Evaluation evaluate_node_model(NodeModel& model, const NodeTask& task);

struct TrainOptions {
  int64_t max_epochs = 1000;
  int64_t patience = 100;  // epochs without improvement before stopping; 0 = never stop early
  AdamOptions adam{.lr = 0.005f, .weight_decay = 5e-4f};
  /// Features with at most this fraction of non-zeros take the model's sparse path (see above);
  /// 0 keeps the dense path.
  double sparse_max_density = 0.1;
};

struct EpochStats {
  int64_t epoch = 0;       // 1-based
  SplitMetrics train;      // from the training step's own forward (dropout on)
  SplitMetrics val;        // eval mode
  bool kept = false;       // these weights became the kept ones
};

struct TrainResult {
  int64_t epochs = 0;      // epochs run
  int64_t best_epoch = 0;  // the epoch whose weights were kept (0: none, the initial weights)
  bool stopped_early = false;
  Evaluation final;        // of the kept weights
  double seconds = 0;      // wall-clock of the epochs (not the final evaluation)
  bool sparse_features = false;  // the epochs took the model's sparse path
};

/// Trains `model` in place and leaves it holding the kept weights, in eval mode. on_epoch, when
/// given, is called after every epoch (for logs and progress).
TrainResult train_node_model(NodeModel& model, const NodeTask& task, const TrainOptions& options,
                             const std::function<void(const EpochStats&)>& on_epoch = {});

}  // namespace gat
