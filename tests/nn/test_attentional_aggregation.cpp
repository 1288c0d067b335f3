// Tests for AttentionalAggregation (nn/attentional_aggregation.h): PyG's parameter names and
// shapes, torch's Linear initialisation, forward against a double reference of the whole layer,
// gradients through both Linear layers, repr and argument checks.
#include "gat/nn/attentional_aggregation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gat/core/error.h"
#include "gat/ops/reduce.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/gradcheck.h"

namespace gat {
namespace {

using testing::random_tensor;
using testing::throws_with;

TEST(AttentionalAggregation, HeaderExample) {
  gat::Generator gen(0);
  gat::AttentionalAggregation pool(16, 8, gen);
  gat::Variable x(gat::Tensor::zeros({5, 16}));
  gat::Variable r = pool.forward(x, {0, 0, 0, 1, 1}, 2);  // [2, 8]
  EXPECT_EQ(r.shape(), (Shape{2, 8}));
  // x = 0: every node's nn(x) is nn.bias, and the attention sums to 1.
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t k = 0; k < 8; ++k)
      EXPECT_NEAR(r.data().at(b, k), pool.nn.bias.data().at(k), 1e-6);
}

TEST(AttentionalAggregation, PygNamesShapesAndInit) {
  Generator gen(1);
  AttentionalAggregation pool(10, 4, gen);
  std::vector<std::pair<std::string, std::string>> got;
  for (auto& [name, p] : pool.named_parameters())
    got.emplace_back(name, p.shape().str());
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{"gate_nn.weight", "[1, 10]"},
                                                                   {"gate_nn.bias", "[1]"},
                                                                   {"nn.weight", "[4, 10]"},
                                                                   {"nn.bias", "[4]"}}));
  EXPECT_EQ(pool.num_parameters(), 10 + 1 + 40 + 4);
  const float bound = 1.0f / std::sqrt(10.0f);
  for (const Variable& p : pool.parameters()) {
    EXPECT_TRUE(p.requires_grad());
    for (float v : p.data().to_vector())
      EXPECT_LE(std::abs(v), bound);
  }
  EXPECT_EQ(pool.repr(),
            "AttentionalAggregation(gate_nn=Linear(in_features=10, out_features=1, bias=True), "
            "nn=Linear(in_features=10, out_features=4, bias=True))");
}

TEST(AttentionalAggregation, ForwardMatchesDoubleReference) {
  Generator gen(2);
  const int64_t fin = 6, fout = 3, graphs = 4;
  AttentionalAggregation pool(fin, fout, gen);
  const std::vector<int64_t> batch = {0, 0, 0, 2, 2, 3, 3, 3, 3};  // graph 1 is empty
  const int64_t n = static_cast<int64_t>(batch.size());
  Tensor x = random_tensor({n, fin}, gen, -2, 2);
  Tensor r = pool.forward(Variable(x), batch, graphs).data();
  const Tensor& wg = pool.gate_nn.weight.data();
  const Tensor& w = pool.nn.weight.data();
  std::vector<double> gate(static_cast<size_t>(n));
  std::vector<std::vector<double>> h(static_cast<size_t>(n), std::vector<double>(fout));
  for (int64_t i = 0; i < n; ++i) {
    gate[i] = pool.gate_nn.bias.data().at(0);
    for (int64_t k = 0; k < fin; ++k)
      gate[i] += static_cast<double>(wg.at(0, k)) * x.at(i, k);
    for (int64_t o = 0; o < fout; ++o) {
      h[i][o] = pool.nn.bias.data().at(o);
      for (int64_t k = 0; k < fin; ++k)
        h[i][o] += static_cast<double>(w.at(o, k)) * x.at(i, k);
    }
  }
  for (int64_t b = 0; b < graphs; ++b) {
    double m = -INFINITY, s = 0;
    for (int64_t i = 0; i < n; ++i)
      if (batch[i] == b) m = std::max(m, gate[i]);
    for (int64_t i = 0; i < n; ++i)
      if (batch[i] == b) s += std::exp(gate[i] - m);
    for (int64_t o = 0; o < fout; ++o) {
      double ref = 0;
      for (int64_t i = 0; i < n; ++i)
        if (batch[i] == b) ref += std::exp(gate[i] - m) / s * h[i][o];
      EXPECT_NEAR(r.at(b, o), ref, 1e-5) << "graph " << b << " channel " << o;
    }
  }
}

TEST(AttentionalAggregation, GradcheckThroughBothLinearLayers) {
  Generator gen(3);
  AttentionalAggregation pool(4, 3, gen);
  const std::vector<int64_t> batch = {0, 0, 1, 1, 1, 3};
  Variable x(random_tensor({6, 4}, gen), true);
  // gate_nn.bias shifts every score of a graph equally, which the softmax cancels: its gradient
  // is exactly 0 (checked below), so the relative error ‖g − ĝ‖ / ‖g + ĝ‖ is meaningless for it.
  std::vector<Variable> inputs = {x, pool.gate_nn.weight, pool.nn.weight, pool.nn.bias};
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Variable>& in) {
        // The parameters are gradchecked in place: the layer reads the perturbed values.
        return pool.forward(in[0], batch, 4);
      },
      inputs));
  pool.zero_grad();
  sum(pool.forward(x, batch, 4)).backward();
  EXPECT_NEAR(pool.gate_nn.bias.grad().at(0), 0.0f, 1e-6);
}

TEST(AttentionalAggregation, BadArgumentsThrow) {
  Generator gen(4);
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { AttentionalAggregation(0, 3, gen); },
                                           "AttentionalAggregation: in_channels and out_channels "
                                           "must be positive, got 0 and 3"));
  AttentionalAggregation pool(4, 3, gen);
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        pool.forward(Variable(Tensor::zeros({2, 5})), {0, 0}, 1);
      },
      "AttentionalAggregation::forward: x must be [N, 4], got [2, 5]"));
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] {
        pool.forward(Variable(Tensor::zeros({2, 4})), {1, 0}, 2);
      },
      "batch must be sorted ascending"));
}

}  // namespace
}  // namespace gat
