#include "gat/train/checkpoint.h"

#include <cstring>
#include <map>
#include <set>

#include "gat/core/error.h"
#include "gat/io/safetensors.h"

namespace gat {

void save_checkpoint(const std::string& path, const Module& model, const Json& extra_config) {
  Json config = model_config(model);
  config.update(extra_config);
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& [name, p] : model.named_parameters())
    tensors.emplace_back(name, p.data());
  io::save_safetensors(path, tensors,
                       {{"format", "pt"}, {kCheckpointConfigKey, json::dump(config)}});
}

NodeModel& Checkpoint::node_model() const {
  auto* m = dynamic_cast<NodeModel*>(model.get());
  check<IoError>(m != nullptr, path.c_str(), "the model is a ", entry ? entry->name : "?",
                 ", not a node model");
  return *m;
}

namespace {

// The tensors of a file by name, with each use recorded so that leftovers can be reported.
class KeyTable {
 public:
  KeyTable(const std::string& path, io::SafetensorsData data) : path_(path) {
    for (auto& [name, t] : data.tensors)
      tensors_[name] = std::move(t);
  }
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }
  size_t total_bytes() const {
    size_t n = 0;
    for (const auto& [name, t] : tensors_)
      n += t.nbytes();
    return n;
  }

  // The tensor of parameter `name`: stored under its own name or, failing that, under one of
  // the older names the model's entry lists.
  const Tensor& find(const std::string& name, const std::vector<ParamAlias>& aliases) {
    if (has(name)) return take(name);
    for (const ParamAlias& a : aliases) {
      const size_t n = a.name.size();
      const bool matches = name == a.name || (name.size() > n && name.ends_with("." + a.name));
      if (!matches) continue;
      const std::string prefix = name.substr(0, name.size() - n);
      if (!has(prefix + a.alias)) continue;
      const Tensor& first = take(prefix + a.alias);
      if (!a.copy.empty() && has(prefix + a.copy)) {
        const Tensor& second = take(prefix + a.copy);
        check<IoError>(first.shape() == second.shape() &&
                           std::memcmp(first.data(), second.data(), first.nbytes()) == 0,
                       path_.c_str(), prefix, a.alias, " and ", prefix, a.copy,
                       " differ: a bipartite GATConv (separate source and target matrices) "
                       "is not supported");
      }
      return first;
    }
    throw IoError(detail::concat(path_, ": tensor ", name, " is missing"));
  }
  void check_all_used() const {
    for (const auto& [name, t] : tensors_)
      check<IoError>(used_.count(name) > 0, path_.c_str(), "unexpected tensor ", name,
                     " (not a parameter of this model)");
  }

 private:
  bool has(const std::string& key) const { return tensors_.count(key) > 0; }
  const Tensor& take(const std::string& key) {
    used_.insert(key);
    return tensors_.at(key);
  }

  std::string path_;
  std::map<std::string, Tensor> tensors_;
  std::set<std::string> used_;
};

// The configuration of a plain state_dict: the first registered model that recognises it.
Json infer_config(const std::string& path, const KeyTable& keys) {
  std::string inferable;
  for (const ModelEntry* e : ModelRegistry::global().entries()) {
    if (!e->infer) continue;
    if (std::optional<Json> fields = e->infer(keys.tensors())) {
      Json c = {{"arch", e->name}};
      c.update(*fields);
      return c;
    }
    inferable += (inferable.empty() ? "" : ", ") + e->name;
  }
  throw IoError(detail::concat(path,
                               ": no gat.config metadata, and the tensors' names and shapes "
                               "are not those of a model whose sizes can be inferred (",
                               inferable,
                               "; for the GAT: conv1.att_src and conv2.att_src "
                               "[1, H, C], conv1.lin.weight [H*C, F])"));
}

}  // namespace

Checkpoint load_checkpoint(const std::string& path) {
  io::SafetensorsData data = io::load_safetensors(path);
  auto meta = data.metadata.find(kCheckpointConfigKey);
  const bool has_config = meta != data.metadata.end();
  const std::string config_text = has_config ? meta->second : "";
  KeyTable keys(path, std::move(data));

  Checkpoint ckpt;
  ckpt.path = path;
  if (has_config) {
    try {
      ckpt.config = json::parse(config_text, "gat.config");
    } catch (const json::JsonError& e) {
      throw IoError(detail::concat(path, ": gat.config metadata is not valid JSON: ", e.what()));
    }
  } else {
    ckpt.config = infer_config(path, keys);
  }
  ckpt.generator = std::make_unique<Generator>(0);
  const std::string where = path + ": gat.config";
  try {
    const json::Fields fields(ckpt.config, where);
    const std::string arch = fields.string("arch");
    ckpt.entry = ModelRegistry::global().find(arch);
    if (!ckpt.entry)
      throw IoError(detail::concat(path, ": architecture '", arch, "' is not supported (",
                                   ModelRegistry::global().name_list(), ")"));
    // Every parameter must come from a tensor of the file with its shape, so the model fits in
    // the file's tensors (64 KiB spare for a model's own small buffers): a config that asks for
    // more is refused before it is allocated.
    memory::ScopedBudget budget(
        keys.total_bytes() + (size_t{1} << 16),
        path + ": gat.config describes a model larger than the file's tensors");
    ckpt.model = ckpt.entry->make(fields, *ckpt.generator);
  } catch (const IoError&) {
    throw;  // json::JsonError included: it names the file, the key and the problem
  } catch (const Error& e) {
    throw IoError(detail::concat(path, ": gat.config does not describe a valid model: ", e.what()));
  }
  for (auto& [name, param] : ckpt.model->named_parameters()) {
    const Tensor& t = keys.find(name, ckpt.entry->aliases);
    check<IoError>(t.shape() == param.shape(), path.c_str(), "tensor ", name, " has shape ",
                   t.shape().str(), " but the model needs ", param.shape().str());
    std::memcpy(param.mutable_data().data(), t.data(), t.nbytes());
  }
  keys.check_all_used();
  ckpt.model->eval();
  return ckpt;
}

}  // namespace gat
