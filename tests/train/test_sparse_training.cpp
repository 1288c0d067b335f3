// The trainer's sparse input path (train/trainer.h, TrainOptions::sparse_max_density) on Cora:
// it is taken automatically for Planetoid's 1 %-dense features, and its loss curve is the dense
// path's up to float summation order.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/data/planetoid.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gat.h"
#include "gat/nn/gatv2.h"
#include "gat/train/trainer.h"
#include "testing/data_dir.h"

namespace gat {
namespace {

struct Curve {
  std::vector<double> train_loss, val_loss;
  TrainResult result;
};

template <typename Model, typename Options>
Curve run(const NodeTask& task, const Options& model_options, double sparse_max_density,
          int64_t epochs) {
  Generator gen(7);
  Model model(model_options, gen);
  Curve c;
  c.result = train_node_model(
      model, task, {.max_epochs = epochs, .patience = 0, .sparse_max_density = sparse_max_density},
      [&](const EpochStats& s) {
        c.train_loss.push_back(s.train.loss);
        c.val_loss.push_back(s.val.loss);
      });
  return c;
}

void expect_same_curve(const Curve& sparse, const Curve& dense, const std::string& name) {
  EXPECT_TRUE(sparse.result.sparse_features) << name;
  EXPECT_FALSE(dense.result.sparse_features) << name;
  ASSERT_EQ(sparse.train_loss.size(), dense.train_loss.size());
  for (size_t e = 0; e < dense.train_loss.size(); ++e) {
    // Float summation order only: the losses agree to far better than the epoch-to-epoch change.
    EXPECT_NEAR(sparse.train_loss[e], dense.train_loss[e], 1e-4 * dense.train_loss[e])
        << name << ", epoch " << e + 1;
    EXPECT_NEAR(sparse.val_loss[e], dense.val_loss[e], 1e-4 * dense.val_loss[e])
        << name << ", epoch " << e + 1;
  }
  EXPECT_NEAR(sparse.result.final.test.accuracy, dense.result.final.test.accuracy, 0.002) << name;
}

TEST(SparseTraining, CoraGatLossCurveMatchesTheDensePath) {
  const NodeTask task = load_planetoid(testing::data_dir() + "/planetoid/cora", "cora");
  const GATOptions o{.in_channels = task.features.size(1), .out_channels = task.num_classes};
  expect_same_curve(run<GAT>(task, o, 0.1, 20), run<GAT>(task, o, 0.0, 20), "GAT");
}

TEST(SparseTraining, CoraGatv2AndBaselinesLossCurvesMatchTheDensePath) {
  const NodeTask task = load_planetoid(testing::data_dir() + "/planetoid/cora", "cora");
  const GATOptions o{.in_channels = task.features.size(1), .out_channels = task.num_classes};
  expect_same_curve(run<GATv2>(task, o, 0.1, 10), run<GATv2>(task, o, 0.0, 10), "GATv2");
  const BaselineOptions b{.in_channels = task.features.size(1), .out_channels = task.num_classes};
  expect_same_curve(run<GCN>(task, b, 0.1, 20), run<GCN>(task, b, 0.0, 20), "GCN");
  expect_same_curve(run<MLP>(task, b, 0.1, 20), run<MLP>(task, b, 0.0, 20), "MLP");
}

TEST(SparseTraining, DenseFeaturesKeepTheDensePath) {
  // Cora is 1.3 % non-zero: a threshold below that keeps it dense.
  const NodeTask task = load_planetoid(testing::data_dir() + "/planetoid/cora", "cora");
  const GATOptions o{.in_channels = task.features.size(1), .out_channels = task.num_classes};
  EXPECT_FALSE(run<GAT>(task, o, 0.01, 1).result.sparse_features);
  EXPECT_TRUE(run<GAT>(task, o, 0.02, 1).result.sparse_features);
  Generator gen(0);
  GAT model(o, gen);
  EXPECT_THROW(train_node_model(model, task, {.max_epochs = 1, .sparse_max_density = -1}),
               InvalidArgument);
}

}  // namespace
}  // namespace gat
