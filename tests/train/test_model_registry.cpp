// Tests for the model registry (train/model_registry.h): the built-in entries, their configs
// and published setups, and a model registered by the test itself that trains, saves and loads
// through the same paths as the built-in ones.
#include "gat/train/model_registry.h"

#include <gtest/gtest.h>

#include "gat/core/error.h"
#include "gat/data/synthetic.h"
#include "gat/io/safetensors.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gat.h"
#include "gat/nn/gat_conv.h"
#include "gat/nn/graph_classifier.h"
#include "gat/nn/linear.h"
#include "gat/ops/activation.h"
#include "gat/train/checkpoint.h"
#include "gat/train/trainer.h"
#include "testing/assertions.h"
#include "testing/temp_dir.h"

namespace gat {
namespace {

using testing::throws_with;

TEST(ModelRegistry, HeaderExample) {
  const gat::ModelEntry& gat = gat::ModelRegistry::global().at("gat");  // any case
  gat::Json config = gat::published_config(gat, "pubmed", 500, 3);      // the paper's PubMed setup
  gat::Generator gen(0);
  std::unique_ptr<gat::Module> model = gat::make_model(config, gen);
  EXPECT_EQ(gat::model_config(*model)["out_heads"], 8);
  EXPECT_EQ(dynamic_cast<GAT&>(*model).options().out_heads, 8);
}

TEST(ModelRegistry, HoldsTheBuiltInModelsInOrder) {
  const ModelRegistry& r = ModelRegistry::global();
  EXPECT_EQ(r.names(ModelKind::kNode), (std::vector<std::string>{"GAT", "GATv2", "GCN", "MLP"}));
  EXPECT_EQ(r.names(ModelKind::kGraph), std::vector<std::string>{"GraphClassifier"});
  EXPECT_EQ(r.find("gatV2"), r.find("GATv2"));
  EXPECT_EQ(r.find("GIN"), nullptr);
  EXPECT_TRUE(throws_with<InvalidArgument>(
      [&] { r.at("gin"); },
      "unknown model 'gin' (registered: GAT, GATv2, GCN, MLP, GraphClassifier)"));
  Generator gen(0);
  MLP mlp({.in_channels = 3, .out_channels = 2}, gen);
  EXPECT_EQ(r.find(mlp), r.find("MLP"));
  GATConv layer({.in_channels = 3, .out_channels = 2}, gen);
  EXPECT_EQ(r.find(layer), nullptr);  // a layer, not a registered model
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { model_config(layer); }, "is not registered"));
}

// Each built-in model's config builds the same model again: same config, same structure.
TEST(ModelRegistry, ConfigsRoundTripThroughMakeModel) {
  const ModelRegistry& r = ModelRegistry::global();
  for (ModelKind kind : {ModelKind::kNode, ModelKind::kGraph}) {
    for (const std::string& name : r.names(kind)) {
      SCOPED_TRACE(name);
      const ModelEntry& e = r.at(name);
      const Json overrides = e.defaults.contains("heads") ? Json{{"heads", 3}} : Json::object();
      const Json config = published_config(e, "cora", 10, 4, overrides);
      Generator gen(1);
      std::unique_ptr<Module> m = make_model(config, gen);
      EXPECT_EQ(std::type_index(typeid(*m)), e.type);
      EXPECT_EQ(model_config(*m), config);
      Generator gen2(1);
      EXPECT_EQ(make_model(model_config(*m), gen2)->repr(), m->repr());
    }
  }
}

TEST(ModelRegistry, PublishedSetups) {
  const ModelRegistry& r = ModelRegistry::global();
  const PublishedSetup cora = r.at("GAT").published("cora");
  EXPECT_TRUE(cora.model.empty());
  EXPECT_EQ(cora.train.adam.lr, 0.005f);
  EXPECT_EQ(cora.train.adam.weight_decay, 5e-4f);
  EXPECT_EQ(cora.train.max_epochs, 1000);
  EXPECT_EQ(cora.train.patience, 100);
  const PublishedSetup pubmed = r.at("GATv2").published("pubmed");
  EXPECT_EQ(pubmed.model, (Json{{"out_heads", 8}}));
  EXPECT_EQ(pubmed.train.adam.lr, 0.01f);
  EXPECT_EQ(pubmed.train.adam.weight_decay, 0.001f);
  for (const char* name : {"GCN", "MLP"}) {
    const PublishedSetup s = r.at(name).published("citeseer");
    EXPECT_EQ(s.model, (Json{{"hidden_channels", 16}, {"dropout", 0.5f}}));
    EXPECT_EQ(s.train.adam.lr, 0.01f);
    EXPECT_EQ(s.train.max_epochs, 200);
    EXPECT_EQ(s.train.patience, 0);
  }
  // Overrides win over the published setup; the data's sizes over both.
  const Json c = published_config(r.at("GAT"), "pubmed", 500, 3, {{"out_heads", 2}});
  EXPECT_EQ(c.at("out_heads"), 2);
  EXPECT_EQ(c.at("in_channels"), 500);
  EXPECT_EQ(c.at("arch"), "GAT");
}

TEST(ModelRegistry, MakeModelNamesWhatIsWrong) {
  Generator gen(0);
  Json c = published_config(ModelRegistry::global().at("GCN"), "cora", 8, 2);
  c["hidden_channels"] = "16";
  EXPECT_TRUE(throws_with<json::JsonError>(
      [&] { make_model(c, gen, "my.json"); },
      "my.json: \"hidden_channels\" must be an integer, got string \"16\""));
  c["hidden_channels"] = 0;
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { make_model(c, gen, "my.json"); }, "my.json: "));
  c["arch"] = "GIN";
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { make_model(c, gen, "my.json"); },
                                           "my.json: unknown model 'GIN'"));
  const Json g = published_config(ModelRegistry::global().at("GraphClassifier"), "", 4, 2);
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { make_node_model(g, gen, "my.json"); },
                                           "'GraphClassifier' is not a node model"));
}

TEST(ModelRegistry, AddRefusesTakenNamesAndTypesAndIncompleteEntries) {
  ModelRegistry r;  // a registry of the test's own, empty
  ModelEntry mlp = *ModelRegistry::global().find("MLP");
  r.add(mlp);
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { r.add(mlp); }, "'MLP' is already registered"));
  ModelEntry renamed = mlp;
  renamed.name = "mlp2";
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { r.add(renamed); },
                                           "its class is already registered as 'MLP'"));
  ModelEntry incomplete = *ModelRegistry::global().find("GCN");
  incomplete.published = nullptr;
  EXPECT_TRUE(throws_with<InvalidArgument>([&] { r.add(incomplete); }, "lacks make"));
  EXPECT_TRUE(r.remove("mlp"));
  EXPECT_FALSE(r.remove("mlp"));
  EXPECT_EQ(r.find("MLP"), nullptr);
}

// ---- a model of the test's own -------------------------------------------------------------

struct ToyOptions {
  int64_t in_channels = 0;
  int64_t hidden_channels = 6;
  int64_t out_channels = 0;
  int64_t heads = 2;
};

// One GATConv and a linear read-out: x → GATConv(F, C, heads) → ELU → Linear(H·C, K).
class ToyModel : public NodeModel {
 public:
  ToyModel(const ToyOptions& o, Generator& gen)
      : conv({.in_channels = o.in_channels, .out_channels = o.hidden_channels, .heads = o.heads},
             gen),
        lin(o.hidden_channels * o.heads, o.out_channels, gen),
        options_(o) {}
  Variable forward(const Variable& x, const Graph& graph) const override {
    return lin.forward(elu(conv.forward(x, graph)));
  }
  std::string arch() const override { return "Toy"; }
  std::string repr() const override { return "Toy(" + conv.repr() + ", " + lin.repr() + ")"; }
  const ToyOptions& options() const { return options_; }

  GATConv conv;
  Linear lin;

 protected:
  std::vector<std::pair<std::string, Module*>> children() const override {
    return {{"conv", const_cast<GATConv*>(&conv)}, {"lin", const_cast<Linear*>(&lin)}};
  }

 private:
  ToyOptions options_;
};

// The registry entry: everything the rest of gat.cpp needs, and nothing outside this file.
ModelEntry toy_entry() {
  using O = ToyOptions;
  ModelEntry e =
      model_entry<ToyModel>("Toy", "one GATConv and a linear read-out", ModelKind::kNode,
                            std::vector{config_field("in_channels", &O::in_channels, true),
                                        config_field("hidden_channels", &O::hidden_channels),
                                        config_field("out_channels", &O::out_channels, true),
                                        config_field("heads", &O::heads)});
  e.published = [](std::string_view) {
    PublishedSetup s;
    s.train = {.max_epochs = 30, .patience = 0, .adam = {.lr = 0.02f}};
    return s;
  };
  e.aliases = {{"att_src", "att_l", ""}};  // as PyG 1.6 named GATConv's attention vector
  return e;
}

// Registers the toy model for one test and removes it afterwards, even when the test fails.
class ToyModelTest : public ::testing::Test {
 protected:
  ToyModelTest() { ModelRegistry::global().add(toy_entry()); }
  ~ToyModelTest() override { ModelRegistry::global().remove("Toy"); }
  testing::TempDir dir_{"gat_test_toy_model"};
};

TEST_F(ToyModelTest, TrainsSavesAndLoadsThroughTheRealPaths) {
  Generator data_gen(11);
  const NodeTask task = planted_topics(
      {.num_nodes = 300, .num_classes = 3, .num_features = 40, .homophily = 0.9f}, data_gen);
  const ModelEntry& entry = ModelRegistry::global().at("toy");
  const Json config = published_config(entry, "planted", task.features.size(1), task.num_classes);
  Generator gen(5);
  std::unique_ptr<NodeModel> model = make_node_model(config, gen);
  const TrainResult r = train_node_model(*model, task, entry.published("planted").train);
  EXPECT_EQ(r.epochs, 30);
  EXPECT_GT(r.final.test.accuracy, 0.6);  // chance is 1/3

  const std::string file = dir_.file("toy.safetensors");
  save_checkpoint(file, *model, {{"dataset", task.name}});
  std::vector<std::string> names;
  for (const auto& [name, t] : io::load_safetensors(file).tensors)
    names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"conv.lin.weight", "conv.att_src", "conv.att_dst",
                                             "conv.bias", "lin.weight", "lin.bias"}));
  const Checkpoint ckpt = load_checkpoint(file);
  EXPECT_EQ(ckpt.entry->name, "Toy");
  EXPECT_EQ(ckpt.config.at("dataset"), task.name);
  EXPECT_EQ(ckpt.config.at("heads"), 2);
  EXPECT_EQ(ckpt.node_model().repr(), model->repr());
  EXPECT_EQ(evaluate_node_model(ckpt.node_model(), task).test.accuracy, r.final.test.accuracy);

  // The entry's alias: a file with PyG 1.6's name for the attention vector loads the same.
  io::SafetensorsData d = io::load_safetensors(file);
  for (auto& [name, t] : d.tensors)
    if (name == "conv.att_src") name = "conv.att_l";
  io::save_safetensors(dir_.file("old.safetensors"), d.tensors, d.metadata);
  const Checkpoint old = load_checkpoint(dir_.file("old.safetensors"));
  EXPECT_EQ(evaluate_node_model(old.node_model(), task).test.accuracy, r.final.test.accuracy);
}

TEST_F(ToyModelTest, IsOneOfTheNodeModelsWhileRegistered) {
  const std::vector<std::string> names = ModelRegistry::global().names(ModelKind::kNode);
  EXPECT_EQ(names.back(), "Toy");
  EXPECT_TRUE(throws_with<InvalidArgument>([] { ModelRegistry::global().add(toy_entry()); },
                                           "'Toy' is already registered"));
}

}  // namespace
}  // namespace gat
