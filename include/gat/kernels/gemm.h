// gat/kernels/gemm.h — the one dense matrix product every op uses, on the configured BLAS.
//
// C = alpha · op(A) · op(B) + beta · C, row-major, op(X) = X or Xᵀ. gat.cpp's default backend is
// Eigen's GEMM (measured faster here than OpenBLAS for the tall-skinny products GAT layers make,
// see docs/performance.md); configure with -DGAT_BLAS=OpenBLAS for OpenBLAS' cblas_sgemm. The
// backend is always called single-threaded, on tiles of C whose sizes depend only on the shape,
// spread over gat's OpenMP threads; so results do not depend on the thread count (tested).
// (Eigen's own threading changes its K blocking with the thread count, and so the last bits.)
#pragma once

#include <cstdint>

namespace gat {

/// Shapes: op(A) [M, K], op(B) [K, N], C [M, N]; lda, ldb, ldc are the row strides of A, B, C as
/// stored (before the transpose).
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc);

/// The backend's name, "Eigen 3.4.0" or "OpenBLAS ...", for benchmark reports.
const char* gemm_backend();

}  // namespace gat
