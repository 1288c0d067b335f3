#include "gat/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "gat/core/error.h"
#include "gat/data/planetoid.h"
#include "gat/nn/gat.h"
#include "gat/ops/add.h"
#include "gat/ops/reduce.h"
#include "testing/data_dir.h"

namespace gat {
namespace {

// A model whose eval-mode outputs follow a script: call k returns logits that give the
// validation nodes a chosen accuracy and loss, so the early-stopping rule can be checked
// epoch by epoch. Training-mode calls return w · 0 + fixed logits so that Adam has a gradient.
class ScriptedModel : public NodeModel {
 public:
  struct Step {
    double val_correct_fraction;  // of the validation nodes
    float right_margin;           // logit of the true class on the nodes classified right
    float wrong_margin;           // logit of the wrong class on the others (> 0: ties go to class 0)
  };
  ScriptedModel(std::vector<Step> script, int64_t n) : script_(std::move(script)), n_(n) {
    w_ = Variable(Tensor::zeros({n, 2}), true);
  }
  Variable forward(const Variable&, const Graph&) const override {
    if (is_training()) return w_;
    const Step s = script_[std::min(eval_calls_++, script_.size() - 1)];
    Tensor logits = Tensor::zeros({n_, 2});
    // Validation nodes are 0 .. n/2 − 1 (see make_task); the first fraction of them are right.
    const int64_t nv = n_ / 2, right = static_cast<int64_t>(std::llround(s.val_correct_fraction * nv));
    for (int64_t i = 0; i < n_; ++i) {
      if (i < right || i >= nv)
        logits.at(i, 0) = s.right_margin;
      else
        logits.at(i, 1) = s.wrong_margin;
    }
    return Variable(logits);
  }
  std::string arch() const override { return "Scripted"; }
  std::string repr() const override { return "Scripted"; }
  size_t eval_calls() const { return eval_calls_; }

 protected:
  std::vector<std::pair<std::string, Variable>> own_parameters() const override {
    return {{"w", w_}};
  }

 private:
  std::vector<Step> script_;
  int64_t n_;
  Variable w_;
  mutable size_t eval_calls_ = 0;
};

NodeTask make_task(int64_t n) {
  NodeTask t;
  t.graph = Graph::from_edges(n, {}, {});
  t.features = Tensor::zeros({n, 1});
  t.labels.assign(n, 0);
  t.num_classes = 2;
  for (int64_t i = 0; i < n / 2; ++i) t.val.push_back(i);
  for (int64_t i = n / 2; i < n; ++i) {
    t.train.push_back(i);
    t.test.push_back(i);
  }
  return t;
}

TEST(Trainer, EarlyStoppingFollowsThePapersRule) {
  // loss = p log(1 + e^−right) + (1 − p) log(1 + e^wrong) over the validation nodes:
  // epoch     1      2      3      4      5, 6, 7 ...
  // val acc   0.5    0.6    0.5    0.7    0.6
  // val loss  0.694  0.486  0.371  0.674  0.684
  // Epochs 1 and 2 improve both (kept); 3 improves the loss only and 4 the accuracy only (each
  // resets the patience, neither is kept); then nothing improves: patience 3 stops at epoch 7.
  std::vector<ScriptedModel::Step> script = {{0.5, 0.1f, 0.1f}, {0.6, 1.0f, 0.1f},
                                             {0.5, 3.0f, 0.01f}, {0.7, 0.1f, 0.1f},
                                             {0.6, 0.1f, 0.1f}};
  const int64_t n = 20;
  NodeTask task = make_task(n);
  ScriptedModel model(script, n);
  std::vector<int64_t> kept_epochs;
  TrainResult r = train_node_model(model, task, {.max_epochs = 100, .patience = 3},
                                   [&](const EpochStats& s) {
                                     if (s.kept) kept_epochs.push_back(s.epoch);
                                   });
  EXPECT_EQ(kept_epochs, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(r.best_epoch, 2);
  EXPECT_EQ(r.epochs, 7);
  EXPECT_TRUE(r.stopped_early);
}

TEST(Trainer, PatienceZeroRunsAllEpochs) {
  NodeTask task = make_task(10);
  ScriptedModel model({{0.4, 1.0f, 1.0f}}, 10);
  TrainResult r = train_node_model(model, task, {.max_epochs = 12, .patience = 0});
  EXPECT_EQ(r.epochs, 12);
  EXPECT_FALSE(r.stopped_early);
}

TEST(Trainer, RestoresTheKeptWeights) {
  // A real model: after training, the model's weights are the kept epoch's, so evaluating it
  // again gives exactly the final evaluation.
  NodeTask task = load_planetoid(testing::data_dir() + "/planetoid/cora", "cora");
  Generator gen(0);
  GAT model({.in_channels = task.features.size(1), .out_channels = task.num_classes}, gen);
  TrainResult r = train_node_model(model, task, {.max_epochs = 30});
  Evaluation again = evaluate_node_model(model, task);
  EXPECT_EQ(again.val.accuracy, r.final.val.accuracy);
  EXPECT_EQ(again.test.loss, r.final.test.loss);
  EXPECT_GE(r.best_epoch, 1);
  EXPECT_LE(r.best_epoch, 30);
}

// The acceptance check of the training path: the paper's setup on Cora reaches > 75 % test
// accuracy within 200 epochs (the paper's full runs reach about 83 %).
TEST(Trainer, CoraReachesSeventyFivePercentWithin200Epochs) {
  NodeTask task = load_planetoid(testing::data_dir() + "/planetoid/cora", "cora");
  Generator gen(1);
  GAT model({.in_channels = task.features.size(1), .out_channels = task.num_classes}, gen);
  TrainResult r = train_node_model(model, task, {.max_epochs = 200});
  EXPECT_GT(r.final.test.accuracy, 0.75) << "test accuracy " << r.final.test.accuracy;
  EXPECT_LE(r.epochs, 200);
}

TEST(Trainer, SplitMetrics) {
  Tensor logits = Tensor::from_vector({3, 2}, {2.0f, 0.0f, 0.0f, 2.0f, 1.0f, 1.0f});
  std::vector<int32_t> labels = {0, 0, 1};
  SplitMetrics m = split_metrics(logits, labels, {0, 1, 2});
  // Node 0 right, node 1 wrong, node 2 a tie: argmax takes the first class, wrong.
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0 / 3.0);
  const double l0 = std::log(1 + std::exp(-2.0)), l1 = std::log(1 + std::exp(2.0)),
               l2 = std::log(2.0);
  EXPECT_NEAR(m.loss, (l0 + l1 + l2) / 3, 1e-12);
  EXPECT_THROW(split_metrics(logits, labels, {}), InvalidArgument);
}

TEST(Trainer, RejectsBadOptions) {
  NodeTask task = make_task(10);
  ScriptedModel model({{0.5, 1.0f, 1.0f}}, 10);
  EXPECT_THROW(train_node_model(model, task, {.max_epochs = 0}), InvalidArgument);
  EXPECT_THROW(train_node_model(model, task, {.patience = -1}), InvalidArgument);
  task.val.clear();
  EXPECT_THROW(train_node_model(model, task, {}), InvalidArgument);
}

TEST(Trainer, HeaderExample) {
  NodeTask task = load_planetoid(testing::data_dir() + "/planetoid/cora", "cora");
  gat::Generator gen(0);
  gat::GAT model({.in_channels = task.features.size(1), .out_channels = task.num_classes}, gen);
  gat::TrainResult r = gat::train_node_model(model, task, {.max_epochs = 5});
  EXPECT_EQ(r.epochs, 5);
}

}  // namespace
}  // namespace gat
