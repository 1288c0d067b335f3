#include "gat/train/graph_trainer.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>

#include "gat/core/error.h"
#include "gat/ops/log_softmax.h"

namespace gat {

namespace {

std::vector<int64_t> iota_ids(int64_t n) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}

Tensor batch_logits(const GraphClassifier& model, const GraphBatch& batch) {
  return model.forward(Variable(batch.features), batch.graph, batch.batch, batch.num_graphs())
      .data();
}

}  // namespace

SplitMetrics evaluate_graph_classifier(GraphClassifier& model, const GraphBatch& batch) {
  const bool was_training = model.is_training();
  model.eval();
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = batch_logits(model, batch);
  }
  model.train(was_training);
  return split_metrics(logits, batch.labels, iota_ids(batch.num_graphs()));
}

GraphTrainResult train_graph_classifier(
    GraphClassifier& model, const GraphTask& task, const GraphTrainOptions& options,
    const std::function<void(const GraphEpochStats&)>& on_epoch) {
  const char* where = "train_graph_classifier";
  check_arg(options.epochs >= 1, where, "epochs must be at least 1, got ", options.epochs);
  check_arg(options.batch_size >= 1, where, "batch_size must be at least 1, got ",
            options.batch_size);
  check_arg(!task.train.empty() && !task.val.empty() && !task.test.empty(), where,
            "the task needs non-empty train, val and test splits");

  const std::vector<Variable> params = model.parameters();
  Adam opt(params, options.adam);
  std::vector<Tensor> kept;
  for (const Variable& p : params)
    kept.push_back(p.data().clone());
  const GraphBatch val = make_graph_batch(task, task.val);
  Generator order_gen(options.shuffle_seed);
  std::vector<int64_t> order = task.train;

  GraphTrainResult result;
  double best_acc = -1, best_loss = std::numeric_limits<double>::infinity();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    GraphEpochStats stats;
    stats.epoch = epoch;
    for (size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[order_gen.below(i)]);
    model.train();
    double loss_sum = 0, correct_sum = 0;
    for (size_t first = 0; first < order.size(); first += options.batch_size) {
      const size_t last = std::min(order.size(), first + static_cast<size_t>(options.batch_size));
      const GraphBatch mb =
          make_graph_batch(task, std::vector<int64_t>(order.begin() + first, order.begin() + last));
      const std::vector<int64_t> all = iota_ids(mb.num_graphs());
      opt.zero_grad();
      Variable logits = model.forward(Variable(mb.features), mb.graph, mb.batch, mb.num_graphs());
      Variable loss = nll_loss(log_softmax(logits), mb.labels, all);
      loss.backward();
      opt.step();
      const SplitMetrics m = split_metrics(logits.data(), mb.labels, all);
      loss_sum += m.loss * static_cast<double>(all.size());
      correct_sum += m.accuracy * static_cast<double>(all.size());
    }
    stats.train = {loss_sum / static_cast<double>(order.size()),
                   correct_sum / static_cast<double>(order.size())};
    stats.val = evaluate_graph_classifier(model, val);
    result.epochs = epoch;
    if (stats.val.accuracy > best_acc ||
        (stats.val.accuracy == best_acc && stats.val.loss < best_loss)) {
      best_acc = stats.val.accuracy;
      best_loss = stats.val.loss;
      for (size_t k = 0; k < params.size(); ++k)
        std::copy(params[k].data().data(), params[k].data().data() + params[k].numel(),
                  kept[k].data());
      result.best_epoch = epoch;
      stats.kept = true;
    }
    if (on_epoch) on_epoch(stats);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t k = 0; k < params.size(); ++k) {
    Variable p = params[k];
    std::copy(kept[k].data(), kept[k].data() + kept[k].numel(), p.mutable_data().data());
  }
  model.eval();
  result.final.train = evaluate_graph_classifier(model, make_graph_batch(task, task.train));
  result.final.val = evaluate_graph_classifier(model, val);
  result.final.test = evaluate_graph_classifier(model, make_graph_batch(task, task.test));
  return result;
}

}  // namespace gat
