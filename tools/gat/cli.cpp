#include "cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>

#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/io/atomic_file.h"
#include "output.h"

namespace gat::cli {

namespace {

template <typename T>
std::string show(T v) {
  std::ostringstream os;
  os << v;
  return os.str();
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

// A CLI11 validator's message: empty when the value is accepted. CLI11 puts "--name: " before it.
std::string range_error(double x, const Range& r, const std::string& text) {
  const bool ok = x >= r.min && (r.max_excluded ? x < r.max : x <= r.max);
  return ok ? "" : "must be " + describe(r) + ", got '" + text + "'";
}

std::string integer_error(const std::string& v, const Range& r, bool int32) {
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size()) return "needs an integer, got '" + v + "'";
  if (int32 && (x < INT32_MIN || x > INT32_MAX)) return "is out of range: '" + v + "'";
  return range_error(static_cast<double>(x), r, v);
}

std::string number_error(const std::string& v, const Range& r) {
  size_t used = 0;
  float x = 0;
  try {
    x = std::stof(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || !std::isfinite(x))
    return "needs a finite number, got '" + v + "'";
  return range_error(x, r, v);
}

// Readable now: a missing or unreadable input is reported before any work, like an output that
// cannot be written.
std::string path_error(const std::string& path, PathKind kind) {
  if (path.empty()) return "needs a path, got ''";
  if (kind == PathKind::kOutputFile) {
    try {
      io::check_writable(path);
    } catch (const IoError& e) {
      return e.what();  // the message names the path
    }
    return "";
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "cannot read '" + path + "': " + std::strerror(errno);
  if (kind == PathKind::kInputDirectory)
    return S_ISDIR(st.st_mode) ? "" : "'" + path + "' is not a directory";
  if (S_ISDIR(st.st_mode)) return "'" + path + "' is a directory";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot read '" + path + "': " + std::strerror(errno);
  ::close(fd);
  return "";
}

// Words of `text` in lines of at most `width` columns, every line after the first indented by
// `indent` spaces.
std::string wrap(const std::string& text, size_t width, size_t indent) {
  std::ostringstream os;
  std::istringstream words(text);
  size_t col = 0;
  for (std::string w; words >> w;) {
    if (col > 0 && col + 1 + w.size() > width) {
      os << "\n" << std::string(indent, ' ');
      col = 0;
    } else if (col > 0) {
      os << ' ';
      ++col;
    }
    os << w;
    col += w.size();
  }
  return os.str();
}

// "usage: gat train [options]", the description, then "options:" with each option's name,
// VALUE when it takes one, and its help (which states the default), wrapped at 100 columns.
class Formatter : public CLI::Formatter {
 public:
  static constexpr size_t kWidth = 100, kColumn = 26;

  std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const override {
    std::string out = "usage: " + app->get_name() + " [options]\n\n" +
                      wrap(app->get_description(), kWidth, 0) + "\n\noptions:\n";
    for (const CLI::Option* opt : app->get_options()) {
      std::string left = "  " + opt->get_name(false, true) +
                         (opt->get_type_name().empty() ? "" : " " + opt->get_type_name());
      left.resize(std::max(left.size() + 1, kColumn), ' ');
      out += left + wrap(opt->get_description(), kWidth - kColumn, kColumn) + "\n";
    }
    return out;
  }
};

}  // namespace

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string check_choice(const std::string& option, const std::string& value,
                         const std::vector<std::string>& choices) {
  for (const std::string& c : choices)
    if (lower(c) == lower(value)) return c;
  std::string list;
  for (const std::string& c : choices)
    list += (list.empty() ? "" : ", ") + c;
  throw UsageError("--" + option + " must be one of " + list + "; got '" + value + "'");
}

Options::Options(CLI::App& app) : app_(app) {}

namespace {

// The help with its default, unless the help states its own (one that depends on other options).
std::string with_default(const std::string& help, const std::string& default_text) {
  if (default_text.empty() || help.find("(default") != std::string::npos) return help;
  return help + " (default " + default_text + ")";
}

// An option with a value, checked (and, for choices, rewritten) by `check` as it is parsed;
// check returns the problem, or "" for a good value.
template <typename T>
void add_value(CLI::App& app, const std::string& name, T* target, const std::string& help,
               std::function<std::string(std::string&)> check = nullptr) {
  CLI::Option* o = app.add_option("--" + name, *target, with_default(help, show(*target)));
  o->type_name("VALUE");
  if (check) o->transform(CLI::Validator(std::move(check), ""));
}

}  // namespace

void Options::add(const std::string& name, int64_t* target, const std::string& help, Range range) {
  add_value(app_, name, target, help,
            [range](std::string& v) { return integer_error(v, range, false); });
}

void Options::add(const std::string& name, int* target, const std::string& help, Range range) {
  add_value(app_, name, target, help,
            [range](std::string& v) { return integer_error(v, range, true); });
}

void Options::add(const std::string& name, float* target, const std::string& help, Range range) {
  add_value(app_, name, target, help, [range](std::string& v) { return number_error(v, range); });
}

void Options::add(const std::string& name, std::string* target, const std::string& help) {
  add_value(app_, name, target, help);
}

void Options::add(const std::string& name, std::string* target, const std::string& help,
                  std::vector<std::string> choices) {
  add_value(app_, name, target, help, [name, choices = std::move(choices)](std::string& v) {
    try {
      v = check_choice(name, v, choices);
      return std::string();
    } catch (const UsageError& e) {
      return std::string(e.what()).substr(name.size() + 3);  // CLI11 names the option itself
    }
  });
}

void Options::add_path(const std::string& name, std::string* target, PathKind kind,
                       const std::string& help) {
  add_value(app_, name, target, help, [kind](std::string& v) { return path_error(v, kind); });
}

void Options::add_flag(const std::string& name, bool* target, const std::string& help) {
  app_.add_flag("--" + name, *target, help);
}

void Options::common(Common* c, unsigned which, const std::string& seed_help) {
  if (which & kSeed) add("seed", &c->seed, seed_help);
  if (which & kThreads) add("threads", &c->threads, "threads", at_least(1));
  if (which & kJson) add_flag("json", &c->json, "print one JSON object instead of text");
  if (which & kQuiet) add_flag("quiet", &c->quiet, "print only the final summary");
}

bool Options::given(const std::string& name) const {
  return app_.count("--" + name) > 0;
}

int execute(const std::string& name, Command& command, int argc, char** argv) {
  CLI::App app(command.description(), "gat " + name);
  app.formatter(std::make_shared<Formatter>());
  app.set_help_flag("-h,--help", "show this help");
  app.allow_extras();  // reported below in gat's words
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  command.common.threads = num_threads();
  Options opts(app);
  command.declare(opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ArgumentMismatch& e) {
    // The one mismatch TakeLast leaves: an option at the end of the line without its value.
    const std::string what = e.what();
    throw UsageError(what.substr(0, what.find(':')) + " needs a value");
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  for (const std::string& extra : app.remaining()) {
    if (extra.rfind("--", 0) == 0)
      throw UsageError("unknown option " + extra.substr(0, extra.find('=')) + " for 'gat " + name +
                       "'");
    throw UsageError("unexpected argument '" + extra + "'");
  }
  command.validate(opts);
  set_num_threads(command.common.threads);
  Output out(command.common.json, command.common.quiet);
  return command.run(opts, out);
}

}  // namespace gat::cli
