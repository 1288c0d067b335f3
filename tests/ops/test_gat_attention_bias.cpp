// gat_attention's fused bias: the kernel adds the layer's bias as it writes each output row and
// reduces its gradient with the attention parameters'. Checked against the unfused composition
// (gat_attention, then add_bias) on every kernel path (one head, the generic head loops, eight
// heads), with isolated nodes, dropout and edge scores, for every subset of gradients asked for,
// and across thread counts. (The rest of the op's tests are in test_gat_attention.cpp.)
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/ops/add.h"
#include "gat/ops/gat_attention.h"
#include "gat/ops/reduce.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"

namespace gat {
namespace {

using testing::random_tensor;

struct Inputs {
  Graph graph;
  Tensor x, att_src, att_dst, edge_score, bias;
};

// H heads of C channels on n nodes with `isolated` nodes that have no edge at all.
Inputs make_inputs(uint64_t seed, int64_t n, int64_t e, int64_t heads, int64_t channels) {
  Generator gen(seed);
  Inputs in;
  in.graph = testing::random_edges(n, e, gen, /*isolated=*/2).graph();
  in.x = random_tensor({n, heads, channels}, gen);
  in.att_src = random_tensor({1, heads, channels}, gen);
  in.att_dst = random_tensor({1, heads, channels}, gen);
  in.edge_score = random_tensor({in.graph.num_edges(), heads}, gen);
  in.bias = random_tensor({heads * channels}, gen);
  return in;
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

// out, alpha and the gradients of x, att_src, att_dst, edge_score and bias for L = Σ w · out,
// with the bias fused into the op or added after it.
std::vector<Tensor> run(const Inputs& in, bool fused, float dropout, const Tensor& w,
                        const std::vector<bool>& needs = std::vector<bool>(5, true)) {
  Variable v[5] = {Variable(in.x, needs[0]), Variable(in.att_src, needs[1]),
                   Variable(in.att_dst, needs[2]), Variable(in.edge_score, needs[3]),
                   Variable(in.bias, needs[4])};
  GatAttentionOptions options;
  options.training = dropout > 0;
  options.dropout = dropout;
  Generator gen(17);
  options.generator = &gen;
  Tensor alpha;
  const int64_t n = in.x.size(0), width = in.x.size(1) * in.x.size(2);
  Variable out = fused ? gat_attention(v[0], v[1], v[2], in.graph, options, &alpha, v[3], v[4])
                       : gat_attention(v[0], v[1], v[2], in.graph, options, &alpha, v[3]);
  out = reshape(out, {n, width});
  if (!fused) out = add_bias(out, v[4]);
  if (needs[0] || needs[1] || needs[2] || needs[3] || needs[4]) out.backward(w);
  std::vector<Tensor> r = {out.data(), alpha};
  for (const Variable& var : v)
    r.push_back(var.grad());
  return r;
}

const char* kNames[] = {"out",          "alpha",           "grad x",   "grad att_src",
                        "grad att_dst", "grad edge_score", "grad bias"};

TEST(GatAttentionBias, FusedBiasIsGatAttentionThenAddBias) {
  for (int64_t heads : {1, 3, 8}) {
    for (float dropout : {0.0f, 0.3f}) {
      const int64_t channels = heads == 8 ? 16 : 5;
      SCOPED_TRACE(::testing::Message() << "H " << heads << " p " << dropout);
      const Inputs in = make_inputs(static_cast<uint64_t>(heads), 60, 300, heads, channels);
      Generator wgen(3);
      const Tensor w = random_tensor({60, heads * channels}, wgen);
      const std::vector<Tensor> fused = run(in, true, dropout, w);
      const std::vector<Tensor> composed = run(in, false, dropout, w);
      // The forward adds the same two floats either way; the bias gradient sums the same rows,
      // in another order. The eight-head backward takes D = ⟨g, out − bias⟩ from the output, and
      // (acc + bias) − bias is acc only to rounding: its input gradients agree to rounding.
      for (size_t k = 0; k < fused.size(); ++k) {
        if (k == 6 || (heads == 8 && k >= 2)) {
          ASSERT_EQ(fused[k].shape(), composed[k].shape());
          for (int64_t c = 0; c < fused[k].numel(); ++c)
            EXPECT_NEAR(fused[k].data()[c], composed[k].data()[c],
                        1e-5 * (1.0 + std::abs(composed[k].data()[c])));
        } else {
          EXPECT_TRUE(bitwise_equal(fused[k], composed[k])) << kNames[k];
        }
      }
      // The isolated nodes' rows are the bias itself.
      int64_t isolated = 0;
      for (int64_t i = 0; i < 60; ++i) {
        if (in.graph.in_degree(i) > 0) continue;
        ++isolated;
        for (int64_t c = 0; c < heads * channels; ++c)
          EXPECT_EQ(fused[0].at(i, c), in.bias.data()[c]) << "node " << i;
      }
      EXPECT_GE(isolated, 2);
    }
  }
}

TEST(GatAttentionBias, AnySubsetOfGradientsGivesTheSameValues) {
  for (int64_t heads : {1, 3, 8}) {
    SCOPED_TRACE(heads);
    const int64_t channels = heads == 8 ? 8 : 4;
    const Inputs in = make_inputs(40 + static_cast<uint64_t>(heads), 50, 240, heads, channels);
    const Tensor w = Tensor::full({50, heads * channels}, 0.5f);
    const std::vector<Tensor> all = run(in, true, 0.25f, w);
    for (int k = 0; k < 5; ++k) {
      std::vector<bool> only(5, false);
      only[k] = true;
      const std::vector<Tensor> one = run(in, true, 0.25f, w, only);
      for (int m = 0; m < 5; ++m)
        EXPECT_EQ(one[2 + m].defined(), m == k) << kNames[2 + m];
      EXPECT_TRUE(bitwise_equal(one[2 + k], all[2 + k])) << kNames[2 + k];
    }
  }
}

TEST(GatAttentionBias, OneAndTwoThreadsAreBitwiseIdentical) {
  testing::ThreadCountGuard guard;
  for (int64_t heads : {1, 3, 8}) {
    SCOPED_TRACE(heads);
    const int64_t channels = heads == 8 ? 16 : 6;
    // Over kReduceBlockRows nodes, so that the bias gradient sums several blocks.
    const Inputs in = make_inputs(7, 3000, 20000, heads, channels);
    Generator wgen(5);
    const Tensor w = random_tensor({3000, heads * channels}, wgen);
    set_num_threads(1);
    const std::vector<Tensor> one = run(in, true, 0.2f, w);
    set_num_threads(2);
    const std::vector<Tensor> two = run(in, true, 0.2f, w);
    for (size_t k = 0; k < one.size(); ++k)
      EXPECT_TRUE(bitwise_equal(one[k], two[k])) << kNames[k];
  }
}

TEST(GatAttentionBias, WrongBiasShapeIsAShapeErrorNamingIt) {
  const Inputs in = make_inputs(1, 10, 30, 2, 3);
  GatAttentionOptions options;
  for (const Shape& bad : {Shape{5}, Shape{7}, Shape{2, 3}}) {
    try {
      gat_attention(Variable(in.x), Variable(in.att_src), Variable(in.att_dst), in.graph, options,
                    nullptr, Variable(), Variable(Tensor::zeros(bad)));
      ADD_FAILURE() << "no ShapeError for bias " << bad.str();
    } catch (const ShapeError& e) {
      EXPECT_NE(std::string(e.what()).find("gat_attention: bias has shape " + bad.str()),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace gat
