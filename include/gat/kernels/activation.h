// gat/kernels/activation.h — ReLU, ELU and LeakyReLU (raw pointers, OpenMP; no autograd).
// Argument checks and autograd wiring are in gat/ops/activation.h.
//
// Strategy: every loop is element-wise, `omp parallel for simd` with a static schedule once it
// reaches 32768 elements, plain below; each thread writes only its own contiguous range of the
// output, so there are no races. y may alias x, dx may alias dy.
//
// What backward receives: relu and leaky_relu get their input x (the autograd node holds it
// anyway, so saving it costs no memory); elu gets its output y, from which eˣ = (y + alpha) /
// alpha for x ≤ 0, so backward needs no exponential.
#pragma once

#include <cstdint>

namespace gat {

/// y = max(x, 0).
void relu_forward(int64_t n, const float* x, float* y);
/// dx = dy for x > 0, else 0.
void relu_backward(int64_t n, const float* x, const float* dy, float* dx);

/// y = x for x > 0, alpha (eˣ − 1) otherwise (expm1, accurate near 0).
void elu_forward(int64_t n, float alpha, const float* x, float* y);
/// dx = dy for y > 0, dy (y + alpha) otherwise; alpha ≥ 0 so that y > 0 exactly when x > 0.
void elu_backward(int64_t n, float alpha, const float* y, const float* dy, float* dx);

/// y = x for x > 0, negative_slope · x otherwise.
void leaky_relu_forward(int64_t n, float negative_slope, const float* x, float* y);
/// dx = dy for x > 0, negative_slope · dy otherwise.
void leaky_relu_backward(int64_t n, float negative_slope, const float* x, const float* dy,
                         float* dx);

}  // namespace gat
