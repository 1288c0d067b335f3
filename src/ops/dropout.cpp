#include "gat/ops/dropout.h"

#include "gat/core/error.h"
#include "gat/kernels/dropout.h"

namespace gat {

DropoutDraw draw_dropout(float p, bool training, Generator& gen, const char* where) {
  // Checked in eval too, so a bad p is caught before the first training step. (NaN fails.)
  check_arg(p >= 0.0f && p < 1.0f, where, "p must be in [0, 1), got ", p);
  // The identity draws no key, so eval passes leave the generator's stream untouched.
  if (!training || p == 0.0f) return {};
  return {p, gen.next_key()};
}

Variable dropout(const Variable& x, float p, bool training, Generator& gen) {
  check_arg(x.defined(), "dropout", "x is undefined");
  const DropoutDraw draw = draw_dropout(p, training, gen);
  if (!draw.active()) return x;
  const uint64_t key = draw.key;
  Tensor y = Tensor::empty(x.shape());
  dropout_forward(y.numel(), p, key, x.data().data(), y.data());
  // Saved: the key (and p); backward regenerates the mask instead of storing it.
  return make_output(std::move(y), OpKind::Dropout, {x},
                     [key, p](const Tensor& g, const std::vector<bool>& needs) {
                       Tensor dx;
                       if (needs[0]) {
                         dx = Tensor::empty(g.shape());
                         dropout_backward(g.numel(), p, key, g.data(), dx.data());
                       }
                       return std::vector<Tensor>{dx};
                     });
}

}  // namespace gat
