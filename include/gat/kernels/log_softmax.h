// gat/kernels/log_softmax.h — row-wise log-softmax and the masked NLL loss (raw pointers,
// OpenMP; no autograd). Argument checks and autograd wiring are in gat/ops/log_softmax.h.
//
// Strategy: log_softmax gives each row to one thread (rows are independent, so no races), in
// parallel once rows × cols reaches 32768. It is stable: the row max is subtracted before
// exponentiating, and the sum of exponentials (≥ 1, the max term) is accumulated in double.
// nll_loss touches |M| entries only, so it runs serially in mask order: the sum is then
// deterministic, and duplicate mask entries add into the same gradient entry without races.
#pragma once

#include <cstdint>

namespace gat {

/// y[r, k] = x[r, k] − m_r − log Σ_k' exp(x[r, k'] − m_r), m_r = max_k x[r, k].
void log_softmax_forward(int64_t rows, int64_t cols, const float* x, float* y);
/// dx[r, k] = dy[r, k] − exp(y[r, k]) Σ_k' dy[r, k']; saved: y (the output). dx may alias dy.
void log_softmax_backward(int64_t rows, int64_t cols, const float* y, const float* dy, float* dx);

/// Returns −(1/|M|) Σ_{i < mask_size} logp[mask[i], labels[mask[i]]], summed in double in mask
/// order. Labels and node ids must already be validated.
float nll_loss_forward(int64_t rows, int64_t cols, const float* logp, const int32_t* labels,
                       const int64_t* mask, int64_t mask_size);
/// dlogp = 0 except dlogp[n, labels[n]] = −dy · (count of n in mask) / |M|; saved: labels and
/// mask (not logp, which the gradient does not depend on).
void nll_loss_backward(int64_t rows, int64_t cols, const int32_t* labels, const int64_t* mask,
                       int64_t mask_size, float dy, float* dlogp);

}  // namespace gat
