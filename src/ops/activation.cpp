#include "gat/ops/activation.h"

#include <cmath>

#include "gat/core/error.h"
#include "gat/kernels/activation.h"

namespace gat {

Variable relu(const Variable& x) {
  check_arg(x.defined(), "relu", "x is undefined");
  const Tensor xt = x.data();
  Tensor y = Tensor::empty(xt.shape());
  relu_forward(y.numel(), xt.data(), y.data());
  // Saved: the input x, which the node holds anyway (no extra memory).
  return make_output(std::move(y), OpKind::Relu, {x},
                     [xt](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(g.shape());
                         relu_backward(g.numel(), xt.data(), g.data(), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

Variable elu(const Variable& x, float alpha) {
  check_arg(x.defined(), "elu", "x is undefined");
  // Backward reads the branch from the sign of y, which matches x's only for alpha ≥ 0.
  check_arg(alpha >= 0.0f && std::isfinite(alpha), "elu",
            "alpha must be finite and non-negative, got ", alpha);
  Tensor y = Tensor::empty(x.shape());
  elu_forward(y.numel(), alpha, x.data().data(), y.data());
  const Tensor yt = y;  // shares the buffer
  // Saved: the output y (derivative alpha eˣ = y + alpha for x ≤ 0).
  return make_output(std::move(y), OpKind::Elu, {x},
                     [yt, alpha](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(g.shape());
                         elu_backward(g.numel(), alpha, yt.data(), g.data(), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

Variable leaky_relu(const Variable& x, float negative_slope) {
  check_arg(x.defined(), "leaky_relu", "x is undefined");
  const Tensor xt = x.data();
  Tensor y = Tensor::empty(xt.shape());
  leaky_relu_forward(y.numel(), negative_slope, xt.data(), y.data());
  // Saved: the input x, which the node holds anyway (no extra memory; works for any slope).
  return make_output(std::move(y), OpKind::LeakyRelu, {x},
                     [xt, negative_slope](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(g.shape());
                         leaky_relu_backward(g.numel(), negative_slope, xt.data(), g.data(),
                                             dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

}  // namespace gat
