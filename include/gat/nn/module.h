// gat/nn/module.h — the small Module contract every layer and model follows.
//
//  * The constructor validates its options and calls reset_parameters().
//  * named_parameters() lists the parameters in a fixed order under PyG's state_dict names
//    ("lin.weight", "att_src", ...); a model prefixes its children's names ("conv1.lin.weight").
//  * train() / eval() switch dropout on and off (for the module and every child).
//  * repr() gives PyG's short form, e.g. "GATConv(8, 32, heads=2)".
//
// Modules hold Variables (leaves with requires_grad) and plain options; there is no deep class
// hierarchy and no registration: a model lists its children explicitly in children().
//
// Example (compiled in tests/nn/test_module.cpp):
//
//   gat::Generator gen(0);
//   gat::GATConv conv({.in_channels = 8, .out_channels = 4, .heads = 2}, gen);
//   for (auto& [name, p] : conv.named_parameters()) std::cout << name << " " << p.shape().str();
//   conv.eval();
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gat/autograd/variable.h"

namespace gat {

class Module {
 public:
  virtual ~Module() = default;

  /// (name, parameter) pairs, in a fixed order, children's names prefixed with "<child>.".
  std::vector<std::pair<std::string, Variable>> named_parameters() const;
  /// The parameters alone, in named_parameters() order.
  std::vector<Variable> parameters() const;
  /// Number of scalar parameters.
  int64_t num_parameters() const;

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// Clears every parameter's gradient.
  void zero_grad();

  virtual std::string repr() const = 0;

 protected:
  /// This module's own parameters (not its children's), in order, with local names.
  virtual std::vector<std::pair<std::string, Variable>> own_parameters() const { return {}; }
  /// (name, child) pairs, in order.
  virtual std::vector<std::pair<std::string, Module*>> children() const { return {}; }

  bool training_ = true;
};

}  // namespace gat
