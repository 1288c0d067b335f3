// The fused sparse dropout + linear kernels. The math, shapes and parallel strategy are in
// gat/kernels/sparse_dropout_linear.h.
//
// Rows (forward) and columns (backward) are split by their non-zeros with partition_by_work()
// and the ranges handed out by a `parallel for schedule(static, 1)`, as in the GCN kernel: every
// range is processed exactly once whatever team OpenMP grants. Scratch is allocated before the
// parallel region; nothing inside it allocates or throws.
#include "gat/kernels/sparse_dropout_linear.h"

#include <algorithm>
#include <vector>

#include "gat/core/parallel.h"
#include "gat/core/rng.h"

namespace gat {

namespace {

// Products smaller than this (in multiply-adds) run on the calling thread.
constexpr int64_t kParallelMinWork = 1 << 16;

// A row of width kW (a compile-time constant, so the accumulator can live in vector registers),
// or of the run-time width `width` when kW is 0.
template <int kW>
struct Width {
  int64_t runtime;
  constexpr int64_t operator()() const { return kW > 0 ? kW : runtime; }
};

// acc[0..w) += a · x[0..w)
template <int kW>
inline void axpy_row(float* __restrict acc, float a, const float* __restrict x, Width<kW> w) {
#pragma omp simd
  for (int64_t o = 0; o < w(); ++o)
    acc[o] += a * x[o];
}

template <int kW>
void forward_rows(const SparseRows& x, const float* val, Width<kW> w, const float* wt, float* y,
                  int64_t begin, int64_t end) {
  const int64_t* row_ptr = x.row_ptr();
  const int32_t* col = x.col();
  alignas(64) float acc[kW > 0 ? kW : 1];
  for (int64_t i = begin; i < end; ++i) {
    float* y_i = y + i * w();
    float* a = kW > 0 ? acc : y_i;  // accumulate in registers when the width is known
    std::fill(a, a + w(), 0.0f);
    for (int64_t k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
      if (val[k] != 0.0f) axpy_row(a, val[k], wt + static_cast<int64_t>(col[k]) * w(), w);
    if (kW > 0) std::copy(acc, acc + w(), y_i);
  }
}

template <int kW>
void backward_cols(const SparseRows& x, const float* val, Width<kW> w, const float* dy,
                   float* dwt, int64_t begin, int64_t end) {
  const int64_t* col_ptr = x.col_ptr();
  const int32_t* row = x.csc_row();
  const int64_t* pos = x.csc_pos();
  alignas(64) float acc[kW > 0 ? kW : 1];
  for (int64_t f = begin; f < end; ++f) {
    float* g_f = dwt + f * w();
    float* a = kW > 0 ? acc : g_f;
    std::fill(a, a + w(), 0.0f);
    for (int64_t slot = col_ptr[f]; slot < col_ptr[f + 1]; ++slot) {
      const float v = val[pos[slot]];
      if (v != 0.0f) axpy_row(a, v, dy + static_cast<int64_t>(row[slot]) * w(), w);
    }
    if (kW > 0) std::copy(acc, acc + w(), g_f);
  }
}

// Runs body(begin, end) over [0, n) split into one range per thread by the work in ptr.
template <typename Body>
void over_ranges(const int64_t* ptr, int64_t n, int64_t work, const Body& body) {
  const int parts = work >= kParallelMinWork ? num_threads() : 1;
  const std::vector<int64_t> bounds = partition_by_work(ptr, n, parts);
#pragma omp parallel for schedule(static, 1) if (parts > 1)
  for (int part = 0; part < parts; ++part)
    body(bounds[part], bounds[part + 1]);
}

// out [cols, rows] = in [rows, cols]ᵀ, in tiles so that both sides stay in cache.
void transpose(int64_t rows, int64_t cols, const float* in, float* out) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c)
          out[c * rows + r] = in[r * cols + c];
    }
}

}  // namespace

void sparse_dropout_linear_mask(const SparseRows& x, float p, uint64_t key, float* values) {
  const int64_t nnz = x.nnz(), f_in = x.cols();
  const int32_t* row = x.row();
  const int32_t* col = x.col();
  const float* val = x.values();
  const float scale = 1.0f / (1.0f - p);
  // The keep rule is gat::dropout_keep's (ops/dropout.h, which a kernel may not include) with the
  // dense kernel's element index i·F_in + f; the tests check the two paths agree. Flat over the
  // entries (x.row() gives each one's row) so that the hashes vectorise.
#pragma omp parallel for simd schedule(static) if (parallel : nnz >= kParallelMinElements)
  for (int64_t k = 0; k < nnz; ++k) {
    const uint64_t index = static_cast<uint64_t>(row[k]) * static_cast<uint64_t>(f_in) +
                           static_cast<uint64_t>(col[k]);
    values[k] = uniform_at(key, index) >= p ? val[k] * scale : 0.0f;
  }
}

void sparse_dropout_linear_forward(const SparseRows& x, const float* values, int64_t f_out,
                                   const float* w, float* y) {
  const int64_t n = x.rows(), f_in = x.cols();
  std::vector<float> wt(static_cast<size_t>(f_in * f_out));
  transpose(f_out, f_in, w, wt.data());
  over_ranges(x.row_ptr(), n, x.nnz() * f_out, [&](int64_t begin, int64_t end) {
    switch (f_out) {  // the widths of the paper's models: GAT 8 × 8, GCN and MLP 16
      case 64:
        forward_rows(x, values, Width<64>{64}, wt.data(), y, begin, end);
        break;
      case 16:
        forward_rows(x, values, Width<16>{16}, wt.data(), y, begin, end);
        break;
      default:
        forward_rows(x, values, Width<0>{f_out}, wt.data(), y, begin, end);
    }
  });
}

void sparse_dropout_linear_backward(const SparseRows& x, const float* values, int64_t f_out,
                                    const float* dy, float* dw) {
  const int64_t f_in = x.cols();
  std::vector<float> dwt(static_cast<size_t>(f_in * f_out));
  over_ranges(x.col_ptr(), f_in, x.nnz() * f_out, [&](int64_t begin, int64_t end) {
    switch (f_out) {
      case 64:
        backward_cols(x, values, Width<64>{64}, dy, dwt.data(), begin, end);
        break;
      case 16:
        backward_cols(x, values, Width<16>{16}, dy, dwt.data(), begin, end);
        break;
      default:
        backward_cols(x, values, Width<0>{f_out}, dy, dwt.data(), begin, end);
    }
  });
  transpose(f_in, f_out, dwt.data(), dw);
}

}  // namespace gat
