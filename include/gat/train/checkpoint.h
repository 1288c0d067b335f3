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
// The same holds for the other node models (GATv2: conv1.lin_l.weight, conv1.lin_l.bias,
// conv1.lin_r.*, conv1.att, conv1.bias, ...; GCN: conv1.lin.weight, conv1.bias, ...; MLP:
// lin1.weight, lin1.bias, ...), with "arch" naming the model.
// Loading accepts the key names of every PyG 2.x release: 2.5+ writes lin.weight; 2.0–2.4 wrote
// the one shared matrix twice, as lin_src.weight and lin_dst.weight (they must be equal); 1.6–1.7
// wrote lin_l.weight / lin_r.weight and att_l / att_r. A file without gat.config (a plain PyG
// state_dict) loads too: the configuration is inferred from the shapes. Unknown keys, missing
// keys and wrong shapes are gat::IoError naming the key; writes are atomic.
//
// Example (compiled in tests/train/test_checkpoint.cpp):
//
//   json::Value extra = json::Value::object();
//   extra["dataset"] = "Cora";
//   gat::save_checkpoint("model.safetensors", model, extra);
//   gat::Checkpoint ckpt = gat::load_checkpoint("model.safetensors");
//   gat::Variable logits = ckpt.model->forward(x, graph);
#pragma once

#include <memory>
#include <string>

#include "gat/core/rng.h"
#include "gat/io/json.h"
#include "gat/nn/gat.h"
#include "gat/nn/node_model.h"

namespace gat {

/// The metadata key that holds the configuration JSON.
inline constexpr const char* kCheckpointConfigKey = "gat.config";

/// The configuration of a GAT as stored in checkpoints (arch and options).
json::Value gat_config(const GATOptions& options);
/// The options back from such a configuration; throws gat::IoError naming a missing or bad field.
GATOptions gat_options_from_config(const json::Value& config);

/// The configuration of any of the node models (GAT, GATv2, GCN, MLP) as stored in checkpoints:
/// "arch", "in_channels", "hidden_channels", "out_channels", "dropout", and for GAT / GATv2 the
/// attention options of gat_config().
json::Value model_config(const NodeModel& model);

/// Writes the model's parameters and `config` merged over the model's own configuration.
void save_checkpoint(const std::string& path, const NodeModel& model,
                     const json::Value& extra_config = json::Value::object());

/// A loaded model with the generator it draws dropout from (kept alive together).
struct Checkpoint {
  std::unique_ptr<Generator> generator;
  std::unique_ptr<NodeModel> model;
  json::Value config;
};

/// Reads a checkpoint (or a plain PyG state_dict of the same model). The model is in eval mode.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace gat
