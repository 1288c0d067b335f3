// gat/train/model_registry.h — every model gat.cpp builds, saves and loads, registered once.
//
// An entry holds what the rest of the code needs to know about a model: its name (the "arch" of
// checkpoints, the CLI's --model in lower case), its configuration to and from JSON, its
// constructor, the defaults of its published setup, and the older names under which PyG releases
// saved its parameters. The CLI (gat train, gat compare, gat eval), checkpoints
// (gat/train/checkpoint.h) and the Python bindings read the registry, so adding a model is one
// entry plus the model's own files.
//
// The built-in entries, in this order: GAT and GATv2 (the GAT paper's two-layer model, with
// GATConv or GATv2Conv layers), GCN and MLP (the baselines of the paper's table), and
// GraphClassifier (graph classification with attention pooling).
//
// A configuration is a JSON object: {"arch": "GAT", "in_channels": 1433, ...}. make_model() reads
// the fields the entry knows and ignores others (a checkpoint's config also holds "dataset",
// "seed", ...); a missing field takes the model's default, except in_channels and out_channels.
//
// Example (compiled in tests/train/test_model_registry.cpp):
//
//   const gat::ModelEntry& gat = gat::ModelRegistry::global().at("gat");  // any case
//   gat::Json config = gat::published_config(gat, "pubmed", 500, 3);  // the paper's PubMed setup
//   gat::Generator gen(0);
//   std::unique_ptr<gat::Module> model = gat::make_model(config, gen);
//   gat::model_config(*model)["out_heads"];  // 8: PubMed's 8 output heads
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <vector>

#include "gat/core/rng.h"
#include "gat/io/json.h"
#include "gat/nn/module.h"
#include "gat/nn/node_model.h"
#include "gat/train/trainer.h"

namespace gat {

/// What a model maps to: per-node outputs (a NodeModel: forward(x, graph)) or one output per
/// graph of a batch (GraphClassifier).
enum class ModelKind { kNode, kGraph };

/// An older name of a parameter: a parameter whose name is `name` or ends in "." + name may be
/// stored under the same prefix + `alias` instead; when `copy` is not empty, prefix + copy, if
/// present, must hold the same values (PyG 2.0–2.4 wrote GATConv's one matrix twice).
struct ParamAlias {
  std::string name, alias, copy;
};

/// The setup a model was published with, on one dataset.
struct PublishedSetup {
  Json model = Json::object();  // config fields that differ from the model's defaults
  TrainOptions train;           // optimiser, epochs, early stopping
};

struct ModelEntry {
  std::string name;     // "GAT": the checkpoints' "arch"; looked up in any case
  std::string summary;  // one line, for help texts
  ModelKind kind = ModelKind::kNode;
  std::type_index type = typeid(void);  // the class make() returns
  /// Every config field with its default (in_channels and out_channels 0), without "arch".
  Json defaults = Json::object();
  /// Builds the model from the config's fields (missing ones at their defaults).
  std::function<std::unique_ptr<Module>(const json::Fields& config, Generator& gen)> make;
  /// The config fields of a model of this entry's type (as in defaults).
  std::function<Json(const Module& model)> config;
  /// The published setup on a dataset (lower-case name; others get the general setup).
  std::function<PublishedSetup(std::string_view dataset)> published;
  /// PyG's older parameter names.
  std::vector<ParamAlias> aliases;
  /// For a plain PyG state_dict without gat.config: the config read off the tensors' shapes, or
  /// nullopt when they are not this model's. Optional.
  std::function<std::optional<Json>(const std::map<std::string, Tensor>& tensors)> infer;
};

/// One field of a model's options struct in its config: the JSON key, and how to read it from a
/// struct and write it into one.
template <typename Options>
struct ConfigField {
  std::string key;
  std::function<Json(const Options&)> get;
  /// Sets the member from config[key]; a missing key keeps the member's default unless the
  /// field is required (then json::Fields throws, naming the key).
  std::function<void(Options&, const json::Fields& config)> set;
};

/// The field for an int64_t, float or bool member.
template <typename Options, typename T>
ConfigField<Options> config_field(std::string key, T Options::*member, bool required = false) {
  static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, float> || std::is_same_v<T, bool>,
                "config_field reads int64_t, float and bool members; write get and set for others");
  auto get = [member](const Options& o) { return Json(o.*member); };
  auto set = [key, member, required](Options& o, const json::Fields& c) {
    if (!required && !c.has(key)) return;
    if constexpr (std::is_same_v<T, int64_t>) o.*member = c.integer(key);
    if constexpr (std::is_same_v<T, float>) o.*member = c.real(key);
    if constexpr (std::is_same_v<T, bool>) o.*member = c.boolean(key);
  };
  return {.key = key, .get = get, .set = set};
}

/// The config fields of `o`, as `fields` describe them.
template <typename Options>
Json fields_json(const Options& o, const std::vector<ConfigField<Options>>& fields) {
  Json j = Json::object();
  for (const ConfigField<Options>& f : fields)
    j[f.key] = f.get(o);
  return j;
}

/// An entry for a Model constructed as Model(const Options&, Generator&) whose options() returns
/// its Options: name, summary, kind, type, defaults, make and config come from the fields;
/// published, aliases and infer are the caller's to set.
template <typename Model, typename Options>
ModelEntry model_entry(std::string name, std::string summary, ModelKind kind,
                       std::vector<ConfigField<Options>> fields) {
  auto to_json = [fields](const Options& o) {
    Json j = Json::object();
    for (const ConfigField<Options>& f : fields)
      j[f.key] = f.get(o);
    return j;
  };
  ModelEntry e;
  e.name = std::move(name);
  e.summary = std::move(summary);
  e.kind = kind;
  e.type = typeid(Model);
  e.defaults = to_json(Options{});
  e.make = [fields](const json::Fields& c, Generator& gen) -> std::unique_ptr<Module> {
    Options o;
    for (const ConfigField<Options>& f : fields)
      f.set(o, c);
    return std::make_unique<Model>(o, gen);
  };
  e.config = [to_json](const Module& m) {
    return to_json(dynamic_cast<const Model&>(m).options());
  };
  return e;
}

class ModelRegistry {
 public:
  /// The registry every part of gat.cpp reads, holding the built-in models from the first call.
  /// Not synchronised: add models before threads use it.
  static ModelRegistry& global();

  /// Adds a model. Throws gat::InvalidArgument when the name (in any case) or the type is taken,
  /// or when make, config or published is missing.
  void add(ModelEntry entry);
  /// Removes the entry named `name` (any case); false when there is none. For tests.
  bool remove(std::string_view name);

  /// The entry with this name in any case, or nullptr.
  const ModelEntry* find(std::string_view name) const;
  /// The entry of the model's class, or nullptr.
  const ModelEntry* find(const Module& model) const;
  /// The entry with this name in any case; throws gat::InvalidArgument listing the names.
  const ModelEntry& at(std::string_view name) const;
  /// The names of the models of one kind, in registration order.
  std::vector<std::string> names(ModelKind kind) const;
  /// Every entry, in registration order.
  std::vector<const ModelEntry*> entries() const;
  /// Every name, comma-separated: "GAT, GATv2, GCN, MLP, GraphClassifier" (for messages).
  std::string name_list() const;

 private:
  std::vector<std::unique_ptr<ModelEntry>> entries_;
};

/// {"arch": <entry name>, <the entry's config fields>}. Throws gat::InvalidArgument for a model
/// whose class is not registered.
Json model_config(const Module& model);

/// The model a config describes. Errors (json::JsonError for a missing or mistyped field,
/// gat::InvalidArgument for an unknown arch or an option the model refuses) start with `where`.
std::unique_ptr<Module> make_model(const Json& config, Generator& gen,
                                   const std::string& where = "model config");

/// make_model() for a node model (a ModelKind::kNode entry); other models are an
/// InvalidArgument naming `where`.
std::unique_ptr<NodeModel> make_node_model(const Json& config, Generator& gen,
                                           const std::string& where = "model config");

/// The entry's config with `overrides` applied over its published setup on `dataset`, and the
/// data's sizes: the config of the model a command trains.
Json published_config(const ModelEntry& entry, std::string_view dataset, int64_t in_channels,
                      int64_t out_channels, const Json& overrides = Json::object());

}  // namespace gat
