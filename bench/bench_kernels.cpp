// Micro-benchmarks of the kernels on the benchmark layer's sizes (100k nodes, 1M edges + self-
// loops, 128 -> 8 heads x 16): the projection GEMM (forward and weight gradient), the fused
// attention forward and backward, and the element-wise rest of a training step.
// Run: ./build/bench/gat_bench_kernels (--benchmark_filter=Attention, --benchmark_repetitions=5
// for medians). The machine's limits these are held against (copy bandwidth, row-gather rate,
// GEMM rate) are measured by bench_floors.cpp; docs/performance.md derives the floors from them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "gat/autograd/variable.h"
#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "gat/graph/generate.h"
#include "gat/kernels/gat_attention.h"
#include "gat/kernels/gemm.h"
#include "gat/kernels/reduce.h"
#include "gat/ops/reduce.h"

namespace {

constexpr int64_t kNodes = 100000, kEdges = 1000000, kFeatures = 128, kHeads = 8, kChannels = 16;

struct Fixture {
  gat::Graph graph;
  std::vector<float> x, w, h, att_src, att_dst, bias, out, s_src, s_dst, lse, grad_out, grad_h,
      grad_att_src, grad_att_dst, grad_bias, grad_w;
  Fixture() {
    gat::Generator gen(0);
    graph = gat::power_law_graph(kNodes, kEdges, gen).with_self_loops();
    auto fill = [&](std::vector<float>& v, size_t n, float scale) {
      v.resize(n);
      for (float& f : v)
        f = scale * gen.uniform(-1.0f, 1.0f);
    };
    const size_t hc = kHeads * kChannels;
    fill(x, kNodes * kFeatures, 1.0f);
    fill(w, hc * kFeatures, 0.1f);
    fill(h, kNodes * hc, 1.0f);
    fill(att_src, hc, 0.3f);
    fill(att_dst, hc, 0.3f);
    fill(bias, hc, 0.1f);
    fill(grad_out, kNodes * hc, 1.0f);
    out.resize(kNodes * hc);
    grad_h.resize(kNodes * hc);
    grad_w.resize(hc * kFeatures);
    s_src.resize(kNodes * kHeads);
    s_dst.resize(kNodes * kHeads);
    lse.resize(kNodes * kHeads);
    grad_att_src.resize(hc);
    grad_att_dst.resize(hc);
    grad_bias.resize(hc);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

gat::GatAttentionArgs args() {
  gat::GatAttentionArgs a;
  a.heads = kHeads;
  a.channels = kChannels;
  return a;
}

void ProjectionForward(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state)
    gat::gemm(false, true, kNodes, kHeads * kChannels, kFeatures, 1.0f, f.x.data(), kFeatures,
              f.w.data(), kFeatures, 0.0f, f.h.data(), kHeads * kChannels);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * kNodes * kFeatures * kHeads * kChannels * state.iterations(),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void ProjectionWeightGrad(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state)
    gat::gemm(true, false, kHeads * kChannels, kFeatures, kNodes, 1.0f, f.grad_out.data(),
              kHeads * kChannels, f.x.data(), kFeatures, 0.0f, f.grad_w.data(), kFeatures);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * kNodes * kFeatures * kHeads * kChannels * state.iterations(),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void AttentionForward(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state)
    gat::gat_attention_forward(f.graph, args(), f.h.data(), f.att_src.data(), f.att_dst.data(),
                               nullptr, f.bias.data(), f.out.data(), f.s_src.data(), f.s_dst.data(),
                               f.lse.data(), nullptr);
}

void AttentionBackward(benchmark::State& state) {
  Fixture& f = fixture();
  gat::gat_attention_forward(f.graph, args(), f.h.data(), f.att_src.data(), f.att_dst.data(),
                             nullptr, f.bias.data(), f.out.data(), f.s_src.data(), f.s_dst.data(),
                             f.lse.data(), nullptr);
  for (auto _ : state)
    gat::gat_attention_backward(f.graph, args(), f.h.data(), f.att_src.data(), f.att_dst.data(),
                                nullptr, f.s_src.data(), f.s_dst.data(), f.lse.data(),
                                f.out.data(), f.bias.data(), f.grad_out.data(), f.grad_h.data(), f.grad_att_src.data(),
                                f.grad_att_dst.data(), nullptr, f.grad_bias.data());
}

// The layer's element-wise work outside its kernels: the benchmark's loss mean(out²)
// (mean_square) and its gradient, the two kernels that op runs (the bias and its gradient are
// fused into the attention kernels). Its floor in docs/performance.md: one read of out forward,
// one read of out and one write of dOut backward.
void ElementwiseLoss(benchmark::State& state) {
  Fixture& f = fixture();
  const int64_t n = kNodes * kHeads * kChannels;
  std::vector<float> grad(static_cast<size_t>(n));
  double loss = 0;
  for (auto _ : state) {
    loss = gat::squared_error_sum(n, f.h.data(), nullptr) / static_cast<double>(n);
    gat::squared_error_backward(n, static_cast<float>(2.0 / static_cast<double>(n)), f.h.data(),
                                nullptr, grad.data(), nullptr);
    benchmark::DoNotOptimize(grad.data());
  }
  benchmark::DoNotOptimize(loss);
}

BENCHMARK(ProjectionForward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ProjectionWeightGrad)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(AttentionForward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(AttentionBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ElementwiseLoss)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
