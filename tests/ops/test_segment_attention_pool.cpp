// Tests for segment_attention_pool (ops/segment_attention_pool.h): forward against a double
// per-graph softmax, attention sums, empty graphs, stability, invariance under node permutation
// within a graph, gradients against finite differences and a double reference, thread-count
// independence, argument checks.
#include "gat/ops/segment_attention_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

namespace gat {
namespace {

using testing::GradcheckOptions;
using testing::random_tensor;
using testing::ThreadCountGuard;
using testing::throws_with;

// A sorted batch vector for the given graph sizes (zeros allowed).
std::vector<int64_t> batch_of(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> batch;
  for (size_t b = 0; b < sizes.size(); ++b)
    batch.insert(batch.end(), static_cast<size_t>(sizes[b]), static_cast<int64_t>(b));
  return batch;
}

// Random graph sizes in [0, max_size], with empty graphs among them on purpose.
std::vector<int64_t> random_sizes(int64_t graphs, int64_t max_size, Generator& gen) {
  std::vector<int64_t> sizes(static_cast<size_t>(graphs));
  for (auto& s : sizes)
    s = static_cast<int64_t>(gen.below(static_cast<uint64_t>(max_size + 1)));
  return sizes;
}

// Dense reference in double: the attention α [N] and r [B, F].
struct Reference {
  std::vector<double> alpha, r;
};

Reference pool_reference(const Tensor& gate, const Tensor& f, const std::vector<int64_t>& batch,
                         int64_t graphs) {
  const int64_t n = f.size(0), c = f.size(1);
  Reference ref;
  ref.alpha.assign(static_cast<size_t>(n), 0.0);
  ref.r.assign(static_cast<size_t>(graphs * c), 0.0);
  for (int64_t b = 0; b < graphs; ++b) {
    double m = -INFINITY, s = 0;
    for (int64_t i = 0; i < n; ++i)
      if (batch[i] == b) m = std::max(m, static_cast<double>(gate.at(i)));
    for (int64_t i = 0; i < n; ++i)
      if (batch[i] == b) s += std::exp(gate.at(i) - m);
    for (int64_t i = 0; i < n; ++i) {
      if (batch[i] != b) continue;
      ref.alpha[i] = std::exp(gate.at(i) - m) / s;
      for (int64_t k = 0; k < c; ++k)
        ref.r[b * c + k] += ref.alpha[i] * f.at(i, k);
    }
  }
  return ref;
}

TEST(SegmentAttentionPoolOp, HeaderExample) {
  gat::Variable gate(gat::Tensor::zeros({3, 1}), true);  // equal scores
  gat::Variable f(gat::Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}), true);
  gat::Variable r = gat::segment_attention_pool(gate, f, {0, 0, 2}, 3);  // graph 1 is empty
  EXPECT_EQ(r.data().to_vector(), (std::vector<float>{2, 3, 0, 0, 5, 6}));
  EXPECT_EQ(r.grad_fn() != nullptr, true);
}

TEST(SegmentAttentionPoolOp, ForwardMatchesDoubleReference) {
  // Small cases, and a large one (≥ kParallelMinElements) that takes the parallel path.
  for (auto [graphs, max_size, c] :
       {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {5, 6, 3}, {40, 12, 7}, {2000, 30, 8}}) {
    for (uint64_t seed = 0; seed < 5; ++seed) {
      Generator gen(seed * 100 + graphs);
      const std::vector<int64_t> batch = batch_of(random_sizes(graphs, max_size, gen));
      const int64_t n = static_cast<int64_t>(batch.size());
      Tensor gate = random_tensor({n, 1}, gen, -6, 6), f = random_tensor({n, c}, gen, -2, 2);
      Variable r = segment_attention_pool(Variable(gate), Variable(f), batch, graphs);
      ASSERT_EQ(r.shape(), (Shape{graphs, c}));
      const Reference ref = pool_reference(gate, f, batch, graphs);
      // Each output is a convex combination of values ≤ 2 summed in double, then rounded once.
      for (int64_t k = 0; k < graphs * c; ++k)
        ASSERT_NEAR(r.data().at(k), ref.r[k], 1e-6) << "seed " << seed << " entry " << k;
    }
  }
}

TEST(SegmentAttentionPoolOp, AttentionSumsToOnePerGraph) {
  // With f = [1, i] the first column is Σ α_i (1 for every non-empty graph, 0 for an empty one)
  // and the second is the attention-weighted node id, which must lie inside the graph's range.
  Generator gen(3);
  const std::vector<int64_t> sizes = {4, 0, 1, 9, 0, 3};
  const std::vector<int64_t> batch = batch_of(sizes);
  const int64_t n = static_cast<int64_t>(batch.size()), graphs = 6;
  Tensor f = Tensor::empty({n, 2});
  for (int64_t i = 0; i < n; ++i) {
    f.at(i, 0) = 1.0f;
    f.at(i, 1) = static_cast<float>(i);
  }
  Tensor r = segment_attention_pool(Variable(random_tensor({n, 1}, gen, -10, 10)), Variable(f),
                                    batch, graphs)
                 .data();
  int64_t first = 0;
  for (int64_t b = 0; b < graphs; ++b) {
    EXPECT_NEAR(r.at(b, 0), sizes[b] > 0 ? 1.0 : 0.0, 1e-6) << "graph " << b;
    if (sizes[b] > 0) {
      EXPECT_GE(r.at(b, 1), first - 1e-4);
      EXPECT_LE(r.at(b, 1), first + sizes[b] - 1 + 1e-4);
    }
    first += sizes[b];
  }
}

TEST(SegmentAttentionPoolOp, EmptyGraphsGiveZerosAndZeroGradients) {
  // Graphs 0, 2 and 4 (the last) have no nodes; also a batch with no nodes at all.
  const std::vector<int64_t> batch = {1, 1, 3};
  Variable gate(Tensor::from_vector({3, 1}, {1.0f, -2.0f, 0.5f}), true);
  Variable f(Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}), true);
  Variable r = segment_attention_pool(gate, f, batch, 5);
  for (int64_t b : {0, 2, 4})
    for (int64_t k = 0; k < 2; ++k)
      EXPECT_EQ(r.data().at(b, k), 0.0f) << b;
  for (float v : r.data().to_vector())
    EXPECT_TRUE(std::isfinite(v));
  r.backward(Tensor::full({5, 2}, 1.0f));
  for (float v : gate.grad().to_vector())
    EXPECT_TRUE(std::isfinite(v));
  // Node 2 is alone in graph 3: α = 1 whatever its gate, so its gate gradient is 0.
  EXPECT_EQ(gate.grad().at(2), 0.0f);
  EXPECT_EQ(f.grad().at(2, 0), 1.0f);

  Variable none = segment_attention_pool(Variable(Tensor::zeros({0, 1})),
                                         Variable(Tensor::zeros({0, 4})), {}, 3);
  EXPECT_EQ(none.shape(), (Shape{3, 4}));
  for (float v : none.data().to_vector())
    EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(segment_attention_pool(Variable(Tensor::zeros({0, 1})), Variable(Tensor::zeros({0, 4})),
                                   {}, 0)
                .shape(),
            (Shape{0, 4}));
}

TEST(SegmentAttentionPoolOp, HugeGatesStayFiniteAndExact) {
  // Gates of ±1e4 would overflow exp without the max subtraction.
  Variable gate(Tensor::from_vector({4, 1}, {1e4f, 1e4f, -1e4f, 1e4f}), true);
  Variable f(Tensor::from_vector({4, 1}, {1, 3, 100, 7}), true);
  Variable r = segment_attention_pool(gate, f, {0, 0, 0, 1}, 2);
  EXPECT_FLOAT_EQ(r.data().at(0), 2.0f);  // the −1e4 node gets α = 0
  EXPECT_FLOAT_EQ(r.data().at(1), 7.0f);
  r.backward(Tensor::full({2, 1}, 1.0f));
  // dgate_i = α_i (f_i − r_b): −0.5, 0.5, 0 for graph 0; 0 for the single node.
  const std::vector<float> expected = {-0.5f, 0.5f, 0.0f, 0.0f};
  for (int64_t i = 0; i < 4; ++i)
    EXPECT_NEAR(gate.grad().at(i), expected[i], 1e-6) << i;
}

TEST(SegmentAttentionPoolOp, PermutingNodesWithinAGraphLeavesTheOutput) {
  Generator gen(11);
  const std::vector<int64_t> sizes = {5, 0, 8, 1, 6};
  const std::vector<int64_t> batch = batch_of(sizes);
  const int64_t n = static_cast<int64_t>(batch.size()), c = 4, graphs = 5;
  Tensor gate = random_tensor({n, 1}, gen, -3, 3), f = random_tensor({n, c}, gen);
  // A random permutation inside each graph's contiguous range.
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  int64_t first = 0;
  for (int64_t s : sizes) {
    for (int64_t k = s; k > 1; --k)
      std::swap(perm[first + k - 1], perm[first + static_cast<int64_t>(gen.below(k))]);
    first += s;
  }
  Tensor gate_p = Tensor::empty({n, 1}), f_p = Tensor::empty({n, c});
  for (int64_t i = 0; i < n; ++i) {
    gate_p.at(i) = gate.at(perm[i]);
    for (int64_t k = 0; k < c; ++k)
      f_p.at(i, k) = f.at(perm[i], k);
  }
  Tensor r = segment_attention_pool(Variable(gate), Variable(f), batch, graphs).data();
  Tensor r_p = segment_attention_pool(Variable(gate_p), Variable(f_p), batch, graphs).data();
  // Only the summation order changes: equal up to double rounding, then one float rounding.
  for (int64_t k = 0; k < graphs * c; ++k)
    EXPECT_NEAR(r.at(k), r_p.at(k), 1e-7) << k;
}

TEST(SegmentAttentionPoolOp, GradcheckGateAndFeatures) {
  for (uint64_t seed = 0; seed < 4; ++seed) {
    Generator gen(seed);
    const std::vector<int64_t> batch = batch_of({3, 0, 1, 5, 2});
    const int64_t n = static_cast<int64_t>(batch.size());
    Variable gate(random_tensor({n, 1}, gen, -2, 2), true);
    Variable f(random_tensor({n, 3}, gen), true);
    GradcheckOptions opt;
    opt.seed = seed + 7;
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Variable>& in) {
          return segment_attention_pool(in[0], in[1], batch, 5);
        },
        {gate, f}, opt))
        << "seed " << seed;
  }
}

TEST(SegmentAttentionPoolOp, BackwardMatchesDoubleReference) {
  Generator gen(5);
  const std::vector<int64_t> batch = batch_of(random_sizes(30, 10, gen));
  const int64_t n = static_cast<int64_t>(batch.size()), c = 5, graphs = 30;
  Tensor gate_t = random_tensor({n, 1}, gen, -4, 4), f_t = random_tensor({n, c}, gen);
  Tensor dr = random_tensor({graphs, c}, gen);
  Variable gate(gate_t, true), f(f_t, true);
  segment_attention_pool(gate, f, batch, graphs).backward(dr);
  const Reference ref = pool_reference(gate_t, f_t, batch, graphs);
  std::vector<double> weighted(static_cast<size_t>(graphs), 0.0), d(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    d[i] = 0;
    for (int64_t k = 0; k < c; ++k)
      d[i] += static_cast<double>(dr.at(batch[i], k)) * f_t.at(i, k);
    weighted[batch[i]] += ref.alpha[i] * d[i];
  }
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_NEAR(gate.grad().at(i), ref.alpha[i] * (d[i] - weighted[batch[i]]), 1e-6) << i;
    for (int64_t k = 0; k < c; ++k)
      EXPECT_NEAR(f.grad().at(i, k), ref.alpha[i] * dr.at(batch[i], k), 1e-6) << i;
  }
}

TEST(SegmentAttentionPoolOp, ResultsDoNotDependOnThreadCount) {
  ThreadCountGuard guard;
  // 4000 graphs of 0–40 nodes × 16 channels: well past the parallel threshold.
  Generator gen(21);
  const int64_t graphs = 4000, c = 16;
  const std::vector<int64_t> batch = batch_of(random_sizes(graphs, 40, gen));
  const int64_t n = static_cast<int64_t>(batch.size());
  Tensor gate_t = random_tensor({n, 1}, gen, -5, 5), f_t = random_tensor({n, c}, gen);
  Tensor dr = random_tensor({graphs, c}, gen);
  std::vector<std::vector<float>> outs;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    Variable gate(gate_t, true), f(f_t, true);
    Variable r = segment_attention_pool(gate, f, batch, graphs);
    r.backward(dr);
    std::vector<float> all = r.data().to_vector();
    for (const Tensor* t : {&gate.grad(), &f.grad()}) {
      std::vector<float> v = t->to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    outs.push_back(std::move(all));
  }
  EXPECT_TRUE(outs[0] == outs[1]) << "1 vs 2 threads differ";
  EXPECT_TRUE(outs[0] == outs[2]) << "1 vs 3 threads differ";
}

TEST(SegmentAttentionPoolOp, BadInputsThrowNamingTheArgument) {
  Variable gate(Tensor::zeros({3, 1})), f(Tensor::zeros({3, 2}));
  const std::vector<int64_t> ok = {0, 0, 1};
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        segment_attention_pool(Variable(Tensor::zeros({3, 2})), f, ok, 2);
      },
      "gate must be [N, 1] (one score per node; per-feature gates [N, F] are not supported), "
      "got [3, 2]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { segment_attention_pool(Variable(Tensor::zeros({3})), f, ok, 2); }, "gate must be"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        segment_attention_pool(Variable(Tensor::zeros({4, 1})), f, ok, 2);
      },
      "gate has 4 rows but f has 3"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { segment_attention_pool(gate, Variable(Tensor::zeros({3})), ok, 2); },
      "f must be 2-D [N, F], got [3]"));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        segment_attention_pool(gate, f, {0, 1}, 2);
      },
      "batch has 2 entries but f has 3 rows"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        segment_attention_pool(gate, f, {0, 0, 2}, 2);
      },
      "batch[2] = 2 out of range for 2 graphs"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        segment_attention_pool(gate, f, {-1, 0, 0}, 2);
      },
      "batch[0] = -1 out of range for 2 graphs"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        segment_attention_pool(gate, f, {0, 1, 0}, 2);
      },
      "batch must be sorted ascending, but batch[2] = 0 < batch[1] = 1"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { segment_attention_pool(gate, f, ok, -1); },
                                           "num_graphs must be non-negative, got -1"));
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { segment_attention_pool(Variable(), f, ok, 2); },
                                           "segment_attention_pool: gate is undefined"));
}

}  // namespace
}  // namespace gat
