#include "gat/ops/log_softmax.h"

#include "gat/core/error.h"
#include "gat/kernels/log_softmax.h"

namespace gat {

Variable log_softmax(const Variable& x) {
  check_arg(x.defined(), "log_softmax", "x is undefined");
  check_shape(x.shape().ndim() == 2, "log_softmax", "x must be 2-D [N, K], got ", x.shape().str());
  const int64_t rows = x.size(0), cols = x.size(1);
  Tensor y = Tensor::empty(x.shape());
  log_softmax_forward(rows, cols, x.data().data(), y.data());
  const Tensor yt = y;  // shares the buffer
  // Saved: the output y (softmax = exp(y)).
  return make_output(std::move(y), OpKind::LogSoftmax, {x},
                     [yt, rows, cols](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(g.shape());
                         log_softmax_backward(rows, cols, yt.data(), g.data(), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

Variable nll_loss(const Variable& logp, const std::vector<int32_t>& labels,
                  const std::vector<int64_t>& mask) {
  check_arg(logp.defined(), "nll_loss", "logp is undefined");
  check_shape(logp.shape().ndim() == 2, "nll_loss", "logp must be 2-D [N, K], got ",
              logp.shape().str());
  const int64_t rows = logp.size(0), cols = logp.size(1);
  check_shape(static_cast<int64_t>(labels.size()) == rows, "nll_loss", "labels has ", labels.size(),
              " entries but logp has ", rows, " rows (", logp.shape().str(), ")");
  for (int64_t n = 0; n < rows; ++n)
    check_arg(labels[n] >= 0 && labels[n] < cols, "nll_loss", "label ", labels[n], " of node ", n,
              " out of range for ", cols, " classes");
  check_arg(!mask.empty(), "nll_loss", "mask is empty (the mean over no nodes is undefined)");
  for (size_t i = 0; i < mask.size(); ++i)
    check_arg(mask[i] >= 0 && mask[i] < rows, "nll_loss", "mask entry ", i, ": node ", mask[i],
              " out of range for ", rows, " nodes");

  const int64_t count = static_cast<int64_t>(mask.size());
  const float loss =
      nll_loss_forward(rows, cols, logp.data().data(), labels.data(), mask.data(), count);
  // Saved: labels and mask (copied: the caller's vectors may change before backward).
  return make_output(Tensor::scalar(loss), OpKind::NllLoss, {logp},
                     [labels, mask, rows, cols](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dlogp;
                       if (needs[0]) {
                         dlogp = Tensor::empty({rows, cols});
                         nll_loss_backward(rows, cols, labels.data(), mask.data(),
                                           static_cast<int64_t>(mask.size()), g.item(),
                                           dlogp.data());
                       }
                       return std::vector<Tensor>{dlogp};
                     });
}

}  // namespace gat
