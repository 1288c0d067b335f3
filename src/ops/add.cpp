#include "gat/ops/add.h"

#include "gat/core/error.h"
#include "gat/kernels/add.h"

namespace gat {

namespace {
void check_same_shape(const char* where, const Variable& a, const Variable& b) {
  check_arg(a.defined(), where, "a is undefined");
  check_arg(b.defined(), where, "b is undefined");
  check_shape(a.shape() == b.shape(), where, "a and b differ in shape (", a.shape().str(), " vs ",
              b.shape().str(), ")");
}
}  // namespace

Variable add(const Variable& a, const Variable& b) {
  check_same_shape("add", a, b);
  Tensor y = Tensor::empty(a.shape());
  add_forward(y.numel(), a.data().data(), b.data().data(), y.data());
  // Saved: nothing. dA = dB = dY: the same tensor goes to both (the engine copies on write).
  return make_output(std::move(y), OpKind::Add, {a, b},
                     [](const Tensor& g, const std::vector<bool>& needs) {
                       return std::vector<Tensor>{needs[0] ? g : Tensor(), needs[1] ? g : Tensor()};
                     });
}

Variable mul(const Variable& a, const Variable& b) {
  check_same_shape("mul", a, b);
  const Tensor at = a.data(), bt = b.data();
  Tensor y = Tensor::empty(a.shape());
  mul_forward(y.numel(), at.data(), bt.data(), y.data());
  // Saved: A and B.
  return make_output(std::move(y), OpKind::Mul, {a, b},
                     [at, bt](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor da, db;
                       if (needs[0]) da = Tensor::empty(at.shape());
                       if (needs[1]) db = Tensor::empty(bt.shape());
                       mul_backward(g.numel(), at.data(), bt.data(), g.data(),
                                    needs[0] ? da.data() : nullptr, needs[1] ? db.data() : nullptr);
                       return std::vector<Tensor>{da, db};
                     });
}

Variable add_bias(const Variable& x, const Variable& bias) {
  check_arg(x.defined(), "add_bias", "x is undefined");
  check_arg(bias.defined(), "add_bias", "bias is undefined");
  const Shape& xs = x.shape();
  check_shape(xs.ndim() == 2 || xs.ndim() == 3, "add_bias", "x must be [N, K] or [N, H, C], got ",
              xs.str());
  check_shape(bias.shape().ndim() == 1, "add_bias", "bias must be 1-D, got ", bias.shape().str());
  const int64_t rows = xs[0];
  const int64_t width = xs.ndim() == 2 ? xs[1] : xs[1] * xs[2];
  check_shape(bias.size(0) == width, "add_bias", "bias has ", bias.size(0), " entries but x has ",
              width, " features per row (", xs.str(), " vs ", bias.shape().str(), ")");
  Tensor y = Tensor::empty(xs);
  add_bias_forward(rows, width, x.data().data(), bias.data().data(), y.data());
  // Saved: nothing (only the sizes). dX = dY is passed through without a copy.
  return make_output(std::move(y), OpKind::AddBias, {x, bias},
                     [rows, width](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor db;
                       if (needs[1]) {
                         db = Tensor::empty({width});
                         add_bias_backward(rows, width, g.data(), db.data());
                       }
                       return std::vector<Tensor>{needs[0] ? g : Tensor(), db};
                     });
}

Variable scale(const Variable& x, float s) {
  check_arg(x.defined(), "scale", "x is undefined");
  Tensor y = Tensor::empty(x.shape());
  scale_forward(y.numel(), s, x.data().data(), y.data());
  // Saved: the constant s.
  return make_output(std::move(y), OpKind::Scale, {x},
                     [s](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(g.shape());
                         scale_backward(g.numel(), s, g.data(), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

}  // namespace gat
