#include "gat/kernels/dropout.h"

#include "gat/core/parallel.h"
#include "gat/core/rng.h"

namespace gat {

namespace {

// Shared by forward and backward so that both apply exactly the same mask and the same scale.
void apply_mask(int64_t n, float p, uint64_t key, const float* in, float* out) {
  const float scale = 1.0f / (1.0f - p);
  // The keep decision is gat::dropout_keep's (ops/dropout.h, which a kernel may not include),
  // a pure function of (key, i): any thread may draw any element. The tests check the two agree.
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    out[i] = uniform_at(key, static_cast<uint64_t>(i)) >= p ? in[i] * scale : 0.0f;
}
}  // namespace

void dropout_forward(int64_t n, float p, uint64_t key, const float* x, float* y) {
  apply_mask(n, p, key, x, y);
}

void dropout_backward(int64_t n, float p, uint64_t key, const float* dy, float* dx) {
  apply_mask(n, p, key, dy, dx);
}

}  // namespace gat
