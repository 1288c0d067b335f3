// tools/gat/model_setup.h — the models the CLI trains and their published setups, shared by
// `gat train` and `gat compare`.
#pragma once

#include <memory>
#include <string>

#include "gat/io/json.h"
#include "gat/nn/gat.h"
#include "gat/nn/node_model.h"
#include "gat/train/trainer.h"

namespace gat::cli {

/// A model choice with its options. gat and gatv2 use every field of `model`; gcn and mlp use
/// hidden_channels and dropout (BaselineOptions).
struct ModelSetup {
  std::string arch = "gat";  // gat, gatv2, gcn, mlp
  GATOptions model;
  TrainOptions train;
};

/// The published setup of `arch` on `dataset` (lower case): the GAT paper's for gat and gatv2
/// (PubMed: 8 output heads, lr 0.01, weight decay 0.001), Kipf & Welling's for gcn and mlp (16
/// hidden, dropout 0.5, lr 0.01, weight decay 5e-4, 200 epochs, no early stopping). Throws
/// UsageError for an unknown arch.
ModelSetup default_setup(const std::string& arch, const std::string& dataset);

/// The model, with in/out sizes set from the data.
std::unique_ptr<NodeModel> make_model(const ModelSetup& setup, int64_t in_channels,
                                      int64_t num_classes, Generator& gen);

/// The setup as JSON (model configuration and training options).
json::Value setup_json(const ModelSetup& setup, int64_t in_channels, int64_t num_classes);

}  // namespace gat::cli
