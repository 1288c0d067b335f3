#include "gat/nn/init.h"

#include <cmath>

#include "gat/core/error.h"

namespace gat {

void glorot_(Tensor& t, Generator& gen) {
  check_arg(t.defined() && t.dim() >= 1, "glorot_", "needs a tensor with at least one dimension");
  const int64_t fan_in = t.size(t.dim() - 1);
  const int64_t fan_out = t.dim() >= 2 ? t.size(t.dim() - 2) : fan_in;
  const float a = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)));
  float* p = t.data();
  for (int64_t k = 0; k < t.numel(); ++k) p[k] = gen.uniform(-a, a);
}

void zeros_(Tensor& t) { t.fill(0.0f); }

}  // namespace gat
