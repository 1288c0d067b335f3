#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/optim/optimizer.h"

namespace gat {

SGD::SGD(std::vector<Variable> params, const SGDOptions& options)
    : Optimizer(std::move(params)), options_(options) {
  const char* where = "SGD";
  // Negated comparisons so that NaN is rejected too.
  check_arg(options.lr >= 0.0f, where, "lr must be >= 0, got ", options.lr);
  check_arg(options.momentum >= 0.0f, where, "momentum must be >= 0, got ", options.momentum);
  check_arg(options.weight_decay >= 0.0f, where, "weight_decay must be >= 0, got ",
            options.weight_decay);
  buf_.resize(params_.size());
}

// torch.optim.SGD's single-tensor path with dampening 0 and nesterov off, in float32.
void SGD::step() {
  for (size_t k = 0; k < params_.size(); ++k) {
    const Tensor& g = params_[k].grad();
    if (!g.defined()) continue;
    check_shape(g.shape() == params_[k].shape(), "SGD::step", "parameter ", k,
                " has a gradient of shape ", g.shape().str(), " but its shape is ",
                params_[k].shape().str());
  }
  const float lr = options_.lr, momentum = options_.momentum;
  const float weight_decay = options_.weight_decay;
  for (size_t k = 0; k < params_.size(); ++k) {
    const Tensor& grad = params_[k].grad();
    if (!grad.defined()) continue;
    Tensor& param = params_[k].mutable_data();
    // The momentum buffer starts as the first (decayed) gradient: torch's clone(d_p).
    const bool first = momentum != 0.0f && !buf_[k].defined();
    if (first) buf_[k] = Tensor::empty(param.shape());
    float* p = param.data();
    const float* g = grad.data();
    float* b = momentum != 0.0f ? buf_[k].data() : nullptr;
    const int64_t n = param.numel();
    // Elements are independent, so the result does not depend on the thread count.
#pragma omp parallel for schedule(static) if (n >= kParallelMinElements)
    for (int64_t i = 0; i < n; ++i) {
      float d = g[i];
      if (weight_decay != 0.0f) d = d + weight_decay * p[i];  // d_p.add(param, alpha=wd)
      if (b) {
        b[i] = first ? d : b[i] * momentum + d;  // buf.mul_(momentum).add_(d_p)
        d = b[i];
      }
      p[i] = p[i] + (-lr) * d;  // param.add_(d_p, alpha=−lr)
    }
  }
}

}  // namespace gat
