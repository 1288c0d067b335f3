// Tests for GraphClassifier (nn/graph_classifier.h): PyG names and shapes for both poolings,
// repr, graph-level outputs that do not depend on the other graphs of a batch (the block-diagonal
// batch really keeps graphs apart) nor on their order, mean pooling against a hand-computed mean,
// gradients of the whole model, and argument checks.
#include "gat/nn/graph_classifier.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "gat/core/error.h"
#include "gat/data/graph_task.h"
#include "gat/ops/activation.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

namespace gat {
namespace {

using testing::throws_with;

std::vector<std::pair<std::string, std::string>> names_and_shapes(const Module& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, p] : m.named_parameters())
    out.emplace_back(name, p.shape().str());
  return out;
}

TEST(GraphClassifier, HeaderExample) {
  Generator data_gen(1);
  const GraphTask task = marker_neighbour_task({.num_graphs = 10}, data_gen);
  const GraphBatch b = make_graph_batch(task, {0, 1, 2});
  const Variable x(b.features);
  const Graph& graph = b.graph;
  const std::vector<int64_t>& batch = b.batch;
  const int64_t num_graphs = b.num_graphs();

  gat::Generator gen(0);
  gat::GraphClassifier model({.in_channels = 5, .out_channels = 2}, gen);
  gat::Variable logits = model.forward(x, graph, batch, num_graphs);  // [B, 2]
  EXPECT_EQ(logits.shape(), Shape({3, 2}));
}

TEST(GraphClassifier, PygNamesAndShapes) {
  Generator gen(2);
  GraphClassifier att({.in_channels = 5, .hidden_channels = 3, .out_channels = 2, .heads = 2}, gen);
  EXPECT_EQ(names_and_shapes(att),
            (std::vector<std::pair<std::string, std::string>>{{"conv1.lin.weight", "[6, 5]"},
                                                              {"conv1.att_src", "[1, 2, 3]"},
                                                              {"conv1.att_dst", "[1, 2, 3]"},
                                                              {"conv1.bias", "[6]"},
                                                              {"conv2.lin.weight", "[6, 6]"},
                                                              {"conv2.att_src", "[1, 2, 3]"},
                                                              {"conv2.att_dst", "[1, 2, 3]"},
                                                              {"conv2.bias", "[6]"},
                                                              {"pool.gate_nn.weight", "[1, 6]"},
                                                              {"pool.gate_nn.bias", "[1]"},
                                                              {"pool.nn.weight", "[6, 6]"},
                                                              {"pool.nn.bias", "[6]"},
                                                              {"lin.weight", "[2, 6]"},
                                                              {"lin.bias", "[2]"}}));
  EXPECT_EQ(att.repr(),
            "GraphClassifier(\n  (conv1): GATConv(5, 3, heads=2)\n  (conv2): GATConv(6, 3, "
            "heads=2)\n  (pool): AttentionalAggregation(gate_nn=Linear(in_features=6, "
            "out_features=1, bias=True), nn=Linear(in_features=6, out_features=6, bias=True))\n"
            "  (lin): Linear(in_features=6, out_features=2, bias=True)\n)");

  GraphClassifier mean({.in_channels = 5,
                        .hidden_channels = 3,
                        .out_channels = 2,
                        .heads = 2,
                        .pooling = GraphPooling::Mean},
                       gen);
  const auto names = names_and_shapes(mean);
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names[7].first, "conv2.bias");
  EXPECT_EQ(names[8].first, "lin.weight");
  EXPECT_FALSE(mean.pool.has_value());
  EXPECT_NE(mean.repr().find("(pool): mean"), std::string::npos);
}

TEST(GraphClassifier, PoolingNames) {
  EXPECT_EQ(parse_graph_pooling("attention"), GraphPooling::Attention);
  EXPECT_EQ(parse_graph_pooling("mean"), GraphPooling::Mean);
  EXPECT_STREQ(graph_pooling_name(GraphPooling::Attention), "attention");
  EXPECT_STREQ(graph_pooling_name(GraphPooling::Mean), "mean");
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [] { parse_graph_pooling("max"); },
      "parse_graph_pooling: pooling must be attention or mean, got 'max'"));
}

// Each graph's logits are the same alone, in any batch, in any position: no message or pooling
// weight leaks across the blocks of the block-diagonal batch.
TEST(GraphClassifier, GraphsInABatchStayApart) {
  Generator data_gen(3);
  const GraphTask task = marker_neighbour_task({.num_graphs = 12}, data_gen);
  for (GraphPooling pooling : {GraphPooling::Attention, GraphPooling::Mean}) {
    Generator gen(4);
    GraphClassifier model({.in_channels = task.num_features(),
                           .hidden_channels = 4,
                           .out_channels = 2,
                           .heads = 2,
                           .pooling = pooling},
                          gen);
    auto logits_of = [&](const std::vector<int64_t>& ids) {
      const GraphBatch b = make_graph_batch(task, ids);
      return model.forward(Variable(b.features), b.graph, b.batch, b.num_graphs()).data();
    };
    const std::vector<int64_t> ids = {4, 0, 9, 2, 7};
    const Tensor together = logits_of(ids);
    const Tensor reversed = logits_of({7, 2, 9, 0, 4});
    for (size_t k = 0; k < ids.size(); ++k) {
      const Tensor alone = logits_of({ids[k]});
      for (int64_t c = 0; c < 2; ++c) {
        EXPECT_NEAR(together.at(k, c), alone.at(0, c), 1e-5) << "graph " << ids[k];
        EXPECT_NEAR(reversed.at(ids.size() - 1 - k, c), alone.at(0, c), 1e-5);
      }
    }
  }
}

// Mean pooling is lin applied to the plain mean of the node representations of each graph.
TEST(GraphClassifier, MeanPoolingIsTheMean) {
  Generator data_gen(5);
  const GraphTask task = marker_neighbour_task({.num_graphs = 10}, data_gen);
  const GraphBatch b = make_graph_batch(task, {1, 3});
  Generator gen(6);
  GraphClassifier model({.in_channels = task.num_features(),
                         .hidden_channels = 3,
                         .out_channels = 2,
                         .heads = 2,
                         .pooling = GraphPooling::Mean},
                        gen);
  const Variable x(b.features);
  const Tensor h = elu(model.conv2.forward(elu(model.conv1.forward(x, b.graph)), b.graph)).data();
  const Tensor logits = model.forward(x, b.graph, b.batch, 2).data();
  const Tensor& w = model.lin.weight.data();
  for (int64_t g = 0; g < 2; ++g)
    for (int64_t c = 0; c < 2; ++c) {
      double ref = model.lin.bias.data().at(c);
      for (int64_t k = 0; k < 6; ++k) {
        double m = 0;
        for (int64_t i = b.ptr[g]; i < b.ptr[g + 1]; ++i)
          m += h.at(i, k);
        ref += w.at(c, k) * m / static_cast<double>(b.ptr[g + 1] - b.ptr[g]);
      }
      EXPECT_NEAR(logits.at(g, c), ref, 1e-5);
    }
}

// The whole model, input features and one parameter of each layer, on two tiny graphs.
TEST(GraphClassifier, Gradcheck) {
  Generator gen(7);
  const std::vector<int64_t> src = {0, 1, 1, 2, 3, 4, 4, 5}, dst = {1, 0, 2, 1, 4, 3, 5, 4};
  const Graph graph = Graph::from_edges(6, src, dst);  // a path of 3 and a path of 3
  const std::vector<int64_t> batch = {0, 0, 0, 1, 1, 1};
  // negative_slope = 1 makes the attention's LeakyReLU the identity: with its kink at 0 inside
  // every score, a finite-difference step across it would test the kink, not the wiring (the
  // attention op is gradchecked with its kink in tests/ops/test_gat_attention.cpp).
  GraphClassifier model({.in_channels = 3,
                         .hidden_channels = 2,
                         .out_channels = 2,
                         .heads = 2,
                         .negative_slope = 1.0f},
                        gen);
  Variable x(testing::random_tensor({6, 3}, gen, -2.0f, 2.0f), true);
  const auto f = [&](const std::vector<Variable>& in) {
    // The parameters are gradchecked in place: the model reads the perturbed values.
    return model.forward(in[0], graph, batch, 2);
  };
  // Through two float32 attention layers the finite differences carry more rounding than one
  // op's: over 40 seeds the largest error was 1.6e-3 (each op alone is checked at 1e-3 in
  // tests/ops/), hence 3e-3 here; a wiring mistake gives errors of order 1.
  const testing::GradcheckOptions model_tolerance{.tolerance = 3e-3};
  EXPECT_TRUE(testing::gradcheck(
      f,
      {x, model.conv1.lin_weight, model.conv1.att_src, model.conv2.lin_weight, model.conv2.att_src,
       model.pool->nn.weight, model.lin.weight, model.lin.bias},
      model_tolerance));
  // The gate's gradient scales with how much nn(h_i) differs between the nodes of a graph, which
  // is little at initialisation: about the float32 noise of the finite differences. A larger
  // nn.weight and step (the gate is smooth: a softmax of a linear map) lift it above the noise.
  Tensor& nn_weight = model.pool->nn.weight.mutable_data();
  for (int64_t k = 0; k < nn_weight.numel(); ++k)
    nn_weight.data()[k] *= 5.0f;
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Variable>&) { return model.forward(x, graph, batch, 2); },
      {model.pool->gate_nn.weight}, {.step = 0.05, .tolerance = 3e-3}));
}

TEST(GraphClassifier, BadArgumentsThrow) {
  Generator gen(8);
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { GraphClassifier({.in_channels = 0, .out_channels = 2}, gen); },
      "GraphClassifier: in_channels, hidden_channels, out_channels and heads must be positive, "
      "got 0, 16, 2, 4"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { GraphClassifier({.in_channels = 3, .out_channels = 2, .heads = 0}, gen); },
      "must be positive"));
  GraphClassifier model({.in_channels = 3, .hidden_channels = 2, .out_channels = 2, .heads = 1},
                        gen);
  const std::vector<int64_t> src = {0, 1}, dst = {1, 0};
  const Graph graph = Graph::from_edges(3, src, dst);
  const Variable x(Tensor::zeros({3, 3}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        model.forward(x, graph, {0, 0}, 1);
      },
      "GraphClassifier::forward: batch must have one entry per node (3), got 2"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        model.forward(x, graph, {0, 1, 0}, 2);
      },
      "batch"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        model.forward(Variable(Tensor::zeros({3, 4})), graph, {0, 0, 0}, 1);
      },
      "x has 4 features but in_channels is 3"));
}

}  // namespace
}  // namespace gat
