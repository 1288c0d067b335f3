// gat/kernels/dropout.h — inverted dropout over a counter-based mask (raw pointers, OpenMP; no
// autograd). Argument checks and autograd wiring are in gat/ops/dropout.h.
//
// Element k is kept iff gat::dropout_keep(key, k, p), i.e. uniform_at(key, k) ≥ p. The decision
// is a pure function of (key, k), so any thread may draw any element: the loop is `omp parallel
// for simd` with a static schedule once it reaches 32768 elements, each thread writing only its
// own range (no races), and the mask is the same for every thread count. Backward regenerates the
// mask from the key instead of storing it.
#pragma once

#include <cstdint>

namespace gat {

/// y_k = x_k / (1 − p) if element k is kept under `key`, else 0. p in [0, 1).
void dropout_forward(int64_t n, float p, uint64_t key, const float* x, float* y);
/// dx_k = dy_k / (1 − p) if element k is kept under `key`, else 0; saved: key (and p).
void dropout_backward(int64_t n, float p, uint64_t key, const float* dy, float* dx);

}  // namespace gat
