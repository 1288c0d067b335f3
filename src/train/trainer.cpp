#include "gat/train/trainer.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "gat/core/error.h"
#include "gat/core/sparse.h"
#include "gat/ops/log_softmax.h"

namespace gat {

SplitMetrics split_metrics(const Tensor& logits, const std::vector<int32_t>& labels,
                           const std::vector<int64_t>& nodes) {
  check_arg(!nodes.empty(), "split_metrics", "the split has no nodes");
  const int64_t k = logits.size(1);
  double loss = 0;
  int64_t correct = 0;
  for (int64_t i : nodes) {
    const float* row = logits.data() + i * k;
    float max = row[0];
    int64_t best = 0;
    for (int64_t c = 1; c < k; ++c)
      if (row[c] > max) {
        max = row[c];
        best = c;
      }
    double sum = 0;
    for (int64_t c = 0; c < k; ++c) sum += std::exp(static_cast<double>(row[c]) - max);
    loss += std::log(sum) + max - row[labels[i]];
    correct += best == labels[i];
  }
  const double n = static_cast<double>(nodes.size());
  return {loss / n, static_cast<double>(correct) / n};
}

Evaluation evaluate_node_model(NodeModel& model, const NodeTask& task) {
  const bool was_training = model.is_training();
  model.eval();
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = model.forward(Variable(task.features), task.graph).data();
  }
  model.train(was_training);
  Evaluation e;
  e.train = split_metrics(logits, task.labels, task.train);
  e.val = split_metrics(logits, task.labels, task.val);
  e.test = split_metrics(logits, task.labels, task.test);
  return e;
}

TrainResult train_node_model(NodeModel& model, const NodeTask& task, const TrainOptions& options,
                             const std::function<void(const EpochStats&)>& on_epoch) {
  const char* where = "train_node_model";
  check_arg(options.max_epochs >= 1, where, "max_epochs must be at least 1, got ",
            options.max_epochs);
  check_arg(options.patience >= 0, where, "patience must be non-negative, got ", options.patience);
  check_arg(!task.train.empty() && !task.val.empty() && !task.test.empty(), where,
            "the task needs non-empty train, val and test splits");
  check_arg(options.sparse_max_density >= 0, where, "sparse_max_density must be non-negative, got ",
            options.sparse_max_density);

  const std::vector<Variable> params = model.parameters();
  Adam opt(params, options.adam);
  const Variable x(task.features);
  // Counting first avoids building the sparse copy of dense features.
  std::optional<SparseRows> sparse;
  if (options.sparse_max_density > 0 && model.has_sparse_forward() && task.features.defined() && task.features.dim() == 2 &&
      task.features.numel() > 0 &&
      static_cast<double>(count_nonzero(task.features)) <=
          options.sparse_max_density * static_cast<double>(task.features.numel()))
    sparse = SparseRows::from_dense(task.features);
  auto forward = [&] {
    return sparse ? model.forward_sparse(*sparse, task.graph) : model.forward(x, task.graph);
  };
  std::vector<Tensor> kept;  // the kept weights
  for (const Variable& p : params) kept.push_back(p.data().clone());

  TrainResult result;
  result.sparse_features = sparse.has_value();
  double best_acc = -std::numeric_limits<double>::infinity();
  double best_loss = std::numeric_limits<double>::infinity();
  int64_t waited = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 1; epoch <= options.max_epochs; ++epoch) {
    EpochStats stats;
    stats.epoch = epoch;
    model.train();
    opt.zero_grad();
    Variable logits = forward();
    Variable loss = nll_loss(log_softmax(logits), task.labels, task.train);
    loss.backward();
    opt.step();
    stats.train = split_metrics(logits.data(), task.labels, task.train);

    model.eval();
    {
      NoGradGuard no_grad;
      stats.val = split_metrics(forward().data(), task.labels, task.val);
    }
    result.epochs = epoch;
    if (stats.val.accuracy >= best_acc || stats.val.loss <= best_loss) {
      if (stats.val.accuracy >= best_acc && stats.val.loss <= best_loss) {
        for (size_t k = 0; k < params.size(); ++k)
          std::copy(params[k].data().data(), params[k].data().data() + params[k].numel(),
                    kept[k].data());
        result.best_epoch = epoch;
        stats.kept = true;
      }
      best_acc = std::max(best_acc, stats.val.accuracy);
      best_loss = std::min(best_loss, stats.val.loss);
      waited = 0;
    } else if (options.patience > 0 && ++waited >= options.patience) {
      result.stopped_early = true;
    }
    if (on_epoch) on_epoch(stats);
    if (result.stopped_early) break;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t k = 0; k < params.size(); ++k) {
    Variable p = params[k];
    std::copy(kept[k].data(), kept[k].data() + kept[k].numel(), p.mutable_data().data());
  }
  model.eval();
  result.final = evaluate_node_model(model, task);
  return result;
}

}  // namespace gat
