// gat/nn/module.h — the small Module contract every layer and model follows.
//
//  * The constructor validates its options and calls reset_parameters().
//  * named_parameters() lists the parameters in a fixed order under PyG's state_dict names
//    ("lin.weight", "att_src", ...); a model prefixes its children's names ("conv1.lin.weight").
//  * state_dict() is what PyG's state_dict() holds: the parameters plus the names under which PyG
//    lists a shared tensor a second time (GATv2Conv's lin_r.* with share_weights);
//    load_state_dict() reads such a list back.
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
#include "gat/core/tensor.h"

namespace gat {

class Module {
 public:
  virtual ~Module() = default;

  /// (name, parameter) pairs, in a fixed order, children's names prefixed with "<child>.".
  std::vector<std::pair<std::string, Variable>> named_parameters() const;
  /// The parameters alone, in named_parameters() order.
  std::vector<Variable> parameters() const;
  /// (second name, parameter) of every shared tensor PyG lists twice, children's names prefixed.
  std::vector<std::pair<std::string, Variable>> named_aliases() const;
  /// PyG's state_dict: named_parameters() followed by the aliases (a shared tensor's second name),
  /// children's names prefixed. The tensors are the parameters' own (shared, not copied).
  std::vector<std::pair<std::string, Tensor>> state_dict() const;
  /// Copies every parameter from `tensors` by name. Throws gat::InvalidArgument naming the key
  /// when a parameter is missing, a key is unknown, or an alias holds values that differ from the
  /// tensor it aliases; gat::ShapeError naming the key on a shape mismatch. Aliases may be absent.
  /// Nothing is modified unless every check passes.
  void load_state_dict(const std::vector<std::pair<std::string, Tensor>>& tensors);
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
  /// Second names of this module's own shared parameters, as PyG's state_dict lists them.
  virtual std::vector<std::pair<std::string, Variable>> own_aliases() const { return {}; }
  /// (name, child) pairs, in order.
  virtual std::vector<std::pair<std::string, Module*>> children() const { return {}; }

  bool training_ = true;
};

}  // namespace gat
