// gat/kernels/reduce.h — full sums and the mean over heads (raw pointers, OpenMP; no autograd).
// Argument checks and autograd wiring are in gat/ops/reduce.h.
//
// Strategy: sum_forward splits the input into fixed 4096-element blocks whatever the thread
// count, sums each block in double on whichever thread owns it (each writes only its own
// partial), then adds the partials in block order: the result is bitwise the same for any thread
// count. mean_heads gives each node to one thread (no races), in parallel once N·H·C reaches
// 32768; its backward broadcasts the same way. sum's and mean's backward is a fill. The squared
// error sum (mse_loss, mean_square) uses sum_forward's blocks: one read of x (and of the target)
// forward, one write of the gradient backward, instead of a product, a sum and their gradients.
#pragma once

#include <cstdint>

namespace gat {

/// Σ_i x[i] over n values, accumulated in double in fixed blocks.
double sum_forward(int64_t n, const float* x);
/// dx[i] = value for all n entries (sum: value = ds; mean: value = ds / n). Saved: nothing.
void sum_backward(int64_t n, float value, float* dx);

/// Σ_i (x[i] − t[i])² over n values, accumulated in double in sum_forward's fixed blocks;
/// target == nullptr stands for t = 0.
double squared_error_sum(int64_t n, const float* x, const float* target);
/// dx[i] = scale · (x[i] − t[i]) and dt[i] = −dx[i] (mse_loss: scale = 2·dL/n); target == nullptr
/// stands for t = 0; dx or dt may be nullptr when that gradient is not wanted. Saved: x, t.
void squared_error_backward(int64_t n, float scale, const float* x, const float* target, float* dx,
                            float* dt);

/// y[i, c] = (1/H) Σ_h x[i, h, c]; x [N, H, C], y [N, C]; heads ≥ 1.
void mean_heads_forward(int64_t nodes, int64_t heads, int64_t channels, const float* x, float* y);
/// dx[i, h, c] = dy[i, c] / H; saved: nothing (only the shape).
void mean_heads_backward(int64_t nodes, int64_t heads, int64_t channels, const float* dy,
                         float* dx);

}  // namespace gat
