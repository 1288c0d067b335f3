#include "args.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace gat::cli {

ArgParser::ArgParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

namespace {
template <typename T>
std::string show(T v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

int64_t parse_int(const std::string& name, const std::string& v) {
  size_t used = 0;
  int64_t r = 0;
  try {
    r = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size())
    throw UsageError("--" + name + " needs an integer, got '" + v + "'");
  return r;
}
}  // namespace

void ArgParser::add(const std::string& name, int64_t* target, const std::string& help) {
  options_.push_back({name, help, show(*target), false,
                      [name, target](const std::string& v) { *target = parse_int(name, v); }});
}

void ArgParser::add(const std::string& name, int* target, const std::string& help) {
  options_.push_back({name, help, show(*target), false, [name, target](const std::string& v) {
                        int64_t r = parse_int(name, v);
                        if (r < INT32_MIN || r > INT32_MAX)
                          throw UsageError("--" + name + " is out of range: " + v);
                        *target = static_cast<int>(r);
                      }});
}

void ArgParser::add(const std::string& name, float* target, const std::string& help) {
  options_.push_back({name, help, show(*target), false, [name, target](const std::string& v) {
                        size_t used = 0;
                        float r = 0;
                        try {
                          r = std::stof(v, &used);
                        } catch (const std::exception&) {
                          used = 0;
                        }
                        if (used == 0 || used != v.size() || !std::isfinite(r))
                          throw UsageError("--" + name + " needs a finite number, got '" + v + "'");
                        *target = r;
                      }});
}

void ArgParser::add(const std::string& name, std::string* target, const std::string& help) {
  options_.push_back({name, help, target->empty() ? "" : *target, false,
                      [target](const std::string& v) { *target = v; }});
}

void ArgParser::add_flag(const std::string& name, bool* target, const std::string& help) {
  options_.push_back({name, help, "", true, [target](const std::string&) { *target = true; }});
}

bool ArgParser::parse(int argc, char** argv, int first) {
  for (int k = first; k < argc; ++k) {
    std::string arg = argv[k];
    if (arg == "--help" || arg == "-h") {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    if (arg.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const Option* opt = nullptr;
    for (const Option& o : options_)
      if (o.name == name) opt = &o;
    if (!opt) throw UsageError("unknown option --" + name + " for 'gat " + command_ + "'");
    given_.push_back(name);
    if (opt->is_flag) {
      if (has_value) throw UsageError("--" + name + " takes no value");
      opt->set("");
      continue;
    }
    if (!has_value) {
      if (k + 1 >= argc) throw UsageError("--" + name + " needs a value");
      value = argv[++k];
    }
    opt->set(value);
  }
  return true;
}

bool ArgParser::given(const std::string& name) const {
  for (const std::string& g : given_)
    if (g == name) return true;
  return false;
}

std::string ArgParser::help() const {
  std::ostringstream os;
  os << "usage: gat " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const Option& o : options_) {
    std::string left = "  --" + o.name + (o.is_flag ? "" : " VALUE");
    os << left << std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') << o.help;
    if (!o.is_flag && !o.default_text.empty()) os << " (default " << o.default_text << ")";
    os << "\n";
  }
  os << "  --help                show this help\n";
  return os.str();
}

}  // namespace gat::cli
