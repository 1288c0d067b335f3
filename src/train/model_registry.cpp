#include "gat/train/model_registry.h"

#include <cctype>

#include "gat/core/error.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gat.h"
#include "gat/nn/gatv2.h"
#include "gat/nn/graph_classifier.h"

namespace gat {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// ---- GAT and GATv2: the GAT paper's two-layer model ------------------------------------------

std::vector<ConfigField<GATOptions>> gat_fields() {
  using O = GATOptions;
  return {config_field("in_channels", &O::in_channels, /*required=*/true),
          config_field("hidden_channels", &O::hidden_channels),
          config_field("out_channels", &O::out_channels, /*required=*/true),
          config_field("heads", &O::heads),
          config_field("out_heads", &O::out_heads),
          config_field("dropout", &O::dropout),
          config_field("attn_dropout", &O::attn_dropout),
          config_field("negative_slope", &O::negative_slope),
          config_field("add_self_loops", &O::add_self_loops)};
}

// Veličković et al. (2018), §3.3: Adam lr 0.005, L2 5e-4, patience 100; PubMed: 8 output heads,
// lr 0.01, L2 0.001.
PublishedSetup gat_paper(std::string_view dataset) {
  PublishedSetup s;
  s.train = TrainOptions{};  // 1000 epochs, patience 100, lr 0.005, weight decay 5e-4
  if (dataset == "pubmed") {
    s.model["out_heads"] = 8;
    s.train.adam.lr = 0.01f;
    s.train.adam.weight_decay = 0.001f;
  }
  return s;
}

// PyG's older names of GATConv's parameters: 2.0–2.4 wrote the one matrix as lin_src and
// lin_dst, 1.6–1.7 as lin_l and lin_r, with the attention vectors as att_l and att_r.
std::vector<ParamAlias> gat_conv_aliases() {
  return {{"lin.weight", "lin_src.weight", "lin_dst.weight"},
          {"lin.weight", "lin_l.weight", "lin_r.weight"},
          {"att_src", "att_l", ""},
          {"att_dst", "att_r", ""}};
}

// A plain PyG state_dict of the two-layer GAT: the sizes are read off the attention vectors
// [1, H, C] and conv1's projection [H·C, F_in].
std::optional<Json> infer_gat(const std::map<std::string, Tensor>& t) {
  auto get = [&](const std::string& conv, std::initializer_list<const char*> names,
                 int dim) -> const Tensor* {
    for (const char* n : names)
      if (auto it = t.find(conv + "." + n); it != t.end() && it->second.dim() == dim)
        return &it->second;
    return nullptr;
  };
  const Tensor* a1 = get("conv1", {"att_src", "att_l"}, 3);
  const Tensor* a2 = get("conv2", {"att_src", "att_l"}, 3);
  const Tensor* w1 = get("conv1", {"lin.weight", "lin_src.weight", "lin_l.weight"}, 2);
  if (!a1 || !a2 || !w1) return std::nullopt;
  GATOptions o;
  o.in_channels = w1->size(1);
  o.heads = a1->size(1);
  o.hidden_channels = a1->size(2);
  o.out_heads = a2->size(1);
  o.out_channels = a2->size(2);
  Json j = Json::object();
  for (const auto& f : gat_fields())
    j[f.key] = f.get(o);
  return j;
}

// ---- GCN and MLP: the baselines of the paper's table -----------------------------------------

std::vector<ConfigField<BaselineOptions>> baseline_fields() {
  using O = BaselineOptions;
  return {config_field("in_channels", &O::in_channels, /*required=*/true),
          config_field("hidden_channels", &O::hidden_channels),
          config_field("out_channels", &O::out_channels, /*required=*/true),
          config_field("dropout", &O::dropout)};
}

// Kipf & Welling (2017): 16 hidden units, dropout 0.5, Adam lr 0.01, L2 5e-4, 200 epochs
// without early stopping.
PublishedSetup kipf_welling(std::string_view) {
  PublishedSetup s;
  s.model = {{"hidden_channels", 16}, {"dropout", 0.5f}};
  s.train.adam.lr = 0.01f;
  s.train.adam.weight_decay = 5e-4f;
  s.train.max_epochs = 200;
  s.train.patience = 0;
  return s;
}

// ---- GraphClassifier: graph classification with attention pooling ---------------------------

std::vector<ConfigField<GraphClassifierOptions>> graph_classifier_fields() {
  using O = GraphClassifierOptions;
  ConfigField<O> pooling{.key = "pooling",
                         .get = [](const O& o) { return Json(graph_pooling_name(o.pooling)); },
                         .set =
                             [](O& o, const json::Fields& c) {
                               if (c.has("pooling"))
                                 o.pooling = parse_graph_pooling(c.string("pooling"));
                             }};
  return {config_field("in_channels", &O::in_channels, /*required=*/true),
          config_field("hidden_channels", &O::hidden_channels),
          config_field("out_channels", &O::out_channels, /*required=*/true),
          config_field("heads", &O::heads),
          pooling,
          config_field("negative_slope", &O::negative_slope)};
}

// gat graph-train's setup (docs/graph_tasks.md): 40 epochs of Adam at lr 0.005, no early stop.
PublishedSetup graph_train_setup(std::string_view) {
  PublishedSetup s;
  s.train.max_epochs = 40;
  s.train.patience = 0;
  s.train.adam = AdamOptions{.lr = 0.005f};
  return s;
}

void add_builtin_models(ModelRegistry& r) {
  ModelEntry gat = model_entry<GAT>(
      "GAT", "the GAT paper's two-layer model: GATConv heads x hidden, ELU, GATConv",
      ModelKind::kNode, gat_fields());
  gat.published = gat_paper;
  gat.aliases = gat_conv_aliases();
  gat.infer = infer_gat;
  r.add(std::move(gat));

  ModelEntry gatv2 = model_entry<GATv2>(
      "GATv2", "the same with GATv2Conv layers, Brody et al. 2022", ModelKind::kNode, gat_fields());
  gatv2.published = gat_paper;
  r.add(std::move(gatv2));

  for (auto [name, summary, make] : {std::tuple{"GCN", "two GCNConv layers, Kipf & Welling 2017",
                                                &model_entry<GCN, BaselineOptions>},
                                     std::tuple{"MLP", "two linear layers; the graph is not used",
                                                &model_entry<MLP, BaselineOptions>}}) {
    ModelEntry e = make(name, summary, ModelKind::kNode, baseline_fields());
    e.published = kipf_welling;
    r.add(std::move(e));
  }

  ModelEntry graph = model_entry<GraphClassifier>(
      "GraphClassifier", "2 x GATConv, attention (or mean) pooling, a linear read-out",
      ModelKind::kGraph, graph_classifier_fields());
  graph.published = graph_train_setup;
  graph.aliases = gat_conv_aliases();
  r.add(std::move(graph));
}

}  // namespace

ModelRegistry& ModelRegistry::global() {
  static ModelRegistry registry = [] {
    ModelRegistry r;
    add_builtin_models(r);
    return r;
  }();
  return registry;
}

void ModelRegistry::add(ModelEntry entry) {
  check_arg(!entry.name.empty(), "ModelRegistry::add", "the entry has no name");
  check_arg(entry.make && entry.config && entry.published, "ModelRegistry::add", "model '",
            entry.name, "' lacks make, config or published");
  check_arg(find(entry.name) == nullptr, "ModelRegistry::add", "a model named '", entry.name,
            "' is already registered");
  for (const auto& e : entries_)
    check_arg(e->type != entry.type, "ModelRegistry::add", "model '", entry.name,
              "': its class is already registered as '", e->name, "'");
  entries_.push_back(std::make_unique<ModelEntry>(std::move(entry)));
}

bool ModelRegistry::remove(std::string_view name) {
  return std::erase_if(entries_, [&](const auto& e) { return same_name(e->name, name); }) > 0;
}

const ModelEntry* ModelRegistry::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (same_name(e->name, name)) return e.get();
  return nullptr;
}

const ModelEntry* ModelRegistry::find(const Module& model) const {
  for (const auto& e : entries_)
    if (e->type == typeid(model)) return e.get();
  return nullptr;
}

const ModelEntry& ModelRegistry::at(std::string_view name) const {
  if (const ModelEntry* e = find(name)) return *e;
  throw InvalidArgument(
      detail::concat("unknown model '", name, "' (registered: ", name_list(), ")"));
}

std::vector<const ModelEntry*> ModelRegistry::entries() const {
  std::vector<const ModelEntry*> out;
  for (const auto& e : entries_)
    out.push_back(e.get());
  return out;
}

std::string ModelRegistry::name_list() const {
  std::string list;
  for (const auto& e : entries_)
    list += (list.empty() ? "" : ", ") + e->name;
  return list;
}

std::vector<std::string> ModelRegistry::names(ModelKind kind) const {
  std::vector<std::string> out;
  for (const auto& e : entries_)
    if (e->kind == kind) out.push_back(e->name);
  return out;
}

Json model_config(const Module& model) {
  const ModelEntry* e = ModelRegistry::global().find(model);
  check_arg(e != nullptr, "model_config", "the model ", model.repr(),
            " is not registered (gat/train/model_registry.h)");
  Json c = {{"arch", e->name}};
  c.update(e->config(model));
  return c;
}

std::unique_ptr<Module> make_model(const Json& config, Generator& gen, const std::string& where) {
  const json::Fields fields(config, where);
  const std::string arch = fields.string("arch");
  const ModelEntry* e = ModelRegistry::global().find(arch);
  if (!e)
    throw InvalidArgument(detail::concat(where, ": unknown model '", arch, "' (registered: ",
                                         ModelRegistry::global().name_list(), ")"));
  try {
    return e->make(fields, gen);
  } catch (const json::JsonError&) {
    throw;
  } catch (const Error& err) {
    throw InvalidArgument(detail::concat(where, ": ", err.what()));
  }
}

std::unique_ptr<NodeModel> make_node_model(const Json& config, Generator& gen,
                                           const std::string& where) {
  std::unique_ptr<Module> m = make_model(config, gen, where);
  auto* node = dynamic_cast<NodeModel*>(m.get());
  check_arg(node != nullptr, where.c_str(), "'", config.at("arch").get<std::string>(),
            "' is not a node model");
  m.release();
  return std::unique_ptr<NodeModel>(node);
}

Json published_config(const ModelEntry& entry, std::string_view dataset, int64_t in_channels,
                      int64_t out_channels, const Json& overrides) {
  Json c = {{"arch", entry.name}};
  c.update(entry.defaults);
  c.update(entry.published(dataset).model);
  c.update(overrides);
  c["in_channels"] = in_channels;
  c["out_channels"] = out_channels;
  return c;
}

}  // namespace gat
