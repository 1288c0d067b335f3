// gat/core/sparse.h — a sparse float32 matrix stored by rows (CSR), for sparse node features.
//
// Bag-of-words features such as Planetoid's are about 1 % non-zero (Cora: 49,216 of 2708 × 1433).
// Held as SparseRows, the first layer's input dropout and projection cost O(nnz · F_out) instead
// of O(N · F_in · F_out) (gat/ops/sparse_dropout_linear.h).
//
// A SparseRows keeps, immutable after construction:
//  * the CSR: the entries of row i are k = row_ptr[i] .. row_ptr[i+1]−1, at column col[k] with
//    value values[k]; columns strictly increase within a row (sorted, no duplicates); and
//    row[k] = i, so that a loop over all entries needs no row pointer (it vectorises);
//  * the transposed index (CSC), built once: the entries of column f are slots col_ptr[f] ..
//    col_ptr[f+1]−1, with their row csc_row[slot] (increasing) and their CSR position
//    csc_pos[slot] (their value is values[csc_pos[slot]]). The weight gradient walks it so that
//    each column has one owner thread and needs no atomics.
// It is a cheap handle: copies share the arrays (an op's backward keeps one).
// Column ids and row ids are int32; offsets are int64.
//
// Example (compiled in tests/core/test_sparse.cpp):
//
//   gat::Tensor x = gat::Tensor::zeros({3, 4});
//   x.at(0, 1) = 2.0f;
//   x.at(2, 3) = -1.0f;
//   gat::SparseRows s = gat::SparseRows::from_dense(x);   // 2 non-zeros
//   s.density();                                          // 2 / 12
//   gat::Tensor back = s.to_dense();                      // equal to x
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gat/core/tensor.h"

namespace gat {

class SparseRows {
 public:
  /// The largest row or column count a SparseRows holds (ids are int32).
  static constexpr int64_t kMaxIndex = 2147483647;

  /// A 0 × 0 matrix.
  SparseRows();

  /// From a CSR: row_ptr [rows + 1] (row_ptr[0] = 0, non-decreasing, row_ptr[rows] = nnz),
  /// col [nnz] in [0, cols) and strictly increasing within each row, values [nnz] (explicit zeros
  /// are kept). Throws gat::InvalidArgument naming the first bad entry
  /// ("SparseRows::from_csr: row 4: column 1433 out of range for 1433 columns").
  static SparseRows from_csr(int64_t rows, int64_t cols, std::vector<int64_t> row_ptr,
                             std::vector<int32_t> col, std::vector<float> values);
  /// From a 2-d dense tensor: every entry that compares unequal to 0 (exact zeros, +0 and −0, are
  /// dropped; NaN is kept). Throws gat::ShapeError when x is not 2-d, gat::InvalidArgument when
  /// it is undefined or a size exceeds kMaxIndex.
  static SparseRows from_dense(const Tensor& x);

  /// The dense [rows, cols] matrix (zeros elsewhere).
  Tensor to_dense() const;

  int64_t rows() const { return d_->rows; }
  int64_t cols() const { return d_->cols; }
  int64_t nnz() const { return static_cast<int64_t>(d_->col.size()); }
  /// nnz / (rows · cols); 0 for an empty matrix.
  double density() const;

  // The CSR.
  const int64_t* row_ptr() const { return d_->row_ptr.data(); }
  const int32_t* col() const { return d_->col.data(); }
  const float* values() const { return d_->values.data(); }
  const int32_t* row() const { return d_->row.data(); }
  // The transposed index (CSC), rows increasing within a column.
  const int64_t* col_ptr() const { return d_->col_ptr.data(); }
  const int32_t* csc_row() const { return d_->csc_row.data(); }
  const int64_t* csc_pos() const { return d_->csc_pos.data(); }

 private:
  struct Data {
    int64_t rows = 0, cols = 0;
    std::vector<int64_t> row_ptr{0};
    std::vector<int32_t> col;
    std::vector<float> values;
    std::vector<int32_t> row;
    std::vector<int64_t> col_ptr{0};
    std::vector<int32_t> csc_row;
    std::vector<int64_t> csc_pos;
  };
  explicit SparseRows(std::shared_ptr<const Data> d) : d_(std::move(d)) {}
  // Builds row and the CSC from a validated CSR.
  static SparseRows finish(Data d);
  std::shared_ptr<const Data> d_;
};

/// The number of entries of x that compare unequal to 0 (what from_dense would keep), to decide
/// whether the sparse form pays before building it.
int64_t count_nonzero(const Tensor& x);

}  // namespace gat
