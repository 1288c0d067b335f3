// End-to-end tests of the gat command-line tool: every command is run as a child process on
// small inputs (the built-in Cora, or generated data), and its exit code, stdout, stderr and the
// files it writes are checked. JSON outputs are read back with nlohmann-json (gat/io/json.h), .npy
// files with its own reader.
//
// Exit codes under test: 0 success; 2 a bad command line (unknown command or option, a malformed
// or out-of-range value, an input path that cannot be read, an output path that cannot be
// written), reported before any work starts, with stderr naming the option and the value; 1 a
// run that failed (a file that exists but whose content is wrong).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "gat/data/planetoid.h"
#include "gat/io/atomic_file.h"
#include "gat/io/json.h"
#include "gat/io/npy.h"
#include "gat_process.h"
#include "testing/temp_dir.h"

namespace gat {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::TempDir;

constexpr const char* kCommands[] = {"train",   "eval", "predict",     "info",
                                     "compare", "demo", "graph-train", "bench"};

// A run's outcome for a failure message: exit code and both streams.
std::string show(const ProcessResult& r) {
  return "exit code " + std::to_string(r.exit_code) + "\n--- stdout ---\n" + r.out +
         "\n--- stderr ---\n" + r.err;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void expect_accuracy(const Json& v, const std::string& what) {
  const double a = v.get<double>();
  EXPECT_GE(a, 0.0) << what;
  EXPECT_LE(a, 1.0) << what;
}

// A split's {"loss", "accuracy"} object: accuracy in [0, 1], a finite positive loss.
void expect_metrics(const Json& m, const std::string& what) {
  expect_accuracy(m.at("accuracy"), what + ".accuracy");
  const double loss = m.at("loss").get<double>();
  EXPECT_TRUE(std::isfinite(loss) && loss > 0) << what << ".loss = " << loss;
}

class Cli : public ::testing::Test {
 protected:
  Cli() { fs::create_directory(cache_dir()); }

  std::string cache_dir() const { return tmp_.file("cache"); }
  std::string path(const std::string& name) const { return tmp_.file(name); }

  // gat with these arguments, hermetically (see gat_process.h).
  ProcessResult gat(const std::vector<std::string>& args) const {
    return testing::run_process(GAT_CLI_PATH, args, testing::hermetic_environment(cache_dir()));
  }

  // A few epochs of the GAT on Cora, saved to `model`; returns the parsed --json output.
  Json train_model(const std::string& model, int epochs = 3) const {
    const ProcessResult r = gat({"train", "--epochs", std::to_string(epochs), "--threads", "2",
                                 "--no-download", "--json", "--save", model});
    EXPECT_EQ(r.exit_code, 0) << show(r);
    return json::parse(r.out, "gat's output");
  }

  TempDir tmp_{"gat_cli_test"};
};

// ---- the top level ---------------------------------------------------------------------------

TEST_F(Cli, NoArgumentsPrintsUsageToStderrAndExits2) {
  const ProcessResult r = gat({});
  EXPECT_EQ(r.exit_code, 2) << show(r);
  EXPECT_TRUE(has(r.err, "usage: gat <command>")) << show(r);
  EXPECT_EQ(r.out, "");
}

TEST_F(Cli, HelpListsEveryCommand) {
  for (const char* flag : {"--help", "-h", "help"}) {
    const ProcessResult r = gat({flag});
    EXPECT_EQ(r.exit_code, 0) << flag << "\n" << show(r);
    EXPECT_TRUE(has(r.out, "usage: gat <command>")) << show(r);
    for (const char* c : kCommands)
      EXPECT_TRUE(has(r.out, std::string("\n  ") + c + " ")) << c << " missing\n" << show(r);
    EXPECT_TRUE(has(r.out, "exit status")) << show(r);
  }
}

TEST_F(Cli, UnknownCommandExits2AndNamesIt) {
  const ProcessResult r = gat({"trian", "--epochs", "3"});
  EXPECT_EQ(r.exit_code, 2) << show(r);
  EXPECT_TRUE(has(r.err, "unknown command 'trian'")) << show(r);
  EXPECT_TRUE(has(r.err, "usage: gat <command>")) << show(r);
  EXPECT_EQ(r.out, "");
}

// ---- gat <command> --help --------------------------------------------------------------------

struct HelpCase {
  const char* command;
  std::vector<std::string> options;  // some options the help must list
};

// What gtest prints for a case (else a dump of the struct's bytes).
void PrintTo(const HelpCase& c, std::ostream* os) {
  *os << c.command;
}

class CliHelp : public Cli, public ::testing::WithParamInterface<HelpCase> {};

TEST_P(CliHelp, ListsTheOptionsAndExits0) {
  const HelpCase& c = GetParam();
  const ProcessResult r = gat({c.command, "--help"});
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, std::string("usage: gat ") + c.command + " [options]")) << show(r);
  for (const std::string& o : c.options)
    EXPECT_TRUE(has(r.out, "\n  " + o + " ")) << o << " not listed\n" << show(r);
  EXPECT_TRUE(has(r.out, "--help")) << show(r);
  EXPECT_EQ(r.err, "");
  // Wrapped for a terminal: no line beyond 100 columns.
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    EXPECT_LE(line.size(), 100u) << line;
}

INSTANTIATE_TEST_SUITE_P(
    EveryCommand, CliHelp,
    ::testing::Values(
        HelpCase{"train", {"--dataset", "--model", "--epochs", "--runs", "--save", "--json"}},
        HelpCase{"eval", {"--model", "--dataset", "--threads", "--json"}},
        HelpCase{"predict", {"--model", "--out", "--dataset", "--threads"}},
        HelpCase{"info", {"--dataset", "--root", "--no-download", "--json"}},
        HelpCase{"compare", {"--models", "--datasets", "--runs", "--epochs", "--json"}},
        HelpCase{"demo", {"--nodes", "--classes", "--epochs", "--threads"}},
        HelpCase{"graph-train", {"--graphs", "--epochs", "--pooling", "--no-baseline", "--json"}},
        HelpCase{"bench", {"--nodes", "--edges", "--steps", "--warmup", "--model", "--json"}}),
    [](const ::testing::TestParamInfo<HelpCase>& info) {
      std::string name = info.param.command;
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

// ---- train, eval, predict --------------------------------------------------------------------

// --model names a registry entry in any case; its published setup fills what the user left out.
TEST_F(Cli, TrainTakesTheModelsPublishedSetupUnderTheOptionsGiven) {
  const ProcessResult r = gat(
      {"train", "--model", "GCN", "--epochs", "2", "--threads", "2", "--no-download", "--json"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const Json j = json::parse(r.out, "gat's output");
  EXPECT_EQ(j.at("model"), (Json{{"arch", "GCN"},
                                 {"in_channels", 1433},
                                 {"hidden_channels", 16},
                                 {"out_channels", 7},
                                 {"dropout", 0.5}}));
  EXPECT_EQ(j.at("training").at("lr"), 0.01);
  EXPECT_EQ(j.at("training").at("patience"), 0);
  const ProcessResult mine = gat({"train", "--model", "gcn", "--epochs", "2", "--hidden", "32",
                                  "--lr", "0.02", "--threads", "2", "--no-download", "--json"});
  ASSERT_EQ(mine.exit_code, 0) << show(mine);
  const Json m = json::parse(mine.out, "gat's output");
  EXPECT_EQ(m.at("model").at("hidden_channels"), 32);
  EXPECT_EQ(m.at("model").at("dropout"), 0.5);
  EXPECT_EQ(m.at("training").at("lr"), 0.02);
}

// As with most command-line tools, an option given twice takes its last value.
TEST_F(Cli, ARepeatedOptionTakesItsLastValue) {
  const ProcessResult r = gat({"demo", "--nodes", "200", "--classes", "3", "--features", "30",
                               "--epochs", "50", "--epochs", "4", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "; 4 epochs in ")) << show(r);
}

TEST_F(Cli, TrainJsonReportsTheRunAndSavesTheModel) {
  const std::string model = path("m.safetensors");
  const ProcessResult r =
      gat({"train", "--epochs", "3", "--threads", "2", "--no-download", "--json", "--save", model});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  // Floats print as given, not through their double expansion (0.6000000238418579).
  EXPECT_TRUE(has(r.out, "\"lr\": 0.005,")) << r.out;
  EXPECT_TRUE(has(r.out, "\"dropout\": 0.6,")) << r.out;
  EXPECT_FALSE(has(r.err, "\r")) << "progress lines in a pipe:\n" << r.err;

  const Json j = json::parse(r.out, "gat's output");
  EXPECT_EQ(j.at("dataset").get<std::string>(), "Cora");
  EXPECT_EQ(j.at("model").at("heads").get<int64_t>(), 8);
  EXPECT_EQ(j.at("model").at("in_channels").get<int64_t>(), 1433);
  EXPECT_EQ(j.at("model").at("out_channels").get<int64_t>(), 7);
  const Json& training = j.at("training");
  EXPECT_EQ(training.at("max_epochs").get<int64_t>(), 3);
  EXPECT_EQ(training.at("threads").get<int64_t>(), 2);
  EXPECT_EQ(training.at("lr").get<double>(), 0.005);
  EXPECT_EQ(training.at("weight_decay").get<double>(), 5e-4);
  EXPECT_EQ(j.at("model").at("negative_slope").get<double>(), 0.2);
  ASSERT_EQ(j.at("runs").size(), 1u);
  const Json& run = j.at("runs").at(0);
  EXPECT_EQ(run.at("seed").get<int64_t>(), 0);
  EXPECT_EQ(run.at("epochs").get<int64_t>(), 3);
  EXPECT_GE(run.at("best_epoch").get<int64_t>(), 0);
  EXPECT_LE(run.at("best_epoch").get<int64_t>(), 3);
  for (const char* split : {"train", "val", "test"})
    expect_metrics(run.at(split), split);
  const Json& summary = j.at("summary");
  EXPECT_EQ(summary.at("runs").get<int64_t>(), 1);
  EXPECT_EQ(summary.at("epochs_mean").get<double>(), 3.0);
  EXPECT_EQ(summary.at("test_accuracy_mean").get<double>(),
            run.at("test").at("accuracy").get<double>());

  ASSERT_TRUE(fs::is_regular_file(model));
  EXPECT_GT(fs::file_size(model), 1000u);
}

TEST_F(Cli, TrainTextWithOneRunPrintsNoSpread) {
  const ProcessResult r = gat({"train", "--epochs", "2", "--threads", "2", "--no-download"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "Cora: 2708 nodes, 10556 directed edges, 1433 features, 7 classes"))
      << show(r);
  EXPECT_TRUE(has(r.out, "run 1: 2 epochs")) << show(r);
  EXPECT_TRUE(has(r.out, "Cora, 1 run: test accuracy ")) << show(r);
  EXPECT_FALSE(has(r.out, "±")) << "a single run has no spread:\n" << show(r);
  EXPECT_FALSE(has(r.err, "\r")) << "progress lines in a pipe:\n" << r.err;
}

TEST_F(Cli, TrainTextWithTwoRunsPrintsMeanAndSpread) {
  const ProcessResult r =
      gat({"train", "--epochs", "2", "--runs", "2", "--threads", "2", "--no-download", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "run 2: 2 epochs")) << show(r);
  EXPECT_TRUE(has(r.out, "Cora, 2 runs: test accuracy ")) << show(r);
  EXPECT_TRUE(has(r.out, " ± ")) << show(r);
}

TEST_F(Cli, EvalOfTheSavedModelReproducesTrainsAccuracy) {
  const std::string model = path("m.safetensors");
  const Json trained = train_model(model);
  ASSERT_FALSE(HasFailure());
  const Json& final_run = trained.at("runs").at(0);

  const ProcessResult r =
      gat({"eval", "--model", model, "--threads", "2", "--no-download", "--json"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const Json j = json::parse(r.out, "gat's output");
  EXPECT_EQ(j.at("dataset").get<std::string>(), "Cora");  // read from the checkpoint
  EXPECT_EQ(j.at("model").get<std::string>(), model);
  for (const char* split : {"train", "val", "test"}) {
    expect_metrics(j.at(split), split);
    // The same weights on the same data: train's final evaluation is eval's.
    EXPECT_EQ(j.at(split).at("accuracy").get<double>(),
              final_run.at(split).at("accuracy").get<double>())
        << split;
    EXPECT_NEAR(j.at(split).at("loss").get<double>(), final_run.at(split).at("loss").get<double>(),
                1e-6)
        << split;
  }

  const ProcessResult text = gat({"eval", "--model", model, "--threads", "2", "--no-download"});
  ASSERT_EQ(text.exit_code, 0) << show(text);
  EXPECT_TRUE(has(text.out, model + " on Cora:")) << show(text);
  EXPECT_TRUE(has(text.out, "  train accuracy ")) << show(text);
  EXPECT_TRUE(has(text.out, "(140 nodes)")) << show(text);
  EXPECT_TRUE(has(text.out, "  val   accuracy ")) << show(text);
  EXPECT_TRUE(has(text.out, "(500 nodes)")) << show(text);
  EXPECT_TRUE(has(text.out, "  test  accuracy ")) << show(text);
  EXPECT_TRUE(has(text.out, "(1000 nodes)")) << show(text);
}

TEST_F(Cli, PredictWritesEveryNodesLogitsAsFloat32Npy) {
  const std::string model = path("m.safetensors"), out = path("logits.npy");
  const Json trained = train_model(model);
  ASSERT_FALSE(HasFailure());

  const ProcessResult r =
      gat({"predict", "--model", model, "--out", out, "--threads", "2", "--no-download"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "wrote " + out + ": logits [2708, 7]")) << show(r);
  EXPECT_TRUE(has(io::read_file(out), "'descr': '<f4'"));
  const Tensor logits = io::load_npy_f32(out);
  ASSERT_EQ(logits.dim(), 2);
  ASSERT_EQ(logits.size(0), 2708);
  ASSERT_EQ(logits.size(1), 7);
  for (int64_t k = 0; k < logits.numel(); ++k)
    ASSERT_TRUE(std::isfinite(logits.data()[k])) << "logit " << k;

  // The logits are the model's: their argmax on the test nodes gives train's test accuracy.
  const NodeTask cora =
      load_planetoid(std::string(GAT_TEST_SOURCE_DIR) + "/data/planetoid/cora", "cora");
  int64_t correct = 0;
  for (int64_t i : cora.test) {
    int64_t best = 0;
    for (int64_t c = 1; c < 7; ++c)
      if (logits.at(i, c) > logits.at(i, best)) best = c;
    correct += best == cora.labels[i];
  }
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / static_cast<double>(cora.test.size()),
                   trained.at("runs").at(0).at("test").at("accuracy").get<double>());
}

// ---- info ------------------------------------------------------------------------------------

TEST_F(Cli, InfoDescribesCoraInTextAndJson) {
  const ProcessResult text = gat({"info", "--no-download"});
  ASSERT_EQ(text.exit_code, 0) << show(text);
  EXPECT_TRUE(has(text.out, "Cora\n")) << show(text);
  EXPECT_TRUE(has(text.out, "  nodes            2708\n")) << show(text);
  EXPECT_TRUE(has(text.out, "  directed edges   10556")) << show(text);
  EXPECT_TRUE(has(text.out, "  features         1433")) << show(text);
  EXPECT_TRUE(has(text.out, "  split            train 140, val 500, test 1000")) << show(text);
  EXPECT_TRUE(has(text.out, "in-degree histogram:")) << show(text);

  const ProcessResult r = gat({"info", "--no-download", "--json"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const Json j = json::parse(r.out, "gat's output");
  EXPECT_EQ(j.at("dataset").get<std::string>(), "Cora");
  EXPECT_EQ(j.at("nodes").get<int64_t>(), 2708);
  EXPECT_EQ(j.at("directed_edges").get<int64_t>(), 10556);
  EXPECT_EQ(j.at("features").get<int64_t>(), 1433);
  EXPECT_EQ(j.at("classes").get<int64_t>(), 7);
  EXPECT_EQ(j.at("split").at("train").get<int64_t>(), 140);
  EXPECT_EQ(j.at("split").at("val").get<int64_t>(), 500);
  EXPECT_EQ(j.at("split").at("test").get<int64_t>(), 1000);
  int64_t by_class = 0, by_degree = 0;
  ASSERT_EQ(j.at("class_sizes").size(), 7u);
  for (const Json& c : j.at("class_sizes"))
    by_class += c.get<int64_t>();
  for (const auto& [bucket, count] : j.at("in_degree_histogram").items())
    by_degree += count.get<int64_t>();
  EXPECT_EQ(by_class, 2708);
  EXPECT_EQ(by_degree, 2708);
}

// ---- compare ---------------------------------------------------------------------------------

TEST_F(Cli, CompareJsonHasOneCellPerModelAndDataset) {
  const ProcessResult r = gat({"compare", "--models", "mlp,gat", "--datasets", "cora", "--runs",
                               "1", "--epochs", "3", "--threads", "2", "--no-download", "--json"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const Json j = json::parse(r.out, "gat's output");
  EXPECT_EQ(j.at("threads").get<int64_t>(), 2);
  ASSERT_EQ(j.at("cells").size(), 2u);
  const char* arch[] = {"MLP", "GAT"};
  const char* lr[] = {"0.01", "0.005"};  // each model's published setup
  for (int k = 0; k < 2; ++k) {
    const Json& c = j.at("cells").at(k);
    EXPECT_EQ(c.at("dataset").get<std::string>(), "Cora");
    EXPECT_EQ(c.at("model").at("arch").get<std::string>(), arch[k]);
    EXPECT_EQ(c.at("runs").get<int64_t>(), 1);
    EXPECT_EQ(c.at("training").at("max_epochs").get<int64_t>(), 3);
    EXPECT_EQ(json::dump(c.at("training").at("lr")), lr[k]);
    EXPECT_EQ(c.at("epochs_mean").get<double>(), 3.0);
    expect_accuracy(c.at("test_accuracy_mean"), arch[k]);
    ASSERT_EQ(c.at("test_accuracy_per_run").size(), 1u);
    EXPECT_EQ(c.at("test_accuracy_per_run").at(0).get<double>(),
              c.at("test_accuracy_mean").get<double>());
  }
}

TEST_F(Cli, CompareTextWithOneRunPrintsNoSpreadAndNoProgressLines) {
  const ProcessResult r = gat({"compare", "--models", "mlp", "--datasets", "cora", "--runs", "1",
                               "--epochs", "3", "--threads", "2", "--no-download"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "test accuracy")) << show(r);  // the table's header
  EXPECT_TRUE(has(r.out, "\nCora      mlp    ")) << show(r);
  EXPECT_TRUE(has(r.out, " %")) << show(r);
  EXPECT_FALSE(has(r.out, "±")) << "a single run has no spread:\n" << show(r);
  EXPECT_FALSE(has(r.err, "\r")) << "progress lines in a pipe:\n" << r.err;

  const ProcessResult two = gat({"compare", "--models", "mlp", "--datasets", "cora", "--runs", "2",
                                 "--epochs", "3", "--threads", "2", "--no-download"});
  ASSERT_EQ(two.exit_code, 0) << show(two);
  EXPECT_TRUE(has(two.out, " ± ")) << show(two);
}

// ---- demo, graph-train, bench ----------------------------------------------------------------

TEST_F(Cli, DemoTrainsOnAGeneratedGraph) {
  const ProcessResult r = gat({"demo", "--nodes", "200", "--classes", "3", "--features", "30",
                               "--epochs", "5", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "planted_topics: 200 nodes")) << show(r);
  EXPECT_TRUE(has(r.out, "30 features, 3 classes")) << show(r);
  EXPECT_TRUE(has(r.out, "epoch    1 ")) << show(r);
  EXPECT_TRUE(has(r.out, "test accuracy: ")) << show(r);
  EXPECT_TRUE(has(r.out, "5 epochs in ")) << show(r);
}

TEST_F(Cli, GraphTrainJsonReportsTheRunsAndTheBaselines) {
  const ProcessResult r =
      gat({"graph-train", "--graphs", "30", "--epochs", "2", "--threads", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "\"lr\": 0.005,")) << r.out;
  const Json j = json::parse(r.out, "gat's output");
  EXPECT_EQ(j.at("data").at("graphs").get<int64_t>(), 30);
  EXPECT_EQ(j.at("data").at("train_graphs").get<int64_t>() +
                j.at("data").at("val_graphs").get<int64_t>() +
                j.at("data").at("test_graphs").get<int64_t>(),
            30);
  expect_accuracy(j.at("chance_accuracy"), "chance_accuracy");
  EXPECT_GE(j.at("chance_accuracy").get<double>(), 0.5);
  EXPECT_EQ(j.at("training").at("epochs").get<int64_t>(), 2);
  EXPECT_EQ(j.at("training").at("threads").get<int64_t>(), 2);
  const Json& result = j.at("result");
  EXPECT_EQ(result.at("pooling").get<std::string>(), "attention");
  EXPECT_EQ(result.at("epochs").get<int64_t>(), 2);
  for (const char* split : {"train", "val", "test"})
    expect_metrics(result.at(split), split);
  EXPECT_EQ(j.at("baseline").at("pooling").get<std::string>(), "mean");
  expect_metrics(j.at("mlp_mean_features").at("test"), "mlp_mean_features.test");
}

TEST_F(Cli, GraphTrainTextWithoutBaselinePrintsOneRun) {
  const ProcessResult r = gat({"graph-train", "--graphs", "30", "--epochs", "2", "--threads", "2",
                               "--pooling", "mean", "--no-baseline"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "data: marker_neighbour, 30 graphs")) << show(r);
  EXPECT_TRUE(has(r.out, "mean pooling: test accuracy ")) << show(r);
  EXPECT_FALSE(has(r.out, "attention pooling")) << show(r);
  EXPECT_FALSE(has(r.out, "MLP on mean input features")) << show(r);
  EXPECT_FALSE(has(r.err, "\r")) << "progress lines in a pipe:\n" << r.err;
}

const std::vector<std::string> kTinyBench = {
    "bench",   "--nodes",  "200",        "--edges",   "1000",      "--features", "8",
    "--heads", "2",        "--channels", "4",         "--classes", "3",          "--steps",
    "2",       "--warmup", "1",          "--threads", "2"};

TEST_F(Cli, BenchTextTimesTheLayerAndTheModelWithoutProgressLines) {
  const ProcessResult r = gat(kTinyBench);
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_TRUE(has(r.out, "graph: 200 nodes, 1000 edges (1200 with self-loops)")) << show(r);
  EXPECT_TRUE(has(r.out, "GATConv layer:")) << show(r);
  EXPECT_TRUE(has(r.out, "two-layer GAT (dropout 0.6):")) << show(r);
  EXPECT_TRUE(has(r.out, "  training step ")) << show(r);
  EXPECT_TRUE(has(r.out, "peak RSS")) << show(r);
  EXPECT_FALSE(has(r.err, "\r")) << "progress lines in a pipe:\n" << r.err;
}

TEST_F(Cli, BenchJsonHasTheSizesAndTimings) {
  std::vector<std::string> args = kTinyBench;
  args.insert(args.end(), {"--conv", "gatv2", "--json"});
  const ProcessResult r = gat(args);
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const Json j = json::parse(r.out, "gat's output");
  EXPECT_EQ(j.at("nodes").get<int64_t>(), 200);
  EXPECT_EQ(j.at("edges").get<int64_t>(), 1000);
  EXPECT_EQ(j.at("edges_with_self_loops").get<int64_t>(), 1200);
  EXPECT_EQ(j.at("steps").get<int64_t>(), 2);
  EXPECT_EQ(j.at("warmup").get<int64_t>(), 1);
  EXPECT_EQ(j.at("threads").get<int64_t>(), 2);
  EXPECT_EQ(j.at("conv").get<std::string>(), "gatv2");
  for (const char* part : {"layer", "gat"}) {
    for (const char* phase : {"forward", "backward", "optimizer", "train_step", "inference"}) {
      const Json& s = j.at(part).at(phase);
      EXPECT_GE(s.at("min_s").get<double>(), 0.0) << part << "." << phase;
      EXPECT_LE(s.at("min_s").get<double>(), s.at("median_s").get<double>())
          << part << "." << phase;
      EXPECT_LE(s.at("median_s").get<double>(), s.at("max_s").get<double>())
          << part << "." << phase;
    }
  }
  EXPECT_EQ(r.err, "");
}

// ---- bad command lines: exit 2, stderr names the option and the value, nothing runs ----------

struct BadCase {
  const char* name;
  std::vector<std::string> args;  // "{tmp}" stands for the test's temporary directory
  std::vector<std::string> in_stderr;
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << "gat";
  for (const std::string& a : c.args)
    *os << ' ' << a;
}

class CliBadCommandLine : public Cli, public ::testing::WithParamInterface<BadCase> {
 protected:
  std::string expand(const std::string& s) const {
    std::string out = s;
    for (size_t at; (at = out.find("{tmp}")) != std::string::npos;)
      out.replace(at, 5, tmp_.path());
    return out;
  }
};

TEST_P(CliBadCommandLine, Exits2BeforeAnyWork) {
  const BadCase& c = GetParam();
  // An existing file for options that need one (its content is never read: the command line
  // is rejected first).
  io::write_file_atomic(path("exists.bin"), "not a model");
  std::vector<std::string> args;
  for (const std::string& a : c.args)
    args.push_back(expand(a));
  const ProcessResult r = gat(args);
  EXPECT_EQ(r.exit_code, 2) << show(r);
  const std::string command = args.front();
  EXPECT_TRUE(has(r.err, "gat " + command + ": ")) << show(r);
  EXPECT_TRUE(has(r.err, "(see `gat " + command + " --help`)")) << show(r);
  for (const std::string& part : c.in_stderr)
    EXPECT_TRUE(has(r.err, expand(part))) << show(r);
  EXPECT_EQ(r.out, "") << "the command started working";
  EXPECT_FALSE(has(r.err, "reading ")) << "the dataset was loaded:\n" << show(r);
  EXPECT_FALSE(fs::exists(path("out.npy")));
}

INSTANTIATE_TEST_SUITE_P(
    EveryCommand, CliBadCommandLine,
    ::testing::Values(
        // train
        BadCase{"train_unknown_option", {"train", "--epoch", "3"}, {"unknown option --epoch"}},
        BadCase{"train_negative_epochs", {"train", "--epochs", "-5"}, {"--epochs", "'-5'"}},
        BadCase{"train_zero_runs", {"train", "--runs", "0"}, {"--runs", "'0'"}},
        BadCase{"train_lr_not_a_number", {"train", "--lr", "abc"}, {"--lr", "'abc'"}},
        BadCase{"train_negative_lr", {"train", "--lr=-0.1"}, {"--lr", "'-0.1'"}},
        BadCase{"train_zero_threads", {"train", "--threads", "0"}, {"--threads", "'0'"}},
        BadCase{"train_dropout_one", {"train", "--dropout", "1"}, {"--dropout", "'1'"}},
        BadCase{"train_zero_heads", {"train", "--heads", "0"}, {"--heads", "'0'"}},
        BadCase{"train_negative_patience", {"train", "--patience", "-1"}, {"--patience", "'-1'"}},
        BadCase{"train_unknown_model", {"train", "--model", "gin"}, {"--model", "'gin'"}},
        BadCase{"train_unknown_dataset", {"train", "--dataset", "imdb"}, {"--dataset", "'imdb'"}},
        BadCase{"train_missing_value", {"train", "--epochs"}, {"--epochs needs a value"}},
        BadCase{"train_option_the_model_lacks",
                {"train", "--model", "gcn", "--heads", "4"},
                {"--heads does not apply to --model gcn"}},
        BadCase{"train_flag_with_a_value", {"train", "--json=x"}, {"--json", "x"}},
        BadCase{
            "train_unknown_option_with_value", {"train", "--epoch=3"}, {"unknown option --epoch "}},
        BadCase{"train_stray_argument", {"train", "cora"}, {"unexpected argument 'cora'"}},
        BadCase{"train_missing_root",
                {"train", "--root", "{tmp}/nowhere"},
                {"--root", "{tmp}/nowhere", "No such file or directory"}},
        BadCase{"train_save_into_missing_dir",
                {"train", "--save", "{tmp}/missing/m.safetensors"},
                {"--save", "{tmp}/missing/m.safetensors", "No such file or directory"}},
        BadCase{"train_save_onto_a_directory",
                {"train", "--save", "{tmp}"},
                {"--save", "{tmp}", "is a directory"}},
        // eval
        BadCase{"eval_missing_model_file",
                {"eval", "--model", "/nonexistent.safetensors"},
                {"--model", "/nonexistent.safetensors", "No such file or directory"}},
        BadCase{"eval_no_model", {"eval"}, {"--model FILE is required"}},
        BadCase{"eval_zero_threads",
                {"eval", "--model", "{tmp}/exists.bin", "--threads", "0"},
                {"--threads", "'0'"}},
        BadCase{"eval_unknown_option", {"eval", "--modle", "x"}, {"unknown option --modle"}},
        // predict
        BadCase{"predict_missing_model_file",
                {"predict", "--model", "{tmp}/missing.safetensors", "--out", "{tmp}/out.npy"},
                {"--model", "{tmp}/missing.safetensors", "No such file or directory"}},
        BadCase{"predict_out_into_missing_dir",
                {"predict", "--model", "{tmp}/exists.bin", "--out", "{tmp}/missing/out.npy"},
                {"--out", "{tmp}/missing/out.npy", "No such file or directory"}},
        BadCase{"predict_no_out",
                {"predict", "--model", "{tmp}/exists.bin"},
                {"--out FILE.npy is required"}},
        // info
        BadCase{"info_unknown_dataset", {"info", "--dataset", "mnist"}, {"--dataset", "'mnist'"}},
        BadCase{"info_root_is_a_file",
                {"info", "--root", "{tmp}/exists.bin"},
                {"--root", "{tmp}/exists.bin", "is not a directory"}},
        BadCase{"info_unknown_option", {"info", "--nodes", "5"}, {"unknown option --nodes"}},
        // compare
        BadCase{"compare_zero_runs", {"compare", "--runs", "0"}, {"--runs", "'0'"}},
        BadCase{"compare_zero_epochs", {"compare", "--epochs", "0"}, {"--epochs", "'0'"}},
        BadCase{"compare_unknown_model", {"compare", "--models", "gat,gin"}, {"--models", "'gin'"}},
        BadCase{"compare_unknown_dataset",
                {"compare", "--datasets", "cora,imdb"},
                {"--datasets", "'imdb'"}},
        BadCase{"compare_zero_threads", {"compare", "--threads", "0"}, {"--threads", "'0'"}},
        BadCase{"compare_singular_dataset",
                {"compare", "--dataset", "citeseer"},
                {"unknown option --dataset"}},
        // demo
        BadCase{"demo_zero_epochs", {"demo", "--epochs", "0"}, {"--epochs", "'0'"}},
        BadCase{"demo_one_class", {"demo", "--classes", "1"}, {"--classes", "'1'"}},
        BadCase{"demo_too_few_nodes", {"demo", "--nodes", "100"}, {"--nodes", "'100'"}},
        BadCase{
            "demo_fewer_features_than_classes", {"demo", "--features", "3"}, {"--features", "'3'"}},
        BadCase{
            "demo_homophily_above_one", {"demo", "--homophily", "1.5"}, {"--homophily", "'1.5'"}},
        BadCase{"demo_lr_not_finite", {"demo", "--lr", "inf"}, {"--lr", "'inf'"}},
        BadCase{"demo_zero_threads", {"demo", "--threads", "0"}, {"--threads", "'0'"}},
        // graph-train
        BadCase{
            "graph_train_too_few_graphs", {"graph-train", "--graphs", "5"}, {"--graphs", "'5'"}},
        BadCase{"graph_train_max_below_min",
                {"graph-train", "--max-nodes", "8"},
                {"--max-nodes", "'8'"}},
        BadCase{"graph_train_zero_batch",
                {"graph-train", "--batch-size", "0"},
                {"--batch-size", "'0'"}},
        BadCase{"graph_train_unknown_pooling",
                {"graph-train", "--pooling", "max"},
                {"--pooling", "'max'"}},
        BadCase{"graph_train_zero_epochs", {"graph-train", "--epochs", "0"}, {"--epochs", "'0'"}},
        BadCase{
            "graph_train_zero_threads", {"graph-train", "--threads", "0"}, {"--threads", "'0'"}},
        // bench
        BadCase{"bench_zero_steps", {"bench", "--steps", "0"}, {"--steps", "'0'"}},
        BadCase{"bench_zero_nodes", {"bench", "--nodes", "0"}, {"--nodes", "'0'"}},
        BadCase{"bench_too_many_edges",
                {"bench", "--nodes", "5", "--edges", "21"},
                {"--edges", "21", "5 nodes"}},
        BadCase{"bench_unknown_model", {"bench", "--model", "gcn"}, {"--model", "'gcn'"}},
        BadCase{"bench_unknown_conv", {"bench", "--conv", "gcn"}, {"--conv", "'gcn'"}},
        BadCase{"bench_missing_graph",
                {"bench", "--graph", "{tmp}/edges.npy"},
                {"--graph", "{tmp}/edges.npy", "No such file or directory"}},
        BadCase{"bench_zero_threads", {"bench", "--threads", "0"}, {"--threads", "'0'"}}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

// ---- runs that fail: exit 1 ------------------------------------------------------------------

TEST_F(Cli, AModelFileWithBadContentIsARunFailure) {
  const std::string model = path("garbage.safetensors");
  io::write_file_atomic(model, "not a safetensors file");
  const ProcessResult r = gat({"eval", "--model", model, "--no-download"});
  EXPECT_EQ(r.exit_code, 1) << show(r);
  EXPECT_TRUE(has(r.err, "gat eval: error: ")) << show(r);
  EXPECT_TRUE(has(r.err, model)) << show(r);
}

TEST_F(Cli, AGraphFileWithBadContentIsARunFailure) {
  const std::string graph = path("edges.npy");
  io::write_file_atomic(graph, "not an npy file");
  const ProcessResult r = gat({"bench", "--graph", graph, "--threads", "2"});
  EXPECT_EQ(r.exit_code, 1) << show(r);
  EXPECT_TRUE(has(r.err, "gat bench: error: ")) << show(r);
  EXPECT_TRUE(has(r.err, graph)) << show(r);
}

TEST_F(Cli, ADataDirectoryWithoutTheDatasetIsARunFailure) {
  fs::create_directory(path("empty"));
  const ProcessResult r = gat({"info", "--root", path("empty"), "--no-download"});
  EXPECT_EQ(r.exit_code, 1) << show(r);
  EXPECT_TRUE(has(r.err, "gat info: error: ")) << show(r);
}

}  // namespace
}  // namespace gat
