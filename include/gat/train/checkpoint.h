// gat/train/checkpoint.h — models saved as safetensors with PyTorch Geometric's state_dict names,
// so that one file is both a gat.cpp checkpoint and loadable by PyG's load_state_dict.
//
// The file (see README.md, "Checkpoints"):
//  * tensors: the model's named_parameters() under PyG's keys (conv1.lin.weight [64, 1433],
//    conv1.att_src [1, 8, 8], ..., conv2.bias [7]), float32;
//  * __metadata__: {"format": "pt", "gat.config": "<JSON>"}, where the JSON holds the model's
//    configuration: {"arch": "GAT", "in_channels": 1433, "hidden_channels": 8, "out_channels": 7,
//    "heads": 8, "out_heads": 1, "dropout": 0.6, "attn_dropout": 0.6, "negative_slope": 0.2,
//    "add_self_loops": true} plus, when known, "dataset" and "normalize_features".
// The same holds for every model of the registry (gat/train/model_registry.h: GATv2:
// conv1.lin_l.weight, conv1.lin_l.bias, conv1.lin_r.*, conv1.att, conv1.bias, ...; GCN:
// conv1.lin.weight, conv1.bias, ...; MLP: lin1.weight, lin1.bias, ...; GraphClassifier), with
// "arch" naming the registry entry and the other fields its config (model_config()).
// Loading accepts the parameter names of older PyG releases that the model's entry lists
// (ParamAlias): for GATConv layers, 2.5+ writes lin.weight; 2.0–2.4 wrote the one shared matrix
// twice, as lin_src.weight and lin_dst.weight (they must be equal); 1.6–1.7 wrote lin_l.weight /
// lin_r.weight and att_l / att_r. A file without gat.config (a plain PyG state_dict) loads when
// an entry can infer its configuration from the shapes (the two-layer GAT can). Unknown keys,
// missing keys and wrong shapes are gat::IoError naming the file and the key; writes are atomic.
//
// Example (compiled in tests/train/test_checkpoint.cpp):
//
//   gat::Json extra = {{"dataset", "Cora"}};
//   gat::save_checkpoint("model.safetensors", model, extra);
//   gat::Checkpoint ckpt = gat::load_checkpoint("model.safetensors");
//   gat::Variable logits = ckpt.node_model().forward(x, graph);
#pragma once

#include <memory>
#include <string>

#include "gat/core/rng.h"
#include "gat/io/json.h"
#include "gat/nn/module.h"
#include "gat/nn/node_model.h"
#include "gat/train/model_registry.h"

namespace gat {

/// The metadata key that holds the configuration JSON.
inline constexpr const char* kCheckpointConfigKey = "gat.config";

/// Writes the model's parameters, and as gat.config its model_config() with the fields of
/// `extra_config` added (or replaced). The model's class must be registered.
void save_checkpoint(const std::string& path, const Module& model,
                     const Json& extra_config = Json::object());

/// A loaded model with the generator it draws dropout from (kept alive together).
struct Checkpoint {
  std::unique_ptr<Generator> generator;
  std::unique_ptr<Module> model;
  const ModelEntry* entry = nullptr;  // the registry's entry of the model
  Json config;
  std::string path;

  /// The model as a NodeModel; throws gat::IoError naming the file when it is a graph model.
  NodeModel& node_model() const;
};

/// Reads a checkpoint (or a plain PyG state_dict that a registered model can infer its
/// configuration from). The model is in eval mode.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace gat
