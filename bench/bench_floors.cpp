// The machine's own limits, from which docs/performance.md derives each kernel's floor: what the
// memory system and the GEMM can do at best on this machine, measured with the simplest code that
// reaches it, independent of gat's kernels (which another benchmark, gat_bench_kernels, times).
//
//   Copy/<threads>            streaming copy of 512 MiB (read + write counted: 1 GiB per pass)
//   Gather/<index>/<threads>/<variant>
//                             out[i] = Σ_e w_e · x[src_e] over a CSR, 128-float (512-byte) rows:
//                             the benchmark layer's graph (100k nodes, 1M edges + 100k self-loops,
//                             power-law sources, uniform targets). index 0: by destination (the
//                             attention forward's and backward pass 1's gather of x[j]); index 1:
//                             by source through the reverse index (backward pass 2's gather of
//                             g[i], rows picked uniformly at random). variant 0: a plain scalar
//                             loop, no prefetch; 1: AVX-512 (eight 16-float registers hold the
//                             whole row) with a software prefetch of the row 8 edges ahead.
//   Gemm/<layout>/<threads>   gat::gemm() at the layer's projection sizes, 100000 × 128 × 128:
//                             layout 0: H = x·Wᵀ (forward), 1: dW = dHᵀ·x (weight gradient),
//                             2: dx = dH·W (input gradient; the benchmark layer does not need it).
//
// Run: ./build/bench/gat_bench_floors --benchmark_repetitions=5 --benchmark_report_aggregates_only
// The counters give the rate: GB/s of bytes moved (Copy; Gather: rows gathered + index + weights +
// rows written) and GFLOP/s (Gemm).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "gat/core/parallel.h"
#include "gat/core/rng.h"
#include "gat/graph/generate.h"
#include "gat/kernels/gemm.h"

namespace {

constexpr int64_t kNodes = 100000, kEdges = 1000000, kWidth = 128;
constexpr size_t kCopyBytes = size_t{512} << 20;
constexpr int64_t kPrefetchDistance = 8;

// ---- streaming copy

void Copy(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  static std::vector<char> src(kCopyBytes, 1), dst(kCopyBytes, 0);  // touched: no page faults
  for (auto _ : state) {
    // Each thread copies one contiguous half; glibc's memcpy switches to non-temporal stores at
    // these sizes, so the destination is not read first (1 read + 1 write per byte).
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const size_t begin = kCopyBytes * t / nt, end = kCopyBytes * (t + 1) / nt;
      std::memcpy(dst.data() + begin, src.data() + begin, end - begin);
    }
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] = benchmark::Counter(2.0 * kCopyBytes * state.iterations(),
                                              benchmark::Counter::kIsRate,
                                              benchmark::Counter::kIs1000);
}

// ---- gather-sum of 128-float rows by a CSR

struct GatherData {
  gat::Graph graph;
  std::vector<float> x, w_in, w_out, out;
  GatherData() {
    gat::Generator gen(0);
    graph = gat::power_law_graph(kNodes, kEdges, gen).with_self_loops();
    x.resize(kNodes * kWidth);
    for (float& f : x) f = gen.uniform(-1.0f, 1.0f);
    w_in.resize(graph.num_edges());
    w_out.resize(graph.num_edges());
    for (float& f : w_in) f = gen.uniform();
    for (float& f : w_out) f = gen.uniform();
    out.resize(kNodes * kWidth);
  }
};

GatherData& gather_data() {
  static GatherData d;
  return d;
}

// Rows [begin, end) of out = Σ_e w[e] · x[idx[e]] over ptr, plain loop.
void gather_scalar(const int64_t* ptr, const int32_t* idx, const float* w, const float* x,
                   float* out, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    float* o = out + i * kWidth;
    for (int64_t c = 0; c < kWidth; ++c) o[c] = 0.0f;
    for (int64_t e = ptr[i]; e < ptr[i + 1]; ++e) {
      const float* r = x + static_cast<int64_t>(idx[e]) * kWidth;
      for (int64_t c = 0; c < kWidth; ++c) o[c] += w[e] * r[c];
    }
  }
}

// The same, the row held in eight AVX-512 registers, the row 8 edges ahead prefetched (its eight
// cache lines), across row boundaries.
void gather_fast(const int64_t* ptr, const int32_t* idx, const float* w, const float* x,
                 float* out, int64_t begin, int64_t end, int64_t num_slots) {
#if defined(__AVX512F__)
  for (int64_t i = begin; i < end; ++i) {
    __m512 acc[8];
    for (auto& a : acc) a = _mm512_setzero_ps();
    for (int64_t e = ptr[i]; e < ptr[i + 1]; ++e) {
      if (e + kPrefetchDistance < num_slots) {
        const char* p =
            reinterpret_cast<const char*>(x + static_cast<int64_t>(idx[e + kPrefetchDistance]) *
                                                  kWidth);
        for (int l = 0; l < 8; ++l) _mm_prefetch(p + 64 * l, _MM_HINT_T0);
      }
      const float* r = x + static_cast<int64_t>(idx[e]) * kWidth;
      const __m512 we = _mm512_set1_ps(w[e]);
      for (int l = 0; l < 8; ++l) acc[l] = _mm512_fmadd_ps(we, _mm512_loadu_ps(r + 16 * l), acc[l]);
    }
    for (int l = 0; l < 8; ++l) _mm512_storeu_ps(out + i * kWidth + 16 * l, acc[l]);
  }
#else
  (void)num_slots;
  gather_scalar(ptr, idx, w, x, out, begin, end);
#endif
}

void Gather(benchmark::State& state) {
  GatherData& d = gather_data();
  const bool by_source = state.range(0) == 1;
  const int threads = static_cast<int>(state.range(1));
  const bool fast = state.range(2) == 1;
  const int64_t* ptr = by_source ? d.graph.out_ptr() : d.graph.in_ptr();
  const int32_t* idx = by_source ? d.graph.out_dst() : d.graph.in_src();
  const float* w = by_source ? d.w_out.data() : d.w_in.data();
  const int64_t slots = d.graph.num_edges();
  const std::vector<int64_t> bounds = gat::partition_by_work(ptr, kNodes, threads);
  for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int part = 0; part < threads; ++part) {
      if (fast)
        gather_fast(ptr, idx, w, d.x.data(), d.out.data(), bounds[part], bounds[part + 1], slots);
      else
        gather_scalar(ptr, idx, w, d.x.data(), d.out.data(), bounds[part], bounds[part + 1]);
    }
    benchmark::ClobberMemory();
  }
  // Bytes: one 512-byte row per edge, its 4-byte index and 4-byte weight; one row written per node.
  const double bytes = slots * (kWidth * 4.0 + 8.0) + kNodes * kWidth * 4.0;
  state.counters["GB/s"] = benchmark::Counter(bytes * state.iterations(),
                                              benchmark::Counter::kIsRate,
                                              benchmark::Counter::kIs1000);
  state.counters["edges"] = static_cast<double>(slots);
}

// ---- GEMM

void Gemm(benchmark::State& state) {
  const int layout = static_cast<int>(state.range(0));
  gat::set_num_threads(static_cast<int>(state.range(1)));
  const int64_t n = kNodes, f = kWidth, o = kWidth;  // 128 -> 8 x 16 = 128
  static std::vector<float> x(n * f, 0.5f), dh(n * o, 0.25f), w(o * f, 0.1f), h(n * o),
      dw(o * f), dx(n * f);
  for (auto _ : state) {
    if (layout == 0)  // H[N, O] = x[N, F] · Wᵀ
      gat::gemm(false, true, n, o, f, 1.0f, x.data(), f, w.data(), f, 0.0f, h.data(), o);
    else if (layout == 1)  // dW[O, F] = dHᵀ · x
      gat::gemm(true, false, o, f, n, 1.0f, dh.data(), o, x.data(), f, 0.0f, dw.data(), f);
    else  // dx[N, F] = dH · W
      gat::gemm(false, false, n, f, o, 1.0f, dh.data(), o, w.data(), f, 0.0f, dx.data(), f);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * f * o * state.iterations(),
                                                 benchmark::Counter::kIsRate,
                                                 benchmark::Counter::kIs1000);
  state.SetLabel(gat::gemm_backend());
}

BENCHMARK(Copy)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Gather)
    ->ArgNames({"by_source", "threads", "avx512_prefetch"})
    ->ArgsProduct({{0, 1}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(Gemm)
    ->ArgNames({"layout", "threads"})
    ->ArgsProduct({{0, 1, 2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
