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
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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
#include "output.h"

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
// the same number of inference forwards, timing each phase, with a progress line.
StepTimes measure(Module& model, const std::function<Variable()>& forward_loss,
                  const std::function<void()>& infer, Optimizer& opt, int warmup, int steps,
                  const Output& out, const char* label) {
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
    out.progress("%s: training step %d/%d (%.3f s)", label, k + 1, warmup + steps, f + b + o);
  }
  r.peak_train_bytes = memory::peak_bytes() - base;
  memory::reset_peak();
  model.eval();
  for (int k = 0; k < warmup + steps; ++k) {
    NoGradGuard no_grad;
    auto t0 = Clock::now();
    infer();
    if (k >= warmup) r.inference.s.push_back(seconds_since(t0));
    out.progress("%s: inference %d/%d", label, k + 1, warmup + steps);
  }
  r.peak_infer_bytes = memory::peak_bytes() - base;
  out.clear_progress();
  return r;
}

double mib(size_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

Json series_json(const Series& s) {
  return {{"median_s", s.median()}, {"min_s", s.min()}, {"max_s", s.max()}};
}

Json times_json(const StepTimes& t) {
  return {{"forward", series_json(t.forward)},
          {"backward", series_json(t.backward)},
          {"optimizer", series_json(t.optimizer)},
          {"train_step", series_json(t.total)},
          {"inference", series_json(t.inference)},
          {"peak_train_tensor_mib", mib(t.peak_train_bytes)},
          {"peak_infer_tensor_mib", mib(t.peak_infer_bytes)}};
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

class BenchCommand final : public Command {
 public:
  std::string description() const override {
    return "Times a GATConv training step (forward, backward, Adam; loss = mean(out^2), no "
           "attention dropout, self-loops added) and an inference forward on a generated "
           "power-law graph, then the same for the two-layer GAT (dropout 0.6, NLL loss over all "
           "nodes, random labels). Reports medians over --steps after --warmup, and peak memory.";
  }

  void declare(Options& o) override {
    o.add_path("graph", &graph_file_, PathKind::kInputFile,
               "read the graph from an int64 [2, E] .npy edge list (row 0 sources, row 1 "
               "targets; the format bench/gen_graph.py writes, see bench/README.md) instead of "
               "generating one; nodes = max id + 1");
    // The graph's index limit (Graph::kMaxIndex) bounds the generated sizes.
    const double max_index = static_cast<double>(Graph::kMaxIndex);
    o.add("nodes", &nodes_, "nodes", {.min = 1, .max = max_index});
    o.add("edges", &edges_,
          "directed edges before self-loops are added (at most nodes x (nodes - 1))",
          {.min = 0, .max = max_index});
    o.add("features", &features_, "input features", at_least(1));
    o.add("heads", &heads_, "attention heads", at_least(1));
    o.add("channels", &channels_, "channels per head", at_least(1));
    o.add("classes", &classes_, "output classes of the two-layer model", at_least(1));
    o.add("steps", &steps_, "timed steps", at_least(1));
    o.add("warmup", &warmup_, "untimed steps first", at_least(0));
    o.common(&common, kThreads);
    o.add("model", &model_, "layer, gat, or both", {"layer", "gat", "both"});
    o.add("conv", &conv_, "the layer benchmarked: gat (GATConv) or gatv2 (GATv2Conv)",
          {"gat", "gatv2"});
    o.common(&common, kSeed | kJson);
  }

  // power_law_graph draws distinct edges without self-loops; with --graph the sizes are the
  // file's. (--nodes is at most 2^31 - 1, so the product fits in int64.)
  void validate(const Options&) override {
    if (graph_file_.empty() && edges_ > nodes_ * (nodes_ - 1))
      throw UsageError("--edges: " + std::to_string(edges_) + " distinct edges do not fit in " +
                       std::to_string(nodes_) + " nodes (--nodes); at most nodes x (nodes - 1)");
  }

  int run(const Options&, Output& out) override {
    Generator gen(static_cast<uint64_t>(common.seed));
    const auto t0 = Clock::now();
    const Graph graph = load_graph(gen);
    const Graph& looped = graph.with_self_loops();
    const double graph_s = seconds_since(t0);
    Variable x(Tensor::empty({nodes_, features_}));
    for (int64_t k = 0; k < x.numel(); ++k)
      x.mutable_data().data()[k] = gen.normal();
    out.result(
        "graph: %lld nodes, %lld edges (%lld with self-loops), made in %.2f s; %lld -> "
        "%lld heads x %lld; %d threads; GEMM: %s\n",
        static_cast<long long>(nodes_), static_cast<long long>(edges_),
        static_cast<long long>(looped.num_edges()), graph_s, static_cast<long long>(features_),
        static_cast<long long>(heads_), static_cast<long long>(channels_), common.threads,
        gemm_backend());
    Json doc = {{"nodes", nodes_},
                {"edges", edges_},
                {"edges_with_self_loops", looped.num_edges()},
                {"features", features_},
                {"heads", heads_},
                {"channels", channels_},
                {"threads", common.threads},
                {"steps", steps_},
                {"warmup", warmup_},
                {"gemm", gemm_backend()},
                {"graph_s", graph_s},
                {"graph_index_mib", mib(looped.memory_bytes())}};
    if (model_ != "gat") {
      doc["layer"] = times_json(bench_layer(graph, x, gen, out));
      doc["conv"] = conv_;
    }
    if (model_ != "layer") doc["gat"] = times_json(bench_model(graph, x, gen, out));
    doc["peak_rss_mib"] = mib(memory::peak_rss_bytes());
    out.result("graph index (with self-loops): %.1f MiB; peak RSS of the process: %.1f MiB\n",
               mib(looped.memory_bytes()), mib(memory::peak_rss_bytes()));
    out.document(doc, /*indent=*/-1);  // one line, as bench/compare_pyg.py reads it
    return 0;
  }

 private:
  // The generated graph, or the --graph file's (then --nodes and --edges become its sizes).
  Graph load_graph(Generator& gen) {
    if (graph_file_.empty()) return power_law_graph(nodes_, edges_, gen);
    std::vector<int64_t> shape;
    const std::vector<int64_t> edge_index = io::load_npy_i64(graph_file_, &shape);
    check<IoError>(shape.size() == 2 && shape[0] == 2, graph_file_.c_str(),
                   "expected an int64 edge list of shape [2, E]");
    int64_t max_id = -1;
    for (int64_t v : edge_index)
      max_id = std::max(max_id, v);
    nodes_ = max_id + 1;
    Graph graph = Graph::from_edge_index(nodes_, edge_index);
    edges_ = graph.num_edges();
    return graph;
  }

  // The layer: GATConv or GATv2Conv, same sizes, loss mean(out²) (mean_square: one fused op, as
  // PyG's out.pow(2).mean() is two), Adam.
  StepTimes bench_layer(const Graph& graph, const Variable& x, Generator& gen,
                        const Output& out) const {
    auto time = [&](Module& conv, const std::function<Variable()>& fwd, const char* label) {
      Adam opt(conv.parameters(), {.lr = 0.005f});
      StepTimes t = measure(
          conv, [&] { return mean_square(fwd()); }, [&] { fwd(); }, opt, warmup_, steps_, out,
          label);
      if (out.text()) print_times((std::string(label) + " layer:").c_str(), t);
      return t;
    };
    const GATConvOptions o{.in_channels = features_, .out_channels = channels_, .heads = heads_};
    if (conv_ == "gat") {
      GATConv conv(o, gen);
      return time(
          conv, [&] { return conv.forward(x, graph); }, "GATConv");
    }
    GATv2Conv conv({.in_channels = features_, .out_channels = channels_, .heads = heads_}, gen);
    return time(
        conv, [&] { return conv.forward(x, graph); }, "GATv2Conv");
  }

  StepTimes bench_model(const Graph& graph, const Variable& x, Generator& gen,
                        const Output& out) const {
    GAT model({.in_channels = features_,
               .hidden_channels = channels_,
               .out_channels = classes_,
               .heads = heads_},
              gen);
    Adam opt(model.parameters(), {.lr = 0.005f, .weight_decay = 5e-4f});
    std::vector<int32_t> labels(nodes_);
    for (auto& l : labels)
      l = static_cast<int32_t>(gen.below(classes_));
    std::vector<int64_t> all(nodes_);
    for (int64_t i = 0; i < nodes_; ++i)
      all[i] = i;
    StepTimes t = measure(
        model, [&] { return nll_loss(log_softmax(model.forward(x, graph)), labels, all); },
        [&] { model.forward(x, graph); }, opt, warmup_, steps_, out, "GAT");
    if (out.text()) print_times("two-layer GAT (dropout 0.6):", t);
    return t;
  }

  int64_t nodes_ = 100000, edges_ = 1000000, features_ = 128, heads_ = 8, channels_ = 16,
          classes_ = 16;
  int steps_ = 10, warmup_ = 2;
  std::string model_ = "both", graph_file_, conv_ = "gat";
};

}  // namespace

std::unique_ptr<Command> bench_command() {
  return std::make_unique<BenchCommand>();
}

}  // namespace gat::cli
