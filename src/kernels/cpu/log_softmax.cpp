#include "gat/kernels/log_softmax.h"
#include "gat/core/parallel.h"

#include <cmath>

namespace gat {

// One thread per row: each row is read and written by its owner only.
void log_softmax_forward(int64_t rows, int64_t cols, const float* x, float* y) {
  if (cols == 0) return;
#pragma omp parallel for schedule(static) if (parallel : rows * cols >= kParallelMinElements)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = xr[0];
    for (int64_t k = 1; k < cols; ++k)
      m = xr[k] > m ? xr[k] : m;
    // Every term is in (0, 1] and the max contributes 1, so the sum is in [1, cols]: no
    // overflow, and its log is finite. (x − m) − lse rather than x − (m + lse): for large m the
    // latter would round lse away in m's ulp. A row holding +inf gives NaN, as torch does.
    double s = 0.0;
    for (int64_t k = 0; k < cols; ++k)
      s += std::exp(static_cast<double>(xr[k] - m));
    const float lse = static_cast<float>(std::log(s));
    for (int64_t k = 0; k < cols; ++k)
      yr[k] = (xr[k] - m) - lse;
  }
}

void log_softmax_backward(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx) {
#pragma omp parallel for schedule(static) if (parallel : rows * cols >= kParallelMinElements)
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gr = dy + r * cols;
    float* dr = dx + r * cols;
    double s = 0.0;
    for (int64_t k = 0; k < cols; ++k)
      s += gr[k];
    const float total = static_cast<float>(s);
    for (int64_t k = 0; k < cols; ++k)
      dr[k] = gr[k] - std::exp(yr[k]) * total;
  }
}

// |M| ≤ N terms: serial, in mask order, so the value is deterministic.
float nll_loss_forward(int64_t /*rows*/, int64_t cols, const float* logp, const int32_t* labels,
                       const int64_t* mask, int64_t mask_size) {
  double s = 0.0;
  for (int64_t i = 0; i < mask_size; ++i) {
    const int64_t n = mask[i];
    s += logp[n * cols + labels[n]];
  }
  return static_cast<float>(-s / static_cast<double>(mask_size));
}

// Serial: duplicate mask entries add into the same entry, which a parallel loop would race on.
void nll_loss_backward(int64_t rows, int64_t cols, const int32_t* labels, const int64_t* mask,
                       int64_t mask_size, float dy, float* dlogp) {
  const int64_t total = rows * cols;
#pragma omp parallel for simd schedule(static) if (parallel : total >= kParallelMinElements)
  for (int64_t i = 0; i < total; ++i)
    dlogp[i] = 0.0f;
  const float g = static_cast<float>(-static_cast<double>(dy) / static_cast<double>(mask_size));
  for (int64_t i = 0; i < mask_size; ++i) {
    const int64_t n = mask[i];
    dlogp[n * cols + labels[n]] += g;
  }
}

}  // namespace gat
