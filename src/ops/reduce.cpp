#include "gat/ops/reduce.h"

#include "gat/core/error.h"
#include "gat/kernels/reduce.h"

namespace gat {

Variable sum(const Variable& x) {
  check_arg(x.defined(), "sum", "x is undefined");
  const double s = sum_forward(x.numel(), x.data().data());
  const Shape shape = x.shape();
  // Saved: x's shape only.
  return make_output(Tensor::scalar(static_cast<float>(s)), OpKind::Sum, {x},
                     [shape](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(shape);
                         sum_backward(dx.numel(), g.item(), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

Variable mean(const Variable& x) {
  check_arg(x.defined(), "mean", "x is undefined");
  check_arg(x.numel() > 0, "mean", "x is empty (shape ", x.shape().str(),
            "): the mean of no values is undefined");
  const int64_t n = x.numel();
  const double s = sum_forward(n, x.data().data());
  const Shape shape = x.shape();
  // Saved: x's shape only.
  return make_output(Tensor::scalar(static_cast<float>(s / static_cast<double>(n))), OpKind::Mean,
                     {x}, [shape, n](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(shape);
                         const double value =
                             static_cast<double>(g.item()) / static_cast<double>(n);
                         sum_backward(n, static_cast<float>(value), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

namespace {
// The loss of mse_loss and mean_square: target undefined stands for zeros.
Variable squared_error_mean(OpKind kind, const Variable& x, const Variable& target) {
  const int64_t n = x.numel();
  const double s =
      squared_error_sum(n, x.data().data(), target.defined() ? target.data().data() : nullptr);
  std::vector<Variable> inputs{x};
  if (target.defined()) inputs.push_back(target);
  // Saved: x and the target (shared buffers, no copies).
  const Tensor xs = x.data();
  const Tensor ts = target.defined() ? target.data() : Tensor();
  return make_output(
      Tensor::scalar(static_cast<float>(s / static_cast<double>(n))), kind, std::move(inputs),
      [xs, ts, n](const Tensor& g, const std::vector<bool>& needs) {
        const float scale =
            static_cast<float>(2.0 * static_cast<double>(g.item()) / static_cast<double>(n));
        Tensor dx, dt;
        if (needs[0]) dx = Tensor::empty(xs.shape());
        const bool want_dt = ts.defined() && needs[1];
        if (want_dt) dt = Tensor::empty(ts.shape());
        if (dx.defined() || want_dt)
          squared_error_backward(n, scale, xs.data(), ts.defined() ? ts.data() : nullptr,
                                 dx.defined() ? dx.data() : nullptr, want_dt ? dt.data() : nullptr);
        std::vector<Tensor> grads{dx};
        if (ts.defined()) grads.push_back(dt);
        return grads;
      });
}
}  // namespace

Variable mse_loss(const Variable& input, const Variable& target) {
  check_arg(input.defined(), "mse_loss", "input is undefined");
  check_arg(target.defined(), "mse_loss", "target is undefined");
  check_shape(input.shape() == target.shape(), "mse_loss", "input ", input.shape().str(),
              " and target ", target.shape().str(), " differ in shape");
  check_arg(input.numel() > 0, "mse_loss", "input is empty (shape ", input.shape().str(),
            "): the mean of no values is undefined");
  return squared_error_mean(OpKind::MseLoss, input, target);
}

Variable mean_square(const Variable& x) {
  check_arg(x.defined(), "mean_square", "x is undefined");
  check_arg(x.numel() > 0, "mean_square", "x is empty (shape ", x.shape().str(),
            "): the mean of no values is undefined");
  return squared_error_mean(OpKind::MeanSquare, x, Variable());
}

Variable mean_heads(const Variable& x) {
  check_arg(x.defined(), "mean_heads", "x is undefined");
  check_shape(x.shape().ndim() == 3, "mean_heads", "x must be 3-D [N, H, C], got ",
              x.shape().str());
  const int64_t nodes = x.size(0), heads = x.size(1), channels = x.size(2);
  check_shape(heads >= 1, "mean_heads", "x has no heads (shape ", x.shape().str(), ")");
  Tensor y = Tensor::empty({nodes, channels});
  mean_heads_forward(nodes, heads, channels, x.data().data(), y.data());
  // Saved: the sizes only.
  return make_output(std::move(y), OpKind::MeanHeads, {x},
                     [nodes, heads, channels](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty({nodes, heads, channels});
                         mean_heads_backward(nodes, heads, channels, g.data(), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

Variable reshape(const Variable& x, const Shape& shape) {
  check_arg(x.defined(), "reshape", "x is undefined");
  check_shape(shape.numel() == x.numel(), "reshape", "cannot view ", x.shape().str(), " (",
              x.numel(), " elements) as ", shape.str(), " (", shape.numel(), " elements)");
  const Shape from = x.shape();
  // A view: shares x's buffer. Saved: x's shape; the gradient is a view of dY too.
  return make_output(x.data().reshape(shape), OpKind::Reshape, {x},
                     [from](const Tensor& g, const std::vector<bool>& needs) {
                       return std::vector<Tensor>{needs[0] ? g.reshape(from) : Tensor()};
                     });
}

}  // namespace gat
