#include "gat/train/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gat/core/error.h"
#include "gat/io/atomic_file.h"
#include "gat/io/safetensors.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gatv2.h"
#include "gat/nn/graph_classifier.h"
#include "testing/assertions.h"
#include "testing/fixtures.h"
#include "testing/temp_dir.h"

namespace gat {
namespace {

using testing::throws_with;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gat_ckpt_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    Generator data(3);
    edges_ = testing::random_edges(30, 120, data);
    x_ = testing::random_tensor({30, 12}, data);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A trained-looking model: random parameters, biases included.
  GAT make_model(Generator& gen) const {
    GAT m({.in_channels = 12, .hidden_channels = 4, .out_channels = 5, .heads = 3}, gen);
    for (Variable p : m.parameters())
      p.mutable_data() = testing::random_tensor(p.shape(), gen);
    m.eval();
    return m;
  }
  Tensor logits(const NodeModel& m) const {
    NoGradGuard no_grad;
    return m.forward(Variable(x_), edges_.graph()).data();
  }
  // Rewrites a checkpoint with some tensors renamed/dropped/added.
  void rewrite(const std::string& from, const std::string& to,
               const std::function<void(std::vector<std::pair<std::string, Tensor>>&,
                                        std::map<std::string, std::string>&)>& edit) {
    io::SafetensorsData d = io::load_safetensors(from);
    edit(d.tensors, d.metadata);
    io::save_safetensors(to, d.tensors, d.metadata);
  }

  std::filesystem::path dir_;
  testing::EdgeList edges_;
  Tensor x_;
};

TEST_F(CheckpointTest, SaveLoadGivesIdenticalLogits) {
  Generator gen(1);
  GAT model = make_model(gen);
  save_checkpoint(path("m.safetensors"), model, {{"dataset", "Cora"}});
  Checkpoint ckpt = load_checkpoint(path("m.safetensors"));
  EXPECT_EQ(logits(ckpt.node_model()).to_vector(), logits(model).to_vector());
  EXPECT_EQ(ckpt.config.at("dataset").get<std::string>(), "Cora");
  EXPECT_EQ(ckpt.config.at("heads").get<int64_t>(), 3);
  EXPECT_FALSE(ckpt.model->is_training());
}

TEST_F(CheckpointTest, FileHoldsPyGNamesAndConfig) {
  Generator gen(1);
  GAT model = make_model(gen);
  save_checkpoint(path("m.safetensors"), model);
  io::SafetensorsData d = io::load_safetensors(path("m.safetensors"));
  std::vector<std::string> names;
  for (auto& [name, t] : d.tensors)
    names.push_back(name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"conv1.att_dst", "conv1.att_src", "conv1.bias",
                                             "conv1.lin.weight", "conv2.att_dst", "conv2.att_src",
                                             "conv2.bias", "conv2.lin.weight"}));
  Json c = json::parse(d.metadata.at("gat.config"), "gat.config");
  EXPECT_EQ(c.at("arch").get<std::string>(), "GAT");
  EXPECT_EQ(c.at("in_channels").get<int64_t>(), 12);
  EXPECT_EQ(c.at("out_heads").get<int64_t>(), 1);
  EXPECT_EQ(d.metadata.at("format"), "pt");
  // Float options are written as the shortest decimal of the float (0.6, not 0.6000000238418579)
  // and read back to the same float.
  const std::string& text = d.metadata.at("gat.config");
  EXPECT_NE(text.find("\"dropout\":0.6,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"negative_slope\":0.2,"), std::string::npos) << text;
  EXPECT_EQ(static_cast<float>(c.at("dropout").get<double>()), 0.6f);
}

TEST_F(CheckpointTest, AcceptsPyG20To24NamesAndPlainStateDicts) {
  Generator gen(2);
  GAT model = make_model(gen);
  save_checkpoint(path("m.safetensors"), model);
  // PyG 2.0–2.4: lin_src.weight and lin_dst.weight, the same matrix; and no gat.config at all.
  rewrite(path("m.safetensors"), path("old.safetensors"), [](auto& tensors, auto& meta) {
    meta.clear();
    std::vector<std::pair<std::string, Tensor>> out;
    for (auto& [name, t] : tensors) {
      const size_t at = name.find("lin.weight");
      if (at == std::string::npos) {
        out.emplace_back(name, t);
        continue;
      }
      out.emplace_back(name.substr(0, at) + "lin_src.weight", t);
      out.emplace_back(name.substr(0, at) + "lin_dst.weight", t);
    }
    tensors = out;
  });
  Checkpoint ckpt = load_checkpoint(path("old.safetensors"));
  EXPECT_EQ(logits(ckpt.node_model()).to_vector(), logits(model).to_vector());
  EXPECT_EQ(ckpt.config.at("hidden_channels").get<int64_t>(),
            4);  // inferred from att_src [1, 3, 4]
}

TEST_F(CheckpointTest, AcceptsPyG16Names) {
  Generator gen(2);
  GAT model = make_model(gen);
  save_checkpoint(path("m.safetensors"), model);
  rewrite(path("m.safetensors"), path("v16.safetensors"), [](auto& tensors, auto&) {
    std::vector<std::pair<std::string, Tensor>> out;
    for (auto& [name, t] : tensors) {
      std::string n = name;
      if (auto at = n.find("lin.weight"); at != std::string::npos) {
        out.emplace_back(n.substr(0, at) + "lin_l.weight", t);
        out.emplace_back(n.substr(0, at) + "lin_r.weight", t);
        continue;
      }
      if (auto at = n.find("att_src"); at != std::string::npos) n.replace(at, 7, "att_l");
      if (auto at = n.find("att_dst"); at != std::string::npos) n.replace(at, 7, "att_r");
      out.emplace_back(n, t);
    }
    tensors = out;
  });
  Checkpoint ckpt = load_checkpoint(path("v16.safetensors"));
  EXPECT_EQ(logits(ckpt.node_model()).to_vector(), logits(model).to_vector());
}

TEST_F(CheckpointTest, RefusesBrokenFiles) {
  Generator gen(4);
  GAT model = make_model(gen);
  const std::string good = path("m.safetensors");
  save_checkpoint(good, model);
  const std::string bytes = io::read_file(good);

  // Truncated.
  io::write_file_atomic(path("trunc.safetensors"), bytes.substr(0, bytes.size() - 10));
  EXPECT_THROW(load_checkpoint(path("trunc.safetensors")), IoError);
  // Missing tensor.
  rewrite(good, path("missing.safetensors"), [](auto& tensors, auto&) {
    std::erase_if(tensors, [](auto& kv) { return kv.first == "conv2.att_dst"; });
  });
  EXPECT_TRUE(throws_with<IoError>([&] { load_checkpoint(path("missing.safetensors")); },
                                   "conv2.att_dst is missing"));
  // Wrong shape.
  rewrite(good, path("shape.safetensors"), [](auto& tensors, auto&) {
    for (auto& [name, t] : tensors)
      if (name == "conv1.bias") t = Tensor::zeros({7});
  });
  EXPECT_TRUE(throws_with<IoError>([&] { load_checkpoint(path("shape.safetensors")); },
                                   "conv1.bias has shape [7] but the model needs [12]"));
  // An unexpected tensor.
  rewrite(good, path("extra.safetensors"),
          [](auto& tensors, auto&) { tensors.emplace_back("conv3.weight", Tensor::zeros({2})); });
  EXPECT_TRUE(throws_with<IoError>([&] { load_checkpoint(path("extra.safetensors")); },
                                   "unexpected tensor conv3.weight"));
  // lin_src and lin_dst that differ (a bipartite layer) are refused.
  rewrite(good, path("bip.safetensors"), [](auto& tensors, auto&) {
    std::vector<std::pair<std::string, Tensor>> out;
    for (auto& [name, t] : tensors) {
      if (name != "conv1.lin.weight") {
        out.emplace_back(name, t);
        continue;
      }
      Tensor other = t.clone();
      other.data()[0] += 1.0f;
      out.emplace_back("conv1.lin_src.weight", t);
      out.emplace_back("conv1.lin_dst.weight", other);
    }
    tensors = out;
  });
  EXPECT_TRUE(throws_with<IoError>([&] { load_checkpoint(path("bip.safetensors")); }, "differ"));
  // Bad metadata JSON.
  rewrite(good, path("meta.safetensors"),
          [](auto&, auto& meta) { meta["gat.config"] = "{not json"; });
  EXPECT_TRUE(
      throws_with<IoError>([&] { load_checkpoint(path("meta.safetensors")); }, "not valid JSON"));
  // Malformed gat.config: each message names the file, the key and what is wrong.
  const std::string config = io::load_safetensors(good).metadata.at("gat.config");
  struct BadConfig {
    std::string from, to, message;
  };
  for (const BadConfig& c : std::vector<BadConfig>{
           {"\"heads\":3", "\"heads\":\"3\"",
            "m2.safetensors: gat.config: \"heads\" must be an integer, got string \"3\""},
           {"\"heads\":3", "\"heads\":3.5",
            "m2.safetensors: gat.config: \"heads\" must be an integer, got number 3.5"},
           {"\"in_channels\":12,", "", "m2.safetensors: gat.config: \"in_channels\" is missing"},
           {"\"dropout\":0.6", "\"dropout\":true",
            "m2.safetensors: gat.config: \"dropout\" must be a number, got boolean true"},
           {"\"arch\":\"GAT\"", "\"arch\":\"GIN\"",
            "m2.safetensors: architecture 'GIN' is not supported (GAT, GATv2, GCN, MLP, "
            "GraphClassifier)"},
           {"\"heads\":3", "\"heads\":0",
            "m2.safetensors: gat.config does not describe a valid model"},
           {"\"heads\":3", "\"heads\":3,\"heads\":4",
            "m2.safetensors: gat.config metadata is not valid JSON: gat.config: key \"heads\" "
            "appears twice"}}) {
    SCOPED_TRACE(c.to);
    const size_t at = config.find(c.from);
    ASSERT_NE(at, std::string::npos) << config;
    std::string bad = config;
    bad.replace(at, c.from.size(), c.to);
    rewrite(good, path("m2.safetensors"), [&](auto&, auto& meta) { meta["gat.config"] = bad; });
    EXPECT_TRUE(throws_with<IoError>([&] { load_checkpoint(path("m2.safetensors")); }, c.message));
  }
  // A corrupted byte in the header.
  std::string corrupt = bytes;
  corrupt[10] = '\x01';
  io::write_file_atomic(path("corrupt.safetensors"), corrupt);
  EXPECT_THROW(load_checkpoint(path("corrupt.safetensors")), IoError);
  // A missing file.
  EXPECT_THROW(load_checkpoint(path("nope.safetensors")), IoError);
}

TEST_F(CheckpointTest, HeaderExample) {
  Generator gen(5);
  GAT model = make_model(gen);
  const Graph graph = edges_.graph();
  const Variable x(x_);
  const std::string file = path("model.safetensors");
  gat::Json extra = {{"dataset", "Cora"}};
  gat::save_checkpoint(file, model, extra);
  gat::Checkpoint ckpt = gat::load_checkpoint(file);
  gat::Variable logits = ckpt.node_model().forward(x, graph);
  EXPECT_EQ(logits.shape(), Shape({30, 5}));
}

}  // namespace
}  // namespace gat

namespace gat {
namespace {

// tests/fixtures/pyg_gat_*.safetensors were written by PyTorch Geometric 2.4 itself
// (tools/pyg/make_checkpoint_fixture.py): its state_dict (2.4's key names: lin_src.weight and
// lin_dst.weight), the inputs, and the logits PyG computed in eval mode.
TEST(CheckpointPyG, LoadsAPyGWrittenStateDictAndReproducesItsLogits) {
  const std::string dir = std::string(GAT_TEST_SOURCE_DIR) + "/tests/fixtures/";
  Checkpoint ckpt = load_checkpoint(dir + "pyg_gat_state_dict.safetensors");
  io::SafetensorsData io_data = io::load_safetensors(dir + "pyg_gat_io.safetensors");
  std::map<std::string, Tensor> t(io_data.tensors.begin(), io_data.tensors.end());
  const Tensor& ei = t.at("edge_index");
  const int64_t e = ei.size(1);
  std::vector<int64_t> src(e), dst(e);
  for (int64_t k = 0; k < e; ++k) {
    src[k] = static_cast<int64_t>(ei.at(0, k));
    dst[k] = static_cast<int64_t>(ei.at(1, k));
  }
  const Tensor& x = t.at("x");
  Graph graph = Graph::from_edges(x.size(0), src, dst);
  Tensor ours;
  {
    NoGradGuard no_grad;
    ours = ckpt.node_model().forward(Variable(x), graph).data();
  }
  const Tensor& theirs = t.at("logits");
  ASSERT_EQ(ours.shape(), theirs.shape());
  std::vector<double> ref(theirs.data(), theirs.data() + theirs.numel());
  EXPECT_LE(testing::max_relative_error(ours.data(), ref), 1e-5);
}

}  // namespace
}  // namespace gat

namespace gat {
namespace {

// The graph classifier round-trips too, with either pooling; it is not a node model.
TEST(CheckpointModels, GraphClassifierRoundTrips) {
  testing::TempDir dir{"gat_test_ckpt_graph"};
  Generator gen(4);
  for (GraphPooling pooling : {GraphPooling::Attention, GraphPooling::Mean}) {
    SCOPED_TRACE(graph_pooling_name(pooling));
    GraphClassifier m(
        {.in_channels = 5, .hidden_channels = 3, .out_channels = 2, .heads = 2, .pooling = pooling},
        gen);
    for (Variable p : m.parameters())
      p.mutable_data() = testing::random_tensor(p.shape(), gen);
    const std::string file = dir.file("graph.safetensors");
    save_checkpoint(file, m, {{"seed", 7}});
    Checkpoint ckpt = load_checkpoint(file);
    EXPECT_EQ(ckpt.entry->name, "GraphClassifier");
    EXPECT_EQ(ckpt.config.at("pooling"), graph_pooling_name(pooling));
    EXPECT_EQ(ckpt.config.at("seed"), 7);
    auto& loaded = dynamic_cast<GraphClassifier&>(*ckpt.model);
    EXPECT_EQ(loaded.repr(), m.repr());
    const auto a = m.named_parameters(), b = loaded.named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].first, b[k].first);
      EXPECT_EQ(a[k].second.data().to_vector(), b[k].second.data().to_vector()) << a[k].first;
    }
    EXPECT_TRUE(throws_with<IoError>([&] { ckpt.node_model(); }, "not a node model"));
  }
}

// Every node model round-trips through a checkpoint with identical logits and its PyG names.
TEST(CheckpointModels, GATv2GcnAndMlpRoundTrip) {
  testing::TempDir dir{"gat_test_ckpt_models"};
  Generator data(9);
  testing::EdgeList edges = testing::random_edges(25, 90, data);
  const Graph graph = edges.graph();
  const Tensor x = testing::random_tensor({25, 6}, data);
  std::vector<std::unique_ptr<NodeModel>> models;
  Generator gen(3);
  models.push_back(std::make_unique<GATv2>(
      GATOptions{.in_channels = 6, .hidden_channels = 4, .out_channels = 3, .heads = 2}, gen));
  models.push_back(
      std::make_unique<GCN>(BaselineOptions{.in_channels = 6, .out_channels = 3}, gen));
  models.push_back(
      std::make_unique<MLP>(BaselineOptions{.in_channels = 6, .out_channels = 3}, gen));
  for (auto& m : models) {
    SCOPED_TRACE(m->arch());
    for (Variable p : m->parameters())
      p.mutable_data() = testing::random_tensor(p.shape(), gen);
    m->eval();
    const std::string file = dir.file(m->arch() + ".safetensors");
    save_checkpoint(file, *m);
    Checkpoint ckpt = load_checkpoint(file);
    EXPECT_EQ(ckpt.node_model().arch(), m->arch());
    EXPECT_EQ(ckpt.config.at("arch").get<std::string>(), m->arch());
    std::vector<std::string> saved, expected;
    for (auto& [name, t] : io::load_safetensors(file).tensors)
      saved.push_back(name);
    for (auto& [name, p] : m->named_parameters())
      expected.push_back(name);
    std::sort(saved.begin(), saved.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(saved, expected);
    NoGradGuard no_grad;
    EXPECT_EQ(ckpt.node_model().forward(Variable(x), graph).data().to_vector(),
              m->forward(Variable(x), graph).data().to_vector());
  }
}

}  // namespace
}  // namespace gat
