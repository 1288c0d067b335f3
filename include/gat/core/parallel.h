// gat/core/parallel.h — thread count and the two scheduling helpers every kernel uses.
//
// gat.cpp runs its kernels and its BLAS on OpenMP threads. set_num_threads() sets both.
//
// Results never depend on the thread count: kernels either give each output row to exactly one
// thread (rows are independent), or reduce across rows with reduce_blocks(), whose blocks are a
// fixed size whatever the number of threads, summed in a fixed order.
//
// Example (compiled in tests/core/test_parallel.cpp):
//
//   gat::set_num_threads(2);
//   std::vector<int64_t> parts = gat::partition_by_work(rowptr, n, gat::num_threads());
//   // thread t handles rows [parts[t], parts[t + 1])
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace gat {

/// The number of threads kernels use (OpenMP's max threads).
int num_threads();
/// Sets the threads for kernels and for the BLAS; n ≥ 1.
void set_num_threads(int n);

/// Splits rows [0, n) into `parts` contiguous ranges of about equal work, where row i costs
/// (rowptr[i + 1] − rowptr[i]) + 1: its edges plus a constant for the row itself. Returns parts+1
/// boundaries, starting at 0 and ending at n. Real graphs have skewed degrees; equal row counts
/// would leave one thread with the hubs.
std::vector<int64_t> partition_by_work(const int64_t* rowptr, int64_t n, int parts);

/// Element-wise loops shorter than this run on the calling thread: starting a parallel region
/// costs more than it saves.
constexpr int64_t kParallelMinElements = 32768;

/// Rows per block in reduce_blocks(); fixed so that the summation order never depends on the
/// number of threads.
constexpr int64_t kReduceBlockRows = 1024;

/// Deterministic parallel column reduction: out[0..width) = Σ over row blocks of the partial that
/// block_fn(begin, end, partial) accumulates for rows [begin, end) into `partial` (width floats,
/// zeroed before the call). Blocks are kReduceBlockRows rows whatever the thread count, and their
/// partials are added in block order, so the result is bitwise the same for any thread count.
/// block_fn runs on several threads at once and must only write its `partial`.
void reduce_blocks(int64_t rows, int64_t width, float* out,
                   const std::function<void(int64_t, int64_t, float*)>& block_fn);

}  // namespace gat
