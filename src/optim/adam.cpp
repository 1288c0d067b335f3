#include <cmath>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/optim/optimizer.h"

namespace gat {

namespace {

// ATen's lerp: self + w (end − self), evaluated from the nearer end for accuracy. PyTorch's
// single-tensor Adam updates m with exp_avg.lerp_(grad, 1 − β1).
inline float lerp(float self, float end, float w) {
  return w < 0.5f ? self + w * (end - self) : end - (end - self) * (1.0f - w);
}

}  // namespace

Adam::Adam(std::vector<Variable> params, const AdamOptions& options)
    : Optimizer(std::move(params)), options_(options) {
  const char* where = "Adam";
  // Negated comparisons so that NaN is rejected too.
  check_arg(options.lr >= 0.0f, where, "lr must be >= 0, got ", options.lr);
  check_arg(options.beta1 >= 0.0f && options.beta1 < 1.0f, where, "beta1 must be in [0, 1), got ",
            options.beta1);
  check_arg(options.beta2 >= 0.0f && options.beta2 < 1.0f, where, "beta2 must be in [0, 1), got ",
            options.beta2);
  check_arg(options.eps >= 0.0f, where, "eps must be >= 0, got ", options.eps);
  check_arg(options.weight_decay >= 0.0f, where, "weight_decay must be >= 0, got ",
            options.weight_decay);
  m_.resize(params_.size());
  v_.resize(params_.size());
  param_steps_.assign(params_.size(), 0);
}

// The arithmetic follows torch.optim.Adam's single-tensor path (foreach=False) operation by
// operation in float32; the scalars (bias corrections, step size) are computed in double, as
// Python computes them, then rounded to float as ATen does when it applies them.
void Adam::step() {
  // Validate before touching anything, and outside any parallel region.
  bool any = false;
  for (size_t k = 0; k < params_.size(); ++k) {
    const Tensor& g = params_[k].grad();
    if (!g.defined()) continue;
    check_shape(g.shape() == params_[k].shape(), "Adam::step", "parameter ", k,
                " has a gradient of shape ", g.shape().str(), " but its shape is ",
                params_[k].shape().str());
    any = true;
  }
  if (!any) return;  // torch: parameters without a gradient are not stepped at all
  ++t_;

  for (size_t k = 0; k < params_.size(); ++k) {
    const Tensor& grad = params_[k].grad();
    if (!grad.defined()) continue;
    Tensor& param = params_[k].mutable_data();
    if (!m_[k].defined()) {  // state is created on a parameter's first step, like torch
      m_[k] = Tensor::zeros(param.shape());
      v_[k] = Tensor::zeros(param.shape());
    }
    const int64_t t = ++param_steps_[k];
    const double beta1 = options_.beta1, beta2 = options_.beta2;
    const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(t));
    const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(t));
    const float neg_step_size = static_cast<float>(-(options_.lr / bias_correction1));
    const float bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
    const float one_minus_beta1 = static_cast<float>(1.0 - beta1);
    const float one_minus_beta2 = static_cast<float>(1.0 - beta2);
    const float beta2_f = options_.beta2;
    const float eps = options_.eps;
    const float weight_decay = options_.weight_decay;
    float* p = param.data();
    const float* g = grad.data();
    float* m = m_[k].data();
    float* v = v_[k].data();
    const int64_t n = param.numel();
    // Each element is updated from its own p, g, m, v only: no element depends on another, so
    // any split over threads gives bitwise the same result.
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
    for (int64_t i = 0; i < n; ++i) {
      float gi = g[i];
      if (weight_decay != 0.0f) gi = gi + weight_decay * p[i];  // grad.add(param, alpha=wd)
      m[i] = lerp(m[i], gi, one_minus_beta1);                   // exp_avg.lerp_(grad, 1 − β1)
      v[i] = v[i] * beta2_f;                                    // exp_avg_sq.mul_(β2)
      v[i] = v[i] + one_minus_beta2 * gi * gi;                  // .addcmul_(grad, grad, 1 − β2)
      const float denom = std::sqrt(v[i]) / bias_correction2_sqrt + eps;
      p[i] = p[i] + neg_step_size * (m[i] / denom);  // addcdiv_(m, denom, −step_size)
    }
  }
}

}  // namespace gat
