#include "gat/core/tensor.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>

#include "gat/core/error.h"

namespace gat {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::vector<int64_t>(dims)) {}

Shape::Shape(const std::vector<int64_t>& dims) {
  check_shape(dims.size() <= static_cast<size_t>(kMaxDims), "Shape",
              "at most 3 dimensions are supported, got ", dims.size());
  ndim_ = static_cast<int>(dims.size());
  for (int d = 0; d < ndim_; ++d) {
    check_shape(dims[d] >= 0, "Shape", "dimension ", d, " is negative (", dims[d], ")");
    dims_[d] = dims[d];
  }
}

int64_t Shape::operator[](int d) const {
  GAT_ASSERT(d >= 0 && d < ndim_, "dimension ", d, " of a ", ndim_, "-d shape");
  return dims_[d];
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int d = 0; d < ndim_; ++d)
    n *= dims_[d];
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int d = 0; d < ndim_; ++d)
    s += (d ? ", " : "") + std::to_string(dims_[d]);
  return s + "]";
}

bool Shape::operator==(const Shape& o) const {
  if (ndim_ != o.ndim_) return false;
  for (int d = 0; d < ndim_; ++d)
    if (dims_[d] != o.dims_[d]) return false;
  return true;
}

namespace memory {
namespace {
std::atomic<size_t> g_current{0};
std::atomic<size_t> g_peak{0};        // since the last reset_peak()
std::atomic<size_t> g_high_water{0};  // since the start: the cache's bound, never reset

void raise_to(std::atomic<size_t>& mark, size_t now) {
  size_t seen = mark.load();
  while (now > seen && !mark.compare_exchange_weak(seen, now)) {
  }
}
}  // namespace

size_t current_bytes() {
  return g_current.load();
}
size_t peak_bytes() {
  return g_peak.load();
}
void reset_peak() {
  g_peak.store(g_current.load());
}

size_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<size_t>(u.ru_maxrss) * 1024;  // ru_maxrss is in KiB on Linux
}

namespace {
// Large buffers are kept after they are freed and handed out again for the same size: a training
// step allocates the same tensors every step, and returning them to the OS (glibc maps large
// blocks with mmap) made every step page-fault its whole working set in again. The cache never
// holds more than twice the peak of live tensor bytes seen since the start (a high-water mark that
// reset_peak() leaves alone: bounding the cache by the resettable peak emptied it whenever a
// benchmark reset the peak between phases), so the process stays within three times its peak;
// in a steady loop it holds only the blocks the loop reuses. Why not once the peak: blocks are
// reused by exact size, and a step needs as many blocks of each size as are live at once *for that
// size*, which sums to more than the peak of all sizes together (GATConv layer bench: 345 MB of
// blocks against a 317 MB peak; with a 1x bound one 51 MB block went back to the OS and was
// faulted in again every step, backward 87 -> 190 ms). memory::release_cached() empties it. The
// threshold sits below the [N, 64] tensors of a Planetoid model (Cora: 693 KB), which glibc
// otherwise serves from a heap top it trims and regrows every step (perf stat, gat train on Cora,
// 200 epochs: 82,000 page faults with a 1 MiB threshold, 7,500 with 64 KiB).
constexpr size_t kCacheMinBytes = size_t{1} << 16;
struct BlockCache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> blocks;  // by padded size
  size_t bytes = 0;
};
// Made on first use and never destroyed: a tensor held by another static object may be freed
// during exit after this file's statics are gone, and a cache that outlives the exit keeps its
// blocks reachable, so that LeakSanitizer does not report them as leaks.
BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;
  return *cache;
}

size_t padded_bytes(size_t count) {
  return std::max<size_t>(64, (count * sizeof(float) + 63) / 64 * 64);
}
}  // namespace

ScopedBudget::State& ScopedBudget::current() {
  thread_local State state;
  return state;
}

ScopedBudget::ScopedBudget(size_t bytes, std::string what) : saved_(current()) {
  current() = State{.active = true, .limit = bytes, .left = bytes, .what = std::move(what)};
}

ScopedBudget::~ScopedBudget() {
  current() = std::move(saved_);
}

float* alloc_counted(size_t count) {
  ScopedBudget::State& budget = ScopedBudget::current();
  if (budget.active) {
    const size_t asked = count * sizeof(float);
    if (count > budget.left / sizeof(float))
      throw IoError(detail::concat(budget.what, " (", asked, " bytes asked for, ", budget.left,
                                   " of ", budget.limit, " left)"));
    budget.left -= asked;
  }
  const size_t bytes = padded_bytes(count);
  void* p = nullptr;
  if (bytes >= kCacheMinBytes) {
    BlockCache& cache = block_cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto it = cache.blocks.find(bytes);
    if (it != cache.blocks.end() && !it->second.empty()) {
      p = it->second.back();
      it->second.pop_back();
      cache.bytes -= bytes;
    }
  }
  if (!p) p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  const size_t now = g_current.fetch_add(count * sizeof(float)) + count * sizeof(float);
  raise_to(g_peak, now);
  raise_to(g_high_water, now);
  return static_cast<float*>(p);
}

void free_counted(float* p, size_t count) {
  if (!p) return;
  if (ScopedBudget::State& budget = ScopedBudget::current(); budget.active)
    budget.left = std::min(budget.limit, budget.left + count * sizeof(float));
  g_current.fetch_sub(count * sizeof(float));
  const size_t bytes = padded_bytes(count);
  if (bytes >= kCacheMinBytes) {
    BlockCache& cache = block_cache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.bytes + bytes <= 2 * g_high_water.load()) {
      cache.blocks[bytes].push_back(p);
      cache.bytes += bytes;
      return;
    }
  }
  std::free(p);
}

size_t cached_bytes() {
  BlockCache& cache = block_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.bytes;
}

void release_cached() {
  BlockCache& cache = block_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  for (auto& [bytes, blocks] : cache.blocks)
    for (void* p : blocks)
      std::free(p);
  cache.blocks.clear();
  cache.bytes = 0;
}
}  // namespace memory

Tensor Tensor::empty(const Shape& shape) {
  size_t n = static_cast<size_t>(shape.numel());
  float* p = memory::alloc_counted(n);
  return Tensor(shape, std::shared_ptr<float>(p, [n](float* q) { memory::free_counted(q, n); }));
}

Tensor Tensor::zeros(const Shape& shape) {
  return full(shape, 0.0f);
}

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  t.fill(value);
  return t;
}

Tensor Tensor::from_vector(const Shape& shape, const std::vector<float>& values) {
  check_shape(static_cast<int64_t>(values.size()) == shape.numel(), "Tensor::from_vector",
              values.size(), " values given for shape ", shape.str());
  Tensor t = empty(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

float Tensor::item() const {
  check_shape(defined() && numel() == 1, "Tensor::item", "needs a one-element tensor, got shape ",
              shape_.str());
  return data()[0];
}

Tensor Tensor::reshape(const Shape& shape) const {
  check_shape(shape.numel() == numel(), "Tensor::reshape", "cannot view ", shape_.str(), " as ",
              shape.str());
  return Tensor(shape, buffer_);
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor t = empty(shape_);
  std::memcpy(t.data(), data(), nbytes());
  return t;
}

void Tensor::fill(float value) {
  std::fill(data(), data() + numel(), value);
}

void Tensor::add_(const Tensor& other) {
  check_shape(shape_ == other.shape_, "Tensor::add_", "shapes differ: ", shape_.str(), " vs ",
              other.shape_.str());
  float* a = data();
  const float* b = other.data();
  const int64_t n = numel();
  for (int64_t i = 0; i < n; ++i)
    a[i] += b[i];
}

}  // namespace gat
