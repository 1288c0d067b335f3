// gat/kernels/add.h — element-wise sum and product, row-broadcast bias, scaling (raw pointers,
// OpenMP; no autograd). Argument checks and autograd wiring are in gat/ops/add.h.
//
// Strategy: the element-wise loops are `omp parallel for simd` with a static schedule once they
// reach 32768 elements (below that a thread team costs more than it saves); each thread writes
// only its own contiguous range, so there are no races. add_bias_forward gives each row to one
// thread. add_bias_backward sums rows with gat::reduce_blocks (fixed 1024-row blocks added in
// block order), so db is bitwise the same for any thread count. Outputs may alias inputs
// element for element (y == a, say), which linear() uses to add its bias in place.
//
// add and add_bias pass dY straight through to dA, dB, dX (the op returns the same tensor, no
// copy), so they have no backward kernel for those; scale's backward is scale_forward applied
// to dY.
#pragma once

#include <cstdint>

namespace gat {

/// y = a + b, n elements.
void add_forward(int64_t n, const float* a, const float* b, float* y);

/// y = a ⊙ b, n elements.
void mul_forward(int64_t n, const float* a, const float* b, float* y);
/// da = dy ⊙ b, db = dy ⊙ a; saved: a, b (the inputs). da or db may be null (not needed).
void mul_backward(int64_t n, const float* a, const float* b, const float* dy, float* da, float* db);

/// y[r, k] = x[r, k] + bias[k] for rows × width values.
void add_bias_forward(int64_t rows, int64_t width, const float* x, const float* bias, float* y);
/// db[k] = Σ_r dy[r, k] (fixed-block reduction, thread-count independent); saved: nothing.
void add_bias_backward(int64_t rows, int64_t width, const float* dy, float* db);

/// y = s · x, n elements.
void scale_forward(int64_t n, float s, const float* x, float* y);
/// dx = s · dy; saved: nothing but the constant s.
void scale_backward(int64_t n, float s, const float* dy, float* dx);

}  // namespace gat
