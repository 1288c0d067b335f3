#include "model_args.h"

#include "gat/train/model_registry.h"

namespace gat::cli {

namespace {

// The model options and the config field each sets.
struct ModelOption {
  const char* option;
  const char* field;
};
constexpr ModelOption kModelOptions[] = {{"hidden", "hidden_channels"},
                                         {"heads", "heads"},
                                         {"out-heads", "out_heads"},
                                         {"dropout", "dropout"},
                                         {"attn-dropout", "attn_dropout"}};

const ModelEntry& entry_of(const std::string& model) {
  return ModelRegistry::global().at(model);
}

}  // namespace

std::vector<std::string> node_model_choices() {
  std::vector<std::string> names;
  for (const std::string& n : ModelRegistry::global().names(ModelKind::kNode))
    names.push_back(lower(n));
  return names;
}

void ModelArgs::add_to(Options& opts) {
  std::string help = "the model, in its published setup unless the options below change it:";
  for (const std::string& name : node_model_choices())
    help += " " + name + " (" + entry_of(name).summary + "),";
  help.pop_back();
  opts.add("model", &model, help, node_model_choices());
  const char* published = " (default: the model's published setup)";
  opts.add("epochs", &train.max_epochs, std::string("maximum epochs per run") + published,
           at_least(1));
  opts.add("patience", &train.patience,
           std::string("early-stopping patience in epochs (0: off)") + published, at_least(0));
  opts.add("lr", &train.adam.lr, std::string("Adam learning rate") + published, at_least(0));
  opts.add("weight-decay", &train.adam.weight_decay, std::string("L2 weight decay") + published,
           at_least(0));
  opts.add("hidden", &hidden, std::string("hidden units (per head for gat, gatv2)") + published,
           at_least(1));
  opts.add("heads", &heads, std::string("attention heads in the first layer") + published,
           at_least(1));
  opts.add("out-heads", &out_heads,
           std::string("attention heads in the output layer (averaged)") + published, at_least(1));
  opts.add("dropout", &dropout, std::string("dropout on the layer inputs") + published,
           kDropoutRange);
  opts.add("attn-dropout", &attn_dropout,
           std::string("dropout on the attention coefficients") + published, kDropoutRange);
}

void ModelArgs::check(const Options& opts) const {
  const ModelEntry& entry = entry_of(model);
  for (const ModelOption& o : kModelOptions)
    if (opts.given(o.option) && !entry.defaults.contains(o.field))
      throw UsageError(std::string("--") + o.option + " does not apply to --model " + model +
                       " (it has no \"" + o.field + "\")");
}

Json ModelArgs::config(const Options& opts, std::string_view dataset, int64_t in_channels,
                       int64_t out_channels) const {
  Json overrides = Json::object();
  auto set = [&](const char* option, const char* field, auto value) {
    if (opts.given(option)) overrides[field] = value;
  };
  set("hidden", "hidden_channels", hidden);
  set("heads", "heads", heads);
  set("out-heads", "out_heads", out_heads);
  set("dropout", "dropout", dropout);
  set("attn-dropout", "attn_dropout", attn_dropout);
  return published_config(entry_of(model), dataset, in_channels, out_channels, overrides);
}

TrainOptions ModelArgs::training(const Options& opts, std::string_view dataset) const {
  TrainOptions t = entry_of(model).published(dataset).train;
  if (opts.given("epochs")) t.max_epochs = train.max_epochs;
  if (opts.given("patience")) t.patience = train.patience;
  if (opts.given("lr")) t.adam.lr = train.adam.lr;
  if (opts.given("weight-decay")) t.adam.weight_decay = train.adam.weight_decay;
  return t;
}

Json setup_json(const Json& config, const TrainOptions& train) {
  return {{"model", config},
          {"training",
           {{"lr", train.adam.lr},
            {"weight_decay", train.adam.weight_decay},
            {"max_epochs", train.max_epochs},
            {"patience", train.patience}}}};
}

}  // namespace gat::cli
