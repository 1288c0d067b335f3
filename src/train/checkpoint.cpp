#include "gat/train/checkpoint.h"

#include <cstring>
#include <map>
#include <set>

#include "gat/core/error.h"
#include "gat/io/safetensors.h"
#include "gat/nn/baselines.h"
#include "gat/nn/gatv2.h"

namespace gat {

json::Value gat_config(const GATOptions& o) {
  json::Value c = json::Value::object();
  c["arch"] = "GAT";
  c["in_channels"] = o.in_channels;
  c["hidden_channels"] = o.hidden_channels;
  c["out_channels"] = o.out_channels;
  c["heads"] = o.heads;
  c["out_heads"] = o.out_heads;
  c["dropout"] = o.dropout;
  c["attn_dropout"] = o.attn_dropout;
  c["negative_slope"] = o.negative_slope;
  c["add_self_loops"] = o.add_self_loops;
  return c;
}

GATOptions gat_options_from_config(const json::Value& c) {
  try {
    check<IoError>(c.is_object(), "checkpoint", "gat.config is not a JSON object");
    GATOptions o;
    o.in_channels = c.at("in_channels").as_int();
    o.hidden_channels = c.at("hidden_channels").as_int();
    o.out_channels = c.at("out_channels").as_int();
    o.heads = c.at("heads").as_int();
    o.out_heads = c.at("out_heads").as_int();
    if (c.contains("dropout")) o.dropout = static_cast<float>(c.at("dropout").as_double());
    if (c.contains("attn_dropout"))
      o.attn_dropout = static_cast<float>(c.at("attn_dropout").as_double());
    if (c.contains("negative_slope"))
      o.negative_slope = static_cast<float>(c.at("negative_slope").as_double());
    if (c.contains("add_self_loops")) o.add_self_loops = c.at("add_self_loops").as_bool();
    return o;
  } catch (const IoError&) {
    throw;
  } catch (const Error& e) {
    throw IoError(std::string("checkpoint: bad gat.config: ") + e.what());
  }
}

json::Value model_config(const NodeModel& model) {
  if (auto* m = dynamic_cast<const GAT*>(&model)) return gat_config(m->options());
  if (auto* m = dynamic_cast<const GATv2*>(&model)) {
    json::Value c = gat_config(m->options());
    c["arch"] = "GATv2";
    return c;
  }
  const BaselineOptions* b = nullptr;
  if (auto* m = dynamic_cast<const GCN*>(&model)) b = &m->options();
  if (auto* m = dynamic_cast<const MLP*>(&model)) b = &m->options();
  check_arg(b != nullptr, "model_config", "no checkpoint format for architecture '",
            model.arch(), "'");
  json::Value c = json::Value::object();
  c["arch"] = model.arch();
  c["in_channels"] = b->in_channels;
  c["hidden_channels"] = b->hidden_channels;
  c["out_channels"] = b->out_channels;
  c["dropout"] = b->dropout;
  return c;
}

void save_checkpoint(const std::string& path, const NodeModel& model,
                     const json::Value& extra_config) {
  json::Value config = model_config(model);
  for (const auto& [key, value] : extra_config.items()) config[key] = value;
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& [name, p] : model.named_parameters()) tensors.emplace_back(name, p.data());
  io::save_safetensors(path, tensors, {{"format", "pt"}, {kCheckpointConfigKey, json::dump(config)}});
}

namespace {

// The tensors of a file by name, with each use recorded so that leftovers can be reported.
class KeyTable {
 public:
  KeyTable(const std::string& path, io::SafetensorsData data) : path_(path) {
    for (auto& [name, t] : data.tensors) tensors_[name] = std::move(t);
  }
  bool has(const std::string& key) const { return tensors_.count(key) > 0; }
  const Tensor& take(const std::string& key) {
    used_.insert(key);
    return tensors_.at(key);
  }
  // The tensor stored under `key` or, failing that, under one of PyG's older names for it.
  const Tensor& find(const std::string& prefix, const std::string& name) {
    const std::string key = prefix + name;
    if (has(key)) return take(key);
    if (name == "lin.weight") {
      // 2.0–2.4: lin_src / lin_dst, the same matrix twice; 1.6–1.7: lin_l / lin_r.
      for (auto [a, b] : {std::pair{"lin_src.weight", "lin_dst.weight"},
                          std::pair{"lin_l.weight", "lin_r.weight"}}) {
        if (!has(prefix + a)) continue;
        const Tensor& first = take(prefix + a);
        if (has(prefix + b)) {
          const Tensor& second = take(prefix + b);
          check<IoError>(first.shape() == second.shape() &&
                             std::memcmp(first.data(), second.data(), first.nbytes()) == 0,
                         path_.c_str(), prefix, a, " and ", prefix, b,
                         " differ: a bipartite GATConv (separate source and target matrices) "
                         "is not supported");
        }
        return first;
      }
    }
    if (name == "att_src" && has(prefix + "att_l")) return take(prefix + "att_l");
    if (name == "att_dst" && has(prefix + "att_r")) return take(prefix + "att_r");
    throw IoError(detail::concat(path_, ": tensor ", key, " is missing"));
  }
  void check_all_used() const {
    for (const auto& [name, t] : tensors_)
      check<IoError>(used_.count(name) > 0, path_.c_str(), "unexpected tensor ", name,
                     " (not a parameter of this model)");
  }
  const Tensor* get(const std::string& key) const {
    auto it = tensors_.find(key);
    return it == tensors_.end() ? nullptr : &it->second;
  }

 private:
  std::string path_;
  std::map<std::string, Tensor> tensors_;
  std::set<std::string> used_;
};

// A plain PyG state_dict of the two-layer GAT: read the sizes off the attention vectors.
json::Value infer_config(const std::string& path, const KeyTable& keys) {
  auto att = [&](const std::string& conv) {
    for (const char* name : {"att_src", "att_l"})
      if (const Tensor* t = keys.get(conv + "." + name); t && t->dim() == 3) return *t;
    throw IoError(detail::concat(path, ": no gat.config metadata, and ", conv,
                                 ".att_src is missing or not [1, H, C], so the model's sizes "
                                 "cannot be inferred"));
  };
  const Tensor a1 = att("conv1"), a2 = att("conv2");
  const Tensor* w1 = nullptr;
  for (const char* name : {"lin.weight", "lin_src.weight", "lin_l.weight"})
    if (!w1) w1 = keys.get(std::string("conv1.") + name);
  check<IoError>(w1 && w1->dim() == 2, path.c_str(),
                 "no gat.config metadata and no conv1.lin.weight to infer in_channels from");
  GATOptions o;
  o.in_channels = w1->size(1);
  o.heads = a1.size(1);
  o.hidden_channels = a1.size(2);
  o.out_heads = a2.size(1);
  o.out_channels = a2.size(2);
  return gat_config(o);
}

}  // namespace

Checkpoint load_checkpoint(const std::string& path) {
  io::SafetensorsData data = io::load_safetensors(path);
  auto meta = data.metadata.find(kCheckpointConfigKey);
  const bool has_config = meta != data.metadata.end();
  std::string config_text = has_config ? meta->second : "";
  KeyTable keys(path, std::move(data));

  Checkpoint ckpt;
  if (has_config) {
    try {
      ckpt.config = json::parse(config_text);
    } catch (const Error& e) {
      throw IoError(detail::concat(path, ": gat.config metadata is not valid JSON: ", e.what()));
    }
  } else {
    ckpt.config = infer_config(path, keys);
  }
  ckpt.generator = std::make_unique<Generator>(0);
  std::string arch;
  try {
    arch = ckpt.config.at("arch").as_string();
    if (arch == "GAT" || arch == "GATv2") {
      GATOptions options = gat_options_from_config(ckpt.config);
      if (arch == "GAT")
        ckpt.model = std::make_unique<GAT>(options, *ckpt.generator);
      else
        ckpt.model = std::make_unique<GATv2>(options, *ckpt.generator);
    } else if (arch == "GCN" || arch == "MLP") {
      const json::Value& c = ckpt.config;
      BaselineOptions b{.in_channels = c.at("in_channels").as_int(),
                        .hidden_channels = c.at("hidden_channels").as_int(),
                        .out_channels = c.at("out_channels").as_int()};
      if (c.contains("dropout")) b.dropout = static_cast<float>(c.at("dropout").as_double());
      if (arch == "GCN")
        ckpt.model = std::make_unique<GCN>(b, *ckpt.generator);
      else
        ckpt.model = std::make_unique<MLP>(b, *ckpt.generator);
    } else {
      throw IoError(detail::concat(path, ": architecture '", arch,
                                   "' is not supported (GAT, GATv2, GCN, MLP)"));
    }
  } catch (const IoError&) {
    throw;
  } catch (const Error& e) {
    throw IoError(detail::concat(path, ": gat.config does not describe a valid model: ",
                                 e.what()));
  }
  for (auto& [name, param] : ckpt.model->named_parameters()) {
    const size_t dot = name.find('.');
    const Tensor& t = keys.find(name.substr(0, dot + 1), name.substr(dot + 1));
    check<IoError>(t.shape() == param.shape(), path.c_str(), "tensor ", name, " has shape ",
                   t.shape().str(), " but the model needs ", param.shape().str());
    std::memcpy(param.mutable_data().data(), t.data(), t.nbytes());
  }
  keys.check_all_used();
  ckpt.model->eval();
  return ckpt;
}

}  // namespace gat
