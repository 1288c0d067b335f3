// Tests for sparse_dropout_linear (ops/sparse_dropout_linear.h): against a double-precision
// reference with dropout_keep's mask, against the dense path linear(dropout(x)) with the same
// seed (outputs, gradients, and the generator's state afterwards), eval and p = 0, gradcheck,
// thread-count independence, empty rows and matrices, argument checks.
#include "gat/ops/sparse_dropout_linear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/ops/linear.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

using gat::testing::max_relative_error;
using gat::testing::random_tensor;
using gat::testing::ThreadCountGuard;
using gat::testing::throws_with;

namespace gat {
namespace {

// [rows, cols] with about `density` non-zeros in ±[0.1, 1), and some all-zero rows and columns.
Tensor sparse_tensor(int64_t rows, int64_t cols, double density, uint64_t seed) {
  Generator gen(seed);
  Tensor x = Tensor::zeros({rows, cols});
  for (int64_t i = 0; i < rows; ++i) {
    if (i % 7 == 3) continue;  // empty row
    for (int64_t f = 0; f < cols; ++f) {
      if (f % 5 == 2) continue;  // empty column
      if (gen.uniform() < density)
        x.at(i, f) = (gen.uniform() < 0.5f ? -1.0f : 1.0f) * gen.uniform(0.1f, 1.0f);
    }
  }
  return x;
}

// The dense path of the models: linear(dropout(x), w, b), with its own generator.
Variable dense_path(const Tensor& x, const Variable& w, const Variable& b, float p, bool training,
                    Generator& gen) {
  return linear(dropout(Variable(x), p, training, gen), w, b);
}

// Y = dropout(X) Wᵀ + b in double, the mask from dropout_keep under `key`.
std::vector<double> reference(const Tensor& x, const Tensor& w, const Tensor& b, float p,
                              bool active, uint64_t key) {
  const int64_t n = x.size(0), f_in = x.size(1), f_out = w.size(0);
  const double scale = 1.0 / (1.0 - static_cast<double>(p));
  std::vector<double> y(static_cast<size_t>(n * f_out), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < f_out; ++o) {
      double s = b.defined() ? b.at(o) : 0.0;
      for (int64_t f = 0; f < f_in; ++f) {
        if (x.at(i, f) == 0.0f) continue;
        if (active && !dropout_keep(key, static_cast<uint64_t>(i * f_in + f), p)) continue;
        s += static_cast<double>(x.at(i, f)) * (active ? scale : 1.0) * w.at(o, f);
      }
      y[i * f_out + o] = s;
    }
  return y;
}

TEST(SparseDropoutLinearOp, HeaderExample) {
  const Tensor features = sparse_tensor(50, 40, 0.05, 1);
  gat::Generator gen(0);
  gat::SparseRows x = gat::SparseRows::from_dense(features);
  gat::Variable w(gat::Tensor::full({64, x.cols()}, 0.01f), true);
  gat::Variable y = gat::sparse_dropout_linear(x, w, gat::Variable(), 0.6f, true, gen);
  gat::Generator gen2(0);
  gat::Variable d = gat::linear(gat::dropout(gat::Variable(features), 0.6f, true, gen2), w);
  EXPECT_LE(max_relative_error(y.data().data(),
                               std::vector<double>(d.data().data(), d.data().data() + d.numel())),
            1e-5);
}

TEST(SparseDropoutLinearOp, MatchesDoubleReferenceWithDropoutKeepsMask) {
  for (int64_t f_out : {64, 16, 7}) {  // both fixed-width paths and the run-time width
    for (float p : {0.0f, 0.2f, 0.6f, 0.9f}) {
      for (bool training : {true, false}) {
        Generator init(f_out);
        const Tensor x = sparse_tensor(45, 33, 0.15, 3);
        const Variable w(random_tensor({f_out, 33}, init), true);
        const Variable b(random_tensor({f_out}, init), true);
        Generator gen(11), copy(11);
        const Variable y = sparse_dropout_linear(SparseRows::from_dense(x), w, b, p, training, gen);
        const bool active = training && p > 0;
        const uint64_t key = active ? copy.next_key() : 0;
        EXPECT_LE(
            max_relative_error(y.data().data(), reference(x, w.data(), b.data(), p, active, key)),
            1e-6)
            << "F_out " << f_out << " p " << p << " training " << training;
      }
    }
  }
}

// The contract the models rely on: the same values as the dense path up to summation order, the
// same gradients, and the generator in the same state afterwards.
TEST(SparseDropoutLinearOp, EqualsDenseDropoutThenLinearAndConsumesTheGeneratorIdentically) {
  for (uint64_t seed = 0; seed < 8; ++seed) {
    for (float p : {0.0f, 0.1f, 0.5f, 0.6f, 0.8f}) {
      for (bool training : {true, false}) {
        for (bool with_bias : {false, true}) {
          Generator init(100 + seed);
          const int64_t f_out = seed % 2 ? 64 : 16;
          const Tensor x = sparse_tensor(60, 50, 0.02 + 0.03 * static_cast<double>(seed), seed);
          Variable w(random_tensor({f_out, 50}, init), true);
          Variable b = with_bias ? Variable(random_tensor({f_out}, init), true) : Variable();
          const Tensor dy = random_tensor({60, f_out}, init);
          Generator g_sparse(seed), g_dense(seed);

          const Variable ys =
              sparse_dropout_linear(SparseRows::from_dense(x), w, b, p, training, g_sparse);
          ys.backward(dy);
          const Tensor dw_sparse = w.grad().clone();
          const Tensor db_sparse = with_bias ? b.grad().clone() : Tensor();
          w.zero_grad();
          if (with_bias) b.zero_grad();

          const Variable yd = dense_path(x, w, b, p, training, g_dense);
          yd.backward(dy);
          const std::string what = "seed " + std::to_string(seed) + " p " + std::to_string(p) +
                                   " training " + std::to_string(training) + " bias " +
                                   std::to_string(with_bias);
          auto as_double = [](const Tensor& t) {
            return std::vector<double>(t.data(), t.data() + t.numel());
          };
          EXPECT_LE(max_relative_error(ys.data().data(), as_double(yd.data())), 1e-5) << what;
          EXPECT_LE(max_relative_error(dw_sparse.data(), as_double(w.grad())), 1e-5) << what;
          if (with_bias) {
            EXPECT_EQ(db_sparse.to_vector(), b.grad().to_vector()) << what;  // same kernel
          }
          EXPECT_EQ(g_sparse.next_u64(), g_dense.next_u64()) << what;
        }
      }
    }
  }
}

TEST(SparseDropoutLinearOp, DropoutDrawIsWhatDropoutUses) {
  // The two entry points agree: the overload with (p, training, gen) is the draw overload.
  const Tensor x = sparse_tensor(30, 20, 0.3, 5);
  const SparseRows s = SparseRows::from_dense(x);
  Generator init(1);
  const Variable w(random_tensor({8, 20}, init), true);
  Generator a(9), b(9);
  const Variable ya = sparse_dropout_linear(s, w, Variable(), 0.4f, true, a);
  const Variable yb = sparse_dropout_linear(s, w, Variable(), draw_dropout(0.4f, true, b));
  EXPECT_EQ(ya.data().to_vector(), yb.data().to_vector());
  EXPECT_EQ(a.next_u64(), b.next_u64());
  // Inactive draws take no key.
  Generator c(9), untouched(9);
  EXPECT_FALSE(draw_dropout(0.4f, false, c).active());
  EXPECT_FALSE(draw_dropout(0.0f, true, c).active());
  EXPECT_EQ(c.next_u64(), untouched.next_u64());
}

TEST(SparseDropoutLinearOp, GradientsMatchFiniteDifferences) {
  const SparseRows x = SparseRows::from_dense(sparse_tensor(12, 10, 0.3, 2));
  for (float p : {0.0f, 0.5f}) {
    Generator init(3);
    const Variable w(random_tensor({5, 10}, init), true);
    const Variable b(random_tensor({5}, init), true);
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Variable>& in) {
          Generator gen(4);  // the same mask on every evaluation
          return sparse_dropout_linear(x, in[0], in[1], p, true, gen);
        },
        {w, b}))
        << "p " << p;
  }
}

TEST(SparseDropoutLinearOp, OnlyRequestedGradientsAreComputed) {
  const SparseRows x = SparseRows::from_dense(sparse_tensor(10, 8, 0.3, 2));
  Generator init(3);
  const Variable w(random_tensor({4, 8}, init), false);
  const Variable b(random_tensor({4}, init), true);
  Generator gen(0);
  const Variable y = sparse_dropout_linear(x, w, b, 0.5f, true, gen);
  y.backward(Tensor::full({10, 4}, 1.0f));
  EXPECT_FALSE(w.grad().defined());
  EXPECT_EQ(b.grad().to_vector(), std::vector<float>(4, 10.0f));
}

class SparseDropoutLinearOpThreads : public ::testing::Test {
 protected:
  ThreadCountGuard guard_;
};

TEST_F(SparseDropoutLinearOpThreads, BitwiseIdenticalForOneAndTwoThreads) {
  // Big enough to take the parallel path (nnz · F_out well above the serial threshold).
  const SparseRows x = SparseRows::from_dense(sparse_tensor(700, 400, 0.05, 8));
  ASSERT_GT(x.nnz() * 64, 1 << 17);
  for (int64_t f_out : {64, 16, 10}) {
    Generator init(6);
    const Tensor w0 = random_tensor({f_out, 400}, init);
    const Tensor dy = random_tensor({700, f_out}, init);
    std::vector<std::vector<float>> ys, dws;
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      const Variable w(w0.clone(), true);
      Generator gen(1);
      const Variable y = sparse_dropout_linear(x, w, Variable(), 0.6f, true, gen);
      y.backward(dy);
      ys.push_back(y.data().to_vector());
      dws.push_back(w.grad().to_vector());
    }
    EXPECT_EQ(ys[0], ys[1]) << "F_out " << f_out;
    EXPECT_EQ(ys[0], ys[2]) << "F_out " << f_out;
    EXPECT_EQ(dws[0], dws[1]) << "F_out " << f_out;
    EXPECT_EQ(dws[0], dws[2]) << "F_out " << f_out;
  }
}

TEST(SparseDropoutLinearOp, EmptyRowsAndEmptyMatricesGiveTheBias) {
  Generator init(2);
  const Variable w(random_tensor({3, 4}, init), true);
  const Variable b(random_tensor({3}, init), true);
  Generator gen(0);
  const Variable y =
      sparse_dropout_linear(SparseRows::from_dense(Tensor::zeros({2, 4})), w, b, 0.5f, true, gen);
  const std::vector<float> bias = b.data().to_vector();
  std::vector<float> expected = bias;
  expected.insert(expected.end(), bias.begin(), bias.end());
  EXPECT_EQ(y.data().to_vector(), expected);
  y.backward(Tensor::full({2, 3}, 1.0f));
  EXPECT_EQ(w.grad().to_vector(), std::vector<float>(12, 0.0f));

  const Variable w0(Tensor::zeros({3, 0}), true);
  const Variable y0 = sparse_dropout_linear(SparseRows::from_dense(Tensor::zeros({0, 0})), w0,
                                            Variable(), 0.5f, true, gen);
  EXPECT_EQ(y0.shape(), Shape({0, 3}));
}

TEST(SparseDropoutLinearOp, ArgumentErrorsLeaveTheGeneratorUntouched) {
  const SparseRows x = SparseRows::from_dense(sparse_tensor(6, 5, 0.5, 1));
  Generator gen(3), untouched(3);
  const char* where = "sparse_dropout_linear";
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { sparse_dropout_linear(x, Variable(), Variable(), 0.5f, true, gen); },
      std::string(where) + ": weight is undefined"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        sparse_dropout_linear(x, Variable(Tensor::zeros({2, 5})), Variable(), 1.0f, true, gen);
      },
      std::string(where) + ": p must be in [0, 1), got 1"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        sparse_dropout_linear(x, Variable(Tensor::zeros({2, 5})), Variable(), -0.5f, false, gen);
      },
      "p must be in [0, 1)"));
  EXPECT_EQ(gen.next_u64(), untouched.next_u64());

  const DropoutDraw none;
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        sparse_dropout_linear(x, Variable(Tensor::zeros({2, 4})), Variable(), none);
      },
      "weight has 4 input features but x has 5 columns"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { sparse_dropout_linear(x, Variable(Tensor::zeros({10})), Variable(), none); },
      "weight must be 2-D [F_out, F_in], got [10]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        sparse_dropout_linear(x, Variable(Tensor::zeros({2, 5})), Variable(Tensor::zeros({3})),
                              none);
      },
      "bias must be [2] for weight [2, 5], got [3]"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        sparse_dropout_linear(x, Variable(Tensor::zeros({2, 5})), Variable(), DropoutDraw{1.5f, 0});
      },
      "p must be in [0, 1), got 1.5"));
}

}  // namespace
}  // namespace gat
