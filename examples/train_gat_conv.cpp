// A minimal end-to-end use of gat.cpp's library API: one GATConv layer trained with Adam to fit
// random targets on a small generated graph, printing the loss as it falls.
//   ./build/examples/example_train_gat_conv
#include <cstdio>

#include "gat/graph/generate.h"
#include "gat/nn/gat_conv.h"
#include "gat/ops/add.h"
#include "gat/ops/reduce.h"
#include "gat/optim/optimizer.h"

int main() {
  gat::Generator gen(0);
  gat::Graph graph = gat::power_law_graph(500, 4000, gen);
  gat::Tensor features = gat::Tensor::empty({500, 16});
  gat::Tensor targets = gat::Tensor::empty({500, 8});
  for (int64_t k = 0; k < features.numel(); ++k) features.data()[k] = gen.normal();
  for (int64_t k = 0; k < targets.numel(); ++k) targets.data()[k] = gen.uniform(-1.0f, 1.0f);
  gat::Variable x(features), y(targets);

  gat::GATConv conv({.in_channels = 16, .out_channels = 4, .heads = 2}, gen);
  gat::Adam opt(conv.parameters(), {.lr = 0.01f});
  for (int step = 0; step <= 200; ++step) {
    opt.zero_grad();
    gat::Variable diff = gat::add(conv.forward(x, graph), gat::scale(y, -1.0f));
    gat::Variable loss = gat::mean(gat::mul(diff, diff));
    loss.backward();
    opt.step();
    if (step % 50 == 0) std::printf("step %3d  mse %.4f\n", step, loss.data().item());
  }
  return 0;
}
