// Tests for the sparse input path of the node models (NodeModel::forward_sparse in
// nn/node_model.h, overridden by GAT, GATv2, GCN and MLP) and the layers' forward_projected entry
// points: the sparse path gives the dense path's logits and gradients up to float summation
// order, in training and eval, over several optimiser steps, and leaves the generator in the same
// state; forward_projected(linear(x, W)) is forward(x) exactly; shape errors are typed.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/sparse.h"
#include "gat/data/synthetic.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gat.h"
#include "gat/nn/gatv2.h"
#include "gat/ops/linear.h"
#include "gat/ops/log_softmax.h"
#include "gat/optim/optimizer.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"

using gat::testing::throws_with;

namespace gat {
namespace {

NodeTask sparse_task() {
  Generator gen(5);
  // Bag-of-words features: about 18 of 300 words per node.
  return planted_topics({.num_nodes = 400, .num_classes = 4, .num_features = 300}, gen);
}

using ModelFactory = std::function<std::unique_ptr<NodeModel>(const NodeTask&, Generator&)>;

std::vector<std::pair<std::string, ModelFactory>> factories() {
  return {
      {"GAT",
       [](const NodeTask& t, Generator& g) -> std::unique_ptr<NodeModel> {
         return std::make_unique<GAT>(
             GATOptions{.in_channels = t.features.size(1), .out_channels = t.num_classes}, g);
       }},
      {"GAT out_heads 2, hidden 5",
       [](const NodeTask& t, Generator& g) -> std::unique_ptr<NodeModel> {
         return std::make_unique<GAT>(GATOptions{.in_channels = t.features.size(1),
                                                 .hidden_channels = 5,
                                                 .out_channels = t.num_classes,
                                                 .heads = 3,
                                                 .out_heads = 2},
                                      g);
       }},
      {"GATv2",
       [](const NodeTask& t, Generator& g) -> std::unique_ptr<NodeModel> {
         return std::make_unique<GATv2>(
             GATOptions{.in_channels = t.features.size(1), .out_channels = t.num_classes}, g);
       }},
      {"GCN",
       [](const NodeTask& t, Generator& g) -> std::unique_ptr<NodeModel> {
         return std::make_unique<GCN>(
             BaselineOptions{.in_channels = t.features.size(1), .out_channels = t.num_classes}, g);
       }},
      {"MLP",
       [](const NodeTask& t, Generator& g) -> std::unique_ptr<NodeModel> {
         return std::make_unique<MLP>(
             BaselineOptions{.in_channels = t.features.size(1), .out_channels = t.num_classes}, g);
       }},
  };
}

double rel_error(const Tensor& a, const Tensor& b) {
  double diff = 0, scale = 1e-12;
  for (int64_t k = 0; k < a.numel(); ++k) {
    diff = std::max(diff, std::abs(static_cast<double>(a.at(k)) - b.at(k)));
    scale = std::max(scale, std::abs(static_cast<double>(b.at(k))));
  }
  return diff / scale;
}

TEST(SparseForward, EveryModelMatchesItsDensePathOverSeveralSteps) {
  const NodeTask task = sparse_task();
  const SparseRows xs = SparseRows::from_dense(task.features);
  ASSERT_LT(xs.density(), 0.1);
  const Variable x(task.features);
  for (const auto& [name, make] : factories()) {
    Generator gen_dense(3), gen_sparse(3);
    std::unique_ptr<NodeModel> dense = make(task, gen_dense), sparse = make(task, gen_sparse);
    ASSERT_TRUE(sparse->has_sparse_forward()) << name;
    Adam opt_dense(dense->parameters(), {.lr = 0.01f}),
        opt_sparse(sparse->parameters(), {.lr = 0.01f});
    for (int step = 0; step < 4; ++step) {
      const std::string what = name + ", step " + std::to_string(step);
      dense->train();
      sparse->train();
      opt_dense.zero_grad();
      opt_sparse.zero_grad();
      const Variable ld = dense->forward(x, task.graph);
      const Variable ls = sparse->forward_sparse(xs, task.graph);
      EXPECT_LE(rel_error(ls.data(), ld.data()), 1e-5) << what;
      nll_loss(log_softmax(ld), task.labels, task.train).backward();
      nll_loss(log_softmax(ls), task.labels, task.train).backward();
      const auto pd = dense->named_parameters(), ps = sparse->named_parameters();
      ASSERT_EQ(pd.size(), ps.size());
      for (size_t k = 0; k < pd.size(); ++k) {
        ASSERT_EQ(pd[k].first, ps[k].first);
        EXPECT_LE(rel_error(ps[k].second.grad(), pd[k].second.grad()), 1e-4)
            << what << ", gradient of " << pd[k].first;
      }
      opt_dense.step();
      opt_sparse.step();
      // The same random draws: the streams are still in step.
      Generator probe_dense = gen_dense, probe_sparse = gen_sparse;
      EXPECT_EQ(probe_dense.next_u64(), probe_sparse.next_u64()) << what;

      dense->eval();
      sparse->eval();
      NoGradGuard no_grad;
      EXPECT_LE(rel_error(sparse->forward_sparse(xs, task.graph).data(),
                          dense->forward(x, task.graph).data()),
                1e-5)
          << what << " (eval)";
    }
  }
}

TEST(SparseForward, DefaultForwardSparseDensifies) {
  // A model without a sparse path of its own: forward_sparse runs forward on the dense matrix.
  class Echo : public NodeModel {
   public:
    Variable forward(const Variable& x, const Graph&) const override { return x; }
    std::string arch() const override { return "Echo"; }
    std::string repr() const override { return "Echo"; }
  };
  const NodeTask task = sparse_task();
  Echo echo;
  EXPECT_FALSE(echo.has_sparse_forward());
  EXPECT_EQ(
      echo.forward_sparse(SparseRows::from_dense(task.features), task.graph).data().to_vector(),
      task.features.to_vector());
}

TEST(SparseForward, ForwardProjectedOfTheProjectionIsForward) {
  const NodeTask task = sparse_task();
  const Variable x(task.features);
  const int64_t n = task.graph.num_nodes(), f = task.features.size(1);
  {
    Generator g1(1), g2(1);
    GATConv a({.in_channels = f, .out_channels = 4, .heads = 2, .dropout = 0.3f}, g1);
    GATConv b({.in_channels = f, .out_channels = 4, .heads = 2, .dropout = 0.3f}, g2);
    EXPECT_EQ(a.forward(x, task.graph).data().to_vector(),
              b.forward_projected(linear(x, b.lin_weight), task.graph).data().to_vector());
    EXPECT_TRUE(throws_with<ShapeError>(
        [&] {
          b.forward_projected(Variable(Tensor::zeros({n, 7})), task.graph);
        },
        "GATConv::forward_projected: projected must be [N, H·C] = [400, 8], got [400, 7]"));
    EXPECT_TRUE(throws_with<ShapeError>([&] { b.forward_projected(Variable(), task.graph); },
                                        "got (undefined)"));
  }
  {
    Generator g1(1), g2(1);
    GATv2Conv a({.in_channels = f, .out_channels = 4, .heads = 2, .dropout = 0.3f}, g1);
    GATv2Conv b({.in_channels = f, .out_channels = 4, .heads = 2, .dropout = 0.3f}, g2);
    EXPECT_EQ(a.forward(x, task.graph).data().to_vector(),
              b.forward_projected(linear(x, b.lin_l_weight, b.lin_l_bias),
                                  linear(x, b.lin_r_weight, b.lin_r_bias), task.graph)
                  .data()
                  .to_vector());
    const Variable ok(Tensor::zeros({n, 8}));
    EXPECT_TRUE(throws_with<ShapeError>(
        [&] {
          b.forward_projected(ok, Variable(Tensor::zeros({n - 1, 8})), task.graph);
        },
        "GATv2Conv::forward_projected: x_r must be [N, H·C] = [400, 8], got [399, 8]"));
  }
  {
    Generator g1(1), g2(1);
    GCNConv a({.in_channels = f, .out_channels = 5}, g1);
    GCNConv b({.in_channels = f, .out_channels = 5}, g2);
    EXPECT_EQ(a.forward(x, task.graph).data().to_vector(),
              b.forward_projected(linear(x, b.lin_weight), task.graph).data().to_vector());
    EXPECT_TRUE(throws_with<ShapeError>(
        [&] {
          b.forward_projected(Variable(Tensor::zeros({n, 4})), task.graph);
        },
        "GCNConv::forward_projected: h must be [N, out_channels] = [400, 5], got [400, 4]"));
  }
}

TEST(SparseForward, ShapeErrorsNameTheModel) {
  const NodeTask task = sparse_task();
  const SparseRows wrong_cols = SparseRows::from_dense(Tensor::zeros({400, 299}));
  const SparseRows wrong_rows = SparseRows::from_dense(Tensor::zeros({399, 300}));
  for (const auto& [name, make] : factories()) {
    Generator gen(0);
    std::unique_ptr<NodeModel> model = make(task, gen);
    const std::string arch = model->arch();
    EXPECT_THROW(model->forward_sparse(wrong_cols, task.graph), ShapeError) << name;
    EXPECT_TRUE(throws_with<ShapeError>([&] { model->forward_sparse(wrong_rows, task.graph); },
                                        arch + "::forward_sparse"))
        << name;
  }
}

}  // namespace
}  // namespace gat
