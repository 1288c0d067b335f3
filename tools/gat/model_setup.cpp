#include "model_setup.h"

#include "args.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gatv2.h"
#include "gat/train/checkpoint.h"

namespace gat::cli {

ModelSetup default_setup(const std::string& arch, const std::string& dataset) {
  ModelSetup s;
  s.arch = arch;
  if (arch == "gat" || arch == "gatv2") {
    if (dataset == "pubmed") {
      s.model.out_heads = 8;
      s.train.adam.lr = 0.01f;
      s.train.adam.weight_decay = 0.001f;
    }
    return s;
  }
  if (arch == "gcn" || arch == "mlp") {
    s.model.hidden_channels = 16;
    s.model.dropout = 0.5f;
    s.train.adam.lr = 0.01f;
    s.train.adam.weight_decay = 5e-4f;
    s.train.max_epochs = 200;
    s.train.patience = 0;
    return s;
  }
  throw UsageError("unknown model '" + arch + "' (expected gat, gatv2, gcn or mlp)");
}

std::unique_ptr<NodeModel> make_model(const ModelSetup& setup, int64_t in_channels,
                                      int64_t num_classes, Generator& gen) {
  GATOptions o = setup.model;
  o.in_channels = in_channels;
  o.out_channels = num_classes;
  if (setup.arch == "gat") return std::make_unique<GAT>(o, gen);
  if (setup.arch == "gatv2") return std::make_unique<GATv2>(o, gen);
  const BaselineOptions b{.in_channels = in_channels,
                          .hidden_channels = o.hidden_channels,
                          .out_channels = num_classes,
                          .dropout = o.dropout};
  if (setup.arch == "gcn") return std::make_unique<GCN>(b, gen);
  return std::make_unique<MLP>(b, gen);
}

json::Value setup_json(const ModelSetup& setup, int64_t in_channels, int64_t num_classes) {
  GATOptions o = setup.model;
  o.in_channels = in_channels;
  o.out_channels = num_classes;
  json::Value model = json::Value::object();
  if (setup.arch == "gat" || setup.arch == "gatv2") {
    model = gat_config(o);
    if (setup.arch == "gatv2") model["arch"] = "GATv2";
  } else {
    model["arch"] = setup.arch == "gcn" ? "GCN" : "MLP";
    model["in_channels"] = in_channels;
    model["hidden_channels"] = o.hidden_channels;
    model["out_channels"] = num_classes;
    model["dropout"] = o.dropout;
  }
  json::Value train = json::Value::object();
  train["lr"] = setup.train.adam.lr;
  train["weight_decay"] = setup.train.adam.weight_decay;
  train["max_epochs"] = setup.train.max_epochs;
  train["patience"] = setup.train.patience;
  json::Value out = json::Value::object();
  out["model"] = model;
  out["training"] = train;
  return out;
}

}  // namespace gat::cli
