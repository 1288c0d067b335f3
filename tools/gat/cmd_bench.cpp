// gat bench — times one GATConv training step (forward, backward, Adam) and an inference forward,
// then a full training step of the two-layer GAT, on a generated power-law graph; reports medians
// and spread over repeated steps after warm-up, and peak memory.
//
// Memory figures: "tensors" is the peak of bytes held in tensor buffers during the phase
// (gat::memory), which is what the step itself needs on top of the graph; "graph" is the CSR and
// reverse index of the graph with self-loops; "rss" is the process's peak resident set (it
// includes everything the process ever held, the graph generation included). "graph_s" in the
// JSON is the one-off time to read or generate the graph and build its CSR with self-loops; it is
// outside every timed step (PyG, which keeps a COO edge list, pays its self-loop handling inside
// each forward; bench/compare_pyg.py shows both).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/graph/generate.h"
#include "gat/io/npy.h"
#include "gat/kernels/gemm.h"
#include "gat/nn/gat.h"
#include "gat/nn/gatv2_conv.h"
#include "gat/ops/add.h"
#include "gat/ops/log_softmax.h"
#include "gat/ops/reduce.h"
#include "gat/optim/optimizer.h"

namespace gat::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Series {
  std::vector<double> s;
  double median() const {
    std::vector<double> v = s;
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0;
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  }
  double min() const { return s.empty() ? 0 : *std::min_element(s.begin(), s.end()); }
  double max() const { return s.empty() ? 0 : *std::max_element(s.begin(), s.end()); }
};

struct StepTimes {
  Series forward, backward, optimizer, total, inference;
  size_t peak_train_bytes = 0, peak_infer_bytes = 0;
};

// Runs warmup + steps training steps (forward: build the loss; backward; optimizer step) and
// the same number of inference forwards, timing each phase; with `progress`, redraws a status
// line on stderr.
StepTimes measure(Module& model, const std::function<Variable()>& forward_loss,
                  const std::function<void()>& infer, Optimizer& opt, int warmup, int steps,
                  bool progress, const char* label) {
  StepTimes r;
  const size_t base = memory::current_bytes();
  memory::reset_peak();
  for (int k = 0; k < warmup + steps; ++k) {
    model.train();
    opt.zero_grad();
    auto t0 = Clock::now();
    Variable loss = forward_loss();
    double f = seconds_since(t0);
    auto t1 = Clock::now();
    loss.backward();
    double b = seconds_since(t1);
    auto t2 = Clock::now();
    opt.step();
    double o = seconds_since(t2);
    if (k >= warmup) {
      r.forward.s.push_back(f);
      r.backward.s.push_back(b);
      r.optimizer.s.push_back(o);
      r.total.s.push_back(f + b + o);
    }
    if (progress)
      std::fprintf(stderr, "\r%s: training step %d/%d (%.3f s)   ", label, k + 1, warmup + steps,
                   f + b + o);
  }
  r.peak_train_bytes = memory::peak_bytes() - base;
  memory::reset_peak();
  model.eval();
  for (int k = 0; k < warmup + steps; ++k) {
    NoGradGuard no_grad;
    auto t0 = Clock::now();
    infer();
    if (k >= warmup) r.inference.s.push_back(seconds_since(t0));
    if (progress)
      std::fprintf(stderr, "\r%s: inference %d/%d                 ", label, k + 1, warmup + steps);
  }
  r.peak_infer_bytes = memory::peak_bytes() - base;
  if (progress) std::fprintf(stderr, "\r%60s\r", "");
  return r;
}

double mib(size_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

std::string series_json(const Series& s) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "{\"median_s\": %.6f, \"min_s\": %.6f, \"max_s\": %.6f}",
                s.median(), s.min(), s.max());
  return buf;
}

std::string times_json(const StepTimes& t) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "\"peak_train_tensor_mib\": %.1f, \"peak_infer_tensor_mib\": %.1f",
                mib(t.peak_train_bytes), mib(t.peak_infer_bytes));
  return "{\"forward\": " + series_json(t.forward) + ", \"backward\": " + series_json(t.backward) +
         ", \"optimizer\": " + series_json(t.optimizer) +
         ", \"train_step\": " + series_json(t.total) +
         ", \"inference\": " + series_json(t.inference) + ", " + buf + "}";
}

void print_times(const char* title, const StepTimes& t) {
  std::printf("%s\n", title);
  auto row = [](const char* name, const Series& s) {
    std::printf("  %-22s median %8.1f ms   (min %.1f, max %.1f)\n", name, 1e3 * s.median(),
                1e3 * s.min(), 1e3 * s.max());
  };
  row("forward", t.forward);
  row("backward", t.backward);
  row("optimizer (Adam)", t.optimizer);
  row("training step", t.total);
  row("inference forward", t.inference);
  std::printf("  peak tensor memory     training %.1f MiB, inference %.1f MiB\n",
              mib(t.peak_train_bytes), mib(t.peak_infer_bytes));
}

}  // namespace

int run_bench(int argc, char** argv) {
  int64_t nodes = 100000, edges = 1000000, features = 128, heads = 8, channels = 16, classes = 16;
  int64_t seed = 0;
  int steps = 10, warmup = 2, threads = num_threads();
  std::string model_choice = "both", graph_file, conv_choice = "gat";
  bool json = false;
  ArgParser args("bench",
                 "Times a GATConv training step (forward, backward, Adam; loss = mean(out^2), "
                 "no attention dropout, self-loops added) and an inference forward on a "
                 "generated power-law graph, then the same for the two-layer GAT (dropout 0.6, "
                 "NLL loss over all nodes, random labels). Reports medians over --steps after "
                 "--warmup, and peak memory.");
  args.add_path("graph", &graph_file, PathKind::kInputFile,
                "read the graph from an int64 [2, E] .npy edge list (row 0 sources, row 1 "
                "targets; the format bench/gen_graph.py writes, see bench/README.md) instead of "
                "generating one; nodes = max id + 1");
  // The graph's index limit (Graph::kMaxIndex) bounds the generated sizes.
  const Range graph_size{.min = 1, .max = static_cast<double>(Graph::kMaxIndex)};
  args.add("nodes", &nodes, "nodes", graph_size);
  args.add("edges", &edges,
           "directed edges before self-loops are added (at most nodes x "
           "(nodes - 1))",
           {.min = 0, .max = static_cast<double>(Graph::kMaxIndex)});
  args.add("features", &features, "input features", at_least(1));
  args.add("heads", &heads, "attention heads", at_least(1));
  args.add("channels", &channels, "channels per head", at_least(1));
  args.add("classes", &classes, "output classes of the two-layer model", at_least(1));
  args.add("steps", &steps, "timed steps", at_least(1));
  args.add("warmup", &warmup, "untimed steps first", at_least(0));
  args.add("threads", &threads, "threads", at_least(1));
  args.add("model", &model_choice, "layer, gat, or both", {"layer", "gat", "both"});
  args.add("conv", &conv_choice, "the layer benchmarked: gat (GATConv) or gatv2 (GATv2Conv)",
           {"gat", "gatv2"});
  args.add("seed", &seed, "random seed");
  args.add_flag("json", &json, "print one JSON object instead of text");
  if (!args.parse(argc, argv)) return 0;
  // power_law_graph draws distinct edges without self-loops; with --graph the sizes are the file's.
  // (--nodes is at most 2^31 - 1, so the product fits in int64.)
  if (graph_file.empty() && edges > nodes * (nodes - 1))
    throw UsageError("--edges: " + std::to_string(edges) + " distinct edges do not fit in " +
                     std::to_string(nodes) + " nodes (--nodes); at most nodes x (nodes - 1)");
  set_num_threads(threads);
  const bool verbose = !json;
  // Lines redrawn with '\r' are for a terminal; in a log file or a pipe they are noise.
  const bool progress = verbose && isatty(STDERR_FILENO);

  Generator gen(static_cast<uint64_t>(seed));
  auto t0 = Clock::now();
  Graph graph;
  if (graph_file.empty()) {
    graph = power_law_graph(nodes, edges, gen);
  } else {
    std::vector<int64_t> shape;
    std::vector<int64_t> edge_index = io::load_npy_i64(graph_file, &shape);
    check<IoError>(shape.size() == 2 && shape[0] == 2, graph_file.c_str(),
                   "expected an int64 edge list of shape [2, E]");
    int64_t max_id = -1;
    for (int64_t v : edge_index)
      max_id = std::max(max_id, v);
    nodes = max_id + 1;
    graph = Graph::from_edge_index(nodes, edge_index);
    edges = graph.num_edges();
  }
  const Graph& looped = graph.with_self_loops();
  const double gen_s = seconds_since(t0);
  const size_t graph_bytes = looped.memory_bytes();
  Variable x(Tensor::empty({nodes, features}));
  for (int64_t k = 0; k < x.numel(); ++k)
    x.mutable_data().data()[k] = gen.normal();
  if (verbose)
    std::printf(
        "graph: %lld nodes, %lld edges (%lld with self-loops), made in %.2f s; "
        "%lld -> %lld heads x %lld; %d threads; GEMM: %s\n",
        static_cast<long long>(nodes), static_cast<long long>(edges),
        static_cast<long long>(looped.num_edges()), gen_s, static_cast<long long>(features),
        static_cast<long long>(heads), static_cast<long long>(channels), threads, gemm_backend());

  std::string json_parts;
  if (model_choice != "gat") {
    // The layer: GATConv or GATv2Conv, same sizes, loss mean(out²) (mean_square: one fused op,
    // as PyG's out.pow(2).mean() is two), Adam.
    auto run_layer = [&](Module& conv, const std::function<Variable()>& fwd, const char* label) {
      Adam opt(conv.parameters(), {.lr = 0.005f});
      StepTimes t = measure(
          conv,
          [&] {
            Variable out = fwd();
            return mean_square(out);
          },
          [&] { fwd(); }, opt, warmup, steps, progress, label);
      if (verbose) print_times((std::string(label) + " layer:").c_str(), t);
      json_parts += std::string("\"layer\": ") + times_json(t);
      json_parts += ", \"conv\": \"" + conv_choice + "\"";
    };
    if (conv_choice == "gat") {
      GATConv conv({.in_channels = features, .out_channels = channels, .heads = heads}, gen);
      run_layer(
          conv, [&] { return conv.forward(x, graph); }, "GATConv");
    } else {
      GATv2Conv conv({.in_channels = features, .out_channels = channels, .heads = heads}, gen);
      run_layer(
          conv, [&] { return conv.forward(x, graph); }, "GATv2Conv");
    }
  }
  if (model_choice != "layer") {
    GAT model({.in_channels = features,
               .hidden_channels = channels,
               .out_channels = classes,
               .heads = heads},
              gen);
    Adam opt(model.parameters(), {.lr = 0.005f, .weight_decay = 5e-4f});
    std::vector<int32_t> labels(nodes);
    for (auto& l : labels)
      l = static_cast<int32_t>(gen.below(classes));
    std::vector<int64_t> all(nodes);
    for (int64_t i = 0; i < nodes; ++i)
      all[i] = i;
    StepTimes t = measure(
        model, [&] { return nll_loss(log_softmax(model.forward(x, graph)), labels, all); },
        [&] { model.forward(x, graph); }, opt, warmup, steps, progress, "GAT");
    if (verbose) print_times("two-layer GAT (dropout 0.6):", t);
    if (!json_parts.empty()) json_parts += ", ";
    json_parts += "\"gat\": " + times_json(t);
  }
  if (verbose) {
    std::printf("graph index (with self-loops): %.1f MiB; peak RSS of the process: %.1f MiB\n",
                mib(graph_bytes), mib(memory::peak_rss_bytes()));
  } else {
    std::printf(
        "{\"nodes\": %lld, \"edges\": %lld, \"edges_with_self_loops\": %lld, "
        "\"features\": %lld, \"heads\": %lld, \"channels\": %lld, \"threads\": %d, "
        "\"steps\": %d, \"warmup\": %d, \"gemm\": \"%s\", \"graph_s\": %.4f, "
        "\"graph_index_mib\": %.1f, \"peak_rss_mib\": %.1f, %s}\n",
        static_cast<long long>(nodes), static_cast<long long>(edges),
        static_cast<long long>(looped.num_edges()), static_cast<long long>(features),
        static_cast<long long>(heads), static_cast<long long>(channels), threads, steps, warmup,
        gemm_backend(), gen_s, mib(graph_bytes), mib(memory::peak_rss_bytes()), json_parts.c_str());
  }
  return 0;
}

}  // namespace gat::cli
