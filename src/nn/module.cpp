#include "gat/nn/module.h"

#include <cstring>
#include <map>

#include "gat/core/error.h"

namespace gat {


std::vector<std::pair<std::string, Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Variable>> out = own_parameters();
  for (const auto& [child_name, child] : children())
    for (auto& [name, p] : child->named_parameters()) out.emplace_back(child_name + "." + name, p);
  return out;
}

std::vector<std::pair<std::string, Variable>> Module::named_aliases() const {
  std::vector<std::pair<std::string, Variable>> out = own_aliases();
  for (const auto& [child_name, child] : children())
    for (auto& [name, p] : child->named_aliases()) out.emplace_back(child_name + "." + name, p);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, p] : named_parameters()) out.emplace_back(name, p.data());
  for (auto& [name, p] : named_aliases()) out.emplace_back(name, p.data());
  return out;
}

void Module::load_state_dict(const std::vector<std::pair<std::string, Tensor>>& tensors) {
  const char* where = "Module::load_state_dict";
  std::map<std::string, const Tensor*> by_name;
  for (const auto& [name, t] : tensors) {
    check_arg(by_name.emplace(name, &t).second, where, "key ", name, " appears twice");
  }
  std::map<std::string, int> used;
  auto params = named_parameters();
  // Check everything first, so that a bad file leaves the module untouched.
  for (const auto& [name, p] : params) {
    auto it = by_name.find(name);
    check_arg(it != by_name.end(), where, "parameter ", name, " is missing");
    check_shape(it->second->shape() == p.shape(), where, "tensor ", name, " has shape ",
                it->second->shape().str(), " but the parameter is ", p.shape().str());
    used[name] = 1;
  }
  for (const auto& [name, alias] : named_aliases()) {
    auto it = by_name.find(name);
    if (it == by_name.end()) continue;
    // The parameter it aliases: the one sharing its tensor.
    const Tensor* source = nullptr;
    std::string source_name;
    for (const auto& [pname, p] : params)
      if (p.data().data() == alias.data().data()) {
        source = by_name.at(pname);
        source_name = pname;
      }
    GAT_ASSERT(source != nullptr, "alias ", name, " shares no parameter's tensor");
    check_arg(it->second->shape() == source->shape() &&
                  std::memcmp(it->second->data(), source->data(), source->nbytes()) == 0,
              where, name, " differs from ", source_name,
              ", but the module ties them (one shared tensor)");
    used[name] = 1;
  }
  for (const auto& [name, t] : by_name)
    check_arg(used.count(name) > 0, where, "unexpected key ", name,
              " (not a parameter of this module)");
  for (auto& [name, p] : params) {
    const Tensor& t = *by_name.at(name);
    std::memcpy(p.mutable_data().data(), t.data(), t.nbytes());
  }
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const Variable& p : parameters()) n += p.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& [name, child] : children()) child->train(on);
}

void Module::zero_grad() {
  for (Variable& p : parameters()) p.zero_grad();
}

}  // namespace gat
