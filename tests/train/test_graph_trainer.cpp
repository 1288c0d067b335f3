// Tests for graph-classifier training (train/graph_trainer.h): the model learns the
// marker-neighbour task far above chance within a few epochs, the kept weights are the ones
// reported, runs repeat exactly, and bad options throw.
#include "gat/train/graph_trainer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "gat/core/error.h"
#include "testing/assertions.h"

namespace gat {
namespace {

using testing::throws_with;

TEST(GraphTrainer, HeaderExample) {
  gat::Generator gen(0);
  gat::GraphTask task = gat::marker_neighbour_task({.num_graphs = 400}, gen);
  gat::GraphClassifier model({.in_channels = task.num_features(), .out_channels = 2}, gen);
  gat::GraphTrainResult r = gat::train_graph_classifier(model, task, {.epochs = 20});
  std::printf("test accuracy %.1f%%\n", 100 * r.final.test.accuracy);
  // Chance is 50% (balanced labels, label-independent mean features): this must be far above.
  EXPECT_GE(r.final.test.accuracy, 0.85);
  EXPECT_GE(r.final.val.accuracy, 0.85);
  EXPECT_EQ(r.epochs, 20);
  EXPECT_FALSE(model.is_training());
}

TEST(GraphTrainer, KeptWeightsAreReportedAndRunsRepeat) {
  auto run = [](std::vector<GraphEpochStats>* log) {
    Generator gen(1);
    const GraphTask task = marker_neighbour_task({.num_graphs = 60}, gen);
    GraphClassifier model(
        {.in_channels = task.num_features(), .hidden_channels = 4, .out_channels = 2, .heads = 2},
        gen);
    GraphTrainResult r =
        train_graph_classifier(model, task, {.epochs = 4, .batch_size = 8, .shuffle_seed = 2},
                               [&](const GraphEpochStats& s) { log->push_back(s); });
    // The final validation figures are those of the kept epoch.
    const GraphEpochStats& best = (*log)[r.best_epoch - 1];
    EXPECT_TRUE(best.kept);
    EXPECT_NEAR(r.final.val.accuracy, best.val.accuracy, 1e-12);
    EXPECT_NEAR(r.final.val.loss, best.val.loss, 1e-6);
    EXPECT_EQ(r.final.val.accuracy,
              evaluate_graph_classifier(model, make_graph_batch(task, task.val)).accuracy);
    return r;
  };
  std::vector<GraphEpochStats> a, b;
  const GraphTrainResult ra = run(&a), rb = run(&b);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 4u);
  for (size_t e = 0; e < a.size(); ++e) {
    EXPECT_EQ(a[e].epoch, static_cast<int64_t>(e) + 1);
    EXPECT_EQ(a[e].train.loss, b[e].train.loss);
    EXPECT_EQ(a[e].val.loss, b[e].val.loss);
  }
  EXPECT_EQ(ra.best_epoch, rb.best_epoch);
  EXPECT_EQ(ra.final.test.loss, rb.final.test.loss);
}

TEST(GraphTrainer, BadOptionsThrow) {
  Generator gen(3);
  const GraphTask task = marker_neighbour_task({.num_graphs = 10}, gen);
  GraphClassifier model({.in_channels = task.num_features(), .out_channels = 2}, gen);
  EXPECT_TRUE(
      throws_with<InvalidArgument>([&] { train_graph_classifier(model, task, {.epochs = 0}); },
                                   "train_graph_classifier: epochs must be at least 1, got 0"));
  EXPECT_TRUE(
      throws_with<InvalidArgument>([&] { train_graph_classifier(model, task, {.batch_size = 0}); },
                                   "train_graph_classifier: batch_size must be at least 1, got 0"));
  GraphTask no_val = task;
  no_val.val.clear();
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { train_graph_classifier(model, no_val, {}); },
                                           "non-empty train, val and test"));
}

}  // namespace
}  // namespace gat
