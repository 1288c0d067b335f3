#include "gat/kernels/gemm.h"

#include <algorithm>
#include <vector>

#include "gat/core/error.h"

#if defined(GAT_BLAS_OPENBLAS)
#include <cblas.h>
#else
#include <Eigen/Core>
#endif

namespace gat {

namespace {

// One single-threaded product on the backend: C = alpha op(A) op(B) + beta C.
void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                 int64_t ldc);

#if defined(GAT_BLAS_OPENBLAS)

void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                 int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

#else

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using ConstMap = Eigen::Map<const RowMajor, Eigen::Unaligned, Stride>;
using Map = Eigen::Map<RowMajor, Eigen::Unaligned, Stride>;

void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                 int64_t ldc) {
  Map C(c, m, n, Stride(ldc));
  // beta == 0 must ignore C's old contents (they may be uninitialised, even NaN).
  if (beta == 0.0f)
    C.setZero();
  else if (beta != 1.0f)
    C *= beta;
  if (k == 0) return;
  ConstMap A(a, trans_a ? k : m, trans_a ? m : k, Stride(lda));
  ConstMap B(b, trans_b ? n : k, trans_b ? k : n, Stride(ldb));
  if (!trans_a && !trans_b)
    C.noalias() += alpha * (A * B);
  else if (!trans_a && trans_b)
    C.noalias() += alpha * (A * B.transpose());
  else if (trans_a && !trans_b)
    C.noalias() += alpha * (A.transpose() * B);
  else
    C.noalias() += alpha * (A.transpose() * B.transpose());
}

#endif

// Tile sizes. They depend only on the product's shape, never on the thread count, so every
// element of C is always computed by the same sequence of operations.
constexpr int64_t kRowTile = 1024;     // rows of C per tile when M is large
constexpr int64_t kColTile = 256;      // columns of C per tile when N is large
constexpr int64_t kDepthBlock = 8192;  // K per partial product when only K is large

}  // namespace

// Strategy: the backend runs single-threaded (Eigen is built with EIGEN_DONT_PARALLELIZE; the
// OpenBLAS build is used through one call per tile), and gat parallelises over tiles of C whose
// sizes depend only on the shape. Tall products (x Wᵀ, dY W) split C by rows; wide ones by
// columns; products with a small C and a long K (the weight gradient dYᵀ X over all nodes) split
// K into fixed blocks whose partial products are added in block order. Each tile is written by
// one thread, so there are no races, and results are bitwise the same for any thread count.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  // Where row r / column q / depth d of op(A), op(B) start in storage.
  auto a_rows = [&](int64_t r) { return trans_a ? a + r : a + r * lda; };
  auto b_cols = [&](int64_t q) { return trans_b ? b + q * ldb : b + q; };
  auto a_depth = [&](int64_t d) { return trans_a ? a + d * lda : a + d; };
  auto b_depth = [&](int64_t d) { return trans_b ? b + d : b + d * ldb; };

  if (m >= 2 * kRowTile) {
    const int64_t tiles = (m + kRowTile - 1) / kRowTile;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t r0 = t * kRowTile, rows = std::min(kRowTile, m - r0);
      gemm_serial(trans_a, trans_b, rows, n, k, alpha, a_rows(r0), lda, b, ldb, beta, c + r0 * ldc,
                  ldc);
    }
    return;
  }
  if (n >= 2 * kColTile) {
    const int64_t tiles = (n + kColTile - 1) / kColTile;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t q0 = t * kColTile, cols = std::min(kColTile, n - q0);
      gemm_serial(trans_a, trans_b, m, cols, k, alpha, a, lda, b_cols(q0), ldb, beta, c + q0, ldc);
    }
    return;
  }
  if (k >= 2 * kDepthBlock) {
    const int64_t blocks = (k + kDepthBlock - 1) / kDepthBlock;
    std::vector<float> partial(static_cast<size_t>(blocks * m * n));
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t t = 0; t < blocks; ++t) {
      const int64_t d0 = t * kDepthBlock, depth = std::min(kDepthBlock, k - d0);
      gemm_serial(trans_a, trans_b, m, n, depth, 1.0f, a_depth(d0), lda, b_depth(d0), ldb, 0.0f,
                  partial.data() + t * m * n, n);
    }
    for (int64_t r = 0; r < m; ++r) {
      float* c_row = c + r * ldc;
      for (int64_t q = 0; q < n; ++q) {
        float s = 0.0f;
        for (int64_t t = 0; t < blocks; ++t)
          s += partial[(t * m + r) * n + q];
        c_row[q] = beta == 0.0f ? alpha * s : alpha * s + beta * c_row[q];
      }
    }
    return;
  }
  gemm_serial(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const char* gemm_backend() {
#if defined(GAT_BLAS_OPENBLAS)
  return "OpenBLAS (single-threaded calls, gat's tiling)";
#else
#define GAT_STR2(x) #x
#define GAT_STR(x) GAT_STR2(x)
  return "Eigen " GAT_STR(EIGEN_WORLD_VERSION) "." GAT_STR(EIGEN_MAJOR_VERSION) "." GAT_STR(
      EIGEN_MINOR_VERSION) " (single-threaded calls, gat's tiling)";
#endif
}

}  // namespace gat
