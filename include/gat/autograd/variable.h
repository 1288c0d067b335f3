// gat/autograd/variable.h — reverse-mode automatic differentiation over coarse ops.
//
// A Variable is a Tensor plus, when it was computed from Variables that require gradients, the
// Node that computed it. Each op (gat/ops/*.h) computes its output tensor, then calls
// make_output() with the inputs and a backward function that closes over exactly the tensors the
// op saved for backward. backward() sorts the graph iteratively (no recursion, so deep graphs are
// fine), calls each node's backward once, accumulates gradients (checking their shapes), stores
// them in the leaves' grad(), and frees each node's saved tensors as soon as it has run.
//
// Under NoGradGuard (inference) no nodes are recorded and nothing is saved.
//
// Example (compiled in tests/autograd/test_variable.cpp):
//
//   gat::Variable w(gat::Tensor::full({2, 2}, 0.5f), /*requires_grad=*/true);
//   gat::Variable x(gat::Tensor::full({3, 2}, 1.0f));
//   gat::Variable loss = gat::sum(gat::matmul(x, w));
//   loss.backward();
//   w.grad();                                // d loss / d w, shape [2, 2], every entry 3
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gat/autograd/op_kind.h"
#include "gat/core/tensor.h"

namespace gat {

struct Node;
struct VariableImpl;

class Variable {
 public:
  /// An undefined variable.
  Variable() = default;
  /// A leaf holding `data`.
  explicit Variable(Tensor data, bool requires_grad = false);

  bool defined() const { return static_cast<bool>(impl_); }
  const Tensor& data() const;
  /// Mutable access to the values, for optimisers and initialisers; never during a forward pass
  /// whose graph is still to be differentiated.
  Tensor& mutable_data();
  const Shape& shape() const { return data().shape(); }
  int64_t size(int d) const { return data().size(d); }
  int64_t numel() const { return data().numel(); }

  bool requires_grad() const;
  /// Only for leaves.
  void set_requires_grad(bool value);
  bool is_leaf() const;

  /// The accumulated gradient; undefined until a backward pass reaches this variable.
  const Tensor& grad() const;
  Tensor& mutable_grad();
  void zero_grad();

  /// Back-propagates from this one-element variable (seed 1).
  void backward() const;
  /// Back-propagates with the given gradient of some scalar with respect to this variable.
  void backward(const Tensor& grad_output) const;

  /// The node that computed this variable (null for leaves and under NoGradGuard).
  const std::shared_ptr<Node>& grad_fn() const;

  /// True when both handles refer to the same variable.
  bool same(const Variable& o) const { return impl_ == o.impl_; }

 private:
  friend Variable make_output(Tensor, OpKind, std::vector<Variable>,
                              std::function<std::vector<Tensor>(const Tensor&,
                                                                const std::vector<bool>&)>);
  friend struct Engine;
  std::shared_ptr<VariableImpl> impl_;
};

/// backward(grad_output, needs_input_grad) → one gradient per input: the tensor for inputs with
/// needs_input_grad[k], an undefined Tensor for the others.
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output,
                                                     const std::vector<bool>& needs_input_grad)>;

/// One recorded op application.
struct Node {
  OpKind kind = OpKind::Leaf;
  std::vector<Variable> inputs;
  BackwardFn backward;  // cleared once it has run (frees what it saved)

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  /// Releases the inputs without recursion, so dropping a deep graph cannot overflow the stack.
  ~Node();
};

/// Wraps an op's output: records a Node when grad mode is on and any input requires a gradient;
/// otherwise returns a plain leaf without saving anything (backward is dropped).
Variable make_output(Tensor output, OpKind kind, std::vector<Variable> inputs, BackwardFn backward);

/// True when ops record the autograd graph (the default).
bool grad_mode_enabled();

/// Disables graph recording in its scope (per thread), for inference and optimiser updates.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace gat
