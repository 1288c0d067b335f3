#include "gat/ops/linear.h"

#include "gat/core/error.h"
#include "gat/kernels/add.h"
#include "gat/kernels/gemm.h"

namespace gat {

Variable matmul(const Variable& a, const Variable& b) {
  check_arg(a.defined(), "matmul", "a is undefined");
  check_arg(b.defined(), "matmul", "b is undefined");
  check_shape(a.shape().ndim() == 2, "matmul", "a must be 2-D, got ", a.shape().str());
  check_shape(b.shape().ndim() == 2, "matmul", "b must be 2-D, got ", b.shape().str());
  check_shape(a.size(1) == b.size(0), "matmul", "a has ", a.size(1), " columns but b has ",
              b.size(0), " rows (", a.shape().str(), " vs ", b.shape().str(), ")");
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  const Tensor at = a.data(), bt = b.data();
  Tensor y = Tensor::empty({m, n});
  gemm(false, false, m, n, k, 1.0f, at.data(), k, bt.data(), n, 0.0f, y.data(), n);
  // Saved: A and B.
  return make_output(
      std::move(y), OpKind::Matmul, {a, b},
      [at, bt, m, n, k](const Tensor& g, const std::vector<bool>& needs) {
        Tensor da, db;
        if (needs[0]) {  // dA = dY Bᵀ: [M, N] × [N, K]
          da = Tensor::empty({m, k});
          gemm(false, true, m, k, n, 1.0f, g.data(), n, bt.data(), n, 0.0f, da.data(), k);
        }
        if (needs[1]) {  // dB = Aᵀ dY: [K, M] × [M, N]
          db = Tensor::empty({k, n});
          gemm(true, false, k, n, m, 1.0f, at.data(), k, g.data(), n, 0.0f, db.data(), n);
        }
        return std::vector<Tensor>{da, db};
      });
}

Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  check_arg(x.defined(), "linear", "x is undefined");
  check_arg(weight.defined(), "linear", "weight is undefined");
  check_shape(x.shape().ndim() == 2, "linear", "x must be 2-D [N, F_in], got ", x.shape().str());
  check_shape(weight.shape().ndim() == 2, "linear", "weight must be 2-D [F_out, F_in], got ",
              weight.shape().str());
  check_shape(weight.size(1) == x.size(1), "linear", "weight has ", weight.size(1),
              " input features but x has ", x.size(1), " columns (", x.shape().str(), " vs ",
              weight.shape().str(), ")");
  const bool has_bias = bias.defined();
  if (has_bias)
    check_shape(bias.shape().ndim() == 1 && bias.size(0) == weight.size(0), "linear",
                "bias must be [", weight.size(0), "] for weight ", weight.shape().str(), ", got ",
                bias.shape().str());

  const int64_t n = x.size(0), f_in = x.size(1), f_out = weight.size(0);
  const Tensor xt = x.data(), wt = weight.data();
  Tensor y = Tensor::empty({n, f_out});
  gemm(false, true, n, f_out, f_in, 1.0f, xt.data(), f_in, wt.data(), f_in, 0.0f, y.data(), f_out);
  if (has_bias) add_bias_forward(n, f_out, y.data(), bias.data().data(), y.data());

  std::vector<Variable> inputs = {x, weight};
  if (has_bias) inputs.push_back(bias);
  // Saved: X and W (the bias gradient needs only dY).
  return make_output(
      std::move(y), OpKind::Linear, std::move(inputs),
      [xt, wt, n, f_in, f_out, has_bias](const Tensor& g, const std::vector<bool>& needs) {
        std::vector<Tensor> grads(has_bias ? 3 : 2);
        if (needs[0]) {  // dX = dY W: [N, F_out] × [F_out, F_in]
          grads[0] = Tensor::empty({n, f_in});
          gemm(false, false, n, f_in, f_out, 1.0f, g.data(), f_out, wt.data(), f_in, 0.0f,
               grads[0].data(), f_in);
        }
        if (needs[1]) {  // dW = dYᵀ X: [F_out, N] × [N, F_in]
          grads[1] = Tensor::empty({f_out, f_in});
          gemm(true, false, f_out, f_in, n, 1.0f, g.data(), f_out, xt.data(), f_in, 0.0f,
               grads[1].data(), f_in);
        }
        if (has_bias && needs[2]) {  // db = Σ_rows dY, in fixed blocks
          grads[2] = Tensor::empty({f_out});
          add_bias_backward(n, f_out, g.data(), grads[2].data());
        }
        return grads;
      });
}

}  // namespace gat
