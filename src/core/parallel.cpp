#include "gat/core/parallel.h"

#include <omp.h>

#include <algorithm>

#include "gat/core/error.h"

namespace gat {

int num_threads() { return omp_get_max_threads(); }

void set_num_threads(int n) {
  check_arg(n >= 1, "set_num_threads", "thread count must be at least 1, got ", n);
  omp_set_num_threads(n);
}

std::vector<int64_t> partition_by_work(const int64_t* rowptr, int64_t n, int parts) {
  check_arg(parts >= 1, "partition_by_work", "parts must be at least 1, got ", parts);
  std::vector<int64_t> bounds(parts + 1, n);
  bounds[0] = 0;
  // cost(0..i) = rowptr[i] - rowptr[0] + i, monotone in i: binary search each target.
  const int64_t total = rowptr[n] - rowptr[0] + n;
  for (int p = 1; p < parts; ++p) {
    const int64_t target = total * p / parts;
    int64_t lo = bounds[p - 1], hi = n;
    while (lo < hi) {
      int64_t mid = lo + (hi - lo) / 2;
      if (rowptr[mid] - rowptr[0] + mid < target)
        lo = mid + 1;
      else
        hi = mid;
    }
    bounds[p] = lo;
  }
  return bounds;
}

void reduce_blocks(int64_t rows, int64_t width, float* out,
                   const std::function<void(int64_t, int64_t, float*)>& block_fn) {
  const int64_t blocks = (rows + kReduceBlockRows - 1) / kReduceBlockRows;
  std::vector<float> partials(static_cast<size_t>(std::max<int64_t>(blocks, 1) * width), 0.0f);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t begin = b * kReduceBlockRows;
    const int64_t end = std::min(rows, begin + kReduceBlockRows);
    block_fn(begin, end, partials.data() + b * width);
  }
  std::fill(out, out + width, 0.0f);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t k = 0; k < width; ++k) out[k] += partials[b * width + k];
}

}  // namespace gat
