// Tests for gat/core/parallel.h: the thread count, partition_by_work (boundaries and balance on
// skewed degrees) and reduce_blocks (bitwise thread-count independence and accuracy).
#include "gat/core/parallel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/rng.h"
#include "testing/assertions.h"

using gat::testing::ThreadCountGuard;
using gat::testing::throws_with;

namespace gat {
namespace {

std::vector<int64_t> rowptr_from_degrees(const std::vector<int64_t>& degree, int64_t offset = 0) {
  std::vector<int64_t> rowptr(degree.size() + 1, offset);
  for (size_t i = 0; i < degree.size(); ++i)
    rowptr[i + 1] = rowptr[i] + degree[i];
  return rowptr;
}

int64_t row_cost(const std::vector<int64_t>& rowptr, int64_t i) {
  return rowptr[i + 1] - rowptr[i] + 1;
}

int64_t range_cost(const std::vector<int64_t>& rowptr, int64_t begin, int64_t end) {
  return rowptr[end] - rowptr[begin] + (end - begin);
}

// Checks partition_by_work's contract and returns the bounds: parts + 1 monotone boundaries from
// 0 to n, and each part's work, less its last row (rows cannot be split), at most
// ceil(total / parts). So the slowest thread does at most ceil(total / parts) + the costliest row.
std::vector<int64_t> checked_partition(const std::vector<int64_t>& rowptr, int parts) {
  const int64_t n = static_cast<int64_t>(rowptr.size()) - 1;
  std::vector<int64_t> b = partition_by_work(rowptr.data(), n, parts);
  EXPECT_EQ(b.size(), static_cast<size_t>(parts) + 1);
  if (b.size() != static_cast<size_t>(parts) + 1) return b;
  EXPECT_EQ(b.front(), 0);
  EXPECT_EQ(b.back(), n);
  const int64_t total = range_cost(rowptr, 0, n);
  const int64_t fair = (total + parts - 1) / parts;
  for (int p = 0; p < parts; ++p) {
    EXPECT_LE(b[p], b[p + 1]) << "boundary " << p;
    if (b[p] >= b[p + 1]) continue;
    const int64_t work = range_cost(rowptr, b[p], b[p + 1]);
    EXPECT_LE(work - row_cost(rowptr, b[p + 1] - 1), fair)
        << "part " << p << " [" << b[p] << ", " << b[p + 1] << ") of " << parts;
  }
  return b;
}

int64_t makespan(const std::vector<int64_t>& rowptr, const std::vector<int64_t>& b) {
  int64_t worst = 0;
  for (size_t p = 0; p + 1 < b.size(); ++p)
    worst = std::max(worst, range_cost(rowptr, b[p], b[p + 1]));
  return worst;
}

TEST(Parallel, SetNumThreads) {
  ThreadCountGuard guard;
  set_num_threads(3);
  EXPECT_EQ(num_threads(), 3);
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  EXPECT_THROW(set_num_threads(0), InvalidArgument);
  EXPECT_THROW(set_num_threads(-2), InvalidArgument);
  EXPECT_EQ(num_threads(), 1);  // a rejected call changes nothing
}

TEST(Parallel, PartitionEqualDegreesSplitsEvenly) {
  std::vector<int64_t> rowptr = rowptr_from_degrees(std::vector<int64_t>(100, 3));
  EXPECT_EQ(checked_partition(rowptr, 4), (std::vector<int64_t>{0, 25, 50, 75, 100}));
  EXPECT_EQ(checked_partition(rowptr, 1), (std::vector<int64_t>{0, 100}));
}

TEST(Parallel, PartitionBalancesEdgesNotRows) {
  // 100 dense rows (degree 100) then 9900 empty rows: total work 100 * 101 + 9900 = 20000.
  // Two parts by row count would give 15000 vs 5000; by work the dense rows form one part.
  std::vector<int64_t> degree(10000, 0);
  std::fill(degree.begin(), degree.begin() + 100, 100);
  std::vector<int64_t> rowptr = rowptr_from_degrees(degree);
  EXPECT_EQ(checked_partition(rowptr, 2), (std::vector<int64_t>{0, 100, 10000}));
  std::vector<int64_t> b4 = checked_partition(rowptr, 4);
  EXPECT_LE(makespan(rowptr, b4), 5000 + 101);
}

TEST(Parallel, PartitionWithOneHubHoldingNinetyPercentOfEdges) {
  // 1000 rows of degree 1, but row 500 has 9000 edges: 90% of the 9999 edges.
  std::vector<int64_t> degree(1000, 1);
  degree[500] = 9000;
  std::vector<int64_t> rowptr = rowptr_from_degrees(degree);
  const int64_t total = range_cost(rowptr, 0, 1000);
  for (int parts : {2, 3, 4, 8, 16}) {
    std::vector<int64_t> b = checked_partition(rowptr, parts);
    // No thread does more than the hub plus a fair share; every part without the hub is
    // within one fair share plus a light row.
    const int64_t fair = (total + parts - 1) / parts;
    EXPECT_LE(makespan(rowptr, b), row_cost(rowptr, 500) + fair) << parts << " parts";
    for (int p = 0; p < parts; ++p) {
      if (b[p] <= 500 && 500 < b[p + 1]) continue;
      EXPECT_LE(range_cost(rowptr, b[p], b[p + 1]), fair + 2) << "part " << p << " of " << parts;
    }
  }
}

TEST(Parallel, PartitionRandomSkewedDegrees) {
  Generator gen(2024);
  for (int trial = 0; trial < 20; ++trial) {
    const int64_t n = 1 + static_cast<int64_t>(gen.below(3000));
    std::vector<int64_t> degree(n);
    // Heavy tail: degree = floor(1 / u^1.5) - 1, mostly 0..3 with a few in the thousands.
    for (auto& d : degree)
      d = static_cast<int64_t>(std::pow(gen.uniform(1e-4f, 1.0f), -1.5f)) - 1;
    std::vector<int64_t> rowptr =
        rowptr_from_degrees(degree, /*offset=*/static_cast<int64_t>(gen.below(1000)));
    for (int parts : {1, 2, 3, 7, 16})
      checked_partition(rowptr, parts);
  }
}

TEST(Parallel, PartitionDependsOnlyOnDifferencesOfRowptr) {
  // A slice of a larger CSR (rowptr[0] != 0) partitions like the same rows starting at 0.
  std::vector<int64_t> degree = {5, 0, 0, 7, 1, 1, 30, 2, 0, 4};
  EXPECT_EQ(checked_partition(rowptr_from_degrees(degree, 0), 3),
            checked_partition(rowptr_from_degrees(degree, 12345), 3));
}

TEST(Parallel, PartitionMorePartsThanRows) {
  std::vector<int64_t> rowptr = rowptr_from_degrees({4, 0, 2});
  std::vector<int64_t> b = checked_partition(rowptr, 8);
  // Every row lands in exactly one part: the non-empty parts tile [0, 3).
  int64_t covered = 0;
  for (size_t p = 0; p + 1 < b.size(); ++p)
    covered += b[p + 1] - b[p];
  EXPECT_EQ(covered, 3);

  std::vector<int64_t> empty_rowptr = {0};
  EXPECT_EQ(partition_by_work(empty_rowptr.data(), 0, 4), (std::vector<int64_t>(5, 0)));
}

TEST(Parallel, PartitionNeedsAtLeastOnePart) {
  std::vector<int64_t> rowptr = {0, 1, 2};
  EXPECT_THROW(partition_by_work(rowptr.data(), 2, 0), InvalidArgument);
  EXPECT_THROW(partition_by_work(rowptr.data(), 2, -1), InvalidArgument);
}

// Column sums of a rows × width matrix through reduce_blocks.
std::vector<float> column_sums(const std::vector<float>& x, int64_t rows, int64_t width) {
  std::vector<float> out(width, -1.0f);
  reduce_blocks(rows, width, out.data(), [&](int64_t begin, int64_t end, float* partial) {
    for (int64_t r = begin; r < end; ++r)
      for (int64_t k = 0; k < width; ++k)
        partial[k] += x[r * width + k];
  });
  return out;
}

TEST(Parallel, ReduceBlocksIsBitwiseIndependentOfThreadCount) {
  ThreadCountGuard guard;
  const int64_t rows = 10 * kReduceBlockRows + 37, width = 3;
  Generator gen(7);
  std::vector<float> x(rows * width);
  for (float& v : x)
    v = gen.uniform(0.5f, 1.5f) * (gen.uniform() < 0.5f ? 1.0f : 1e-3f);

  set_num_threads(1);
  std::vector<float> one = column_sums(x, rows, width);
  set_num_threads(2);
  std::vector<float> two = column_sums(x, rows, width);
  set_num_threads(3);
  std::vector<float> three = column_sums(x, rows, width);
  EXPECT_EQ(std::memcmp(one.data(), two.data(), width * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(one.data(), three.data(), width * sizeof(float)), 0);

  // Against a double-precision sum: blocked float summation of m terms in at most
  // kReduceBlockRows + blocks additions errs by at most (additions) * u * Σ|x|, u = 2^-24.
  const double blocks = std::ceil(static_cast<double>(rows) / kReduceBlockRows);
  for (int64_t k = 0; k < width; ++k) {
    double exact = 0, abs_sum = 0;
    for (int64_t r = 0; r < rows; ++r) {
      exact += x[r * width + k];
      abs_sum += std::abs(x[r * width + k]);
    }
    const double bound = (kReduceBlockRows + blocks) * (FLT_EPSILON / 2) * abs_sum;
    EXPECT_NEAR(one[k], exact, bound) << "column " << k;
  }
}

TEST(Parallel, ReduceBlocksCallsFixedBlocksWithZeroedPartials) {
  ThreadCountGuard guard;
  set_num_threads(2);
  const int64_t rows = 3 * kReduceBlockRows + 5, width = 2;
  const int64_t blocks = 4;
  // Each block writes only its own slot, so these vectors are race-free.
  std::vector<int64_t> begin_of(blocks, -1), end_of(blocks, -1);
  std::vector<char> zeroed(blocks, 0);
  std::vector<float> out(width);
  reduce_blocks(rows, width, out.data(), [&](int64_t begin, int64_t end, float* partial) {
    const int64_t b = begin / kReduceBlockRows;
    begin_of[b] = begin;
    end_of[b] = end;
    zeroed[b] = partial[0] == 0.0f && partial[1] == 0.0f;
    partial[0] = 1.0f;
    partial[1] = static_cast<float>(end - begin);
  });
  for (int64_t b = 0; b < blocks; ++b) {
    EXPECT_EQ(begin_of[b], b * kReduceBlockRows);
    EXPECT_EQ(end_of[b], std::min(rows, (b + 1) * kReduceBlockRows));
    EXPECT_TRUE(zeroed[b]) << "block " << b;
  }
  EXPECT_EQ(out[0], 4.0f);                      // one call per block
  EXPECT_EQ(out[1], static_cast<float>(rows));  // blocks tile the rows
}

TEST(Parallel, ReduceBlocksWithNoRowsGivesZeros) {
  std::vector<float> out = {5.0f, 6.0f};
  bool called = false;
  reduce_blocks(0, 2, out.data(), [&](int64_t, int64_t, float*) { called = true; });
  EXPECT_FALSE(called);
  EXPECT_EQ(out, (std::vector<float>{0.0f, 0.0f}));
}

TEST(Parallel, HeaderExample) {
  ThreadCountGuard guard;
  const std::vector<int64_t> rowptr = rowptr_from_degrees({3, 0, 9, 1, 1, 2});
  const int64_t n = 6;
  gat::set_num_threads(2);
  std::vector<int64_t> parts = gat::partition_by_work(rowptr.data(), n, gat::num_threads());
  // thread t handles rows [parts[t], parts[t + 1])
  EXPECT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts.front(), 0);
  EXPECT_EQ(parts.back(), n);
}

}  // namespace
}  // namespace gat
