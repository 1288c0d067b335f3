#include "gat/core/sparse.h"

#include <algorithm>
#include <utility>

#include "gat/core/error.h"

namespace gat {

SparseRows::SparseRows() : d_(std::make_shared<const Data>()) {}

SparseRows SparseRows::from_csr(int64_t rows, int64_t cols, std::vector<int64_t> row_ptr,
                                std::vector<int32_t> col, std::vector<float> values) {
  const char* where = "SparseRows::from_csr";
  check_arg(rows >= 0 && rows <= kMaxIndex, where, "rows must be in [0, ", kMaxIndex, "], got ",
            rows);
  check_arg(cols >= 0 && cols <= kMaxIndex, where, "cols must be in [0, ", kMaxIndex, "], got ",
            cols);
  check_arg(static_cast<int64_t>(row_ptr.size()) == rows + 1, where, "row_ptr has ", row_ptr.size(),
            " entries, expected rows + 1 = ", rows + 1);
  check_arg(col.size() == values.size(), where, "col has ", col.size(), " entries but values has ",
            values.size());
  check_arg(row_ptr[0] == 0, where, "row_ptr[0] must be 0, got ", row_ptr[0]);
  check_arg(row_ptr[rows] == static_cast<int64_t>(col.size()), where, "row_ptr[", rows,
            "] = ", row_ptr[rows], " but there are ", col.size(), " entries");
  // Offsets first: once they are monotone from 0 to nnz, every slot below is in range.
  for (int64_t i = 0; i < rows; ++i)
    check_arg(row_ptr[i + 1] >= row_ptr[i], where, "row ", i, ": row_ptr decreases from ",
              row_ptr[i], " to ", row_ptr[i + 1]);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t k = row_ptr[i]; k < row_ptr[i + 1]; ++k) {
      check_arg(col[k] >= 0 && col[k] < cols, where, "row ", i, ": column ", col[k],
                " out of range for ", cols, " columns");
      check_arg(k == row_ptr[i] || col[k] > col[k - 1], where, "row ", i, ": column ", col[k],
                " after column ", col[k - 1], " (columns must strictly increase within a row)");
    }
  }
  Data d;
  d.rows = rows;
  d.cols = cols;
  d.row_ptr = std::move(row_ptr);
  d.col = std::move(col);
  d.values = std::move(values);
  return finish(std::move(d));
}

SparseRows SparseRows::from_dense(const Tensor& x) {
  const char* where = "SparseRows::from_dense";
  check_arg(x.defined(), where, "x is undefined");
  check_shape(x.dim() == 2, where, "x must be 2-d [rows, cols], got ", x.shape().str());
  const int64_t rows = x.size(0), cols = x.size(1);
  check_arg(rows <= kMaxIndex && cols <= kMaxIndex, where, "x ", x.shape().str(), " exceeds ",
            kMaxIndex, " rows or columns");
  Data d;
  d.rows = rows;
  d.cols = cols;
  const int64_t nnz = count_nonzero(x);
  d.row_ptr.assign(rows + 1, 0);
  d.col.reserve(nnz);
  d.values.reserve(nnz);
  const float* p = x.data();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t f = 0; f < cols; ++f) {
      const float v = p[i * cols + f];
      if (v != 0.0f) {
        d.col.push_back(static_cast<int32_t>(f));
        d.values.push_back(v);
      }
    }
    d.row_ptr[i + 1] = static_cast<int64_t>(d.col.size());
  }
  return finish(std::move(d));
}

SparseRows SparseRows::finish(Data d) {
  // Counting sort by column; rows are visited in order, so rows increase within each column.
  const int64_t nnz = static_cast<int64_t>(d.col.size());
  d.col_ptr.assign(d.cols + 1, 0);
  for (int32_t f : d.col)
    ++d.col_ptr[f + 1];
  for (int64_t f = 0; f < d.cols; ++f)
    d.col_ptr[f + 1] += d.col_ptr[f];
  d.row.resize(nnz);
  d.csc_row.resize(nnz);
  d.csc_pos.resize(nnz);
  std::vector<int64_t> next(d.col_ptr.begin(), d.col_ptr.end() - 1);
  for (int64_t i = 0; i < d.rows; ++i)
    for (int64_t k = d.row_ptr[i]; k < d.row_ptr[i + 1]; ++k) {
      d.row[k] = static_cast<int32_t>(i);
      const int64_t slot = next[d.col[k]]++;
      d.csc_row[slot] = static_cast<int32_t>(i);
      d.csc_pos[slot] = k;
    }
  return SparseRows(std::make_shared<const Data>(std::move(d)));
}

Tensor SparseRows::to_dense() const {
  Tensor out = Tensor::zeros({rows(), cols()});
  float* p = out.data();
  for (int64_t i = 0; i < rows(); ++i)
    for (int64_t k = d_->row_ptr[i]; k < d_->row_ptr[i + 1]; ++k)
      p[i * cols() + d_->col[k]] = d_->values[k];
  return out;
}

double SparseRows::density() const {
  const double total = static_cast<double>(rows()) * static_cast<double>(cols());
  return total > 0 ? static_cast<double>(nnz()) / total : 0.0;
}

int64_t count_nonzero(const Tensor& x) {
  int64_t count = 0;
  const float* p = x.data();
  for (int64_t k = 0; k < x.numel(); ++k)
    count += p[k] != 0.0f;
  return count;
}

}  // namespace gat
