// tools/gat/model_args.h — --model and the hyper-parameter options of gat train, resolved through
// the model registry (gat/train/model_registry.h): the model's published setup on the dataset,
// with the options the user gave on top.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "gat/io/json.h"
#include "gat/train/trainer.h"

namespace gat::cli {

/// The node models of the registry in lower case (gat, gatv2, gcn, mlp), for --model.
std::vector<std::string> node_model_choices();

struct ModelArgs {
  std::string model = "gat";
  int64_t hidden = 8, heads = 8, out_heads = 1;
  float dropout = 0.6f, attn_dropout = 0.6f;
  TrainOptions train;

  /// Declares --model, the model's hyper-parameters and the optimiser's options.
  void add_to(Options& opts);
  /// Throws UsageError when a model option was given that the model does not have
  /// (--heads for gcn).
  void check(const Options& opts) const;
  /// The config of the model to train on `dataset` (lower case) with the data's sizes, and its
  /// training options: the published setup with the options given on top.
  Json config(const Options& opts, std::string_view dataset, int64_t in_channels,
              int64_t out_channels) const;
  TrainOptions training(const Options& opts, std::string_view dataset) const;
};

/// {"model": config, "training": {"lr", "weight_decay", "max_epochs", "patience"}}.
Json setup_json(const Json& config, const TrainOptions& train);

}  // namespace gat::cli
