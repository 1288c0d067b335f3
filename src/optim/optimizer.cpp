#include "gat/optim/optimizer.h"

#include "gat/core/error.h"

namespace gat {

// As torch.optim: an empty list and non-leaf tensors are rejected. A parameter listed twice would
// be stepped twice per step() (torch warns and plans to make that an error); here it is one now.
Optimizer::Optimizer(std::vector<Variable> params) : params_(std::move(params)) {
  const char* where = "Optimizer";
  check_arg(!params_.empty(), where, "got an empty parameter list");
  for (size_t k = 0; k < params_.size(); ++k) {
    const Variable& p = params_[k];
    check_arg(p.defined(), where, "parameter ", k, " is undefined");
    // check_arg evaluates its message eagerly, so the op name is looked up only on failure.
    if (!p.is_leaf())
      throw InvalidArgument(
          detail::concat(where, ": parameter ", k, " is not a leaf (it was computed by ",
                         op_kind_name(p.grad_fn()->kind), "); only leaves can be optimised"));
    // Models have tens of parameters, so the quadratic scan costs nothing.
    for (size_t j = 0; j < k; ++j)
      check_arg(!p.same(params_[j]), where, "parameter ", k, " is parameter ", j,
                " again; list each parameter once");
  }
}

void Optimizer::zero_grad() {
  // Like torch's zero_grad(set_to_none=True): the next backward allocates a fresh gradient.
  for (Variable& p : params_)
    p.zero_grad();
}

}  // namespace gat
