#include "gat/autograd/variable.h"

#include <unordered_map>
#include <utility>

#include "gat/core/error.h"

namespace gat {

struct VariableImpl {
  Tensor data;
  Tensor grad;
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;
};

namespace {
thread_local bool t_grad_mode = true;
const Tensor kUndefined;
const std::shared_ptr<Node> kNoNode;
}  // namespace

bool grad_mode_enabled() { return t_grad_mode; }
NoGradGuard::NoGradGuard() : previous_(t_grad_mode) { t_grad_mode = false; }
NoGradGuard::~NoGradGuard() { t_grad_mode = previous_; }

Variable::Variable(Tensor data, bool requires_grad) : impl_(std::make_shared<VariableImpl>()) {
  check_arg(data.defined(), "Variable", "data tensor is undefined");
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
}

const Tensor& Variable::data() const {
  check_arg(defined(), "Variable::data", "variable is undefined");
  return impl_->data;
}
Tensor& Variable::mutable_data() {
  check_arg(defined(), "Variable::mutable_data", "variable is undefined");
  return impl_->data;
}
bool Variable::requires_grad() const { return defined() && impl_->requires_grad; }
void Variable::set_requires_grad(bool value) {
  check_arg(is_leaf(), "Variable::set_requires_grad", "only leaves can change requires_grad");
  impl_->requires_grad = value;
}
bool Variable::is_leaf() const { return defined() && !impl_->grad_fn; }
const Tensor& Variable::grad() const { return defined() ? impl_->grad : kUndefined; }
Tensor& Variable::mutable_grad() {
  check_arg(defined(), "Variable::mutable_grad", "variable is undefined");
  return impl_->grad;
}
void Variable::zero_grad() {
  if (defined()) impl_->grad = Tensor();
}
const std::shared_ptr<Node>& Variable::grad_fn() const {
  return defined() ? impl_->grad_fn : kNoNode;
}

Variable make_output(Tensor output, OpKind kind, std::vector<Variable> inputs,
                     BackwardFn backward) {
  Variable out(std::move(output));
  if (!grad_mode_enabled()) return out;
  bool any = false;
  for (const Variable& v : inputs) any = any || v.requires_grad();
  if (!any) return out;
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->inputs = std::move(inputs);
  node->backward = std::move(backward);
  out.impl_->grad_fn = std::move(node);
  out.impl_->requires_grad = true;
  return out;
}

// The backward pass. Nodes are found by an iterative depth-first walk, each counts how many of
// the reachable nodes consume its output, and a node runs once every consumer has delivered its
// gradient (Kahn's order), so each backward function is called exactly once.
struct Engine {
  // A gradient being accumulated; `owned` is false while it may alias a tensor an op returned
  // (ops may hand the same tensor to several inputs), so the first accumulation copies.
  struct Pending {
    Tensor grad;
    bool owned = false;
  };

  static void accumulate(Pending& p, const Tensor& g, OpKind producer) {
    if (!p.grad.defined()) {
      p.grad = g;
      return;
    }
    check_shape(p.grad.shape() == g.shape(), "backward",
                "gradient shape mismatch from ", op_kind_name(producer), ": ", g.shape().str(),
                " vs ", p.grad.shape().str());
    if (!p.owned) {
      p.grad = p.grad.clone();
      p.owned = true;
    }
    p.grad.add_(g);
  }

  static void run(const Variable& root, const Tensor& seed) {
    check_arg(root.defined(), "Variable::backward", "variable is undefined");
    check_shape(seed.shape() == root.shape(), "Variable::backward", "gradient of shape ",
                seed.shape().str(), " given for a variable of shape ", root.shape().str());
    check_arg(root.requires_grad(), "Variable::backward",
              "variable does not require grad (no input requires grad, or it was computed "
              "under NoGradGuard)");
    NoGradGuard no_grad;  // backward functions build no graph (no higher-order gradients)
    if (!root.grad_fn()) {
      accumulate_leaf(*root.impl_, seed, OpKind::Leaf);
      return;
    }
    // Discover reachable nodes and count their consumers.
    std::unordered_map<Node*, int> consumers;
    std::vector<Node*> stack = {root.grad_fn().get()};
    consumers[root.grad_fn().get()] = 0;
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      check_arg(static_cast<bool>(n->backward), "Variable::backward",
                "the graph through ", op_kind_name(n->kind),
                " was already differentiated; its saved tensors are freed");
      for (const Variable& in : n->inputs) {
        Node* m = in.grad_fn().get();
        if (!m) continue;
        auto [it, inserted] = consumers.try_emplace(m, 0);
        ++it->second;
        if (inserted) stack.push_back(m);
      }
    }
    std::unordered_map<Node*, Pending> grads;
    grads[root.grad_fn().get()] = Pending{seed, false};
    std::vector<std::shared_ptr<Node>> ready = {root.grad_fn()};
    while (!ready.empty()) {
      std::shared_ptr<Node> node = std::move(ready.back());
      ready.pop_back();
      Tensor g = std::move(grads[node.get()].grad);
      grads.erase(node.get());
      std::vector<bool> needs(node->inputs.size());
      for (size_t k = 0; k < needs.size(); ++k) needs[k] = node->inputs[k].requires_grad();
      std::vector<Tensor> in_grads = node->backward(g, needs);
      GAT_ASSERT(in_grads.size() == node->inputs.size(), op_kind_name(node->kind),
                 " returned ", in_grads.size(), " gradients for ", node->inputs.size(),
                 " inputs");
      node->backward = nullptr;  // free what forward saved
      g = Tensor();
      std::vector<Variable> inputs = std::move(node->inputs);
      node->inputs.clear();
      for (size_t k = 0; k < inputs.size(); ++k) {
        if (!needs[k]) continue;
        const Variable& in = inputs[k];
        GAT_ASSERT(in_grads[k].defined(), op_kind_name(node->kind),
                   " gave no gradient for input ", k);
        check_shape(in_grads[k].shape() == in.shape(), "backward", op_kind_name(node->kind),
                    " gave a gradient of shape ", in_grads[k].shape().str(), " for input ", k,
                    " of shape ", in.shape().str());
        const std::shared_ptr<Node>& m = in.grad_fn();
        if (!m) {
          accumulate_leaf(*in.impl_, in_grads[k], node->kind);
          continue;
        }
        accumulate(grads[m.get()], in_grads[k], node->kind);
        if (--consumers[m.get()] == 0) ready.push_back(m);
      }
    }
  }

  // Frees a node's inputs iteratively: each input this node holds the last reference to hands
  // its own node's inputs to the work list before it is destroyed, so the destructor chain never
  // recurses more than one level.
  static void release_inputs(Node& node) {
    std::vector<Variable> stack = std::move(node.inputs);
    node.inputs.clear();
    while (!stack.empty()) {
      Variable v = std::move(stack.back());
      stack.pop_back();
      if (v.impl_.use_count() == 1 && v.impl_->grad_fn && v.impl_->grad_fn.use_count() == 1) {
        std::vector<Variable>& in = v.impl_->grad_fn->inputs;
        for (Variable& w : in) stack.push_back(std::move(w));
        in.clear();
      }
    }
  }

  static void accumulate_leaf(VariableImpl& leaf, const Tensor& g, OpKind producer) {
    if (!leaf.grad.defined()) {
      leaf.grad = g.clone();
      return;
    }
    check_shape(leaf.grad.shape() == g.shape(), "backward", "gradient shape mismatch from ",
                op_kind_name(producer), ": ", g.shape().str(), " vs ", leaf.grad.shape().str());
    leaf.grad.add_(g);
  }
};

Node::~Node() { Engine::release_inputs(*this); }

void Variable::backward() const {
  check_arg(defined() && numel() == 1, "Variable::backward",
            "backward() without a gradient needs a one-element variable, got shape ",
            defined() ? shape().str() : std::string("(undefined)"));
  Engine::run(*this, Tensor::full(shape(), 1.0f));
}

void Variable::backward(const Tensor& grad_output) const { Engine::run(*this, grad_output); }

}  // namespace gat
