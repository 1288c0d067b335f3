#include "gat/nn/module.h"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "gat/core/error.h"
#include "gat/nn/gat.h"
#include "gat/nn/gat_conv.h"

namespace gat {
namespace {

std::vector<std::pair<std::string, std::string>> names_and_shapes(const Module& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, p] : m.named_parameters()) out.emplace_back(name, p.shape().str());
  return out;
}

TEST(Module, GATConvNamesAndShapesMatchPyG) {
  Generator gen(0);
  GATConv concat({.in_channels = 8, .out_channels = 32, .heads = 2}, gen);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"lin.weight", "[64, 8]"}, {"att_src", "[1, 2, 32]"}, {"att_dst", "[1, 2, 32]"},
      {"bias", "[64]"}};
  EXPECT_EQ(names_and_shapes(concat), expected);

  GATConv mean({.in_channels = 8, .out_channels = 32, .heads = 2, .concat = false}, gen);
  EXPECT_EQ(names_and_shapes(mean).back(), std::make_pair(std::string("bias"), std::string("[32]")));

  GATConv no_bias({.in_channels = 8, .out_channels = 32, .heads = 2, .bias = false}, gen);
  EXPECT_EQ(names_and_shapes(no_bias).size(), 3u);
  EXPECT_EQ(no_bias.num_parameters(), 64 * 8 + 2 * 64);
}

TEST(Module, ModelPrefixesChildNames) {
  Generator gen(0);
  GAT model({.in_channels = 10, .hidden_channels = 8, .out_channels = 3, .heads = 4}, gen);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"conv1.lin.weight", "[32, 10]"}, {"conv1.att_src", "[1, 4, 8]"},
      {"conv1.att_dst", "[1, 4, 8]"},   {"conv1.bias", "[32]"},
      {"conv2.lin.weight", "[3, 32]"},  {"conv2.att_src", "[1, 1, 3]"},
      {"conv2.att_dst", "[1, 1, 3]"},   {"conv2.bias", "[3]"}};
  EXPECT_EQ(names_and_shapes(model), expected);
  for (const Variable& p : model.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, TrainEvalReachChildren) {
  Generator gen(0);
  GAT model({.in_channels = 4, .hidden_channels = 2, .out_channels = 2, .heads = 2}, gen);
  EXPECT_TRUE(model.is_training());
  model.eval();
  EXPECT_FALSE(model.is_training());
  EXPECT_FALSE(model.conv1.is_training());
  EXPECT_FALSE(model.conv2.is_training());
  model.train();
  EXPECT_TRUE(model.conv2.is_training());
}

TEST(Module, ZeroGradClearsEveryParameter) {
  Generator gen(0);
  GATConv conv({.in_channels = 3, .out_channels = 2}, gen);
  for (Variable p : conv.parameters()) p.mutable_grad() = Tensor::full(p.shape(), 1.0f);
  conv.zero_grad();
  for (const Variable& p : conv.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, Repr) {
  Generator gen(0);
  GATConv conv({.in_channels = 8, .out_channels = 32, .heads = 2}, gen);
  EXPECT_EQ(conv.repr(), "GATConv(8, 32, heads=2)");
  GAT model({.in_channels = 1433, .hidden_channels = 8, .out_channels = 7}, gen);
  EXPECT_EQ(model.repr(),
            "GAT(\n  (conv1): GATConv(1433, 8, heads=8)\n  (conv2): GATConv(64, 7, heads=1)\n)");
}

TEST(Module, HeaderExample) {
  std::ostringstream out;
  gat::Generator gen(0);
  gat::GATConv conv({.in_channels = 8, .out_channels = 4, .heads = 2}, gen);
  for (auto& [name, p] : conv.named_parameters()) out << name << " " << p.shape().str();
  conv.eval();
  EXPECT_EQ(out.str(), "lin.weight [8, 8]att_src [1, 2, 4]att_dst [1, 2, 4]bias [8]");
}

}  // namespace
}  // namespace gat
