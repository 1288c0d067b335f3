// gat/core/tensor.h — dense float32 tensors of up to three dimensions (N × H × C), row-major.
//
// A Tensor is a shape plus a shared, 64-byte-aligned float buffer. Copying a Tensor shares the
// buffer (like torch.Tensor); clone() copies it. reshape() returns a view of the same buffer.
// Every buffer is counted by gat::memory (current and peak bytes), which the benchmarks report.
//
// Example (compiled in tests/core/test_tensor.cpp):
//
//   gat::Tensor x = gat::Tensor::zeros({2, 3});
//   x.at(1, 2) = 5.0f;
//   gat::Tensor v = x.reshape({6});       // shares x's buffer
//   float s = v.data()[5];                // 5.0f
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace gat {

/// The shape of a tensor: 0 to 3 sizes, each ≥ 0. A 0-dimensional shape is a scalar (numel 1).
class Shape {
 public:
  static constexpr int kMaxDims = 3;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims);

  int ndim() const { return ndim_; }
  int64_t operator[](int d) const;
  int64_t numel() const;
  std::vector<int64_t> to_vector() const { return {dims_, dims_ + ndim_}; }
  std::string str() const;  // "[2, 3]"

  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  int64_t dims_[kMaxDims] = {0, 0, 0};
  int ndim_ = 0;
};

/// A dense, contiguous, row-major float32 tensor.
class Tensor {
 public:
  /// An undefined tensor (no buffer); defined() is false.
  Tensor() = default;

  /// Uninitialised contents.
  static Tensor empty(const Shape& shape);
  static Tensor zeros(const Shape& shape);
  static Tensor full(const Shape& shape, float value);
  /// Copies values; throws gat::ShapeError when values.size() != shape.numel().
  static Tensor from_vector(const Shape& shape, const std::vector<float>& values);
  static Tensor scalar(float value) { return full(Shape{}, value); }

  bool defined() const { return static_cast<bool>(buffer_); }
  const Shape& shape() const { return shape_; }
  int dim() const { return shape_.ndim(); }
  int64_t size(int d) const { return shape_[d]; }
  /// Elements; 0 for an undefined tensor.
  int64_t numel() const { return defined() ? shape_.numel() : 0; }
  size_t nbytes() const { return static_cast<size_t>(numel()) * sizeof(float); }

  float* data() { return buffer_.get(); }
  const float* data() const { return buffer_.get(); }

  float& at(int64_t i) { return data()[i]; }
  float at(int64_t i) const { return data()[i]; }
  float& at(int64_t i, int64_t j) { return data()[i * shape_[1] + j]; }
  float at(int64_t i, int64_t j) const { return data()[i * shape_[1] + j]; }
  float& at(int64_t i, int64_t j, int64_t k) { return data()[(i * shape_[1] + j) * shape_[2] + k]; }
  float at(int64_t i, int64_t j, int64_t k) const {
    return data()[(i * shape_[1] + j) * shape_[2] + k];
  }

  /// The single value of a one-element tensor.
  float item() const;

  /// A view with another shape and the same number of elements (shares the buffer).
  Tensor reshape(const Shape& shape) const;
  /// A deep copy.
  Tensor clone() const;
  std::vector<float> to_vector() const { return {data(), data() + numel()}; }

  void fill(float value);
  /// this += other (same shape; throws gat::ShapeError otherwise).
  void add_(const Tensor& other);

  /// True when both tensors share one buffer.
  bool shares_buffer_with(const Tensor& o) const { return buffer_ == o.buffer_; }

 private:
  Tensor(Shape shape, std::shared_ptr<float> buffer) : shape_(shape), buffer_(std::move(buffer)) {}
  Shape shape_;
  std::shared_ptr<float> buffer_;
};

namespace memory {
/// Bytes currently held by tensor buffers (and other buffers allocated through gat::memory).
size_t current_bytes();
/// The largest current_bytes() since the start or the last reset_peak().
size_t peak_bytes();
void reset_peak();
/// The process's peak resident set size in bytes (getrusage), for whole-program figures.
size_t peak_rss_bytes();
/// 64-byte-aligned raw allocation counted like tensor buffers; release with free_counted().
/// Freed buffers of 64 KiB or more are cached for reuse by the next allocation of the same size
/// (at most twice the all-time peak of live bytes is kept), so repeated training steps do not
/// page-fault.
float* alloc_counted(size_t count);
void free_counted(float* p, size_t count);
/// Bytes held in the reuse cache (not counted in current_bytes()).
size_t cached_bytes();
/// Returns every cached buffer to the system.
void release_cached();

/// While alive, the buffers this thread allocates through alloc_counted() may hold at most
/// `bytes` at once (net of what it frees meanwhile); an allocation beyond that throws
/// gat::IoError "<what> (<n> bytes asked for, <left> of <bytes> left)". For readers that build
/// objects whose size a file declares — load_checkpoint builds the model a config describes, and
/// its parameters must fit in the file's tensors — so that a crafted file cannot make the reader
/// allocate more than the file holds. Budgets nest (the innermost applies); not for use across
/// threads.
class ScopedBudget {
 public:
  ScopedBudget(size_t bytes, std::string what);
  ~ScopedBudget();
  ScopedBudget(const ScopedBudget&) = delete;
  ScopedBudget& operator=(const ScopedBudget&) = delete;

 private:
  struct State {
    bool active = false;
    size_t limit = 0, left = 0;
    std::string what;
  };
  State saved_;
  friend float* alloc_counted(size_t count);
  friend void free_counted(float* p, size_t count);
  static State& current();
};
}  // namespace memory

}  // namespace gat
