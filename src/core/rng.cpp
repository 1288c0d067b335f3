#include "gat/core/rng.h"

#include <cmath>

#include "gat/core/error.h"

namespace gat {

float Generator::normal() {
  // Box–Muller in double; u1 in (0, 1] so log(u1) is finite.
  double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
  double u2 = static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

uint64_t Generator::below(uint64_t n) {
  check_arg(n > 0, "Generator::below", "n must be positive");
  // Rejection sampling removes the modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do {
    r = next_u64();
  } while (r >= limit);
  return r % n;
}

}  // namespace gat
