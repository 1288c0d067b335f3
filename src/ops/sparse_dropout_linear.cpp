// sparse_dropout_linear: argument checks and autograd wiring around the kernels
// (gat/kernels/sparse_dropout_linear.h). Backward needs only X (a shared handle) and its dropped
// non-zeros X' (nnz floats, kept rather than hashed again); not W, because X gets no gradient.
#include "gat/ops/sparse_dropout_linear.h"

#include <utility>

#include "gat/core/error.h"
#include "gat/kernels/add.h"
#include "gat/kernels/sparse_dropout_linear.h"

namespace gat {

namespace {
constexpr const char* kWhere = "sparse_dropout_linear";

// Everything but p, so that the overload that draws can check before it draws.
void check_inputs(const SparseRows& x, const Variable& weight, const Variable& bias) {
  check_arg(weight.defined(), kWhere, "weight is undefined");
  check_shape(weight.shape().ndim() == 2, kWhere, "weight must be 2-D [F_out, F_in], got ",
              weight.shape().str());
  check_shape(weight.size(1) == x.cols(), kWhere, "weight has ", weight.size(1),
              " input features but x has ", x.cols(), " columns (x [", x.rows(), ", ", x.cols(),
              "] vs weight ", weight.shape().str(), ")");
  if (bias.defined())
    check_shape(bias.shape().ndim() == 1 && bias.size(0) == weight.size(0), kWhere,
                "bias must be [", weight.size(0), "] for weight ", weight.shape().str(), ", got ",
                bias.shape().str());
}
}  // namespace

Variable sparse_dropout_linear(const SparseRows& x, const Variable& weight, const Variable& bias,
                               const DropoutDraw& drop) {
  check_inputs(x, weight, bias);
  check_arg(drop.p >= 0.0f && drop.p < 1.0f, kWhere, "p must be in [0, 1), got ", drop.p);
  const int64_t n = x.rows(), f_out = weight.size(0);
  const bool has_bias = bias.defined();

  // X' = dropout(X) on the non-zeros, drawn once and kept for backward (as large as X's values);
  // without dropout X' is X.
  Tensor dropped;
  if (drop.active()) {
    dropped = Tensor::empty({x.nnz()});
    sparse_dropout_linear_mask(x, drop.p, drop.key, dropped.data());
  }
  const float* values = drop.active() ? dropped.data() : x.values();
  Tensor y = Tensor::empty({n, f_out});
  sparse_dropout_linear_forward(x, values, f_out, weight.data().data(), y.data());
  if (has_bias) add_bias_forward(n, f_out, y.data(), bias.data().data(), y.data());

  std::vector<Variable> inputs = {weight};
  if (has_bias) inputs.push_back(bias);
  // Saved: X (a handle on the shared arrays) and X' (when it is not X).
  return make_output(
      std::move(y), OpKind::SparseDropoutLinear, std::move(inputs),
      [x, dropped, n, f_out, has_bias](const Tensor& g, const std::vector<bool>& needs) {
        GAT_ASSERT(g.shape() == Shape({n, f_out}), "gradient of shape ", g.shape().str(),
                   " for an output of shape [", n, ", ", f_out, "]");
        std::vector<Tensor> grads(has_bias ? 2 : 1);
        if (needs[0]) {  // dW = dYᵀ X'
          grads[0] = Tensor::empty({f_out, x.cols()});
          sparse_dropout_linear_backward(x, dropped.defined() ? dropped.data() : x.values(),
                                         f_out, g.data(), grads[0].data());
        }
        if (has_bias && needs[1]) {  // db = Σ_rows dY, in fixed blocks
          grads[1] = Tensor::empty({f_out});
          add_bias_backward(n, f_out, g.data(), grads[1].data());
        }
        return grads;
      });
}

Variable sparse_dropout_linear(const SparseRows& x, const Variable& weight, const Variable& bias,
                               float p, bool training, Generator& gen) {
  // Checked before drawing, so a bad call leaves the generator as it was.
  check_inputs(x, weight, bias);
  return sparse_dropout_linear(x, weight, bias, draw_dropout(p, training, gen, kWhere));
}

}  // namespace gat
