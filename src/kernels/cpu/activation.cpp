#include "gat/kernels/activation.h"
#include "gat/core/parallel.h"

#include <cmath>

namespace gat {

// Every loop below is element-wise: each thread writes its own static range of the output.

void relu_forward(int64_t n, const float* x, float* y) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(int64_t n, const float* x, const float* dy, float* dx) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

void elu_forward(int64_t n, float alpha, const float* x, float* y) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] > 0.0f ? x[i] : alpha * std::expm1(x[i]);
}

// For x ≤ 0, y = alpha (eˣ − 1) ≤ 0, so alpha eˣ = y + alpha; for x > 0, y = x > 0.
void elu_backward(int64_t n, float alpha, const float* y, const float* dy, float* dx) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    dx[i] = y[i] > 0.0f ? dy[i] : dy[i] * (y[i] + alpha);
}

void leaky_relu_forward(int64_t n, float negative_slope, const float* x, float* y) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] > 0.0f ? x[i] : negative_slope * x[i];
}

void leaky_relu_backward(int64_t n, float negative_slope, const float* x, const float* dy,
                         float* dx) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    dx[i] = x[i] > 0.0f ? dy[i] : negative_slope * dy[i];
}

}  // namespace gat
