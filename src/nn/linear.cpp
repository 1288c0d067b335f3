#include "gat/nn/linear.h"

#include <cmath>

#include "gat/core/error.h"
#include "gat/ops/linear.h"

namespace gat {

Linear::Linear(int64_t in_features, int64_t out_features, Generator& gen, bool bias)
    : in_(in_features), out_(out_features) {
  check_arg(in_features > 0 && out_features > 0, "Linear",
            "in_features and out_features must be positive, got ", in_features, " and ",
            out_features);
  weight = Variable(Tensor::empty({out_features, in_features}), true);
  if (bias) this->bias = Variable(Tensor::empty({out_features}), true);
  reset_parameters(gen);
}

void Linear::reset_parameters(Generator& gen) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(in_));
  for (Variable* p : {&weight, &bias}) {
    if (!p->defined()) continue;
    float* d = p->mutable_data().data();
    for (int64_t k = 0; k < p->numel(); ++k) d[k] = gen.uniform(-bound, bound);
  }
}

Variable Linear::forward(const Variable& x) const {
  check_shape(x.defined() && x.shape().ndim() == 2 && x.size(1) == in_, "Linear::forward",
              "x must be [N, ", in_, "], got ",
              x.defined() ? x.shape().str() : std::string("(undefined)"));
  return linear(x, weight, bias);
}

std::vector<std::pair<std::string, Variable>> Linear::own_parameters() const {
  std::vector<std::pair<std::string, Variable>> out = {{"weight", weight}};
  if (bias.defined()) out.emplace_back("bias", bias);
  return out;
}

std::string Linear::repr() const {
  return "Linear(in_features=" + std::to_string(in_) + ", out_features=" + std::to_string(out_) +
         ", bias=" + (bias.defined() ? "True" : "False") + ")";
}

}  // namespace gat
