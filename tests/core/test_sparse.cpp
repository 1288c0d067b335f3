// Tests for SparseRows (core/sparse.h): dense round trip, the CSR and its transposed index,
// density, and the validation of bad input.
#include "gat/core/sparse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "gat/core/error.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"

using gat::testing::throws_with;

namespace gat {
namespace {

// A [rows, cols] matrix with about `density` of its entries non-zero (values in [-1, 1) \ {0}).
Tensor sparse_tensor(int64_t rows, int64_t cols, double density, uint64_t seed) {
  Generator gen(seed);
  Tensor x = Tensor::zeros({rows, cols});
  for (int64_t k = 0; k < x.numel(); ++k)
    if (gen.uniform() < density)
      x.at(k) = gen.uniform() < 0.5f ? -gen.uniform(0.1f, 1.0f) : gen.uniform(0.1f, 1.0f);
  return x;
}

TEST(SparseRows, HeaderExample) {
  gat::Tensor x = gat::Tensor::zeros({3, 4});
  x.at(0, 1) = 2.0f;
  x.at(2, 3) = -1.0f;
  gat::SparseRows s = gat::SparseRows::from_dense(x);
  EXPECT_EQ(s.nnz(), 2);
  EXPECT_DOUBLE_EQ(s.density(), 2.0 / 12.0);
  gat::Tensor back = s.to_dense();
  EXPECT_EQ(back.shape(), x.shape());
  EXPECT_EQ(back.to_vector(), x.to_vector());
}

TEST(SparseRows, RoundTripKeepsEveryNonZeroInRowAndColumnOrder) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Tensor x = sparse_tensor(37, 23, 0.1 + 0.04 * static_cast<double>(seed), seed);
    const SparseRows s = SparseRows::from_dense(x);
    EXPECT_EQ(s.rows(), 37);
    EXPECT_EQ(s.cols(), 23);
    EXPECT_EQ(s.nnz(), count_nonzero(x));
    EXPECT_EQ(s.to_dense().to_vector(), x.to_vector()) << "seed " << seed;
    // CSR: columns strictly increase within a row, values are the matrix's.
    for (int64_t i = 0; i < s.rows(); ++i)
      for (int64_t k = s.row_ptr()[i]; k < s.row_ptr()[i + 1]; ++k) {
        if (k > s.row_ptr()[i]) {
          EXPECT_GT(s.col()[k], s.col()[k - 1]);
        }
        EXPECT_EQ(s.values()[k], x.at(i, s.col()[k]));
        EXPECT_EQ(s.row()[k], i);
      }
    // CSC: every non-zero once, rows strictly increasing within a column.
    EXPECT_EQ(s.col_ptr()[s.cols()], s.nnz());
    for (int64_t f = 0; f < s.cols(); ++f)
      for (int64_t slot = s.col_ptr()[f]; slot < s.col_ptr()[f + 1]; ++slot) {
        if (slot > s.col_ptr()[f]) {
          EXPECT_GT(s.csc_row()[slot], s.csc_row()[slot - 1]);
        }
        const int64_t k = s.csc_pos()[slot];
        EXPECT_EQ(s.row()[k], s.csc_row()[slot]);
        EXPECT_EQ(s.col()[k], f);
        EXPECT_EQ(s.values()[k], x.at(s.csc_row()[slot], f));
        EXPECT_NE(s.values()[k], 0.0f);
      }
  }
}

TEST(SparseRows, DropsExactZerosOnlyAndKeepsNaN) {
  Tensor x = Tensor::from_vector(
      {2, 3}, {0.0f, -0.0f, 1e-30f, std::numeric_limits<float>::quiet_NaN(), 0.0f, -2.0f});
  const SparseRows s = SparseRows::from_dense(x);
  ASSERT_EQ(s.nnz(), 3);
  EXPECT_EQ(s.col()[0], 2);
  EXPECT_EQ(s.values()[0], 1e-30f);
  EXPECT_TRUE(std::isnan(s.values()[1]));
  EXPECT_EQ(s.values()[2], -2.0f);
  EXPECT_EQ(count_nonzero(x), 3);
}

TEST(SparseRows, EmptyRowsColumnsAndMatrices) {
  const SparseRows none;
  EXPECT_EQ(none.rows(), 0);
  EXPECT_EQ(none.cols(), 0);
  EXPECT_EQ(none.nnz(), 0);
  EXPECT_EQ(none.density(), 0.0);
  EXPECT_EQ(none.to_dense().numel(), 0);

  const SparseRows zeros = SparseRows::from_dense(Tensor::zeros({4, 5}));
  EXPECT_EQ(zeros.nnz(), 0);
  EXPECT_EQ(zeros.density(), 0.0);
  EXPECT_EQ(zeros.to_dense().to_vector(), std::vector<float>(20, 0.0f));

  const SparseRows no_cols = SparseRows::from_dense(Tensor::zeros({3, 0}));
  EXPECT_EQ(no_cols.rows(), 3);
  EXPECT_EQ(no_cols.nnz(), 0);
}

TEST(SparseRows, FromCsrMatchesFromDense) {
  const Tensor x = sparse_tensor(9, 6, 0.3, 7);
  const SparseRows a = SparseRows::from_dense(x);
  std::vector<int64_t> row_ptr(a.row_ptr(), a.row_ptr() + a.rows() + 1);
  std::vector<int32_t> col(a.col(), a.col() + a.nnz());
  std::vector<float> values(a.values(), a.values() + a.nnz());
  const SparseRows b = SparseRows::from_csr(9, 6, row_ptr, col, values);
  EXPECT_EQ(b.to_dense().to_vector(), x.to_vector());
  EXPECT_EQ(std::vector<int32_t>(b.csc_row(), b.csc_row() + b.nnz()),
            std::vector<int32_t>(a.csc_row(), a.csc_row() + a.nnz()));
}

TEST(SparseRows, CopiesShareTheArrays) {
  const SparseRows a = SparseRows::from_dense(sparse_tensor(5, 5, 0.5, 1));
  const SparseRows b = a;
  EXPECT_EQ(a.values(), b.values());
  EXPECT_EQ(a.csc_pos(), b.csc_pos());
}

TEST(SparseRows, FromCsrRejectsBadInputNamingIt) {
  const char* where = "SparseRows::from_csr";
  auto csr = [](int64_t rows, int64_t cols, std::vector<int64_t> ptr, std::vector<int32_t> col) {
    std::vector<float> values(col.size(), 1.0f);
    return SparseRows::from_csr(rows, cols, std::move(ptr), std::move(col), std::move(values));
  };
  EXPECT_NO_THROW(csr(2, 3, {0, 1, 3}, {2, 0, 1}));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { csr(-1, 3, {0}, {}); },
                                           std::string(where) + ": rows must be in"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { csr(2, -3, {0, 0, 0}, {}); }, "cols must be in"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(2, 3, {0, 1}, {0});
      },
      "row_ptr has 2 entries, expected rows + 1 = 3"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(2, 3, {1, 1, 1}, {0});
      },
      "row_ptr[0] must be 0, got 1"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(2, 3, {0, 1, 3}, {0, 1});
      },
      "row_ptr[2] = 3 but there are 2 entries"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(2, 3, {0, 2, 1}, {0});
      },
      "row 1: row_ptr decreases from 2 to 1"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(2, 3, {0, 1, 2}, {0, 3});
      },
      "row 1: column 3 out of range for 3 columns"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(2, 3, {0, 1, 2}, {-1, 0});
      },
      "row 0: column -1 out of range"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(1, 3, {0, 2}, {1, 1});
      },
      "row 0: column 1 after column 1"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        csr(1, 3, {0, 2}, {2, 0});
      },
      "columns must strictly increase within a row"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        SparseRows::from_csr(1, 3, {0, 1}, {0}, {1.0f, 2.0f});
      },
      "col has 1 entries but values has 2"));
}

TEST(SparseRows, FromDenseRejectsBadInput) {
  EXPECT_TRUE(throws_with<InvalidArgument>([] { SparseRows::from_dense(Tensor()); },
                                           "SparseRows::from_dense: x is undefined"));
  EXPECT_TRUE(throws_with<ShapeError>([] { SparseRows::from_dense(Tensor::zeros({4})); },
                                      "x must be 2-d [rows, cols], got [4]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        SparseRows::from_dense(Tensor::zeros({2, 2, 2}));
      },
      "got [2, 2, 2]"));
}

}  // namespace
}  // namespace gat
