#include "args.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "gat/core/error.h"
#include "gat/io/atomic_file.h"

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

// The range as words: "at least 1", "in [0, 1)", "at most 5".
std::string describe(const Range& r) {
  const bool has_min = std::isfinite(r.min), has_max = std::isfinite(r.max);
  if (has_min && has_max)
    return "in [" + show(r.min) + ", " + show(r.max) + (r.max_excluded ? ")" : "]");
  if (has_min) return "at least " + show(r.min);
  if (has_max) return (r.max_excluded ? "below " : "at most ") + show(r.max);
  return "any number";
}

void check_range(const std::string& name, double x, const Range& r, const std::string& text) {
  const bool ok = x >= r.min && (r.max_excluded ? x < r.max : x <= r.max);
  if (!ok) throw UsageError("--" + name + " must be " + describe(r) + ", got '" + text + "'");
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Readable now: a missing or unreadable input is reported before any work, like an output that
// could not be written.
void check_path(const std::string& name, const std::string& path, PathKind kind) {
  const std::string option = "--" + name;
  if (path.empty()) throw UsageError(option + " needs a path, got ''");
  if (kind == PathKind::kOutputFile) {
    try {
      io::check_writable(path);
    } catch (const IoError& e) {
      throw UsageError(option + ": " + e.what());  // the message names the path
    }
    return;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw UsageError(option + ": cannot read '" + path + "': " + std::strerror(errno));
  if (kind == PathKind::kInputDirectory) {
    if (!S_ISDIR(st.st_mode)) throw UsageError(option + ": '" + path + "' is not a directory");
    return;
  }
  if (S_ISDIR(st.st_mode)) throw UsageError(option + ": '" + path + "' is a directory");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError(option + ": cannot read '" + path + "': " + std::strerror(errno));
  ::close(fd);
}

}  // namespace

std::string check_choice(const std::string& option, const std::string& value,
                         const std::vector<std::string>& choices) {
  for (const std::string& c : choices)
    if (lower(c) == lower(value)) return c;
  std::string list;
  for (const std::string& c : choices)
    list += (list.empty() ? "" : ", ") + c;
  throw UsageError("--" + option + " must be one of " + list + "; got '" + value + "'");
}

void ArgParser::add(const std::string& name, int64_t* target, const std::string& help,
                    Range range) {
  options_.push_back(
      {name, help, show(*target), false, [name, target, range](const std::string& v) {
         const int64_t r = parse_int(name, v);
         check_range(name, static_cast<double>(r), range, v);
         *target = r;
       }});
}

void ArgParser::add(const std::string& name, int* target, const std::string& help, Range range) {
  options_.push_back(
      {name, help, show(*target), false, [name, target, range](const std::string& v) {
         const int64_t r = parse_int(name, v);
         if (r < INT32_MIN || r > INT32_MAX)
           throw UsageError("--" + name + " is out of range: " + v);
         check_range(name, static_cast<double>(r), range, v);
         *target = static_cast<int>(r);
       }});
}

void ArgParser::add(const std::string& name, float* target, const std::string& help, Range range) {
  options_.push_back(
      {name, help, show(*target), false, [name, target, range](const std::string& v) {
         size_t used = 0;
         float r = 0;
         try {
           r = std::stof(v, &used);
         } catch (const std::exception&) {
           used = 0;
         }
         if (used == 0 || used != v.size() || !std::isfinite(r))
           throw UsageError("--" + name + " needs a finite number, got '" + v + "'");
         check_range(name, r, range, v);
         *target = r;
       }});
}

void ArgParser::add(const std::string& name, std::string* target, const std::string& help) {
  options_.push_back({name, help, target->empty() ? "" : *target, false,
                      [target](const std::string& v) { *target = v; }});
}

void ArgParser::add(const std::string& name, std::string* target, const std::string& help,
                    std::vector<std::string> choices) {
  options_.push_back({name, help, *target, false,
                      [name, target, choices = std::move(choices)](const std::string& v) {
                        *target = check_choice(name, v, choices);
                      }});
}

void ArgParser::add_path(const std::string& name, std::string* target, PathKind kind,
                         const std::string& help) {
  options_.push_back({name, help, *target, false, [name, target, kind](const std::string& v) {
                        check_path(name, v, kind);
                        *target = v;
                      }});
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
    // Help that states its own default (one that depends on other options) gets no second one.
    if (!o.is_flag && !o.default_text.empty() && o.help.find("(default") == std::string::npos)
      os << " (default " << o.default_text << ")";
    os << "\n";
  }
  os << "  --help                show this help\n";
  return os.str();
}

}  // namespace gat::cli
