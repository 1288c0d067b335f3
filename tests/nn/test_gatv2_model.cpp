#include "gat/nn/gatv2.h"

#include <gtest/gtest.h>

#include "gat/core/error.h"
#include "testing/fixtures.h"

namespace gat {
namespace {

TEST(GATv2Model, PyGNamesAndShapes) {
  Generator gen(0);
  GATv2 model({.in_channels = 10, .hidden_channels = 8, .out_channels = 3, .heads = 4}, gen);
  std::vector<std::pair<std::string, std::string>> got;
  for (auto& [name, p] : model.named_parameters()) got.emplace_back(name, p.shape().str());
  std::vector<std::pair<std::string, std::string>> expected = {
      {"conv1.lin_l.weight", "[32, 10]"}, {"conv1.lin_l.bias", "[32]"},
      {"conv1.lin_r.weight", "[32, 10]"}, {"conv1.lin_r.bias", "[32]"},
      {"conv1.att", "[1, 4, 8]"},         {"conv1.bias", "[32]"},
      {"conv2.lin_l.weight", "[3, 32]"},  {"conv2.lin_l.bias", "[3]"},
      {"conv2.lin_r.weight", "[3, 32]"},  {"conv2.lin_r.bias", "[3]"},
      {"conv2.att", "[1, 1, 3]"},         {"conv2.bias", "[3]"}};
  EXPECT_EQ(got, expected);
  EXPECT_EQ(model.arch(), "GATv2");
  EXPECT_THROW(GATv2({.in_channels = 0, .out_channels = 3}, gen), InvalidArgument);
}

TEST(GATv2Model, EvalDeterministicTrainDropsOut) {
  Generator data(2);
  testing::EdgeList edges = testing::random_edges(40, 160, data);
  Graph graph = edges.graph();
  Variable x(testing::random_tensor({40, 10}, data));
  Generator gen(0);
  GATv2 model({.in_channels = 10, .out_channels = 3}, gen);
  NoGradGuard no_grad;
  model.eval();
  EXPECT_EQ(model.forward(x, graph).data().to_vector(), model.forward(x, graph).data().to_vector());
  model.train();
  EXPECT_NE(model.forward(x, graph).data().to_vector(), model.forward(x, graph).data().to_vector());
}

TEST(GATv2Model, HeaderExample) {
  Generator data(1);
  testing::EdgeList edges = testing::random_edges(10, 30, data);
  gat::Graph graph = edges.graph();
  gat::Variable x(testing::random_tensor({10, 1433}, data));
  gat::Generator gen(0);
  gat::GATv2 model({.in_channels = 1433, .out_channels = 7}, gen);
  gat::Variable logits = model.forward(x, graph);  // [N, 7]
  EXPECT_EQ(logits.shape(), Shape({10, 7}));
}

}  // namespace
}  // namespace gat
