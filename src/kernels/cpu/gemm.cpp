#include "gat/kernels/gemm.h"

#include "gat/core/error.h"

#if defined(GAT_BLAS_OPENBLAS)
#include <cblas.h>
#else
#include <Eigen/Core>
#endif

namespace gat {

#if defined(GAT_BLAS_OPENBLAS)

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

const char* gemm_backend() { return "OpenBLAS"; }

#else

namespace {
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using ConstMap = Eigen::Map<const RowMajor, Eigen::Unaligned, Stride>;
using Map = Eigen::Map<RowMajor, Eigen::Unaligned, Stride>;
}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc) {
  if (m == 0 || n == 0) return;
  Map C(c, m, n, Stride(ldc));
  if (k == 0) {
    if (beta == 0.0f)
      C.setZero();
    else
      C *= beta;
    return;
  }
  ConstMap A(a, trans_a ? k : m, trans_a ? m : k, Stride(lda));
  ConstMap B(b, trans_b ? n : k, trans_b ? k : n, Stride(ldb));
  // beta == 0 must ignore C's old contents (they may be uninitialised, even NaN).
  if (beta == 0.0f) C.setZero();
  else if (beta != 1.0f) C *= beta;
  if (!trans_a && !trans_b) C.noalias() += alpha * (A * B);
  else if (!trans_a && trans_b) C.noalias() += alpha * (A * B.transpose());
  else if (trans_a && !trans_b) C.noalias() += alpha * (A.transpose() * B);
  else C.noalias() += alpha * (A.transpose() * B.transpose());
}

const char* gemm_backend() {
#define GAT_STR2(x) #x
#define GAT_STR(x) GAT_STR2(x)
  return "Eigen " GAT_STR(EIGEN_WORLD_VERSION) "." GAT_STR(EIGEN_MAJOR_VERSION) "." GAT_STR(
      EIGEN_MINOR_VERSION);
}

#endif

}  // namespace gat
