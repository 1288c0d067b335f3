// Tests for gat/core/tensor.h: Shape, Tensor (sharing, views, deep copies, checks) and the
// gat::memory byte counters.
#include "gat/core/tensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gat/core/error.h"

namespace gat {
namespace {

std::string shape_error_message(const std::vector<int64_t>& dims) {
  try {
    Shape s(dims);
  } catch (const ShapeError& e) {
    return e.what();
  }
  return "(no ShapeError)";
}

TEST(Shape, DimsNumelAndStr) {
  Shape scalar;
  EXPECT_EQ(scalar.ndim(), 0);
  EXPECT_EQ(scalar.numel(), 1);  // a 0-d shape is a scalar
  EXPECT_EQ(scalar.str(), "[]");

  Shape v{5};
  EXPECT_EQ(v.ndim(), 1);
  EXPECT_EQ(v[0], 5);
  EXPECT_EQ(v.numel(), 5);
  EXPECT_EQ(v.str(), "[5]");

  Shape m{2, 3};
  EXPECT_EQ(m.ndim(), 2);
  EXPECT_EQ(m[0], 2);
  EXPECT_EQ(m[1], 3);
  EXPECT_EQ(m.numel(), 6);
  EXPECT_EQ(m.str(), "[2, 3]");

  Shape t{2, 3, 4};
  EXPECT_EQ(t.ndim(), 3);
  EXPECT_EQ(t[2], 4);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.str(), "[2, 3, 4]");
  EXPECT_EQ(t.to_vector(), (std::vector<int64_t>{2, 3, 4}));

  EXPECT_EQ(Shape({4, 0, 7}).numel(), 0);
  EXPECT_EQ(Shape(std::vector<int64_t>{2, 3}), m);
}

TEST(Shape, Equality) {
  EXPECT_EQ(Shape({2, 3}), Shape({2, 3}));
  EXPECT_NE(Shape({2, 3}), Shape({3, 2}));
  EXPECT_NE(Shape({6}), Shape({6, 1}));  // same numel, different rank
  EXPECT_NE(Shape({}), Shape({1}));
  EXPECT_EQ(Shape(), Shape({}));
}

TEST(Shape, MoreThanThreeDimsThrows) {
  EXPECT_THROW(Shape({1, 2, 3, 4}), ShapeError);
  std::string msg = shape_error_message({1, 2, 3, 4});
  EXPECT_NE(msg.find("Shape"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4"), std::string::npos) << msg;  // the rank that was asked for
}

TEST(Shape, NegativeDimThrows) {
  EXPECT_THROW(Shape({2, -1}), ShapeError);
  std::string msg = shape_error_message({2, -1});
  EXPECT_NE(msg.find("-1"), std::string::npos) << msg;
}

TEST(Shape, IndexOutOfRangeIsAnInternalError) {
  Shape m{2, 3};
  EXPECT_THROW(m[2], InternalError);
  EXPECT_THROW(m[-1], InternalError);
}

TEST(Tensor, DefaultIsUndefined) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_EQ(t.data(), nullptr);
  EXPECT_TRUE(Tensor::zeros({1}).defined());
}

TEST(Tensor, FactoriesShapeAndValues) {
  Tensor z = Tensor::zeros({2, 3});
  EXPECT_EQ(z.shape(), Shape({2, 3}));
  EXPECT_EQ(z.dim(), 2);
  EXPECT_EQ(z.size(0), 2);
  EXPECT_EQ(z.size(1), 3);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.nbytes(), 6 * sizeof(float));
  EXPECT_EQ(z.to_vector(), std::vector<float>(6, 0.0f));

  Tensor f = Tensor::full({4}, 2.5f);
  EXPECT_EQ(f.to_vector(), std::vector<float>(4, 2.5f));

  Tensor s = Tensor::scalar(7.0f);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 7.0f);

  Tensor v = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(v.to_vector(), (std::vector<float>{1, 2, 3, 4}));

  Tensor e = Tensor::empty({0, 5});
  EXPECT_TRUE(e.defined());
  EXPECT_EQ(e.numel(), 0);
  EXPECT_TRUE(e.to_vector().empty());
}

TEST(Tensor, BuffersAre64ByteAligned) {
  for (int64_t n : {1, 3, 17, 1000}) {
    Tensor t = Tensor::empty({n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u) << "numel " << n;
  }
}

TEST(Tensor, AtIsRowMajor) {
  Tensor m = Tensor::zeros({2, 3});
  m.at(1, 2) = 5.0f;
  m.at(0, 1) = 3.0f;
  EXPECT_EQ(m.data()[1 * 3 + 2], 5.0f);
  EXPECT_EQ(m.data()[0 * 3 + 1], 3.0f);
  EXPECT_EQ(m.at(4), 0.0f);

  Tensor t = Tensor::zeros({2, 3, 4});
  t.at(1, 2, 3) = 9.0f;
  t.at(0, 1, 2) = 8.0f;
  EXPECT_EQ(t.data()[(1 * 3 + 2) * 4 + 3], 9.0f);
  EXPECT_EQ(t.data()[(0 * 3 + 1) * 4 + 2], 8.0f);
  const Tensor& ct = t;
  EXPECT_EQ(ct.at(1, 2, 3), 9.0f);
  EXPECT_EQ(ct.at(0 * 3 * 4 + 1 * 4 + 2), 8.0f);
}

TEST(Tensor, CopySharesBuffer) {
  Tensor a = Tensor::zeros({3});
  Tensor b = a;
  EXPECT_TRUE(a.shares_buffer_with(b));
  b.at(1) = 4.0f;
  EXPECT_EQ(a.at(1), 4.0f);
}

TEST(Tensor, ReshapeSharesBuffer) {
  Tensor x = Tensor::zeros({2, 3});
  Tensor v = x.reshape({3, 2});
  EXPECT_EQ(v.shape(), Shape({3, 2}));
  EXPECT_TRUE(v.shares_buffer_with(x));
  EXPECT_EQ(v.data(), x.data());
  v.at(2, 1) = 6.0f;  // flat index 5
  EXPECT_EQ(x.at(1, 2), 6.0f);
  x.at(0, 0) = -1.0f;
  EXPECT_EQ(v.at(0), -1.0f);
  EXPECT_EQ(x.reshape({6}).shape(), Shape({6}));
  EXPECT_EQ(x.reshape({1, 2, 3}).dim(), 3);
}

TEST(Tensor, ReshapeWrongNumelThrows) {
  Tensor x = Tensor::zeros({2, 3});
  EXPECT_THROW(x.reshape({7}), ShapeError);
  try {
    x.reshape({4, 2});
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[4, 2]"), std::string::npos) << msg;
  }
}

TEST(Tensor, CloneDeepCopies) {
  Tensor a = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  Tensor c = a.clone();
  EXPECT_FALSE(c.shares_buffer_with(a));
  EXPECT_NE(c.data(), a.data());
  EXPECT_EQ(c.shape(), a.shape());
  EXPECT_EQ(c.to_vector(), a.to_vector());
  c.at(0) = 100.0f;
  EXPECT_EQ(a.at(0), 1.0f);
  a.at(3) = -4.0f;
  EXPECT_EQ(c.at(3), 4.0f);
  EXPECT_FALSE(Tensor().clone().defined());
}

TEST(Tensor, FromVectorSizeMismatchThrowsNamingTheShape) {
  EXPECT_THROW(Tensor::from_vector({2, 3}, {1, 2, 3}), ShapeError);
  try {
    Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5});
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Tensor::from_vector"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("5"), std::string::npos) << msg;
  }
}

TEST(Tensor, ItemNeedsOneElement) {
  EXPECT_EQ(Tensor::full({1, 1}, 3.0f).item(), 3.0f);
  EXPECT_THROW(Tensor::zeros({2}).item(), ShapeError);
  EXPECT_THROW(Tensor::zeros({0}).item(), ShapeError);
  EXPECT_THROW(Tensor().item(), ShapeError);
  try {
    Tensor::zeros({2, 2}).item();
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 2]"), std::string::npos) << e.what();
  }
}

TEST(Tensor, FillAndAddInPlace) {
  Tensor a = Tensor::from_vector({3}, {1, 2, 3});
  Tensor b = Tensor::from_vector({3}, {10, 20, 30});
  a.add_(b);
  EXPECT_EQ(a.to_vector(), (std::vector<float>{11, 22, 33}));
  EXPECT_EQ(b.to_vector(), (std::vector<float>{10, 20, 30}));
  a.fill(-2.0f);
  EXPECT_EQ(a.to_vector(), (std::vector<float>(3, -2.0f)));
  EXPECT_THROW(a.add_(Tensor::zeros({1, 3})), ShapeError);  // same numel, different shape
  EXPECT_THROW(a.add_(Tensor::zeros({4})), ShapeError);
}

TEST(Tensor, MemoryCountersMoveByTheAllocationSize) {
  const size_t before = memory::current_bytes();
  {
    Tensor t = Tensor::empty({1000, 3});
    EXPECT_EQ(memory::current_bytes(), before + 3000 * sizeof(float));
    Tensor view = t.reshape({3000});  // a view allocates nothing
    Tensor copy = t;                  // nor does a copy of the handle
    EXPECT_EQ(memory::current_bytes(), before + 3000 * sizeof(float));
    Tensor deep = t.clone();
    EXPECT_EQ(memory::current_bytes(), before + 6000 * sizeof(float));
  }
  EXPECT_EQ(memory::current_bytes(), before);
}

TEST(Tensor, MemoryPeakTracksTheHighWaterMark) {
  memory::reset_peak();
  const size_t base = memory::current_bytes();
  EXPECT_EQ(memory::peak_bytes(), base);
  {
    Tensor a = Tensor::zeros({2500});
    { Tensor b = Tensor::zeros({500}); }
    EXPECT_EQ(memory::current_bytes(), base + 2500 * sizeof(float));
    EXPECT_EQ(memory::peak_bytes(), base + 3000 * sizeof(float));
  }
  EXPECT_EQ(memory::current_bytes(), base);
  EXPECT_EQ(memory::peak_bytes(), base + 3000 * sizeof(float));  // peak stays after the free
  memory::reset_peak();
  EXPECT_EQ(memory::peak_bytes(), base);
}

// Freed large buffers are kept and handed out again for the same size, also after reset_peak():
// a benchmark resets the peak between its phases, when few tensors are live, and a cache bounded
// by that peak would then free every buffer it is given back. release_cached() returns them all.
TEST(Tensor, FreedLargeBuffersAreReusedAcrossPeakResets) {
  memory::release_cached();
  const int64_t n = 1 << 18;  // 1 MiB each: above the cache's threshold
  const size_t bytes = n * sizeof(float);
  std::vector<const float*> seen;
  {
    std::vector<Tensor> live;
    for (int k = 0; k < 3; ++k) {
      live.push_back(Tensor::empty({n}));
      seen.push_back(live.back().data());
    }
  }
  EXPECT_EQ(memory::cached_bytes(), 3 * bytes);
  memory::reset_peak();  // nothing of these is live now
  {
    Tensor again = Tensor::empty({n});
    EXPECT_NE(std::find(seen.begin(), seen.end(), again.data()), seen.end());
    EXPECT_EQ(memory::cached_bytes(), 2 * bytes);
  }
  EXPECT_EQ(memory::cached_bytes(), 3 * bytes);  // given back to the cache, not to the OS
  memory::release_cached();
  EXPECT_EQ(memory::cached_bytes(), 0u);
}

TEST(Tensor, AllocCountedIsCountedAndAligned) {
  const size_t before = memory::current_bytes();
  float* p = memory::alloc_counted(77);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  EXPECT_EQ(memory::current_bytes(), before + 77 * sizeof(float));
  p[76] = 1.0f;  // the whole range is usable
  memory::free_counted(p, 77);
  EXPECT_EQ(memory::current_bytes(), before);
  memory::free_counted(nullptr, 5);  // a no-op, like free(nullptr)
  EXPECT_EQ(memory::current_bytes(), before);
  EXPECT_GT(memory::peak_rss_bytes(), 0u);
}

TEST(Tensor, HeaderExample) {
  gat::Tensor x = gat::Tensor::zeros({2, 3});
  x.at(1, 2) = 5.0f;
  gat::Tensor v = x.reshape({6});  // shares x's buffer
  float s = v.data()[5];           // 5.0f
  EXPECT_EQ(s, 5.0f);
  EXPECT_TRUE(v.shares_buffer_with(x));
}

}  // namespace
}  // namespace gat
