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
