#include "gat/kernels/add.h"

#include "gat/core/parallel.h"

namespace gat {

// Element-wise: each thread writes its own static range of y; y may alias a or b (same index).
void add_forward(int64_t n, const float* a, const float* b, float* y) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    y[i] = a[i] + b[i];
}

void mul_forward(int64_t n, const float* a, const float* b, float* y) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    y[i] = a[i] * b[i];
}

void mul_backward(int64_t n, const float* a, const float* b, const float* dy, float* da,
                  float* db) {
  if (da) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
    for (int64_t i = 0; i < n; ++i)
      da[i] = dy[i] * b[i];
  }
  if (db) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
    for (int64_t i = 0; i < n; ++i)
      db[i] = dy[i] * a[i];
  }
}

// One thread per row; rows are disjoint, so no races.
void add_bias_forward(int64_t rows, int64_t width, const float* x, const float* bias, float* y) {
#pragma omp parallel for schedule(static) if (parallel : rows * width >= kParallelMinElements)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * width;
    float* yr = y + r * width;
#pragma omp simd
    for (int64_t k = 0; k < width; ++k)
      yr[k] = xr[k] + bias[k];
  }
}

// A column sum across threads: reduce_blocks gives each fixed 1024-row block its own partial and
// adds the partials in block order, so the result never depends on the thread count.
void add_bias_backward(int64_t rows, int64_t width, const float* dy, float* db) {
  reduce_blocks(rows, width, db, [=](int64_t begin, int64_t end, float* partial) {
    for (int64_t r = begin; r < end; ++r) {
      const float* g = dy + r * width;
#pragma omp simd
      for (int64_t k = 0; k < width; ++k)
        partial[k] += g[k];
    }
  });
}

void scale_forward(int64_t n, float s, const float* x, float* y) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMinElements)
  for (int64_t i = 0; i < n; ++i)
    y[i] = s * x[i];
}

void scale_backward(int64_t n, float s, const float* dy, float* dx) {
  scale_forward(n, s, dy, dx);
}

}  // namespace gat
